"""A reseller's staff sells licenses, through the running local stack (API, worker, sandbox, webhooks)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.e2e.conftest import RunningStack, eventually

pytestmark = pytest.mark.e2e


def control(stack: RunningStack, method: str, path: str, body: dict[str, Any] | None = None, **params: str) -> Any:
    answer = requests.request(method, f"{stack.sandbox}/_sandbox/{path}", json=body, params=params, timeout=30)
    answer.raise_for_status()
    return answer.json()


def set_clock(stack: RunningStack, moment: datetime) -> None:
    control(stack, "POST", "clock", {"set": moment.isoformat().replace("+00:00", "Z")})


def test_reseller_sells_and_manages_licenses(onboarding_stack: RunningStack) -> None:
    stack, api = onboarding_stack, onboarding_stack.api
    operator = stack.session(stack.wait_for("operator: "))
    app = control(stack, "POST", "providers", {"name": "Licenses Distribution"})
    provider = operator.post(
        f"{api}/providers",
        json={
            "name": "Licenses Distribution",
            "partnerCenter": {
                "tenantId": app["tenantId"],
                "clientId": app["clientId"],
                "clientSecretRef": app["clientSecretRef"],
                "refreshTokenRef": app["refreshTokenRef"],
            },
        },
    ).json()
    admin_id = str(uuid.uuid4())
    operator.post(
        f"{api}/members",
        json={"userId": admin_id, "orgType": "provider", "orgId": provider["id"], "role": "provider.admin"},
    ).raise_for_status()
    admin = stack.session(admin_id)
    admin.put(f"{api}/catalog/settings", json={"newItemsSellable": True}).raise_for_status()
    assert admin.post(f"{api}/catalog/sync", json={"country": "US"}).status_code == 200

    partner_id = str(random.randint(1_000_000, 6_999_999))
    reseller_id = admin.post(
        f"{api}/reseller-invitations",
        json={"partnerId": partner_id, "name": "Fabrikam IT", "contactEmail": "it@fabrikam.example"},
    ).json()["resellerId"]
    control(stack, "POST", "resellers/accept", {"providerTenantId": app["tenantId"], "partnerId": partner_id})
    eventually(lambda: admin.get(f"{api}/resellers/{reseller_id}").json(), lambda r: r["status"] == "active")
    domain = f"buyer{uuid.uuid4().hex[:8]}.onmicrosoft.com"
    customer_id = admin.post(
        f"{api}/customer-invitations",
        json={"resellerId": reseller_id, "name": "Buyer", "domain": domain, "contactEmail": "it@buyer.example"},
    ).json()["customerId"]
    tenant = control(
        stack,
        "POST",
        "customers/accept",
        # A US customer: the catalog synced here is the US market.
        {"providerTenantId": app["tenantId"], "resellerPartnerId": partner_id, "domain": domain, "country": "US"},
    )["tenantId"]
    eventually(lambda: admin.get(f"{api}/customers/{customer_id}").json(), lambda c: c["status"] == "active")
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
        lambda s: s["quantity"] == 6 and s["pendingChange"]["status"] == "applied",
    )
    assert staff.patch(f"{api}/subscriptions/{sub_id}", json={"quantity": 5}).status_code == 202
    eventually(
        lambda: staff.get(f"{api}/subscriptions/{sub_id}").json(),
        lambda s: s["quantity"] == 5 and s["pendingChange"]["status"] == "applied",
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
