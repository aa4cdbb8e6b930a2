"""A reseller's staff sells licenses, through the running local stack (API, worker, sandbox, webhooks)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import RunningStack, control, eventually, ready_to_sell

pytestmark = pytest.mark.e2e


def set_clock(stack: RunningStack, moment: datetime) -> None:
    control(stack, "POST", "clock", {"set": moment.isoformat().replace("+00:00", "Z")})


def test_reseller_sells_and_manages_licenses(onboarding_stack: RunningStack) -> None:
    stack, api = onboarding_stack, onboarding_stack.api
    market = ready_to_sell(stack, "Licenses Distribution")
    app, operator = market.app, market.operator
    reseller_id, partner_id, customer_id, tenant = (
        market.reseller_id,
        market.partner_id,
        market.customer_id,
        market.tenant_id,
    )
    staff_id = str(uuid.uuid4())
    operator.post(
        f"{api}/members",
        json={"userId": staff_id, "orgType": "reseller", "orgId": reseller_id, "role": "reseller.staff"},
    ).raise_for_status()
    staff = stack.session(staff_id)

    # The reseller's staff order three lines at their own prices.
    catalog = staff.get(
        f"{api}/catalog", params={"country": "US", "termDuration": "P1Y", "billingCycle": "monthly"}
    ).json()["items"]
    assert len(catalog) >= 3 and all("cost" not in item for item in catalog)
    lines = [
        {"catalogItemId": item["catalogItemId"], "quantity": q, "termDuration": "P1Y", "billingCycle": "monthly"}
        for item, q in zip(catalog[:3], (5, 2, 1), strict=True)
    ]
    accepted = staff.post(
        f"{api}/orders",
        json={"customerId": customer_id, "lines": lines},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert accepted.status_code == 202, accepted.text
    order = eventually(
        lambda: staff.get(f"{api}/orders/{accepted.json()['id']}").json(),
        lambda o: o["status"] not in ("accepted", "provisioning"),
    )
    assert order["status"] == "completed", order
    purchases = control(stack, "GET", "purchases", customerTenantId=tenant)["items"]
    bought = [li for p in purchases for li in p["lineItems"]]
    assert sorted((li["offerId"], li["quantity"]) for li in bought) == sorted(
        (line["offerId"], line["quantity"]) for line in order["lines"]
    )
    assert {li["partnerIdOnRecord"] for li in bought} == {partner_id}
    subscriptions = staff.get(f"{api}/subscriptions", params={"customerId": customer_id}).json()["items"]
    assert {s["id"] for s in subscriptions} == {line["subscriptionId"] for line in order["lines"]}

    # A seat is added, then one removed inside the window.
    sub_id = order["lines"][0]["subscriptionId"]
    assert staff.patch(f"{api}/subscriptions/{sub_id}", json={"quantity": 6}).status_code == 202
    eventually(
        lambda: staff.get(f"{api}/subscriptions/{sub_id}").json(),
        lambda s: s["quantity"] == 6 and s["pendingChange"] is None,
    )
    assert staff.patch(f"{api}/subscriptions/{sub_id}", json={"quantity": 5}).status_code == 202
    eventually(
        lambda: staff.get(f"{api}/subscriptions/{sub_id}").json(),
        lambda s: s["quantity"] == 5 and s["pendingChange"] is None,
    )

    # A subscription bought eight days ago (Partner Center's clock) can no longer be cancelled: 409.
    set_clock(stack, datetime.now(UTC) - timedelta(days=8))
    try:
        old = staff.post(f"{api}/orders", json={"customerId": customer_id, "lines": lines[:1]}).json()
        old = eventually(
            lambda: staff.get(f"{api}/orders/{old['id']}").json(),
            lambda o: o["status"] not in ("accepted", "provisioning"),
        )
    finally:
        set_clock(stack, datetime.now(UTC))
    old_sub = old["lines"][0]["subscriptionId"]
    refused = staff.post(f"{api}/subscriptions/{old_sub}/cancel")
    assert refused.status_code == 409 and "cancellation window" in refused.json()["detail"]

    # A change made directly in Partner Center reaches the mirror through a signed webhook.
    control(stack, "POST", f"subscriptions/{sub_id}/change", {"quantity": 11})
    eventually(lambda: staff.get(f"{api}/subscriptions/{sub_id}").json(), lambda s: s["quantity"] == 11, timeout=60)
    deliveries = control(stack, "GET", "webhooks/deliveries")
    items = deliveries["items"] if isinstance(deliveries, dict) else deliveries
    assert any(
        d["eventName"] == "subscription-updated" and sub_id in d["resourceUri"] and d["delivered"]
        for d in items
        if d["providerTenantId"] == app["tenantId"]
    )
