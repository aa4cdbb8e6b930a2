"""The subscription's life over HTTP, Azurite and the sandbox (docs/api-guide.md#subscriptions): what happens at
the term end is shown and chosen, auto-renew off cancels at the end (never EST), the renewal calendar lists the next
term at the caller's price, and refusals change nothing."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from tests.integration.test_orders import item, line, place, settle
from tests.support.commerce import ready_shop, work_queues
from tests.support.onboarding import Sandbox


@pytest.fixture(scope="module")
def shop(client: TestClient, container: Container, sandbox: Any) -> dict[str, Any]:
    return ready_shop(client, container, Sandbox(sandbox), sandbox)


def _bought(client: TestClient, container: Container, shop: dict[str, Any], quantity: int = 5) -> str:
    order = place(client, shop, [line(item(shop), quantity)])
    assert order.status_code == 202, order.text
    settled = settle(client, container, shop, order.json()["id"])
    assert settled["status"] == "completed", settled
    return str(settled["lines"][0]["subscriptionId"])


def _read(client: TestClient, shop: dict[str, Any], sub_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/subscriptions/{sub_id}", headers=shop["auth"](shop["resellerStaff"]))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _applied(client: TestClient, container: Container, shop: dict[str, Any], sub_id: str) -> dict[str, Any]:
    work_queues(container, lambda: _read(client, shop, sub_id)["pendingChange"] is None)
    return _read(client, shop, sub_id)


def test_a_new_subscription_renews_and_shows_its_end_of_term(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    sub = _read(client, shop, _bought(client, container, shop))
    assert sub["endOfTerm"] == "renew"
    assert sub["endOfTermDate"] == sub["termEndDate"][:10]
    assert sub["scheduledChanges"] is None and sub["isTrial"] is False and sub["upgradedFrom"] is None


def test_auto_renew_off_cancels_at_the_end_of_the_term_and_never_drifts_into_est(
    client: TestClient, container: Container, shop: dict[str, Any], sandbox: Any
) -> None:
    sub_id = _bought(client, container, shop)
    held = requests.get(f"{sandbox.http_url}/_sandbox/subscriptions", params={"customerTenantId": shop["tenantId"]},
                        timeout=10).json()["items"]  # fmt: skip
    if not any("cancelAtEndOfTerm" in s for s in held):
        pytest.skip("this sandbox does not play cancelAtEndOfTerm yet (contract A)")
    staff = shop["auth"](shop["resellerStaff"])
    answer = client.patch(f"/api/subscriptions/{sub_id}", headers=staff, json={"autoRenew": False})
    assert answer.status_code == 202, answer.text
    sub = _applied(client, container, shop, sub_id)
    assert sub["autoRenew"] is False and sub["endOfTerm"] == "cancel", sub
    audit = client.get("/api/audit", params={"entityId": sub_id}, headers=shop["auth"](shop["providerAdmin"]))
    assert "subscription.change.autoRenew" in [entry["action"] for entry in audit.json()["items"]]


def test_est_is_chosen_only_explicitly(client: TestClient, container: Container, shop: dict[str, Any]) -> None:
    sub_id = _bought(client, container, shop)
    staff = shop["auth"](shop["resellerStaff"])
    answer = client.patch(f"/api/subscriptions/{sub_id}", headers=staff, json={"endOfTerm": "extendedServiceTerm"})
    assert answer.status_code == 202, answer.text
    assert _applied(client, container, shop, sub_id)["endOfTerm"] == "extendedServiceTerm"
    listed = client.get("/api/subscriptions", headers=staff, params={"endOfTerm": "extendedServiceTerm"}).json()
    mine = [s for s in listed["items"] if s["id"] == sub_id]
    assert mine and mine[0]["extendedServiceTermPrice"]["premiumRate"] == "0.20", mine


def test_two_changes_in_one_patch_and_an_unknown_end_of_term_are_refused(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    sub_id = _bought(client, container, shop)
    staff = shop["auth"](shop["resellerStaff"])
    for body in (
        {"autoRenew": True, "endOfTerm": "cancel"},
        {"endOfTerm": "never"},
        {"confirmWipeScheduledChanges": True},
    ):
        answer = client.patch(f"/api/subscriptions/{sub_id}", headers=staff, json=body)
        assert answer.status_code == 422, (body, answer.text)
    assert _read(client, shop, sub_id)["pendingChange"] is None


def test_the_renewal_calendar_lists_the_next_term_at_the_callers_price(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    sub_id = _bought(client, container, shop, quantity=3)
    staff = shop["auth"](shop["resellerStaff"])
    end = _read(client, shop, sub_id)["endOfTermDate"]
    calendar = client.get("/api/renewals", headers=staff, params={"from": end, "to": end})
    assert calendar.status_code == 200, calendar.text
    entry = next(e for e in calendar.json()["items"] if e["subscriptionId"] == sub_id)
    assert entry["renewalDate"] == end and entry["endOfTerm"] == "renew" and entry["quantity"] == 3
    assert entry["price"] is not None and entry["price"]["currency"]
    too_long = client.get("/api/renewals", headers=staff, params={"from": "2027-01-01", "to": "2028-01-03"})
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "to"
