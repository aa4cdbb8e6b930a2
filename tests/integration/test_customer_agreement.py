"""The Microsoft Customer Agreement rule against the sandbox (docs/business.md#the-microsoft-customer-agreement):
an order for a customer that has not accepted it is refused before Partner Center is asked; staff record an
acceptance, the storefront admin accepts for itself, and an acceptance given in Partner Center is seen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from shared.domain.orders import OrderStatus
from shared.domain.scope import OrgRef, OrgType, Role
from shared.partner_center import AgreementContact
from tests.support.commerce import ready_shop, work_queues
from tests.support.onboarding import Sandbox

CONTACT = {"firstName": "Nina", "lastName": "Winters", "email": "nina@wingtip.example", "phoneNumber": "+1 425 555"}


@pytest.fixture
def shop(client: TestClient, container: Container, sandbox: Any) -> dict[str, Any]:
    """A customer whose global admin accepted the relationship request but not the agreement."""
    return ready_shop(client, container, Sandbox(sandbox), sandbox, accept_agreement=False)


def _pc(container: Container, shop: dict[str, Any]) -> Any:
    provider = container.providers.get(shop["provider"]["id"])
    assert provider is not None
    return container.partner_center_clients.for_provider(provider)


def _cheapest_base_item(shop: dict[str, Any]) -> Any:
    """The cheapest one-year item that is not an add-on (an add-on would also need its base subscription)."""
    return sorted((i for i in shop["items"] if i.term_duration == "P1Y" and not i.is_addon), key=lambda i: i.cost)[0]


def _order(client: TestClient, shop: dict[str, Any], headers: dict[str, str]) -> Any:
    item = _cheapest_base_item(shop)
    line = {"catalogItemId": item.catalog_item_id, "quantity": 1, "termDuration": "P1Y",
            "billingCycle": item.billing_cycle}  # fmt: skip
    return client.post("/api/orders", headers=headers, json={"customerId": shop["customerId"], "lines": [line]})


def _yesterday() -> str:
    return (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0).isoformat()


def test_an_order_for_a_customer_without_the_agreement_is_409_and_nothing_reaches_partner_center(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    staff = shop["auth"](shop["resellerStaff"])
    customer = client.get(f"/api/customers/{shop['customerId']}", headers=staff).json()
    assert customer["agreement"] == {"status": "missing", "acceptedAt": None, "contact": None, "templateId": None,
                                     "confirmedAt": None}  # fmt: skip
    refused = _order(client, shop, staff)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"].endswith(":customer-agreement-missing")
    assert "has not accepted the Microsoft Customer Agreement" in problem["detail"]
    listed = client.get("/api/orders", headers=staff, params={"customerId": shop["customerId"]}).json()["items"]
    assert listed == []
    assert _pc(container, shop).list_orders(shop["tenantId"]) == []


def test_staff_record_the_acceptance_in_partner_center_and_the_customer_can_order(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    staff = shop["auth"](shop["resellerStaff"])
    path = f"/api/customers/{shop['customerId']}/agreement"
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    too_late = client.post(path, headers=staff, json={**CONTACT, "dateAgreed": future})
    assert too_late.status_code == 422 and too_late.json()["errors"][0]["field"] == "dateAgreed"
    no_email = client.post(path, headers=staff, json={"firstName": "N", "lastName": "W", "dateAgreed": _yesterday()})
    assert no_email.status_code == 422
    assert _pc(container, shop).list_customer_agreements(shop["tenantId"]) == []
    agreed = _yesterday()
    recorded = client.post(path, headers=staff, json={**CONTACT, "dateAgreed": agreed})
    assert recorded.status_code == 200, recorded.text
    agreement = recorded.json()["agreement"]
    assert agreement["status"] == "accepted" and agreement["contact"] == CONTACT
    assert datetime.fromisoformat(agreement["acceptedAt"]) == datetime.fromisoformat(agreed)
    [in_partner_center] = _pc(container, shop).list_customer_agreements(shop["tenantId"])
    assert in_partner_center.primary_contact.email == CONTACT["email"]
    assert in_partner_center.template_id == agreement["templateId"]
    audit = client.get("/api/audit", headers=shop["auth"](shop["providerAdmin"]),
                       params={"entityType": "customer", "entityId": shop["customerId"]}).json()["items"]  # fmt: skip
    assert "customer.agreementAccepted" in [entry["action"] for entry in audit]
    assert _order(client, shop, staff).status_code == 202


def test_who_may_record_an_acceptance(client: TestClient, container: Container, shop: dict[str, Any]) -> None:
    path = f"/api/customers/{shop['customerId']}/agreement"
    body = {**CONTACT, "dateAgreed": _yesterday()}
    customer_org = OrgRef(OrgType.CUSTOMER, shop["customerId"], provider_id=shop["provider"]["id"],
                          reseller_id=shop["resellerId"])  # fmt: skip
    customer_admin = shop["addMember"](customer_org, Role.CUSTOMER_ADMIN)
    assert client.post(path, headers=shop["auth"](customer_admin), json=body).status_code == 403
    stranger = shop["addMember"](OrgRef(OrgType.PROVIDER, "another-provider"), Role.PROVIDER_ADMIN)
    assert client.post(path, headers=shop["auth"](stranger), json=body).status_code == 404
    assert _pc(container, shop).list_customer_agreements(shop["tenantId"]) == []


def test_an_acceptance_for_a_customer_not_active_is_409(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    admin = shop["auth"](shop["providerAdmin"])
    invited = client.post("/api/customer-invitations", headers=admin, json={
        "resellerId": shop["resellerId"], "name": "Later", "domain": f"later{shop['resellerPartnerId']}.example",
        "contactEmail": "it@later.example"}).json()  # fmt: skip
    refused = client.post(f"/api/customers/{invited['customerId']}/agreement", headers=admin,
                          json={**CONTACT, "dateAgreed": _yesterday()})  # fmt: skip
    assert refused.status_code == 409 and "active" in refused.json()["detail"]


def test_an_acceptance_given_in_partner_center_is_seen_by_a_check(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    staff = shop["auth"](shop["resellerStaff"])
    pc = _pc(container, shop)
    template = pc.get_agreement_template()
    pc.create_customer_agreement(
        shop["tenantId"],
        contact=AgreementContact("Ada", "Admin", "ada@wingtip.example"),
        date_agreed=datetime.now(UTC) - timedelta(hours=2),
        template_id=template.template_id,
    )
    checked = client.post(f"/api/customers/{shop['customerId']}/relationship-check", headers=staff)
    assert checked.status_code == 202
    work_queues(container, lambda: client.get(f"/api/customers/{shop['customerId']}", headers=staff).json()[
        "agreement"]["status"] == "accepted")  # fmt: skip
    shown = client.get(f"/api/customers/{shop['customerId']}", headers=staff).json()["agreement"]
    assert shown["contact"]["email"] == "ada@wingtip.example" and shown["confirmedAt"]


def test_a_checkout_partner_center_refuses_with_13605_fails_the_order_naming_the_agreement(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    """Our record says accepted, Partner Center holds nothing: the order fails with the reason, the record is read
    again and shows the agreement missing."""
    from dataclasses import replace

    from shared.domain.agreements import AgreementContact as Contact
    from shared.domain.agreements import CustomerAgreement

    stale = CustomerAgreement(datetime.now(UTC) - timedelta(days=3), Contact("Old", "Record", "old@wingtip.example"))
    container.customers.update(shop["provider"]["id"], shop["customerId"], lambda c: replace(c, agreement=stale))
    staff = shop["auth"](shop["resellerStaff"])
    placed = _order(client, shop, staff)
    assert placed.status_code == 202, placed.text
    order_id = placed.json()["id"]
    read = lambda: client.get(f"/api/orders/{order_id}", headers=staff).json()  # noqa: E731
    work_queues(container, lambda: read()["status"] not in ("accepted", "provisioning"))
    failed = read()
    assert failed["status"] == OrderStatus.FAILED.value
    assert "Microsoft Customer Agreement" in failed["failureReason"] and "13605" in failed["failureReason"]
    customer = client.get(f"/api/customers/{shop['customerId']}", headers=staff).json()
    assert customer["agreement"]["status"] == "missing"


def test_the_storefront_admin_accepts_for_itself_before_its_first_order(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    staff = shop["auth"](shop["resellerStaff"])
    client.patch(f"/api/customers/{shop['customerId']}", headers=staff,
                 json={"storefrontEnabled": True}).raise_for_status()  # fmt: skip
    customer_org = OrgRef(OrgType.CUSTOMER, shop["customerId"], provider_id=shop["provider"]["id"],
                          reseller_id=shop["resellerId"])  # fmt: skip
    admin = shop["auth"](shop["addMember"](customer_org, Role.CUSTOMER_ADMIN))
    shown = client.get("/api/storefront/agreement", headers=admin).json()
    assert shown["status"] == "missing" and shown["agreementLink"].startswith("https://")
    assert shown["currentTemplateId"]
    item = _cheapest_base_item(shop)
    line = {"catalogItemId": item.catalog_item_id, "quantity": 1, "termDuration": "P1Y",
            "billingCycle": item.billing_cycle}  # fmt: skip
    refused = client.post("/api/storefront/orders", headers=admin, json={"lines": [line]})
    assert refused.status_code == 409 and refused.json()["type"].endswith(":customer-agreement-missing")
    bad = client.post("/api/storefront/agreement", headers=admin, json={"firstName": "Nina", "email": "nope"})
    assert bad.status_code == 422
    accepted = client.post(
        "/api/storefront/agreement", headers=admin, json={k: CONTACT[k] for k in ("firstName", "lastName", "email")}
    )
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "accepted" and body["contact"]["email"] == CONTACT["email"]
    assert datetime.fromisoformat(body["acceptedAt"]) > datetime.now(UTC) - timedelta(minutes=5)
    assert client.post("/api/storefront/orders", headers=admin, json={"lines": [line]}).status_code == 202


def test_the_storefront_admin_of_an_ended_customer_cannot_accept(
    client: TestClient, container: Container, shop: dict[str, Any], sandbox: Any
) -> None:
    staff = shop["auth"](shop["resellerStaff"])
    client.patch(f"/api/customers/{shop['customerId']}", headers=staff,
                 json={"storefrontEnabled": True}).raise_for_status()  # fmt: skip
    customer_org = OrgRef(OrgType.CUSTOMER, shop["customerId"], provider_id=shop["provider"]["id"],
                          reseller_id=shop["resellerId"])  # fmt: skip
    admin = shop["auth"](shop["addMember"](customer_org, Role.CUSTOMER_ADMIN))
    Sandbox(sandbox).end_relationship(shop["app"]["tenantId"], tenantId=shop["tenantId"])
    client.post(f"/api/customers/{shop['customerId']}/relationship-check", headers=staff).raise_for_status()
    work_queues(container, lambda: client.get(f"/api/customers/{shop['customerId']}", headers=staff).json()[
        "status"] == "ended")  # fmt: skip
    refused = client.post(
        "/api/storefront/agreement", headers=admin, json={k: CONTACT[k] for k in ("firstName", "lastName", "email")}
    )
    assert refused.status_code == 409, refused.text
