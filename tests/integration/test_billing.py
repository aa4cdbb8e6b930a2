"""Billing runs over Azurite and the sandbox's Partner Center (docs/business.md#billing-runs):
subscriptions bought through orders, a generated period with one discrepancy of each kind, totals checked against
an independent computation, reruns that replace without doubling, and scope."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from shared.messaging import QueueNames
from shared.messaging.storage_queues import StorageQueueReceiver
from shared.services.handlers import dispatcher
from tests.support.billing_expected import expected_discrepancies, expected_totals
from tests.support.commerce import commerce_setup, work_queues
from tests.support.onboarding import Sandbox, new_domain, new_partner_id, work_queue

KINDS = ["unknownSubscription", "quantityMismatch", "priceMismatch", "missingCharge", "endedRelationship",
         "partnerOfRecordMismatch"]  # fmt: skip


@pytest.fixture(scope="module")
def pc(sandbox: Any) -> Sandbox:
    return Sandbox(sandbox)


def work_billing(container: Container, until: Callable[[], bool], timeout: float = 120) -> None:
    """Drains the billing queue the way the worker does."""
    import time

    receiver = StorageQueueReceiver(container.settings.storage_connection_string, QueueNames.BILLING_RUNS,
                                    max_attempts=8, visibility_timeout=timedelta(seconds=30))  # fmt: skip
    deadline = time.monotonic() + timeout
    try:
        while not until():
            assert time.monotonic() < deadline, "the billing run did not finish in time"
            handled = receiver.receive_batch(
                lambda delivery: dispatcher.dispatch(container, QueueNames.BILLING_RUNS, delivery), 4
            )
            if not handled:
                time.sleep(0.2)
    finally:
        receiver.close()


@pytest.fixture(scope="module")
def billed(client: TestClient, container: Container, pc: Sandbox, sandbox: Any) -> dict[str, Any]:
    """A reseller with two customers, five subscriptions bought through orders, the second customer's relationship
    ended, priced with margins at both tiers; then the period generated with one discrepancy of each kind."""
    from tests.support.platform import member, new_id, user_token

    def auth(oid: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {user_token(sandbox, oid)}"}

    def add_member(org: OrgRef, role: Role) -> str:
        if org.org_type is not OrgType.OPERATOR:
            container.organizations.add(org, name="test")
        user_id = new_id("u-")
        container.members.add(member(user_id, org, role))
        return user_id

    # Other modules sharing this sandbox may have moved its clock: the platform reads "current" from the wall
    # clock, so Partner Center's clock is put back to now first.
    requests.post(
        f"{pc.url}/_sandbox/clock", json={"set": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}, timeout=10
    ).raise_for_status()
    shop = commerce_setup(client, auth, container, pc, add_member, country="NL")  # the sandbox bills NL in EUR
    admin, staff = auth(shop["providerAdmin"]), auth(shop["resellerStaff"])
    provider_id, reseller_id = shop["provider"]["id"], shop["resellerId"]
    # a second customer of the same reseller, whose relationship will end
    domain = new_domain()
    leaving = client.post("/api/customer-invitations", headers=admin, json={
        "resellerId": reseller_id, "name": "Leaving Ltd", "domain": domain, "contactEmail": "it@l.example"}
    ).json()["customerId"]  # fmt: skip
    leaving_tenant = pc.customer_accepts(shop["app"]["tenantId"], shop["resellerPartnerId"], domain=domain)
    work_queue(container, lambda: client.get(f"/api/customers/{leaving}", headers=admin).json()["status"] == "active")
    # another reseller, to prove scope
    other_partner = new_partner_id()
    other_id = client.post(
        "/api/reseller-invitations",
        headers=admin,
        json={"partnerId": other_partner, "name": "Other IT", "contactEmail": "it@other.example"},
    ).json()["resellerId"]
    pc.reseller_accepts(shop["app"]["tenantId"], other_partner)
    work_queue(container, lambda: client.get(f"/api/resellers/{other_id}", headers=admin).json()["status"] == "active")
    other_staff = add_member(OrgRef(OrgType.RESELLER, other_id, provider_id=provider_id), Role.RESELLER_STAFF)
    # prices: the provider charges the reseller cost + 10 %, the reseller its customers + 20 %
    assert (
        client.put(
            f"/api/resellers/{reseller_id}/pricing", headers=admin, json={"margin": "0.10", "overrides": []}
        ).status_code
        == 200
    )
    for customer in (shop["customerId"], leaving):
        answer = client.put(
            f"/api/customers/{customer}/pricing", headers=staff, json={"margin": "0.20", "overrides": []}
        )
        assert answer.status_code == 200, answer.text
    monthly = [i for i in shop["items"] if i.billing_cycle == "monthly"]
    picks = [(monthly[n], quantity) for n, quantity in enumerate((3, 5, 7, 2))]
    orders = [client.post("/api/orders", headers=staff, json={"customerId": shop["customerId"], "lines": [
        {"catalogItemId": item.catalog_item_id, "quantity": quantity, "termDuration": item.term_duration,
         "billingCycle": item.billing_cycle} for item, quantity in picks]}).json()["id"]]  # fmt: skip
    orders.append(client.post("/api/orders", headers=staff, json={"customerId": leaving, "lines": [
        {"catalogItemId": monthly[0].catalog_item_id, "quantity": 4, "termDuration": monthly[0].term_duration,
         "billingCycle": monthly[0].billing_cycle}]}).json()["id"])  # fmt: skip

    def done() -> bool:
        return all(client.get(f"/api/orders/{o}", headers=staff).json()["status"] == "completed" for o in orders)

    work_queues(container, done, timeout=120)
    pc.end_relationship(shop["app"]["tenantId"], tenantId=leaving_tenant)
    container.relationships.sweep()  # what the relationship sweep timer runs
    assert client.get(f"/api/customers/{leaving}", headers=admin).json()["status"] == "ended"
    period = requests.get(f"{pc.url}/_sandbox/clock", timeout=10).json()["now"][:7]
    generated = requests.post(f"{pc.url}/_sandbox/reconciliation", timeout=60, json={
        "providerTenantId": shop["app"]["tenantId"], "period": period, "kind": "billed", "seed": 7,
        "discrepancies": [{"kind": kind, "count": 1} for kind in KINDS]})  # fmt: skip
    assert generated.status_code == 200, generated.text
    lines = requests.get(
        f"{pc.url}/_sandbox/reconciliation/lines",
        timeout=60,
        params={"providerTenantId": shop["app"]["tenantId"], "period": period, "kind": "billed", "limit": 2000},
    )
    subscriptions = {s.id: s for s in container.subscriptions.for_provider(provider_id)}
    return {**shop, "auth": auth, "admin": admin, "staff": staff, "leaving": leaving, "otherId": other_id,
            "otherStaff": auth(other_staff), "period": period, "subscriptions": subscriptions,
            "generated": json.loads(generated.content, parse_float=Decimal),
            "lines": json.loads(lines.content, parse_float=Decimal)["items"]}  # fmt: skip


def run_to_completion(client: TestClient, container: Container, billed: dict[str, Any]) -> dict[str, Any]:
    started = client.post("/api/billing/runs", headers=billed["admin"], json={"period": billed["period"],
                                                                              "kind": "billed"})  # fmt: skip
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    read = lambda: client.get(f"/api/billing/runs/{run_id}", headers=billed["admin"]).json()  # noqa: E731
    work_billing(container, lambda: read()["status"] in ("completed", "failed"))
    run = read()
    assert run["status"] == "completed", run
    return run  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def first_run(client: TestClient, container: Container, billed: dict[str, Any]) -> dict[str, Any]:
    return run_to_completion(client, container, billed)


def cost_of(billed: dict[str, Any], subscription_id: str) -> tuple[Decimal, int]:
    sub = billed["subscriptions"][subscription_id]
    item = next(i for i in billed["items"] if i.catalog_item_id == sub.catalog_item_id)
    return item.cost, sub.quantity


def test_totals_per_reseller_and_customer_equal_an_independent_computation(
    first_run: dict[str, Any], billed: dict[str, Any]
) -> None:
    resellers, customers = expected_totals(billed["lines"], billed["subscriptions"], lambda s: cost_of(billed, s)[0],
                                           Decimal("0.10"), Decimal("0.20"))  # fmt: skip
    got_resellers = {(t["resellerId"], t["currency"]): Decimal(t["amount"]) for t in first_run["totals"]["resellers"]}
    got_customers = {(t["customerId"], t["currency"]): Decimal(t["amount"]) for t in first_run["totals"]["customers"]}
    assert got_resellers == resellers
    assert got_customers == customers
    assert first_run["counts"]["lines"] == billed["generated"]["count"]


def test_every_discrepancy_is_found_with_its_kind_and_amount(
    client: TestClient, first_run: dict[str, Any], billed: dict[str, Any]
) -> None:
    found = client.get(f"/api/billing/runs/{first_run['id']}/discrepancies", headers=billed["admin"],
                       params={"limit": 500}).json()["items"]  # fmt: skip
    expected = expected_discrepancies(billed["generated"]["discrepancies"], billed["lines"],
                                      lambda s: cost_of(billed, s))  # fmt: skip
    got = {(d["kind"], d["subscriptionId"]): Decimal(d["amount"]) for d in found}
    for key, amount in expected.items():
        assert got.get(key) == amount, (key, amount, found)
    assert {kind for kind, _ in got} == set(KINDS)
    assert len(found) == len(expected), found


def test_a_rerun_replaces_the_run_with_identical_totals(
    client: TestClient, container: Container, first_run: dict[str, Any], billed: dict[str, Any]
) -> None:
    again = run_to_completion(client, container, billed)
    assert again["id"] != first_run["id"]
    assert again["totals"] == first_run["totals"] and again["counts"] == first_run["counts"]
    assert client.get(f"/api/billing/runs/{first_run['id']}", headers=billed["admin"]).status_code == 404
    listed = client.get("/api/billing/runs", headers=billed["admin"], params={"period": billed["period"]}).json()
    assert [r["id"] for r in listed["items"] if r["kind"] == "billed"] == [again["id"]]
    billed["current"] = again


def test_a_replaced_run_is_gone_for_readers_before_its_data_is_deleted(
    client: TestClient, container: Container, first_run: dict[str, Any], billed: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Between the pointer moving to the new run and the old run's deletion, readers already see only the new one."""
    replaced = billed.get("current", first_run)
    monkeypatch.setattr(container.billing, "drop", lambda provider_id, run_id: None)  # the deletion not yet done
    newer = run_to_completion(client, container, billed)
    assert container.billing_runs.get(billed["provider"]["id"], replaced["id"]) is not None  # still stored
    assert client.get(f"/api/billing/runs/{replaced['id']}", headers=billed["admin"]).status_code == 404
    assert client.get(f"/api/billing/runs/{replaced['id']}/lines", headers=billed["admin"]).status_code == 404
    listed = client.get("/api/billing/runs", headers=billed["admin"], params={"period": billed["period"]}).json()
    assert [r["id"] for r in listed["items"] if r["kind"] == "billed"] == [newer["id"]]
    monkeypatch.undo()
    container.billing.drop(billed["provider"]["id"], replaced["id"])
    billed["current"] = newer


def test_reseller_staff_see_their_lines_without_provider_cost_and_404_for_another_resellers(
    client: TestClient, first_run: dict[str, Any], billed: dict[str, Any]
) -> None:
    run_id = billed.get("current", first_run)["id"]
    own = client.get(f"/api/billing/runs/{run_id}/lines", headers=billed["staff"])
    assert own.status_code == 200
    items = own.json()["items"]
    assert items and all(i["resellerId"] == billed["resellerId"] for i in items)
    assert all("providerCost" not in i and "unitPrice" not in i for i in items)
    assert client.get(f"/api/billing/runs/{run_id}/lines", headers=billed["staff"],
                      params={"resellerId": billed["otherId"]}).status_code == 404  # fmt: skip
    assert client.get(f"/api/billing/runs/{run_id}/lines", headers=billed["otherStaff"],
                      params={"resellerId": billed["resellerId"]}).status_code == 404  # fmt: skip
    assert client.get(f"/api/billing/runs/{run_id}/lines", headers=billed["otherStaff"]).json()["items"] == []
    assert client.get(f"/api/billing/runs/{run_id}/discrepancies", headers=billed["staff"]).status_code == 403
    totals = client.get(f"/api/billing/runs/{run_id}", headers=billed["otherStaff"]).json()["totals"]
    assert totals["resellers"] == [] and totals["customers"] == []


def test_lines_export_as_csv_and_trace_back_to_microsofts_line_ids(
    client: TestClient, first_run: dict[str, Any], billed: dict[str, Any]
) -> None:
    run_id = billed.get("current", first_run)["id"]
    answer = client.get(f"/api/billing/runs/{run_id}/lines", headers=billed["admin"],
                        params={"format": "csv", "customerId": billed["customerId"]})  # fmt: skip
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = answer.text.strip().splitlines()
    assert rows[0].startswith("lineItemIds,") and "providerCost" in rows[0]
    priced = client.get(f"/api/billing/runs/{run_id}/lines", headers=billed["admin"]).json()["items"]
    assert len(priced) == len(billed["lines"])
    assert all(len(p["lineItemIds"]) == 1 and p["lineItemIds"][0].endswith(f":{n}") for n, p in enumerate(priced))
    total = sum((Decimal(p["providerCost"]) for p in priced), Decimal(0))
    [(currency, amount)] = billed["generated"]["totals"].items()
    assert total == Decimal(amount)


def test_only_a_provider_admin_may_start_a_run(client: TestClient, billed: dict[str, Any]) -> None:
    body = {"period": billed["period"], "kind": "billed"}
    assert client.post("/api/billing/runs", headers=billed["staff"], json=body).status_code == 403
    assert client.post("/api/billing/runs", headers=billed["admin"],
                       json={"period": "2026-13", "kind": "billed"}).status_code == 422  # fmt: skip


def test_a_redelivered_message_for_a_completed_run_changes_nothing(
    client: TestClient, container: Container, first_run: dict[str, Any], billed: dict[str, Any]
) -> None:
    run_id = billed.get("current", first_run)["id"]
    before = client.get(f"/api/billing/runs/{run_id}", headers=billed["admin"]).json()
    again = container.billing.execute(billed["provider"]["id"], run_id, 2)
    assert again is not None and again.status == "completed" and again.attempt == before["attempt"]
    assert client.get(f"/api/billing/runs/{run_id}", headers=billed["admin"]).json() == before


def test_a_run_whose_worker_died_restarts_from_scratch_and_leaves_nothing_of_the_dead_attempt(
    client: TestClient, container: Container, first_run: dict[str, Any], billed: dict[str, Any]
) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime

    provider_id = billed["provider"]["id"]
    expected = client.get(f"/api/billing/runs/{billed.get('current', first_run)['id']}", headers=billed["admin"]).json()
    run = container.billing.request(provider_id, billed["period"], "billed", requested_by="test")
    lines_blob, found_blob = run.blob_names(1)
    dead = container.billing_runs.change(provider_id, run.id, lambda r: replace(
        r, status="running", attempt=1, started_at=datetime.now(UTC) - timedelta(hours=1),
        lease_until=datetime.now(UTC) - timedelta(minutes=1), lines_blob=lines_blob,
        discrepancies_blob=found_blob))  # fmt: skip
    writer = container.billing_blobs.writer(lines_blob)
    writer.write(b'{"half": "written"}\n')
    writer.close()
    from shared.storage.billing import TotalRow

    container.billing_runs.write_totals(f"{run.id}.1", [TotalRow("reseller", billed["resellerId"], None, "EUR", "1")])
    assert dead is not None and dead.status == "running"
    # the lease is still valid for a live attempt: a redelivery leaves it alone
    live = container.billing_runs.change(provider_id, run.id, lambda r: replace(
        r, lease_until=datetime.now(UTC) + timedelta(minutes=5)))  # fmt: skip
    assert container.billing.execute(provider_id, run.id, 2).attempt == live.attempt  # type: ignore[union-attr]
    container.billing_runs.change(provider_id, run.id, lambda r: replace(
        r, lease_until=datetime.now(UTC) - timedelta(minutes=1)))  # fmt: skip
    assert container.billing.resend_stalled() >= 1
    work_billing(container, lambda: container.billing_runs.get(provider_id, run.id).status == "completed")  # type: ignore[union-attr]
    done = client.get(f"/api/billing/runs/{run.id}", headers=billed["admin"]).json()
    assert done["attempt"] == 2
    assert done["totals"] == expected["totals"] and done["counts"] == expected["counts"]
    assert list(container.billing_blobs.iter_lines(lines_blob)) == []
    assert container.billing_runs.totals(f"{run.id}.1") == []
    billed["current"] = done


def test_a_billed_run_without_an_invoice_fails_with_the_reason(
    client: TestClient, container: Container, billed: dict[str, Any]
) -> None:
    from datetime import UTC, datetime

    from shared.services.billing import period_of

    earlier = period_of(datetime.now(UTC), 3)
    run = container.billing.request(billed["provider"]["id"], earlier, "billed", requested_by="test")
    read = lambda: client.get(f"/api/billing/runs/{run.id}", headers=billed["admin"]).json()  # noqa: E731
    work_billing(container, lambda: read()["status"] in ("completed", "failed"))
    failed = read()
    assert failed["status"] == "failed" and "no invoice" in failed["failureReason"]
    as_reseller = client.get(f"/api/billing/runs/{run.id}", headers=billed["auth"](billed["resellerStaff"])).json()
    assert as_reseller["status"] == "failed" and "failed" in as_reseller["failureReason"]
    assert "no invoice" not in as_reseller["failureReason"]  # Microsoft's own answer stays with the provider
    assert client.get(f"/api/billing/runs/{billed['current']['id']}", headers=billed["admin"]).json()["current"]


def test_the_timer_requests_the_unbilled_run_and_no_second_while_one_is_queued(
    container: Container, billed: dict[str, Any]
) -> None:
    provider_id = billed["provider"]["id"]
    first = container.billing.request(provider_id, billed["period"], "unbilled", requested_by="timer")
    second = container.billing.request(provider_id, billed["period"], "unbilled", requested_by="timer")
    assert first.id == second.id
    run = container.billing.execute(provider_id, first.id)
    assert run is not None and run.status == "completed", run
    assert run.counts["lines"] == 0  # nothing was generated as unbilled for this provider


def test_discrepancies_page_through_packed_rows_in_order_and_filter_by_kind(container: Container) -> None:
    from tests.support.platform import new_id

    key = f"{new_id('br-')}.1"
    items = [{"kind": KINDS[n % len(KINDS)], "subscriptionId": f"sub-{n:05d}", "customerId": None,
              "resellerId": None, "amount": f"{n}.00", "currency": "EUR", "detail": "x" * 120,
              "lineItemIds": [f"{n:016x}:{n}"]} for n in range(1500)]  # fmt: skip
    assert container.billing_runs.write_discrepancies(key, items) == 1500
    for kind, wanted in ((None, items), ("missingCharge", [i for i in items if i["kind"] == "missingCharge"])):
        seen: list[dict[str, Any]] = []
        position = None
        while True:
            page, position = container.billing_runs.discrepancies(key, kind=kind, limit=97, position=position)
            assert len(page) <= 97
            seen.extend(page)
            if position is None:
                break
        assert seen == wanted


def test_a_customer_admin_sees_only_its_own_customer_tier_amounts(
    client: TestClient, container: Container, first_run: dict[str, Any], billed: dict[str, Any]
) -> None:
    from tests.support.platform import member, new_id

    org = OrgRef(OrgType.CUSTOMER, billed["customerId"], provider_id=billed["provider"]["id"],
                 reseller_id=billed["resellerId"])  # fmt: skip
    user = new_id("u-")
    container.members.add(member(user, org, Role.CUSTOMER_ADMIN))
    headers = billed["auth"](user)
    run_id = billed.get("current", first_run)["id"]
    run = client.get(f"/api/billing/runs/{run_id}", headers=headers).json()
    assert run["totals"]["resellers"] == []
    assert [c["customerId"] for c in run["totals"]["customers"]] == [billed["customerId"]]
    lines = client.get(f"/api/billing/runs/{run_id}/lines", headers=headers).json()["items"]
    assert lines and all(set(line) == {"lineItemIds", "subscriptionId", "customerId", "catalogItemId", "chargeType",
                                       "chargeStartDate", "chargeEndDate", "quantity", "currency", "proration",
                                       "customerCharge"} for line in lines)  # fmt: skip
    assert all(line["customerId"] == billed["customerId"] for line in lines)
    assert client.get(f"/api/billing/runs/{run_id}/lines", headers=headers,
                      params={"customerId": billed["leaving"]}).status_code == 404  # fmt: skip


def test_the_billed_timer_requests_last_months_run_once_its_invoice_is_out(
    container: Container, pc: Sandbox, billed: dict[str, Any]
) -> None:
    from datetime import UTC, datetime

    from shared.services.billing import period_of

    provider_id = billed["provider"]["id"]
    last_month = period_of(datetime.now(UTC), 1)
    mine = lambda: [r for r in container.billing_runs.iter_runs(provider_id)  # noqa: E731
                    if r.period == last_month and r.kind == "billed"]  # fmt: skip
    container.billing.schedule_billed()
    assert mine() == []  # no invoice for last month yet
    requests.post(
        f"{pc.url}/_sandbox/reconciliation",
        timeout=60,
        json={"providerTenantId": billed["app"]["tenantId"], "period": last_month, "kind": "billed"},
    ).raise_for_status()
    container.billing.schedule_billed()
    container.billing.schedule_billed()
    [queued] = mine()
    work_billing(container, lambda: container.billing_runs.get(provider_id, queued.id).status == "completed")  # type: ignore[union-attr]
    container.billing.schedule_billed()
    assert [r.id for r in mine()] == [queued.id]  # a current billed run is not redone


def test_an_unbilled_run_reads_the_open_period_and_prices_it_like_a_billed_one(
    client: TestClient, container: Container, pc: Sandbox, billed: dict[str, Any]
) -> None:
    generated = requests.post(
        f"{pc.url}/_sandbox/reconciliation",
        timeout=60,
        json={"providerTenantId": billed["app"]["tenantId"], "period": billed["period"], "kind": "unbilled"},
    )
    assert generated.status_code == 200, generated.text
    lines = requests.get(
        f"{pc.url}/_sandbox/reconciliation/lines",
        timeout=60,
        params={"providerTenantId": billed["app"]["tenantId"], "period": billed["period"], "kind": "unbilled"},
    )
    lines_json = json.loads(lines.content, parse_float=Decimal)["items"]
    started = client.post("/api/billing/runs", headers=billed["admin"], json={"period": billed["period"],
                                                                              "kind": "unbilled"})  # fmt: skip
    assert started.status_code == 202, started.text
    read = lambda: client.get(f"/api/billing/runs/{started.json()['id']}", headers=billed["admin"]).json()  # noqa: E731
    work_billing(container, lambda: read()["status"] in ("completed", "failed"))
    run = read()
    assert run["status"] == "completed" and run["kind"] == "unbilled" and run["invoiceId"] is None, run
    assert run["counts"]["lines"] == len(lines_json) > 0
    resellers, customers = expected_totals(lines_json, billed["subscriptions"], lambda s: cost_of(billed, s)[0],
                                           Decimal("0.10"), Decimal("0.20"))  # fmt: skip
    assert {(t["resellerId"], t["currency"]): Decimal(t["amount"]) for t in run["totals"]["resellers"]} == resellers
    assert {(t["customerId"], t["currency"]): Decimal(t["amount"]) for t in run["totals"]["customers"]} == customers
