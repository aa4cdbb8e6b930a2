"""Reseller verification through the API against the sandbox (docs/business.md#reseller-verification): an unknown
partner ID is refused before anything is stored; a reseller without the Microsoft Partner Agreement is flagged and
no partner of record until a check sees it signed."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from tests.support.commerce import ready_shop, work_queues
from tests.support.onboarding import Sandbox, new_partner_id


@pytest.fixture(scope="module")
def pc(sandbox: Any) -> Sandbox:
    return Sandbox(sandbox)


@pytest.fixture(scope="module")
def shop(client: TestClient, container: Container, pc: Sandbox, sandbox: Any) -> dict[str, Any]:
    return ready_shop(client, container, pc, sandbox)


def invite(client: TestClient, shop: dict[str, Any], partner_id: str) -> Any:
    return client.post(
        "/api/reseller-invitations",
        headers=shop["auth"](shop["providerAdmin"]),
        json={"partnerId": partner_id, "name": "Litware Resale", "contactEmail": "ops@litware.example"},
    )


def recorded_partner_ids(container: Container, shop: dict[str, Any]) -> set[str]:
    return {r.partner_id for r in container.resellers.iter(shop["provider"]["id"])}


def audited(client: TestClient, shop: dict[str, Any], entity_id: str) -> list[str]:
    page = client.get("/api/audit", params={"entityId": entity_id}, headers=shop["auth"](shop["providerAdmin"]))
    assert page.status_code == 200, page.text
    return [entry["action"] for entry in page.json()["items"]]


def order_line(shop: dict[str, Any]) -> dict[str, Any]:
    item = next(i for i in shop["items"] if i.term_duration == "P1Y" and i.billing_cycle == "monthly")
    return {"catalogItemId": item.catalog_item_id, "quantity": 1, "termDuration": "P1Y", "billingCycle": "monthly"}


def purchases(pc: Sandbox, tenant: str) -> int:
    answer = requests.get(f"{pc.url}/_sandbox/purchases", params={"customerTenantId": tenant}, timeout=10)
    return int(answer.json()["totalCount"])


def test_an_unknown_partner_id_is_422_on_partner_id_and_nothing_is_stored(
    client: TestClient, container: Container, pc: Sandbox, shop: dict[str, Any]
) -> None:
    partner_id = new_partner_id()
    pc.set_partner(partner_id, known=False)
    response = invite(client, shop, partner_id)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"] == [{"field": "partnerId", "message": "unknown partner ID"}]
    assert partner_id in problem["detail"]
    assert partner_id not in recorded_partner_ids(container, shop)


def test_partner_center_failing_the_check_is_503_and_nothing_is_stored(
    client: TestClient, container: Container, pc: Sandbox, shop: dict[str, Any]
) -> None:
    partner_id = new_partner_id()
    pc.faults(rate5xx=1.0)
    try:
        response = invite(client, shop, partner_id)
    finally:
        pc.faults()
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert partner_id not in recorded_partner_ids(container, shop)


def test_a_reseller_without_the_partner_agreement_is_invited_flagged(
    client: TestClient, pc: Sandbox, shop: dict[str, Any]
) -> None:
    partner_id = new_partner_id()
    pc.set_partner(partner_id, agreementSigned=False)
    response = invite(client, shop, partner_id)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], body["flag"]) == ("invited", "partnerAgreementMissing")
    signed = invite(client, shop, new_partner_id()).json()
    assert signed["flag"] is None


def test_a_flagged_reseller_is_no_partner_of_record_until_a_check_sees_it_signed(
    client: TestClient, container: Container, pc: Sandbox, shop: dict[str, Any]
) -> None:
    admin = shop["auth"](shop["providerAdmin"])
    reseller_url = f"/api/resellers/{shop['resellerId']}"
    read = lambda: client.get(reseller_url, headers=admin).json()  # noqa: E731
    pc.set_partner(shop["resellerPartnerId"], agreementSigned=False)
    try:
        assert client.post(f"{reseller_url}/relationship-check", headers=admin).status_code == 202
        work_queues(container, lambda: read()["flag"] == "partnerAgreementMissing")
        assert read()["status"] == "active"
        before = purchases(pc, shop["tenantId"])
        staff = client.post(
            "/api/orders",
            headers=shop["auth"](shop["resellerStaff"]),
            json={"customerId": shop["customerId"], "lines": [order_line(shop)]},
        )
        assert staff.status_code == 409, staff.text
        assert "Microsoft Partner Agreement" in staff.json()["detail"]
        customer_admin = shop["addMember"](
            OrgRef(OrgType.CUSTOMER, shop["customerId"], provider_id=shop["provider"]["id"],
                   reseller_id=shop["resellerId"]), Role.CUSTOMER_ADMIN,
        )  # fmt: skip
        enabled = client.patch(f"/api/customers/{shop['customerId']}", headers=admin, json={"storefrontEnabled": True})
        assert enabled.status_code == 200, enabled.text
        storefront = client.post(
            "/api/storefront/orders", headers=shop["auth"](customer_admin), json={"lines": [order_line(shop)]}
        )
        assert storefront.status_code == 409, storefront.text
        assert "Microsoft Partner Agreement" in storefront.json()["detail"]
        assert purchases(pc, shop["tenantId"]) == before
    finally:
        pc.set_partner(shop["resellerPartnerId"], agreementSigned=True)
    assert client.post(f"{reseller_url}/relationship-check", headers=admin).status_code == 202
    work_queues(container, lambda: read()["flag"] is None)
    assert audited(client, shop, shop["resellerId"])[:2] == ["reseller.flagCleared", "reseller.flagged"]
    accepted = client.post(
        "/api/orders",
        headers=shop["auth"](shop["resellerStaff"]),
        json={"customerId": shop["customerId"], "lines": [order_line(shop)]},
    )
    assert accepted.status_code == 202, accepted.text
    order_id = accepted.json()["id"]
    staff_headers = shop["auth"](shop["resellerStaff"])
    settled = lambda: client.get(f"/api/orders/{order_id}", headers=staff_headers).json()["status"]  # noqa: E731
    work_queues(container, lambda: settled() not in ("accepted", "provisioning"))
    assert settled() == "completed"
    assert purchases(pc, shop["tenantId"]) == before + 1
