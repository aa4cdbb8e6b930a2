"""The storefront (docs/business.md#storefront-policy): a customer's admin buys and manages for itself at its own
prices,
within its policy, only while its reseller has the storefront switched on."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from shared.messaging import QueueNames
from tests.support.commerce import commerce_setup, drain_queues, work_queues
from tests.support.onboarding import Sandbox, new_domain
from tests.support.platform import member, new_id, user_token


@pytest.fixture(scope="module")
def store(client: TestClient, container: Container, sandbox: Any) -> dict[str, Any]:
    pc = Sandbox(sandbox)

    def auth(oid: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {user_token(sandbox, oid)}"}

    def add_member(org: OrgRef, role: Role) -> str:
        if org.org_type is not OrgType.OPERATOR:
            container.organizations.add(org, name="test")
        user_id = new_id("u-")
        container.members.add(member(user_id, org, role))
        return user_id

    shop = commerce_setup(client, auth, container, pc, add_member)
    reseller_org = OrgRef(OrgType.RESELLER, shop["resellerId"], provider_id=shop["provider"]["id"])
    reseller_admin = add_member(reseller_org, Role.RESELLER_ADMIN)
    headers = auth(reseller_admin)
    # The reseller gives its customers a 20% margin, enables the storefront and adds the customer's admin.
    client.put(
        f"/api/resellers/{shop['resellerId']}/default-margin", json={"margin": "0.20"}, headers=headers
    ).raise_for_status()
    allowed = [i.catalog_item_id for i in shop["items"] if i.term_duration in ("P1M", "P1Y")][:6]
    patched = client.patch(
        f"/api/customers/{shop['customerId']}",
        headers=headers,
        json={
            "storefrontEnabled": True,
            "storefrontPolicy": {
                "allowedCatalogItemIds": allowed
                + [i.catalog_item_id for i in shop["items"] if i.term_duration == "P3Y"][:1],
                "allowSeatDecrease": True,
                "maxTermDuration": "P1Y",
                "approvalThreshold": "500.00",
            },
        },
    )
    assert patched.status_code == 200, patched.text
    admin_id = new_id("u-")
    added = client.post(
        "/api/members",
        headers=headers,
        json={"userId": admin_id, "orgType": "customer", "orgId": shop["customerId"], "role": "customer.admin"},
    )
    assert added.status_code == 201, added.text
    return {
        **shop,
        "auth": auth,
        "addMember": add_member,
        "resellerAdmin": reseller_admin,
        "admin": admin_id,
        "allowed": allowed,
        "pc": pc,
    }


def line(item: Any, quantity: int) -> dict[str, Any]:
    return {
        "catalogItemId": item.catalog_item_id,
        "quantity": quantity,
        "termDuration": item.term_duration,
        "billingCycle": item.billing_cycle,
    }


def allowed_item(store: dict[str, Any], cheap: bool = True) -> Any:
    items = [i for i in store["items"] if i.catalog_item_id in store["allowed"]]
    return sorted(items, key=lambda i: i.cost)[0 if cheap else -1]


def wait_order(client: TestClient, container: Container, store: dict[str, Any], order_id: str) -> dict[str, Any]:
    headers = store["auth"](store["admin"])
    read = lambda: client.get(f"/api/storefront/orders/{order_id}", headers=headers).json()  # noqa: E731
    work_queues(container, lambda: read()["status"] not in ("accepted", "provisioning"))
    return read()  # type: ignore[no-any-return]


def test_the_customer_sees_its_own_prices_only(client: TestClient, store: dict[str, Any]) -> None:
    catalog = client.get("/api/storefront/catalog", headers=store["auth"](store["admin"])).json()["items"]
    assert catalog and {i["catalogItemId"] for i in catalog} <= set(store["allowed"])
    by_id = {i.catalog_item_id: i for i in store["items"]}
    for shown in catalog:
        cost = by_id[shown["catalogItemId"]].cost
        from decimal import ROUND_HALF_UP, Decimal

        assert Decimal(shown["price"]) == (cost * Decimal("1.20")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert shown.get("cost") is None and shown.get("resellerPrice") is None


def test_an_order_below_the_threshold_is_provisioned(
    client: TestClient, container: Container, store: dict[str, Any]
) -> None:
    accepted = client.post(
        "/api/storefront/orders", headers=store["auth"](store["admin"]), json={"lines": [line(allowed_item(store), 1)]}
    )
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert body["status"] == "accepted" and body["source"] == "storefront"
    assert "resellerPrice" not in body["lines"][0] and "providerCost" not in body["lines"][0]
    assert wait_order(client, container, store, body["id"])["status"] == "completed"


def test_an_order_above_the_threshold_waits_for_the_reseller(
    client: TestClient, container: Container, store: dict[str, Any]
) -> None:
    before = len(
        requests.get(
            f"{store['pc'].url}/_sandbox/purchases", params={"customerTenantId": store["tenantId"]}, timeout=10
        ).json()["items"]
    )
    pricey = allowed_item(store, cheap=False)
    waiting = client.post(
        "/api/storefront/orders", headers=store["auth"](store["admin"]), json={"lines": [line(pricey, 60)]}
    )
    assert waiting.status_code == 202 and waiting.json()["status"] == "pendingApproval"
    order_id = waiting.json()["id"]
    # Everything waiting on the provisioning queue is handled: no message for this order was among it.
    handled = drain_queues(container, (QueueNames.PROVISIONING,))
    assert [m for m in handled if m.entity_id == order_id] == []
    after = requests.get(
        f"{store['pc'].url}/_sandbox/purchases", params={"customerTenantId": store["tenantId"]}, timeout=10
    ).json()["items"]
    assert len(after) == before  # nothing bought before approval
    # The customer cannot approve its own order; another reseller's staff cannot see it.
    assert client.post(f"/api/orders/{order_id}/approve", headers=store["auth"](store["admin"])).status_code == 403
    approved = client.post(f"/api/orders/{order_id}/approve", headers=store["auth"](store["resellerAdmin"]))
    assert approved.status_code == 200 and approved.json()["status"] == "accepted"
    assert (
        client.post(f"/api/orders/{order_id}/approve", headers=store["auth"](store["resellerAdmin"])).status_code == 409
    )
    assert wait_order(client, container, store, order_id)["status"] == "completed"


def test_a_rejected_order_records_the_reason(client: TestClient, store: dict[str, Any]) -> None:
    waiting = client.post(
        "/api/storefront/orders",
        headers=store["auth"](store["admin"]),
        json={"lines": [line(allowed_item(store, cheap=False), 80)]},
    ).json()
    rejected = client.post(
        f"/api/orders/{waiting['id']}/reject",
        json={"reason": "over budget"},
        headers=store["auth"](store["resellerAdmin"]),
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert rejected.json()["rejectionReason"] == "over budget"


def test_a_term_the_policy_forbids_is_422_with_the_reason(client: TestClient, store: dict[str, Any]) -> None:
    three_years = next(i for i in store["items"] if i.term_duration == "P3Y")
    response = client.post(
        "/api/storefront/orders", headers=store["auth"](store["admin"]), json={"lines": [line(three_years, 1)]}
    )
    assert response.status_code == 422
    assert any("12 months" in e["message"] or "unknown" in e["message"] for e in response.json()["errors"])


def test_a_customer_buys_only_in_its_own_market(
    client: TestClient, container: Container, store: dict[str, Any]
) -> None:
    from datetime import UTC, datetime

    provider = container.providers.get(store["provider"]["id"])
    container.catalog_sync_for(provider).sync(provider.id, "NL", now=datetime.now(UTC))
    dutch = next(i for i in container.catalog.iter_market(provider.id, "NL") if i.cost is not None and i.sellable)
    headers = store["auth"](store["admin"])
    before = len(client.get("/api/storefront/orders", headers=headers, params={"limit": 500}).json()["items"])
    refused = client.post("/api/storefront/orders", headers=headers, json={"lines": [line(dutch, 1)]})
    assert refused.status_code == 422, refused.text
    [error] = [e for e in refused.json()["errors"] if e["field"] == "lines[0].catalogItemId"]
    assert "NL market" in error["message"] and "(US)" in error["message"]
    assert len(client.get("/api/storefront/orders", headers=headers, params={"limit": 500}).json()["items"]) == before
    # Its catalog is its own market's: another market is refused, not shown.
    assert client.get("/api/storefront/catalog", headers=headers, params={"country": "NL"}).status_code == 422
    shown = client.get("/api/storefront/catalog", headers=headers).json()["items"]
    assert shown and {i["currency"] for i in shown} == {"USD"}


@pytest.mark.parametrize("many", [False, True], ids=["few-ids", "more-ids-than-point-reads"])
def test_a_policy_naming_what_the_customers_market_does_not_sell_is_422_and_changes_nothing(
    client: TestClient, container: Container, store: dict[str, Any], many: bool
) -> None:
    from datetime import UTC, datetime

    provider = container.providers.get(store["provider"]["id"])
    container.catalog_sync_for(provider).sync(provider.id, "NL", now=datetime.now(UTC))
    us = [i.catalog_item_id for i in container.catalog.iter_market(provider.id, "US")]
    dutch = next(i.catalog_item_id for i in container.catalog.iter_market(provider.id, "NL") if i.catalog_item_id
                 not in us)  # fmt: skip
    named = us[:30] if many else store["allowed"][:2]
    assert len(named) > 20 if many else len(named) == 2
    headers = store["auth"](store["resellerAdmin"])
    path = f"/api/customers/{store['customerId']}"
    before = client.get(path, headers=headers).json()
    pricing_before = client.get(f"{path}/pricing", headers=headers).json()
    for outsider in (dutch, "NOPE:0001:NOPE:P1M:monthly"):
        ids = [*named[:2], outsider, *named[2:]]
        policy = {"allowedCatalogItemIds": ids, "allowSeatDecrease": False, "maxTermDuration": "P1M"}
        refused = client.patch(
            path, headers=headers, json={"storefrontEnabled": False, "margin": "0.31", "storefrontPolicy": policy}
        )
        assert refused.status_code == 422, refused.text
        [error] = refused.json()["errors"]
        assert error["field"] == "storefrontPolicy.allowedCatalogItemIds[2]"
        assert outsider in error["message"] and "(US)" in error["message"]
    assert client.get(path, headers=headers).json() == before
    assert client.get(f"{path}/pricing", headers=headers).json() == pricing_before


def test_a_customer_whose_market_is_not_known_names_no_items_yet(client: TestClient, store: dict[str, Any]) -> None:
    headers = store["auth"](store["resellerAdmin"])
    invited = client.post(
        "/api/customer-invitations",
        headers=headers,
        json={
            "resellerId": store["resellerId"],
            "name": "Unread",
            "domain": new_domain(),
            "contactEmail": "u@u.example",
        },
    ).json()
    assert invited["country"] is None
    path = f"/api/customers/{invited['customerId']}"
    policy = {"allowedCatalogItemIds": store["allowed"][:1]}
    refused = client.patch(path, headers=headers, json={"storefrontPolicy": policy})
    assert refused.status_code == 409, refused.text
    assert client.get(path, headers=headers).json()["storefrontPolicy"]["allowedCatalogItemIds"] is None
    for allowed in (None, []):
        accepted = client.patch(path, headers=headers, json={"storefrontPolicy": {"allowedCatalogItemIds": allowed}})
        assert accepted.status_code == 200, accepted.text


@pytest.mark.parametrize("problem", ["unknown", "zero", "outside-list"])
def test_bad_storefront_orders_are_422_and_change_nothing(
    client: TestClient, store: dict[str, Any], problem: str
) -> None:
    headers = store["auth"](store["admin"])
    before = len(client.get("/api/storefront/orders", headers=headers, params={"limit": 500}).json()["items"])
    item = allowed_item(store)
    body = line(item, 1)
    if problem == "unknown":
        body["catalogItemId"] = "NOPE:0001:NOPE:P1M:monthly"
    elif problem == "zero":
        body["quantity"] = 0
    else:
        outside = next(
            i for i in store["items"] if i.catalog_item_id not in store["allowed"] and i.term_duration != "P3Y"
        )
        body = line(outside, 1)
    assert client.post("/api/storefront/orders", headers=headers, json={"lines": [body]}).status_code == 422
    assert len(client.get("/api/storefront/orders", headers=headers, params={"limit": 500}).json()["items"]) == before


def test_the_customer_removes_a_seat_inside_the_window(
    client: TestClient, container: Container, store: dict[str, Any]
) -> None:
    headers = store["auth"](store["admin"])
    order = client.post("/api/storefront/orders", headers=headers, json={"lines": [line(allowed_item(store), 3)]})
    sub_id = wait_order(client, container, store, order.json()["id"])["lines"][0]["subscriptionId"]
    listed = client.get("/api/storefront/subscriptions", headers=headers).json()["items"]
    assert sub_id in {s["id"] for s in listed}
    assert (
        client.patch(f"/api/storefront/subscriptions/{sub_id}", json={"quantity": 2}, headers=headers).status_code
        == 202
    )
    read = lambda: client.get(f"/api/subscriptions/{sub_id}", headers=headers).json()  # noqa: E731
    work_queues(container, lambda: read()["pendingChange"] is None)
    assert read()["quantity"] == 2


def test_a_customer_admin_never_sees_another_customer(
    client: TestClient, container: Container, store: dict[str, Any]
) -> None:
    other_id = client.post(
        "/api/customer-invitations",
        headers=store["auth"](store["resellerAdmin"]),
        json={
            "resellerId": store["resellerId"],
            "name": "Other",
            "domain": new_domain(),
            "contactEmail": "o@o.example",
        },
    ).json()["customerId"]
    mine = client.post(
        "/api/storefront/orders", headers=store["auth"](store["admin"]), json={"lines": [line(allowed_item(store), 1)]}
    ).json()
    other_org = OrgRef(OrgType.CUSTOMER, other_id, provider_id=store["provider"]["id"], reseller_id=store["resellerId"])
    other_admin = store["addMember"](other_org, Role.CUSTOMER_ADMIN)
    headers = store["auth"](other_admin)
    assert client.get(f"/api/storefront/orders/{mine['id']}", headers=headers).status_code in (403, 404)
    assert client.get(f"/api/orders/{mine['id']}", headers=headers).status_code == 404
    assert client.get(f"/api/customers/{store['customerId']}", headers=headers).status_code == 404
    assert (
        client.get("/api/subscriptions", params={"customerId": store["customerId"]}, headers=headers).status_code == 404
    )
    own = store["auth"](store["admin"])
    assert client.get(f"/api/customers/{other_id}", headers=own).status_code == 404
    # Staff-only routes are forbidden to customer admins.
    assert (
        client.post(
            "/api/reseller-invitations",
            headers=own,
            json={"partnerId": "1234567", "name": "x", "contactEmail": "x@x.example"},
        ).status_code
        == 403
    )
    assert client.get("/api/resellers", headers=own).status_code == 403
    assert (
        client.post(
            "/api/orders",
            headers=own,
            json={"customerId": store["customerId"], "lines": [line(allowed_item(store), 1)]},
        ).status_code
        == 403
    )


def test_switching_the_storefront_off_closes_every_route_at_once(client: TestClient, store: dict[str, Any]) -> None:
    reseller = store["auth"](store["resellerAdmin"])
    headers = store["auth"](store["admin"])
    assert client.get("/api/storefront/catalog", headers=headers).status_code == 200
    client.patch(
        f"/api/customers/{store['customerId']}", json={"storefrontEnabled": False}, headers=reseller
    ).raise_for_status()
    try:
        calls: list[tuple[str, str, dict[str, Any] | None]] = [
            ("GET", "/api/storefront/catalog", None),
            ("POST", "/api/storefront/orders", {"lines": [line(allowed_item(store), 1)]}),
            ("GET", "/api/storefront/orders", None),
            ("GET", "/api/storefront/orders/anything", None),
            ("GET", "/api/storefront/subscriptions", None),
            ("PATCH", "/api/storefront/subscriptions/anything", {"quantity": 2}),
            ("GET", "/api/storefront/charges?period=2026-10", None),
        ]
        for method, path, body in calls:
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code == 403, (path, response.text)
            assert response.json()["type"].endswith("storefront-disabled")
    finally:
        client.patch(
            f"/api/customers/{store['customerId']}", json={"storefrontEnabled": True}, headers=reseller
        ).raise_for_status()
    trail = client.get("/api/audit", params={"entityId": store["customerId"]}, headers=reseller).json()["items"]
    assert [e["action"] for e in trail[:2]] == ["customer.storefront", "customer.storefront"]


def test_staff_are_not_shoppers(client: TestClient, store: dict[str, Any]) -> None:
    assert client.get("/api/storefront/catalog", headers=store["auth"](store["resellerStaff"])).status_code == 403


def test_charges_without_a_billing_run_are_empty(client: TestClient, store: dict[str, Any]) -> None:
    charges = client.get("/api/storefront/charges", params={"period": "2020-01"}, headers=store["auth"](store["admin"]))
    assert charges.status_code == 200 and charges.json()["items"] == [] and charges.json()["runId"] is None
    assert (
        client.get(
            "/api/storefront/charges", params={"period": "2020-13"}, headers=store["auth"](store["admin"])
        ).status_code
        == 422
    )
