"""Billing runs over Azurite and the sandbox's Partner Center (docs/business.md#billing-runs):
subscriptions bought through orders, a generated period with one discrepancy of each kind, totals checked against
an independent computation, reruns that replace without doubling, and scope."""

from __future__ import annotations

import csv
import io
import json
import re
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
    container.relationship_service.sweep()  # what the relationship sweep timer runs
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


@pytest.fixture(scope="module")
def customer_admin(container: Container, billed: dict[str, Any]) -> dict[str, str]:
    """The headers of an admin of the reseller's first customer."""
    from tests.support.platform import member, new_id

    org = OrgRef(OrgType.CUSTOMER, billed["customerId"], provider_id=billed["provider"]["id"],
                 reseller_id=billed["resellerId"])  # fmt: skip
    user = new_id("u-")
    container.members.add(member(user, org, Role.CUSTOMER_ADMIN))
    return billed["auth"](user)  # type: ignore[no-any-return]


def all_lines(client: TestClient, run_id: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every JSON line the caller may read, page after page."""
    items: list[dict[str, Any]] = []
    token = None
    while True:
        query = {**params, **({"continuationToken": token} if token else {})}
        page = client.get(f"/api/billing/runs/{run_id}/lines", headers=headers, params=query)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        token = page.json()["continuationToken"]
        if token is None:
            return items


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
    monkeypatch.setattr(
        container.billing_service, "drop", lambda provider_id, run_id: None
    )  # the deletion not yet done
    newer = run_to_completion(client, container, billed)
    assert container.billing_runs.get(billed["provider"]["id"], replaced["id"]) is not None  # still stored
    assert client.get(f"/api/billing/runs/{replaced['id']}", headers=billed["admin"]).status_code == 404
    assert client.get(f"/api/billing/runs/{replaced['id']}/lines", headers=billed["admin"]).status_code == 404
    listed = client.get("/api/billing/runs", headers=billed["admin"], params={"period": billed["period"]}).json()
    assert [r["id"] for r in listed["items"] if r["kind"] == "billed"] == [newer["id"]]
    monkeypatch.undo()
    container.billing_service.drop(billed["provider"]["id"], replaced["id"])
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
    priced = all_lines(client, run_id, billed["admin"], limit=500)
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
    again = container.billing_service.execute(billed["provider"]["id"], run_id, 2)
    assert again is not None and again.status == "completed" and again.attempt == before["attempt"]
    assert client.get(f"/api/billing/runs/{run_id}", headers=billed["admin"]).json() == before


def test_a_run_whose_worker_died_restarts_from_scratch_and_leaves_nothing_of_the_dead_attempt(
    client: TestClient, container: Container, first_run: dict[str, Any], billed: dict[str, Any]
) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime

    provider_id = billed["provider"]["id"]
    expected = client.get(f"/api/billing/runs/{billed.get('current', first_run)['id']}", headers=billed["admin"]).json()
    run = container.billing_service.request(provider_id, billed["period"], "billed", requested_by="test")
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
    assert container.billing_service.execute(provider_id, run.id, 2).attempt == live.attempt  # type: ignore[union-attr]
    container.billing_runs.change(provider_id, run.id, lambda r: replace(
        r, lease_until=datetime.now(UTC) - timedelta(minutes=1)))  # fmt: skip
    assert container.billing_service.resend_stalled() >= 1
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
    run = container.billing_service.request(billed["provider"]["id"], earlier, "billed", requested_by="test")
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
    first = container.billing_service.request(provider_id, billed["period"], "unbilled", requested_by="timer")
    second = container.billing_service.request(provider_id, billed["period"], "unbilled", requested_by="timer")
    assert first.id == second.id
    run = container.billing_service.execute(provider_id, first.id)
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
    client: TestClient, first_run: dict[str, Any], billed: dict[str, Any], customer_admin: dict[str, str]
) -> None:
    headers = customer_admin
    run_id = billed.get("current", first_run)["id"]
    run = client.get(f"/api/billing/runs/{run_id}", headers=headers).json()
    assert "resellers" not in run["totals"]
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
    container.billing_service.schedule_billed()
    assert mine() == []  # no invoice for last month yet
    requests.post(
        f"{pc.url}/_sandbox/reconciliation",
        timeout=60,
        json={"providerTenantId": billed["app"]["tenantId"], "period": last_month, "kind": "billed"},
    ).raise_for_status()
    container.billing_service.schedule_billed()
    container.billing_service.schedule_billed()
    [queued] = mine()
    work_billing(container, lambda: container.billing_runs.get(provider_id, queued.id).status == "completed")  # type: ignore[union-attr]
    container.billing_service.schedule_billed()
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


MONEY = {"unitPrice", "effectiveUnitPrice", "providerCost", "resellerCharge", "customerCharge"}
CENTS = re.compile(r"^-?[0-9]+\.[0-9]{2}$")


def test_lines_carry_whole_quantities_amounts_in_cents_and_microsofts_charge_types(
    client: TestClient, first_run: dict[str, Any], billed: dict[str, Any]
) -> None:
    """JSON and CSV alike: the quantity a whole number, every amount at the euro's two places ("6.00", never
    "6.0"), the charge type spelled as Microsoft wrote it on the line ("cycleCharge", not "cyclecharge")."""
    run_id = billed.get("current", first_run)["id"]
    priced = all_lines(client, run_id, billed["admin"], limit=500)
    assert [p["chargeType"] for p in priced] == [line["chargeType"] for line in billed["lines"]]
    assert any(p["chargeType"] != p["chargeType"].lower() for p in priced)  # "cycleCharge" among them
    for line in priced:
        assert type(line["quantity"]) is int and line["quantity"] > 0, line
        for name in MONEY:
            assert line[name] is None or CENTS.match(line[name]), (name, line)
        assert line["providerCost"] is not None and line["unitPrice"] is not None
    exported = client.get(f"/api/billing/runs/{run_id}/lines", headers=billed["admin"], params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["chargeType"] for r in rows] == [p["chargeType"] for p in priced]
    assert [int(r["quantity"]) for r in rows] == [p["quantity"] for p in priced]
    assert all(r["quantity"].isdigit() for r in rows)
    for row, line in zip(rows, priced, strict=True):
        assert {name: row[name] or None for name in MONEY} == {name: line[name] for name in MONEY}


def test_a_field_hidden_from_a_tier_is_absent_and_a_value_not_known_is_null(
    client: TestClient,
    container: Container,
    first_run: dict[str, Any],
    billed: dict[str, Any],
    customer_admin: dict[str, str],
) -> None:
    """Each tier gets one shape in every answer (the run, the list, a run not computed yet, its lines): what it may
    not read is left out, never null; what is not known is null."""
    from shared.services.billing import period_of

    run_id = billed.get("current", first_run)["id"]
    readers = {"provider": billed["admin"], "reseller": billed["staff"], "customer": customer_admin}
    runs = {tier: client.get(f"/api/billing/runs/{run_id}", headers=h).json() for tier, h in readers.items()}
    provider, reseller, customer = runs["provider"], runs["reseller"], runs["customer"]
    assert provider["current"] is True and "current" not in reseller and "current" not in customer
    assert set(provider["counts"]) == {"lines", "discrepancies", "billableLines", "unpricedLines",
                                       "discrepanciesByKind"}  # fmt: skip
    assert set(reseller["counts"]) == set(customer["counts"]) == {"lines"}
    assert provider["totals"]["providerCost"] and all("providerCost" in e for e in provider["totals"]["byCurrency"])
    for run in (reseller, customer):
        assert "providerCost" not in run["totals"]
        assert all("providerCost" not in e for e in run["totals"]["byCurrency"])
    assert "resellers" not in customer["totals"] and all("resellers" not in e for e in customer["totals"]["byCurrency"])
    assert isinstance(reseller["totals"]["resellers"], list)
    for tier, headers in readers.items():
        listed = client.get("/api/billing/runs", headers=headers, params={"period": billed["period"]}).json()["items"]
        [item] = [r for r in listed if r["id"] == run_id]
        assert "totals" not in item and set(item) == set(runs[tier]) - {"totals"}, tier
        assert item["counts"] == runs[tier]["counts"], tier
    # A run not computed yet has the shape of a completed one; the answer that queues it too.
    period = period_of(datetime.now(UTC), 5)
    started = client.post("/api/billing/runs", headers=billed["admin"], json={"period": period, "kind": "billed"})
    assert started.status_code == 202, started.text
    queued = client.get(f"/api/billing/runs/{started.json()['id']}", headers=billed["admin"]).json()
    for answer in (started.json(), queued):
        assert answer["status"] == "queued" and answer["current"] is False and answer["startedAt"] is None
        assert set(answer) == set(provider) and set(answer["counts"]) == set(provider["counts"])
        assert answer["totals"] == {"currency": None, "currencies": [], "resellers": [], "customers": [],
                                    "providerCost": [], "byCurrency": []}  # fmt: skip
    as_reseller = client.get(f"/api/billing/runs/{started.json()['id']}", headers=billed["staff"]).json()
    assert set(as_reseller) == set(reseller) and as_reseller["counts"] == {"lines": 0}
    assert set(as_reseller["totals"]) == set(reseller["totals"])
    container.billing_service.execute(
        billed["provider"]["id"], started.json()["id"]
    )  # no invoice: it fails, out of the way
    found = client.get(f"/api/billing/runs/{run_id}/discrepancies", headers=billed["admin"],
                       params={"limit": 500}).json()["items"]  # fmt: skip
    assert found and all(set(d) == set(found[0]) for d in found)
    assert all(CENTS.match(d["amount"]) for d in found)
    for tier, headers in readers.items():
        lines = all_lines(client, run_id, headers, limit=500)
        assert lines and all(set(line) == set(lines[0]) for line in lines), tier
    assert "providerCost" not in lines[0] and "resellerCharge" not in lines[0]  # the customer's


def test_a_reseller_and_a_customer_admin_count_the_lines_they_can_read(
    client: TestClient, first_run: dict[str, Any], billed: dict[str, Any], customer_admin: dict[str, str]
) -> None:
    run_id = billed.get("current", first_run)["id"]
    everything = client.get(f"/api/billing/runs/{run_id}", headers=billed["admin"]).json()["counts"]["lines"]
    for headers in (billed["staff"], customer_admin):
        mine = all_lines(client, run_id, headers, limit=500)
        run = client.get(f"/api/billing/runs/{run_id}", headers=headers).json()
        assert run["counts"]["lines"] == len(mine) > 0
        assert len(mine) < everything
    other = client.get(f"/api/billing/runs/{run_id}", headers=billed["otherStaff"]).json()
    assert other["counts"] == {"lines": 0}


def test_json_lines_come_in_pages_under_signed_tokens_and_csv_streams_them_all(
    client: TestClient, first_run: dict[str, Any], billed: dict[str, Any]
) -> None:
    run_id = billed.get("current", first_run)["id"]
    url = f"/api/billing/runs/{run_id}/lines"
    whole = all_lines(client, run_id, billed["admin"], limit=500)
    first = client.get(url, headers=billed["admin"], params={"limit": 4}).json()
    assert len(first["items"]) == 4 and first["continuationToken"]
    assert all_lines(client, run_id, billed["admin"], limit=4) == whole
    assert client.get(url, headers=billed["admin"]).json()["items"] == whole[:50]  # the default limit
    token = first["continuationToken"]
    second = client.get(url, headers=billed["admin"], params={"limit": 4, "continuationToken": token}).json()
    assert second["items"] == whole[4:8]
    assert all_lines(client, run_id, billed["staff"], limit=3) == all_lines(client, run_id, billed["staff"], limit=500)
    refused = [
        (billed["staff"], {"continuationToken": token}),  # another caller
        (billed["admin"], {"continuationToken": token, "customerId": billed["customerId"]}),  # another filter
        (billed["admin"], {"continuationToken": token[:-2] + ("AA" if not token.endswith("AA") else "BB")}),
    ]
    for headers, params in refused:
        answer = client.get(url, headers=headers, params=params)
        assert answer.status_code == 400, answer.text
        assert answer.json()["type"] == "urn:csp-platform:problem:invalid-continuation-token"
    assert client.get(url, headers=billed["admin"], params={"limit": 0}).status_code == 422
    exported = client.get(url, headers=billed["admin"], params={"format": "csv", "limit": 4})
    assert len(list(csv.DictReader(io.StringIO(exported.text)))) == len(whole)  # a stream of every line


def test_stored_lines_are_read_from_any_gzip_member_on(container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    """A blob of many gzip members (a batch of lines each), read in small growing ranges: reading on from any
    line's member and index gives exactly the lines after it."""
    import shared.storage.billing as storage
    from tests.support.platform import new_id

    monkeypatch.setattr(storage, "RAW_BATCH_BYTES", 700)
    monkeypatch.setattr(storage, "READ_WINDOW_BYTES", 97)
    name = f"test/{new_id('blob-')}/lines.jsonl.gz"
    records = [json.dumps({"n": n, "pad": "x" * (n % 37)}).encode() for n in range(600)]
    writer = container.billing_blobs.writer(name)
    for record in records:
        writer.write(record + b"\n")
    writer.close()
    assert list(container.billing_blobs.iter_lines(name)) == records
    found = list(container.billing_blobs.read_from(name))
    assert [f.data for f in found] == records
    members = sorted({f.member for f in found})
    assert len(members) > 20 and members[0] == 0
    for at in (1, 77, 333, 599):
        rest = container.billing_blobs.read_from(name, found[at].member, found[at].index)
        assert [f.data for f in rest] == records[at:]
    assert list(container.billing_blobs.read_from(name, found[-1].member, found[-1].index + 1)) == []
