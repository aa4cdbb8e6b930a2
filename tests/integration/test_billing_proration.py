"""Proration through the sandbox's Partner Center: seats added mid-cycle and a cancellation inside the window (a credit
line) are billed to the reseller and customer exactly as Microsoft prorated them, in EUR."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from tests.integration.test_billing import work_billing
from tests.support.commerce import priced_shop_next_month, work_queues
from tests.support.onboarding import Sandbox

CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def pc(sandbox: Any) -> Iterator[Sandbox]:
    yield Sandbox(sandbox)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    requests.post(f"{sandbox.http_url}/_sandbox/clock", json={"set": now}, timeout=10)


@pytest.fixture(scope="module")
def prorated(client: TestClient, container: Container, pc: Sandbox, sandbox: Any) -> dict[str, Any]:
    """On the 10th of next month (sandbox clock): two subscriptions bought; three days later one gets 5 more seats
    and the other is cancelled; then that month is invoiced."""
    shop = priced_shop_next_month(client, container, pc, sandbox, country="NL")
    admin, staff, moment = shop["admin"], shop["staff"], shop["moment"]
    annual = next(i for i in shop["items"] if i.term_duration == "P1Y" and i.billing_cycle == "monthly")
    monthly = next(i for i in shop["items"] if i.term_duration == "P1M" and i.billing_cycle == "monthly")
    order = client.post("/api/orders", headers=staff, json={"customerId": shop["customerId"], "lines": [
        {"catalogItemId": annual.catalog_item_id, "quantity": 10, "termDuration": "P1Y", "billingCycle": "monthly"},
        {"catalogItemId": monthly.catalog_item_id, "quantity": 4, "termDuration": "P1M", "billingCycle": "monthly"},
    ]}).json()  # fmt: skip
    read = lambda: client.get(f"/api/orders/{order['id']}", headers=staff).json()  # noqa: E731
    work_queues(container, lambda: read()["status"] not in ("accepted", "provisioning"))
    grown, cancelled = (line["subscriptionId"] for line in read()["lines"])
    requests.post(f"{pc.url}/_sandbox/clock", json={"advance": "P3D"}, timeout=10).raise_for_status()
    assert client.patch(f"/api/subscriptions/{grown}", headers=staff, json={"quantity": 15}).status_code == 202
    assert client.post(f"/api/subscriptions/{cancelled}/cancel", headers=staff).status_code == 202
    sub = lambda s: client.get(f"/api/subscriptions/{s}", headers=staff).json()  # noqa: E731
    work_queues(container, lambda: all(sub(s)["pendingChange"] is None for s in (grown, cancelled)))
    period = f"{moment.year:04d}-{moment.month:02d}"
    generated = requests.post(
        f"{pc.url}/_sandbox/reconciliation",
        timeout=60,
        json={"providerTenantId": shop["app"]["tenantId"], "period": period, "kind": "billed"},
    )
    assert generated.status_code == 200, generated.text
    lines = requests.get(
        f"{pc.url}/_sandbox/reconciliation/lines",
        timeout=60,
        params={"providerTenantId": shop["app"]["tenantId"], "period": period, "kind": "billed"},
    )
    run = container.billing_service.request(shop["provider"]["id"], period, "billed", requested_by="test")
    work_billing(container, lambda: container.billing_runs.get(shop["provider"]["id"], run.id).status  # type: ignore[union-attr]
                 in ("completed", "failed"))  # fmt: skip
    return {**shop, "admin": admin, "staff": staff, "run": run.id, "grown": grown, "cancelled": cancelled,
            "costs": {grown: annual.cost, cancelled: monthly.cost},
            "lines": json.loads(lines.content, parse_float=Decimal)["items"]}  # fmt: skip


def priced_lines(client: TestClient, prorated: dict[str, Any]) -> list[dict[str, Any]]:
    answer = client.get(f"/api/billing/runs/{prorated['run']}/lines", headers=prorated["admin"])
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]  # type: ignore[no-any-return]


def expected(prorated: dict[str, Any], line: dict[str, Any], margin: Decimal) -> Decimal:
    """The tier's unit price as shown (rounded to the cent) x quantity x Microsoft's proration, rounded."""
    unit = (prorated["costs"][line["subscriptionId"]] * margin).quantize(CENT, ROUND_HALF_UP)
    factor = Decimal(line["effectiveUnitPrice"]) / Decimal(line["unitPrice"])
    return (unit * Decimal(line["quantity"]) * factor).quantize(CENT, ROUND_HALF_UP)


def test_seats_added_mid_cycle_are_charged_for_the_rest_of_the_cycle_at_each_tier(
    client: TestClient, prorated: dict[str, Any]
) -> None:
    microsoft = next(line for line in prorated["lines"] if line["chargeType"] == "addQuantity")
    assert 0 < microsoft["effectiveUnitPrice"] < microsoft["unitPrice"]  # a part of the cycle
    [ours] = [p for p in priced_lines(client, prorated) if p["chargeType"] == "addQuantity"]  # Microsoft's spelling
    assert Decimal(ours["resellerCharge"]) == expected(prorated, microsoft, Decimal("1.15"))
    assert Decimal(ours["customerCharge"]) == expected(prorated, microsoft, Decimal("1.15") * Decimal("1.25"))
    assert Decimal(ours["providerCost"]) == microsoft["subtotal"] and ours["currency"] == "EUR"


def test_a_cancellation_inside_the_window_is_a_credit_at_each_tier(
    client: TestClient, prorated: dict[str, Any]
) -> None:
    microsoft = next(line for line in prorated["lines"] if line["chargeType"] == "cancel")
    assert microsoft["subtotal"] < 0
    [ours] = [p for p in priced_lines(client, prorated) if p["chargeType"] == "cancel"]
    assert Decimal(ours["resellerCharge"]) == expected(prorated, microsoft, Decimal("1.15")) < 0
    assert Decimal(ours["customerCharge"]) == expected(prorated, microsoft, Decimal("1.15") * Decimal("1.25")) < 0


def test_prorated_lines_reconcile_without_discrepancies_and_totals_sum_the_lines(
    client: TestClient, prorated: dict[str, Any]
) -> None:
    run = client.get(f"/api/billing/runs/{prorated['run']}", headers=prorated["admin"]).json()
    assert run["status"] == "completed", run
    assert run["counts"]["discrepancies"] == 0, client.get(f"/api/billing/runs/{prorated['run']}/discrepancies",
                                                           headers=prorated["admin"]).json()  # fmt: skip
    priced = priced_lines(client, prorated)
    [reseller_total] = run["totals"]["resellers"]
    assert Decimal(reseller_total["amount"]) == sum(Decimal(p["resellerCharge"]) for p in priced)
    [customer_total] = run["totals"]["customers"]
    assert Decimal(customer_total["amount"]) == sum(Decimal(p["customerCharge"]) for p in priced)
