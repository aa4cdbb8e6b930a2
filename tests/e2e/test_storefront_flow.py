"""A customer buys for itself through the storefront of the running local stack."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.e2e.conftest import RunningStack, control, eventually, ready_to_sell

pytestmark = pytest.mark.e2e


def test_a_customer_shops_within_its_policy(onboarding_stack: RunningStack) -> None:
    stack, api = onboarding_stack, onboarding_stack.api
    market = ready_to_sell(stack, "Storefront Distribution", accept_agreement=False)
    app, provider_admin, reseller_id, customer_id = market.app, market.admin, market.reseller_id, market.customer_id
    reseller_admin_id = str(uuid.uuid4())
    provider_admin.post(
        f"{api}/members",
        json={"userId": reseller_admin_id, "orgType": "reseller", "orgId": reseller_id, "role": "reseller.admin"},
    ).raise_for_status()
    reseller = stack.session(reseller_admin_id)

    # The reseller sets its margin and policy, enables the storefront and adds the customer's admin.
    reseller.put(f"{api}/resellers/{reseller_id}/default-margin", json={"margin": "0.25"}).raise_for_status()
    reseller_view = reseller.get(f"{api}/catalog", params={"country": "US", "billingCycle": "monthly"}).json()["items"]
    allowed = [i["catalogItemId"] for i in reseller_view if i["termDuration"] in ("P1M", "P1Y")][:5]
    reseller.patch(
        f"{api}/customers/{customer_id}",
        json={
            "storefrontEnabled": True,
            "storefrontPolicy": {
                "allowedCatalogItemIds": allowed,
                "allowSeatDecrease": True,
                "maxTermDuration": "P1Y",
                "approvalThreshold": "300.00",
            },
        },
    ).raise_for_status()
    admin_id = str(uuid.uuid4())
    assert (
        reseller.post(
            f"{api}/members",
            json={"userId": admin_id, "orgType": "customer", "orgId": customer_id, "role": "customer.admin"},
        ).status_code
        == 201
    )
    shopper = stack.session(admin_id)

    # It sees its own prices: its reseller's price plus 25%.
    catalog = shopper.get(f"{api}/storefront/catalog", params={"country": "US"}).json()["items"]
    resellers_price = {i["catalogItemId"]: i["price"] for i in reseller_view}
    assert catalog and {i["catalogItemId"] for i in catalog} <= set(allowed)
    from decimal import ROUND_HALF_UP, Decimal

    for item in catalog:
        assert Decimal(item["price"]) >= Decimal(resellers_price[item["catalogItemId"]])
    cheapest = min(catalog, key=lambda i: Decimal(i["price"]))
    priciest = max(catalog, key=lambda i: Decimal(i["price"]))
    assert Decimal(cheapest["price"]) <= (
        Decimal(resellers_price[cheapest["catalogItemId"]]) * Decimal("1.26")
    ).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def line(item: dict[str, Any], quantity: int) -> dict[str, Any]:
        return {
            "catalogItemId": item["catalogItemId"],
            "quantity": quantity,
            "termDuration": item["termDuration"],
            "billingCycle": item["billingCycle"],
        }

    # Its first order is refused until it accepts the Microsoft Customer Agreement, at Microsoft's link.
    refused_first = shopper.post(f"{api}/storefront/orders", json={"lines": [line(cheapest, 2)]})
    assert refused_first.status_code == 409 and refused_first.json()["type"].endswith(":customer-agreement-missing")
    terms = shopper.get(f"{api}/storefront/agreement").json()
    assert terms["status"] == "missing" and terms["agreementLink"].startswith("https://")
    accepted = shopper.post(f"{api}/storefront/agreement",
                            json={"firstName": "Ida", "lastName": "Buyer", "email": "ida@buyer.example"})  # fmt: skip
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted", accepted.text
    seen = provider_admin.get(f"{api}/customers/{customer_id}").json()["agreement"]
    assert seen["status"] == "accepted" and seen["contact"]["email"] == "ida@buyer.example"

    # Below the threshold: provisioned.
    small = shopper.post(f"{api}/storefront/orders", json={"lines": [line(cheapest, 2)]})
    assert small.status_code == 202 and small.json()["status"] == "accepted"
    small_done = eventually(
        lambda: shopper.get(f"{api}/storefront/orders/{small.json()['id']}").json(),
        lambda o: o["status"] not in ("accepted", "provisioning"),
    )
    assert small_done["status"] == "completed"

    # Above it: waits, the reseller approves, provisioned.
    quantity = int(Decimal("300") / Decimal(priciest["price"])) + 2
    big = shopper.post(f"{api}/storefront/orders", json={"lines": [line(priciest, quantity)]}).json()
    assert big["status"] == "pendingApproval"
    assert reseller.post(f"{api}/orders/{big['id']}/approve").json()["status"] == "accepted"
    assert (
        eventually(
            lambda: shopper.get(f"{api}/storefront/orders/{big['id']}").json(),
            lambda o: o["status"] not in ("accepted", "provisioning"),
        )["status"]
        == "completed"
    )

    # A three-year term its policy forbids: 422 with the reason.
    three_years = reseller.get(f"{api}/catalog", params={"country": "US", "termDuration": "P3Y"}).json()["items"][0]
    refused = shopper.post(f"{api}/storefront/orders", json={"lines": [line(three_years, 1)]})
    assert refused.status_code == 422 and refused.json()["errors"]

    # It removes a seat inside the window.
    sub_id = small_done["lines"][0]["subscriptionId"]
    assert shopper.patch(f"{api}/storefront/subscriptions/{sub_id}", json={"quantity": 1}).status_code == 202
    eventually(
        lambda: shopper.get(f"{api}/subscriptions/{sub_id}").json(),
        lambda s: s["quantity"] == 1 and s["pendingChange"] is None,
    )

    # It reads its charges after a billing run.
    period = datetime.now(UTC).strftime("%Y-%m")
    control(
        stack, "POST", "reconciliation", {"providerTenantId": app["tenantId"], "period": period, "kind": "unbilled"}
    )
    run = provider_admin.post(f"{api}/billing/runs", json={"period": period, "kind": "unbilled"})
    assert run.status_code == 202, run.text
    eventually(
        lambda: provider_admin.get(f"{api}/billing/runs/{run.json()['id']}").json(),
        lambda r: r["status"] in ("completed", "failed"),
        timeout=120,
    )
    charges = shopper.get(f"{api}/storefront/charges", params={"period": period}).json()
    assert charges["runId"] == run.json()["id"] and charges["items"]
    assert all("providerCost" not in c and "resellerCharge" not in c for c in charges["items"])

    # The reseller switches the storefront off: every storefront route answers 403 at once.
    reseller.patch(f"{api}/customers/{customer_id}", json={"storefrontEnabled": False}).raise_for_status()
    for method, path in [
        ("GET", "storefront/catalog"),
        ("GET", "storefront/orders"),
        ("GET", f"storefront/orders/{big['id']}"),
        ("GET", "storefront/subscriptions"),
        ("GET", f"storefront/charges?period={period}"),
    ]:
        assert shopper.request(method, f"{api}/{path}").status_code == 403, path
    assert shopper.post(f"{api}/storefront/orders", json={"lines": [line(cheapest, 1)]}).status_code == 403
