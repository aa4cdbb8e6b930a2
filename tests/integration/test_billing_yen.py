"""Billing answers in a currency without a minor unit, through the sandbox's Partner Center: a Japanese customer's
subscription gets seats mid-cycle (a prorated line), and every amount of its lines, totals and discrepancies is
written in whole yen, JSON and CSV alike (docs/api-guide.md#billing)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from tests.integration.test_billing import all_lines, work_billing
from tests.support.commerce import priced_shop_next_month, work_queues
from tests.support.onboarding import Sandbox

YEN = re.compile(r"^-?[0-9]+$")
MONEY = ("unitPrice", "effectiveUnitPrice", "providerCost", "resellerCharge", "customerCharge")


@pytest.fixture(scope="module")
def pc(sandbox: Any) -> Iterator[Sandbox]:
    yield Sandbox(sandbox)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    requests.post(f"{sandbox.http_url}/_sandbox/clock", json={"set": now}, timeout=10)


@pytest.fixture(scope="module")
def yen(client: TestClient, container: Container, pc: Sandbox, sandbox: Any) -> dict[str, Any]:
    """On the 10th of next month (sandbox clock) a Japanese customer buys 10 seats; three days later 5 more are
    added; then that month is invoiced and billed."""
    shop = priced_shop_next_month(client, container, pc, sandbox, country="JP")
    auth, add_member = shop["auth"], shop["addMember"]
    admin, staff, moment = shop["admin"], shop["staff"], shop["moment"]
    item = next(i for i in shop["items"] if i.term_duration == "P1Y" and i.billing_cycle == "monthly")
    order = client.post("/api/orders", headers=staff, json={"customerId": shop["customerId"], "lines": [
        {"catalogItemId": item.catalog_item_id, "quantity": 10, "termDuration": "P1Y", "billingCycle": "monthly"},
    ]}).json()  # fmt: skip
    read = lambda: client.get(f"/api/orders/{order['id']}", headers=staff).json()  # noqa: E731
    work_queues(container, lambda: read()["status"] not in ("accepted", "provisioning"))
    [grown] = [line["subscriptionId"] for line in read()["lines"]]
    requests.post(f"{pc.url}/_sandbox/clock", json={"advance": "P3D"}, timeout=10).raise_for_status()
    assert client.patch(f"/api/subscriptions/{grown}", headers=staff, json={"quantity": 15}).status_code == 202
    sub = lambda: client.get(f"/api/subscriptions/{grown}", headers=staff).json()  # noqa: E731
    work_queues(container, lambda: (sub()["pendingChange"] or {}).get("status") != "pending")
    assert sub()["quantity"] == 15
    period = f"{moment.year:04d}-{moment.month:02d}"
    generated = requests.post(
        f"{pc.url}/_sandbox/reconciliation",
        timeout=60,
        json={"providerTenantId": shop["app"]["tenantId"], "period": period, "kind": "billed",
              "discrepancies": [{"kind": "priceMismatch", "count": 1}]},
    )  # fmt: skip
    assert generated.status_code == 200, generated.text
    run = container.billing_service.request(shop["provider"]["id"], period, "billed", requested_by="test")
    work_billing(container, lambda: container.billing_runs.get(shop["provider"]["id"], run.id).status  # type: ignore[union-attr]
                 in ("completed", "failed"))  # fmt: skip
    customer = add_member(
        OrgRef(OrgType.CUSTOMER, shop["customerId"], provider_id=shop["provider"]["id"],
               reseller_id=shop["resellerId"]), Role.CUSTOMER_ADMIN)  # fmt: skip
    return {**shop, "admin": admin, "staff": staff, "customer": auth(customer), "run": run.id}


def test_every_amount_of_a_yen_run_is_in_whole_yen(client: TestClient, yen: dict[str, Any]) -> None:
    run = client.get(f"/api/billing/runs/{yen['run']}", headers=yen["admin"]).json()
    assert run["status"] == "completed" and run["totals"]["currency"] == "JPY", run
    totals = run["totals"]
    amounts = [t["amount"] for t in totals["resellers"] + totals["customers"] + totals["providerCost"]]
    amounts += [e[k] for e in totals["byCurrency"] for k in ("resellers", "customers", "providerCost")]
    assert amounts and all(YEN.match(a) for a in amounts), totals
    lines = all_lines(client, yen["run"], yen["admin"])
    assert {line["chargeType"] for line in lines} >= {"new", "addQuantity"}
    added = next(line for line in lines if line["chargeType"] == "addQuantity")
    assert added["quantity"] == 5 and added["proration"] != "1"  # prorated: Microsoft's price kept many places
    for line in lines:
        assert type(line["quantity"]) is int and line["currency"] == "JPY"
        assert all(line[name] is None or YEN.match(line[name]) for name in MONEY), line
    exported = client.get(f"/api/billing/runs/{yen['run']}/lines", headers=yen["admin"], params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [{name: r[name] or None for name in MONEY} for r in rows] == [{n: li[n] for n in MONEY} for li in lines]
    found = client.get(f"/api/billing/runs/{yen['run']}/discrepancies", headers=yen["admin"]).json()["items"]
    assert found and all(YEN.match(d["amount"]) and d["currency"] == "JPY" for d in found), found


def test_a_japanese_customer_reads_its_own_lines_in_whole_yen(client: TestClient, yen: dict[str, Any]) -> None:
    lines = all_lines(client, yen["run"], yen["customer"])
    assert lines and all(YEN.match(line["customerCharge"]) for line in lines)
    run = client.get(f"/api/billing/runs/{yen['run']}", headers=yen["customer"]).json()
    assert run["counts"]["lines"] == len(lines)
    assert [t["currency"] for t in run["totals"]["customers"]] == ["JPY"]
    assert YEN.match(run["totals"]["customers"][0]["amount"])
