"""Billing reconciliation through the running local stack: subscriptions bought through orders, the sandbox's period
with one discrepancy of each kind, a run, totals against an independent computation, a rerun, and scope."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from tests.e2e.conftest import RunningStack, eventually, start_stack, switch_on_market
from tests.support.billing_expected import expected_discrepancies, expected_totals

pytestmark = pytest.mark.e2e

KINDS = ["unknownSubscription", "quantityMismatch", "priceMismatch", "missingCharge", "endedRelationship",
         "partnerOfRecordMismatch"]  # fmt: skip


@pytest.fixture(scope="module")
def billing_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """Quick relationship checks and a sweep every 5 s, so ended relationships are seen within the test."""
    stack = start_stack(
        tmp_path_factory.mktemp("billing-stack"),
        RELATIONSHIP_CHECK_FIRST_DELAY_SECONDS="1",
        RELATIONSHIP_CHECK_MAX_DELAY_SECONDS="3",
        RELATIONSHIP_SWEEP_SCHEDULE="*/5 * * * * *",
    )
    stack.wait_for("ready: ")
    yield stack
    stack.stop()


def control(stack: RunningStack, method: str, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
    answer = requests.request(method, f"{stack.sandbox}/_sandbox/{path}", json=body, params=params, timeout=120)
    answer.raise_for_status()
    return json.loads(answer.content, parse_float=Decimal)


def ok(response: requests.Response, *statuses: int) -> Any:
    assert response.status_code in (statuses or (200, 201, 202)), response.text
    return response.json()


def add_member(session: requests.Session, api: str, org_type: str, org_id: str, role: str) -> str:
    user = str(uuid.uuid4())
    ok(session.post(f"{api}/members", json={"userId": user, "orgType": org_type, "orgId": org_id, "role": role}))
    return user


def active_reseller(stack: RunningStack, admin: requests.Session, provider: dict[str, Any]) -> tuple[str, str]:
    partner = str(random.randint(1_000_000, 6_999_999))
    reseller_id = ok(
        admin.post(
            f"{stack.api}/reseller-invitations",
            json={"partnerId": partner, "name": f"Reseller {partner}", "contactEmail": "it@r.example"},
        )
    )["resellerId"]
    control(stack, "POST", "resellers/accept", {"providerTenantId": provider["tenantId"], "partnerId": partner})
    eventually(lambda: admin.get(f"{stack.api}/resellers/{reseller_id}").json()["status"], lambda s: s == "active")
    return reseller_id, partner


def active_customer(
    stack: RunningStack, admin: requests.Session, provider: dict[str, Any], reseller_id: str, partner: str
) -> tuple[str, str]:
    domain = f"bill{uuid.uuid4().hex[:10]}.onmicrosoft.com"
    customer_id = ok(admin.post(f"{stack.api}/customer-invitations", json={
        "resellerId": reseller_id, "name": f"Customer {domain[:12]}", "domain": domain,
        "contactEmail": "it@c.example"}))["customerId"]  # fmt: skip
    tenant = control(
        stack,
        "POST",
        "customers/accept",
        {"providerTenantId": provider["tenantId"], "resellerPartnerId": partner, "domain": domain},
    )["tenantId"]
    eventually(lambda: admin.get(f"{stack.api}/customers/{customer_id}").json()["status"], lambda s: s == "active")
    return customer_id, tenant


def order(
    stack: RunningStack, session: requests.Session, customer_id: str, picks: list[tuple[dict[str, Any], int]]
) -> str:
    lines = [{"catalogItemId": item["catalogItemId"], "quantity": quantity, "termDuration": item["termDuration"],
              "billingCycle": item["billingCycle"]} for item, quantity in picks]  # fmt: skip
    return str(ok(session.post(f"{stack.api}/orders", json={"customerId": customer_id, "lines": lines}))["id"])


def completed_run(stack: RunningStack, admin: requests.Session, period: str) -> dict[str, Any]:
    run = ok(admin.post(f"{stack.api}/billing/runs", json={"period": period, "kind": "billed"}), 202)
    assert run["status"] in ("queued", "running")
    done = eventually(lambda: admin.get(f"{stack.api}/billing/runs/{run['id']}").json(),
                      lambda r: r["status"] in ("completed", "failed"), timeout=120)  # fmt: skip
    assert done["status"] == "completed", done
    return done  # type: ignore[no-any-return]


def test_a_billing_run_reconciles_a_period_of_orders_with_every_discrepancy_kind(
    billing_stack: RunningStack,
) -> None:
    stack, api = billing_stack, billing_stack.api
    operator = stack.session(stack.wait_for("operator: "))
    app = control(stack, "GET", "provider")  # the development provider: its secrets are in the stack's store
    provider = ok(operator.post(f"{api}/providers", json={"name": "Contoso Distribution", "partnerCenter": {
        "tenantId": app["tenantId"], "clientId": app["clientId"], "clientSecretRef": app["clientSecretRef"],
        "refreshTokenRef": app["refreshTokenRef"]}}), 201)  # fmt: skip
    provider["tenantId"] = app["tenantId"]
    admin = stack.session(add_member(operator, api, "provider", provider["id"], "provider.admin"))
    ok(admin.put(f"{api}/catalog/settings", json={"newItemsSellable": True}))
    ok(admin.post(f"{api}/catalog/sync", json={"country": "NL"}))
    switch_on_market(admin, api, "NL")
    items = ok(admin.get(f"{api}/catalog", params={"country": "NL", "limit": 500}))["items"]
    monthly = [i for i in items if i["billingCycle"] == "monthly" and i.get("price") is not None]
    cost = {i["catalogItemId"]: Decimal(i.get("cost") or i["price"]) for i in items if i.get("price") is not None}

    reseller_id, partner = active_reseller(stack, admin, provider)
    other_id, _ = active_reseller(stack, admin, provider)
    staff = stack.session(add_member(admin, api, "reseller", reseller_id, "reseller.admin"))
    other_staff = stack.session(add_member(admin, api, "reseller", other_id, "reseller.admin"))
    staying, _ = active_customer(stack, admin, provider, reseller_id, partner)
    leaving, leaving_tenant = active_customer(stack, admin, provider, reseller_id, partner)
    ok(admin.put(f"{api}/resellers/{reseller_id}/pricing", json={"margin": "0.10", "overrides": []}))
    for customer in (staying, leaving):
        ok(staff.put(f"{api}/customers/{customer}/pricing", json={"margin": "0.20", "overrides": []}))

    orders = [order(stack, staff, staying, [(monthly[n], q) for n, q in enumerate((3, 5, 7, 2))]),
              order(stack, staff, leaving, [(monthly[0], 4)])]  # fmt: skip
    for order_id in orders:
        eventually(lambda o=order_id: staff.get(f"{api}/orders/{o}").json()["status"],
                   lambda s: s in ("completed", "failed", "partiallyCompleted"), timeout=120)  # fmt: skip
        assert staff.get(f"{api}/orders/{order_id}").json()["status"] == "completed"
    subscriptions = {}
    for customer in (staying, leaving):
        for sub in ok(staff.get(f"{api}/subscriptions", params={"customerId": customer, "limit": 500}))["items"]:
            subscriptions[sub["id"]] = SimpleNamespace(
                id=sub["id"],
                customer_id=customer,
                reseller_id=reseller_id,
                catalog_item_id=sub["catalogItemId"],
                quantity=sub["quantity"],
            )
    assert len(subscriptions) == 5
    control(stack, "POST", "relationships/end", {"providerTenantId": app["tenantId"], "tenantId": leaving_tenant})
    eventually(lambda: admin.get(f"{api}/customers/{leaving}").json()["status"], lambda s: s == "ended", timeout=60)

    period = control(stack, "GET", "clock")["now"][:7]
    generated = control(stack, "POST", "reconciliation", {
        "providerTenantId": app["tenantId"], "period": period, "kind": "billed", "seed": 11,
        "discrepancies": [{"kind": kind, "count": 1} for kind in KINDS]})  # fmt: skip
    lines = control(stack, "GET", "reconciliation/lines", providerTenantId=app["tenantId"], period=period,
                    kind="billed", limit=2000)["items"]  # fmt: skip

    first = completed_run(stack, admin, period)
    assert first["counts"]["lines"] == generated["count"] == len(lines)

    # totals: what the provider invoices the reseller, what the reseller invoices each customer
    def cost_of(sub_id: str) -> Decimal:
        return cost[subscriptions[sub_id].catalog_item_id]

    resellers, customers = expected_totals(lines, subscriptions, cost_of, Decimal("0.10"), Decimal("0.20"))
    assert {(t["resellerId"], t["currency"]): Decimal(t["amount"]) for t in first["totals"]["resellers"]} == resellers
    assert {(t["customerId"], t["currency"]): Decimal(t["amount"]) for t in first["totals"]["customers"]} == customers
    assert first["totals"]["currency"] == "EUR"

    # every discrepancy, with its kind and the money at stake
    found = ok(admin.get(f"{api}/billing/runs/{first['id']}/discrepancies", params={"limit": 500}))["items"]
    expected = expected_discrepancies(generated["discrepancies"], lines,
                                      lambda s: (cost_of(s), subscriptions[s].quantity))  # fmt: skip
    assert {(d["kind"], d["subscriptionId"]): Decimal(d["amount"]) for d in found} == expected
    assert {d["kind"] for d in found} == set(KINDS)

    # a rerun replaces the run with identical totals; the old one is gone
    second = completed_run(stack, admin, period)
    assert second["id"] != first["id"]
    assert second["totals"] == first["totals"] and second["counts"] == first["counts"]
    assert admin.get(f"{api}/billing/runs/{first['id']}").status_code == 404

    # scope: reseller staff see their own lines without the provider's cost, and 404 for another reseller's
    page = ok(staff.get(f"{api}/billing/runs/{second['id']}/lines", params={"limit": 500}))
    own = page["items"]
    assert own and all(line["resellerId"] == reseller_id and "providerCost" not in line for line in own)
    # one page holds them all, each with a whole quantity; the reseller's run counts exactly these lines
    assert page["continuationToken"] is None and all(type(line["quantity"]) is int for line in own)
    assert ok(staff.get(f"{api}/billing/runs/{second['id']}"))["counts"] == {"lines": len(own)}
    assert staff.get(f"{api}/billing/runs/{second['id']}/lines", params={"resellerId": other_id}).status_code == 404
    assert other_staff.get(f"{api}/billing/runs/{second['id']}/lines",
                           params={"resellerId": reseller_id}).status_code == 404  # fmt: skip
    assert ok(other_staff.get(f"{api}/billing/runs/{second['id']}/lines"))["items"] == []
    csv_export = staff.get(f"{api}/billing/runs/{second['id']}/lines", params={"format": "csv"})
    assert csv_export.status_code == 200 and "providerCost" not in csv_export.text.splitlines()[0]
    assert staff.get(f"{api}/billing/runs/{second['id']}/discrepancies").status_code == 403
