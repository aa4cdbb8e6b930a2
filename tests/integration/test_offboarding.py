"""Editing and offboarding customers and resellers (docs/business.md#offboarding), through the API on Azurite and the
sandbox: an offboarded customer buys nothing new while its subscriptions stay as they are in Partner Center, a
reseller is offboarded only after its customers, and either can be brought back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from tests.support.commerce import ready_shop, work_queues
from tests.support.onboarding import Sandbox, new_domain, new_partner_id, work_queue


@pytest.fixture(scope="module")
def pc(sandbox: Any) -> Sandbox:
    return Sandbox(sandbox)


@pytest.fixture(scope="module")
def world(client: TestClient, container: Container, pc: Sandbox, sandbox: Any) -> dict[str, Any]:
    """A provider with a reseller and two active customers; the first has a subscription, its storefront on (every
    storefront order waits for approval) and an admin; another reseller of the provider with its own admin."""
    shop = ready_shop(client, container, pc, sandbox)
    provider_id, reseller_id = shop["provider"]["id"], shop["resellerId"]
    admin = shop["auth"](shop["providerAdmin"])
    storefront = {"storefrontEnabled": True, "storefrontPolicy": {"approvalThreshold": "0.01"}}
    client.patch(f"/api/customers/{shop['customerId']}", headers=admin, json=storefront).raise_for_status()
    bought = next(i for i in shop["items"] if i.term_duration == "P1Y" and i.billing_cycle == "monthly")
    placed = client.post(
        "/api/orders", headers=admin, json={"customerId": shop["customerId"], "lines": [line(bought, 5)]}
    )
    assert placed.status_code == 202, placed.text
    read = lambda: client.get(f"/api/orders/{placed.json()['id']}", headers=admin).json()  # noqa: E731
    work_queues(container, lambda: read()["status"] not in ("accepted", "provisioning"))
    assert read()["status"] == "completed", read()
    second = invite_customer(client, container, pc, shop, "Tailspin Toys")
    litware = {"partnerId": new_partner_id(), "name": "Litware", "contactEmail": "ops@litware.example"}
    other_reseller = client.post("/api/reseller-invitations", headers=admin, json=litware).json()["id"]
    add = shop["addMember"]
    customer_org = OrgRef(OrgType.CUSTOMER, shop["customerId"], provider_id=provider_id, reseller_id=reseller_id)
    return {
        **shop,
        "item": bought,
        "orderId": placed.json()["id"],
        "subscriptionId": read()["lines"][0]["subscriptionId"],
        "secondCustomerId": second,
        "resellerAdmin": add(OrgRef(OrgType.RESELLER, reseller_id, provider_id=provider_id), Role.RESELLER_ADMIN),
        "otherResellerAdmin": add(
            OrgRef(OrgType.RESELLER, other_reseller, provider_id=provider_id), Role.RESELLER_ADMIN
        ),  # fmt: skip
        "customerAdmin": add(customer_org, Role.CUSTOMER_ADMIN),
        "providerStaff": add(OrgRef(OrgType.PROVIDER, provider_id), Role.PROVIDER_STAFF),
    }


def line(item: Any, quantity: int) -> dict[str, Any]:
    return {"catalogItemId": item.catalog_item_id, "quantity": quantity, "termDuration": item.term_duration,
            "billingCycle": item.billing_cycle}  # fmt: skip


def invite_customer(client: TestClient, container: Container, pc: Sandbox, shop: dict[str, Any], name: str) -> str:
    """Another customer of the shop's reseller, active."""
    admin = shop["auth"](shop["providerAdmin"])
    domain = new_domain()
    customer_id = str(client.post("/api/customer-invitations", headers=admin, json={
        "resellerId": shop["resellerId"], "name": name, "domain": domain, "contactEmail": "it@tailspin.example",
    }).json()["customerId"])  # fmt: skip
    pc.customer_accepts(shop["app"]["tenantId"], shop["resellerPartnerId"], domain=domain)
    work_queue(
        container, lambda: client.get(f"/api/customers/{customer_id}", headers=admin).json()["status"] == "active"
    )
    return customer_id


def as_(world: dict[str, Any], who: str) -> dict[str, str]:
    return world["auth"](world[who])  # type: ignore[no-any-return]


def actions(client: TestClient, world: dict[str, Any], entity_id: str) -> list[dict[str, Any]]:
    trail = client.get("/api/audit", params={"entityId": entity_id}, headers=as_(world, "providerAdmin"))
    assert trail.status_code == 200, trail.text
    return list(trail.json()["items"])


def in_partner_center(pc: Sandbox, world: dict[str, Any]) -> dict[str, Any]:
    items = requests.get(f"{pc.url}/_sandbox/subscriptions", params={"customerTenantId": world["tenantId"]},
                         timeout=10).json()["items"]  # fmt: skip
    return next(s for s in items if s["id"] == world["subscriptionId"])  # type: ignore[no-any-return]


@pytest.fixture
def offboarded_customer(client: TestClient, world: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The first customer offboarded by the provider's admin for the test, brought back afterwards."""
    done = client.post(f"/api/customers/{world['customerId']}/offboard", headers=as_(world, "providerAdmin"),
                       json={"reason": "Contract ended"})  # fmt: skip
    assert done.status_code == 200, done.text
    yield done.json()
    client.post(f"/api/customers/{world['customerId']}/restore", headers=as_(world, "providerAdmin"))


# -- editing ---------------------------------------------------------------------------------------------------------


def test_the_resellers_staff_edit_a_customers_name_and_contact_and_each_edit_is_audited(
    client: TestClient, world: dict[str, Any]
) -> None:
    path = f"/api/customers/{world['customerId']}"
    edited = client.patch(path, headers=as_(world, "resellerStaff"),
                          json={"name": "  Wingtip Partners  ", "contactEmail": "admin@wingtip.example"})  # fmt: skip
    assert edited.status_code == 200, edited.text
    assert (edited.json()["name"], edited.json()["contactEmail"]) == ("Wingtip Partners", "admin@wingtip.example")
    assert client.get(path, headers=as_(world, "providerAdmin")).json()["name"] == "Wingtip Partners"
    entry = next(e for e in actions(client, world, world["customerId"]) if e["action"] == "customer.edited")
    assert entry["before"]["name"] == "Wingtip" and entry["after"]["name"] == "Wingtip Partners"
    assert entry["after"]["contactEmail"] == "admin@wingtip.example" and entry["actorId"] == world["resellerStaff"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"contactEmail": "not-an-address"}, "contactEmail"),
        ({"contactEmail": "two@@example"}, "contactEmail"),
        ({"name": "Fine", "nickname": "no such field"}, "nickname"),
    ],
)
def test_a_bad_edit_is_422_at_its_field_and_changes_nothing(
    client: TestClient, world: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    for path in (f"/api/customers/{world['customerId']}", f"/api/resellers/{world['resellerId']}"):
        before = client.get(path, headers=as_(world, "providerAdmin")).json()
        refused = client.patch(path, headers=as_(world, "providerAdmin"), json=body)
        assert refused.status_code == 422, refused.text
        assert field in [e["field"] for e in refused.json()["errors"]]
        assert client.get(path, headers=as_(world, "providerAdmin")).json() == before


def test_provider_staff_rename_a_reseller_and_its_admins_keep_only_its_contact_current(
    client: TestClient, container: Container, world: dict[str, Any]
) -> None:
    path = f"/api/resellers/{world['resellerId']}"
    renamed = client.patch(path, headers=as_(world, "providerStaff"), json={"name": "Fabrikam Cloud"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Fabrikam Cloud", renamed.text
    listed = client.get("/api/resellers", headers=as_(world, "providerAdmin")).json()["items"]
    assert [r["name"] for r in listed if r["id"] == world["resellerId"]] == ["Fabrikam Cloud"]
    assert container.organizations.name_of(OrgType.RESELLER, world["resellerId"]) == "Fabrikam Cloud"
    contact = client.patch(path, headers=as_(world, "resellerAdmin"), json={"contactEmail": "desk@fabrikam.example"})
    assert contact.status_code == 200 and contact.json()["contactEmail"] == "desk@fabrikam.example", contact.text
    assert client.patch(path, headers=as_(world, "resellerAdmin"), json={"name": "Fabrikam Prime"}).status_code == 403
    assert (
        client.patch(path, headers=as_(world, "resellerStaff"), json={"contactEmail": "x@y.example"}).status_code == 403
    )
    assert client.patch(path, headers=as_(world, "customerAdmin"), json={"name": "Mine"}).status_code == 404
    other = client.patch(path, headers=as_(world, "otherResellerAdmin"), json={"contactEmail": "x@y.example"})
    assert other.status_code == 404
    after = client.get(path, headers=as_(world, "providerAdmin")).json()
    assert (after["name"], after["contactEmail"]) == ("Fabrikam Cloud", "desk@fabrikam.example")
    edits = [e for e in actions(client, world, world["resellerId"]) if e["action"] == "reseller.edited"]
    assert len(edits) == 2 and edits[-1]["before"]["name"] == "Fabrikam IT"  # newest first


# -- who may offboard -------------------------------------------------------------------------------------------------


def test_only_provider_staff_and_the_resellers_admins_offboard_a_customer(
    client: TestClient, world: dict[str, Any]
) -> None:
    path = f"/api/customers/{world['customerId']}/offboard"
    assert client.post(path, headers=as_(world, "resellerStaff")).status_code == 403
    assert client.post(path, headers=as_(world, "customerAdmin")).status_code == 403
    assert client.post(path, headers=as_(world, "otherResellerAdmin")).status_code == 404
    assert (
        client.post(f"/api/customers/{world['customerId']}/restore", headers=as_(world, "resellerStaff")).status_code
        == 403
    )
    assert (
        client.get(f"/api/customers/{world['customerId']}", headers=as_(world, "providerAdmin")).json()["offboardedAt"]
        is None
    )
    done = client.post(path, headers=as_(world, "resellerAdmin"))  # no body: no reason
    assert done.status_code == 200, done.text
    assert done.json()["offboardedBy"] == world["resellerAdmin"] and done.json()["offboardingReason"] is None
    restored = client.post(f"/api/customers/{world['customerId']}/restore", headers=as_(world, "resellerAdmin"))
    assert restored.status_code == 200 and restored.json()["offboardedAt"] is None, restored.text


def test_only_provider_staff_offboard_a_reseller(client: TestClient, world: dict[str, Any]) -> None:
    path = f"/api/resellers/{world['resellerId']}/offboard"
    for who, status in (("resellerAdmin", 403), ("resellerStaff", 403), ("customerAdmin", 404),
                        ("otherResellerAdmin", 404)):  # fmt: skip
        assert client.post(path, headers=as_(world, who)).status_code == status, who
        restore = client.post(f"/api/resellers/{world['resellerId']}/restore", headers=as_(world, who))
        assert restore.status_code == status, who


def test_a_bad_offboarding_body_is_422_and_offboards_nothing(client: TestClient, world: dict[str, Any]) -> None:
    path = f"/api/customers/{world['customerId']}/offboard"
    for body in ({"why": "unknown field"}, {"reason": "x" * 1001}, {"reason": "bell \x07"}, {"reason": 3}):
        refused = client.post(path, headers=as_(world, "providerAdmin"), json=body)
        assert refused.status_code == 422, (body, refused.text)
    assert (
        client.get(f"/api/customers/{world['customerId']}", headers=as_(world, "providerAdmin")).json()["offboardedAt"]
        is None
    )
    refused = client.post(f"/api/resellers/{world['resellerId']}/offboard", headers=as_(world, "providerAdmin"),
                          json={"reason": "fine", "force": True})  # fmt: skip
    assert refused.status_code == 422


# -- an offboarded customer -------------------------------------------------------------------------------------------


def test_offboarding_a_customer_records_who_when_and_why_and_is_audited(
    client: TestClient, world: dict[str, Any], offboarded_customer: dict[str, Any]
) -> None:
    assert offboarded_customer["offboardedBy"] == world["providerAdmin"]
    assert offboarded_customer["offboardingReason"] == "Contract ended" and offboarded_customer["offboardedAt"]
    assert offboarded_customer["status"] == "active"  # Partner Center's relationship is untouched
    again = client.post(f"/api/customers/{world['customerId']}/offboard", headers=as_(world, "providerAdmin"))
    assert again.status_code == 409 and "already offboarded" in again.json()["detail"]
    entry = next(e for e in actions(client, world, world["customerId"]) if e["action"] == "customer.offboarded")
    assert entry["before"]["offboarding"] is None and entry["after"]["offboarding"]["reason"] == "Contract ended"


def test_an_offboarded_customer_gets_no_new_orders_anywhere(
    client: TestClient, world: dict[str, Any], offboarded_customer: dict[str, Any]
) -> None:
    for who in ("providerAdmin", "resellerStaff"):
        refused = client.post("/api/orders", headers=as_(world, who),
                              json={"customerId": world["customerId"], "lines": [line(world["item"], 1)]})  # fmt: skip
        assert refused.status_code == 409 and "offboarded" in refused.json()["detail"], refused.text
    order = {"lines": [line(world["item"], 1)]}
    for method, path, body in (("POST", "/api/storefront/orders", order), ("GET", "/api/storefront/catalog", None),
                               ("GET", "/api/storefront/orders", None)):  # fmt: skip
        closed = client.request(method, path, headers=as_(world, "customerAdmin"), json=body)
        assert closed.status_code == 403, closed.text
        assert closed.json()["type"].endswith("customer-offboarded") and "offboarded" in closed.json()["detail"]


def test_an_order_waiting_for_approval_is_not_approved_once_its_customer_is_offboarded(
    client: TestClient, world: dict[str, Any]
) -> None:
    waiting = client.post("/api/storefront/orders", headers=as_(world, "customerAdmin"),
                          json={"lines": [line(world["item"], 1)]})  # fmt: skip
    assert waiting.status_code == 202 and waiting.json()["status"] == "pendingApproval", waiting.text
    admin = as_(world, "providerAdmin")
    assert client.post(f"/api/customers/{world['customerId']}/offboard", headers=admin).status_code == 200
    try:
        approve = client.post(f"/api/orders/{waiting.json()['id']}/approve", headers=admin)
        assert approve.status_code == 409 and "offboarded" in approve.json()["detail"], approve.text
        assert client.get(f"/api/orders/{waiting.json()['id']}", headers=admin).json()["status"] == "pendingApproval"
        rejected = client.post(
            f"/api/orders/{waiting.json()['id']}/reject", headers=admin, json={"reason": "offboarded"}
        )
        assert rejected.status_code == 200 and rejected.json()["status"] == "rejected", rejected.text
    finally:
        client.post(f"/api/customers/{world['customerId']}/restore", headers=admin)


def test_an_offboarded_customers_subscriptions_are_left_as_they_are_and_only_wound_down(
    client: TestClient, container: Container, pc: Sandbox, world: dict[str, Any], offboarded_customer: dict[str, Any]
) -> None:
    path = f"/api/subscriptions/{world['subscriptionId']}"
    staff = as_(world, "resellerStaff")
    before = client.get(path, headers=staff).json()
    seats, renews = before["quantity"], before["autoRenew"]
    assert (in_partner_center(pc, world)["quantity"], in_partner_center(pc, world)["status"]) == (seats, "active")
    for body in ({"quantity": seats + 1}, {"autoRenew": True}, {"status": "active"}):
        refused = client.patch(path, headers=staff, json=body)
        assert refused.status_code == 409, (body, refused.text)
    if renews:
        assert client.patch(path, headers=staff, json={"autoRenew": True}).json()["detail"].count("offboarded") == 1
    assert client.get(path, headers=staff).json()["pendingChange"] is None  # nothing was asked of Partner Center
    fewer = client.patch(path, headers=staff, json={"quantity": seats - 1})
    assert fewer.status_code == 202, fewer.text
    read = lambda: client.get(path, headers=staff).json()  # noqa: E731
    work_queues(container, lambda: (read()["pendingChange"] or {}).get("status") != "pending")
    assert read()["quantity"] == seats - 1 and in_partner_center(pc, world)["quantity"] == seats - 1


def test_an_offboarded_customers_records_stay_readable_and_the_lists_filter_on_it(
    client: TestClient, world: dict[str, Any], offboarded_customer: dict[str, Any]
) -> None:
    for who in ("providerAdmin", "resellerStaff", "customerAdmin"):
        headers = as_(world, who)
        record = client.get(f"/api/customers/{world['customerId']}", headers=headers)
        assert record.status_code == 200 and record.json()["offboardedAt"], (who, record.text)
        assert client.get(f"/api/orders/{world['orderId']}", headers=headers).status_code == 200, who
        assert client.get(f"/api/subscriptions/{world['subscriptionId']}", headers=headers).status_code == 200, who
    admin = as_(world, "providerAdmin")

    def listed(**query: str) -> set[str]:
        params = {"resellerId": world["resellerId"], **query}
        return {c["id"] for c in client.get("/api/customers", headers=admin, params=params).json()["items"]}

    assert listed(offboarded="true") == {world["customerId"]}
    assert world["customerId"] not in listed(offboarded="false") and world["secondCustomerId"] in listed(
        offboarded="false"
    )
    assert {world["customerId"], world["secondCustomerId"]} <= listed()
    assert client.get("/api/customers", headers=admin, params={"offboarded": "maybe"}).status_code == 422


def test_a_page_of_customers_in_business_is_filled_past_the_offboarded_ones(
    client: TestClient, world: dict[str, Any], offboarded_customer: dict[str, Any]
) -> None:
    admin = as_(world, "providerAdmin")
    seen: list[str] = []
    token = None
    while True:
        params = {"limit": 1, "offboarded": "false", **({"continuationToken": token} if token else {})}
        page = client.get("/api/customers", headers=admin, params=params).json()
        assert len(page["items"]) == 1 or page["continuationToken"] is None, page
        seen += [c["id"] for c in page["items"]]
        token = page["continuationToken"]
        if not token:
            break
    assert world["customerId"] not in seen and world["secondCustomerId"] in seen


def test_restoring_a_customer_lets_it_buy_again(client: TestClient, world: dict[str, Any]) -> None:
    admin = as_(world, "providerAdmin")
    assert client.post(f"/api/customers/{world['customerId']}/restore", headers=admin).status_code == 409  # in business
    assert client.post(f"/api/customers/{world['customerId']}/offboard", headers=admin).status_code == 200
    restored = client.post(f"/api/customers/{world['customerId']}/restore", headers=admin)
    assert restored.status_code == 200 and restored.json()["offboardedAt"] is None, restored.text
    assert client.get("/api/storefront/catalog", headers=as_(world, "customerAdmin")).status_code == 200
    assert "customer.restored" in [e["action"] for e in actions(client, world, world["customerId"])]


# -- an offboarded reseller -------------------------------------------------------------------------------------------


def test_a_reseller_is_offboarded_only_after_its_customers_and_then_takes_no_new_ones(
    client: TestClient, world: dict[str, Any]
) -> None:
    admin = as_(world, "providerAdmin")
    reseller = f"/api/resellers/{world['resellerId']}"
    first, second = (f"/api/customers/{world[key]}" for key in ("customerId", "secondCustomerId"))
    assert client.post(f"{reseller}/restore", headers=admin).status_code == 409  # in business
    refused = client.post(f"{reseller}/offboard", headers=admin, json={"reason": "leaving"})
    assert refused.status_code == 409 and "still has 2 customers not offboarded" in refused.json()["detail"]
    assert client.post(f"{first}/offboard", headers=admin).status_code == 200
    refused = client.post(f"{reseller}/offboard", headers=admin)
    assert refused.status_code == 409 and "still has 1 customer not offboarded" in refused.json()["detail"]
    assert client.get(reseller, headers=admin).json()["offboardedAt"] is None  # nothing changed by the refusals
    assert client.post(f"{second}/offboard", headers=admin).status_code == 200
    try:
        done = client.post(f"{reseller}/offboard", headers=admin, json={"reason": "leaving"})
        assert done.status_code == 200, done.text
        assert (done.json()["offboardedBy"], done.json()["offboardingReason"]) == (world["providerAdmin"], "leaving")
        assert client.post(f"{reseller}/offboard", headers=admin).status_code == 409  # already
        late = {
            "resellerId": world["resellerId"],
            "name": "Late",
            "domain": new_domain(),
            "contactEmail": "it@l.example",
        }
        invited = client.post("/api/customer-invitations", headers=as_(world, "resellerStaff"), json=late)
        assert invited.status_code == 409 and "offboarded" in invited.json()["detail"], invited.text
        created = client.post("/api/customers", headers=admin, json={"resellerId": world["resellerId"],
            "companyProfile": {"companyName": "Late Ltd", "domainPrefix": "late" + new_partner_id()},
            "billingProfile": {"email": "it@late.example", "culture": "en-US", "language": "en", "defaultAddress": {
                "country": "US", "city": "Redmond", "addressLine1": "1 Way", "postalCode": "98052",
                "firstName": "A", "lastName": "B"}}})  # fmt: skip
        assert created.status_code == 409, created.text
        back = client.post(f"{first}/restore", headers=admin)
        assert back.status_code == 409 and "restore the reseller first" in back.json()["detail"]
        assert client.get(reseller, headers=as_(world, "resellerStaff")).status_code == 200  # still readable
        listed = client.get("/api/resellers", headers=admin, params={"offboarded": "true"}).json()["items"]
        assert [r["id"] for r in listed] == [world["resellerId"]]
        assert "reseller.offboarded" in [e["action"] for e in actions(client, world, world["resellerId"])]
    finally:
        assert client.post(f"{reseller}/restore", headers=admin).status_code == 200
        assert client.post(f"{first}/restore", headers=admin).status_code == 200
        assert client.post(f"{second}/restore", headers=admin).status_code == 200
    assert "reseller.restored" in [e["action"] for e in actions(client, world, world["resellerId"])]
    listed = client.get("/api/resellers", headers=admin, params={"offboarded": "false"}).json()["items"]
    assert world["resellerId"] in [r["id"] for r in listed]
