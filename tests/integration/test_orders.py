"""Orders, provisioning and subscriptions (docs/business.md#orders): accepted fast, bought
exactly once with the reseller as partner of record, changed under new-commerce rules."""

from __future__ import annotations

import base64
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
import requests
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from shared.messaging import QueueNames
from tests.support.commerce import drain_queues, ready_shop, work_queues
from tests.support.onboarding import Sandbox
from tests.support.webhooks import sign_event, trusting_the_sandbox

Auth = Callable[[str], dict[str, str]]
AddMember = Callable[[OrgRef, Role], str]


@pytest.fixture(scope="module")
def pc(sandbox: Any) -> Sandbox:
    return Sandbox(sandbox)


@pytest.fixture(scope="module")
def shop(client: TestClient, container: Container, pc: Sandbox, sandbox: Any) -> dict[str, Any]:
    return ready_shop(client, container, pc, sandbox)


def item(shop: dict[str, Any], term: str = "P1Y", cycle: str = "monthly", skip: int = 0) -> Any:
    matches = [i for i in shop["items"] if i.term_duration == term and i.billing_cycle == cycle]
    return matches[skip]


def line(catalog_item: Any, quantity: int) -> dict[str, Any]:
    return {
        "catalogItemId": catalog_item.catalog_item_id,
        "quantity": quantity,
        "termDuration": catalog_item.term_duration,
        "billingCycle": catalog_item.billing_cycle,
    }


def place(client: TestClient, shop: dict[str, Any], lines: list[dict[str, Any]], who: str = "resellerStaff") -> Any:
    return client.post(
        "/api/orders", headers=shop["auth"](shop[who]), json={"customerId": shop["customerId"], "lines": lines}
    )


def settle(client: TestClient, container: Container, shop: dict[str, Any], order_id: str) -> dict[str, Any]:
    headers = shop["auth"](shop["resellerStaff"])
    read = lambda: client.get(f"/api/orders/{order_id}", headers=headers).json()  # noqa: E731
    work_queues(container, lambda: read()["status"] not in ("accepted", "provisioning"))
    return read()  # type: ignore[no-any-return]


def purchases(pc: Sandbox, tenant: str) -> list[dict[str, Any]]:
    return list(
        requests.get(f"{pc.url}/_sandbox/purchases", params={"customerTenantId": tenant}, timeout=10).json()["items"]
    )


@pytest.fixture
def clock_restored(pc: Sandbox) -> Iterator[None]:
    yield
    requests.post(
        f"{pc.url}/_sandbox/clock", json={"set": datetime.now(UTC).isoformat().replace("+00:00", "Z")}, timeout=10
    )


def test_three_lines_are_bought_once_with_the_reseller_as_partner_of_record(
    client: TestClient, container: Container, pc: Sandbox, shop: dict[str, Any]
) -> None:
    before = len(purchases(pc, shop["tenantId"]))
    items = [item(shop, skip=0), item(shop, skip=1), item(shop, "P1M", "monthly", skip=2)]
    accepted = place(client, shop, [line(items[0], 5), line(items[1], 2), line(items[2], 1)])
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert body["status"] == "accepted" and len(body["lines"]) == 3
    assert "providerCost" not in body["lines"][0]  # reseller staff never see the provider's cost
    assert body["lines"][0]["resellerPrice"] and body["lines"][0]["customerPrice"]
    done = settle(client, container, shop, body["id"])
    assert done["status"] == "completed", done
    bought = purchases(pc, shop["tenantId"])[before:]
    bought_lines = [li for p in bought for li in p["lineItems"]]
    assert sorted((li["offerId"], li["quantity"]) for li in bought_lines) == sorted(
        (i.offer_id, q) for i, q in zip(items, (5, 2, 1), strict=True)
    )
    assert {li["partnerIdOnRecord"] for li in bought_lines} == {shop["resellerPartnerId"]}
    subscription_ids = {line["subscriptionId"] for line in done["lines"]}
    assert subscription_ids == {li["subscriptionId"] for li in bought_lines}
    headers = shop["auth"](shop["resellerStaff"])
    mirrored = client.get("/api/subscriptions", params={"customerId": shop["customerId"]}, headers=headers).json()
    assert subscription_ids <= {s["id"] for s in mirrored["items"]}
    # Running the provisioning message again buys nothing more.
    container.provisioning_service.provision(shop["customerId"], body["id"], 1)
    assert len(purchases(pc, shop["tenantId"])) == before + len(bought)


def test_provider_staff_see_every_tier(client: TestClient, shop: dict[str, Any]) -> None:
    accepted = place(client, shop, [line(item(shop), 1)], who="providerAdmin")
    assert accepted.status_code == 202
    assert accepted.json()["lines"][0]["providerCost"] is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"catalogItemId": "NOPE:0001:NOPE:P1Y:monthly"}, "lines[0].catalogItemId"),
        ({"quantity": 0}, "lines[0].quantity"),
        ({"quantity": 100_001}, "lines[0].quantity"),
        pytest.param({"quantity": "3"}, "lines[0].quantity", id="quantity-as-text"),
        pytest.param({"quantity": True}, "lines[0].quantity", id="quantity-as-true"),
        pytest.param({"quantity": 3.0}, "lines[0].quantity", id="quantity-as-float"),
        ({"termDuration": "P2Y"}, "lines[0].termDuration"),
        ({"billingCycle": "weekly"}, "lines[0].billingCycle"),
    ],
)
def test_bad_lines_are_422_and_create_nothing(
    client: TestClient, container: Container, shop: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    headers = shop["auth"](shop["resellerStaff"])
    before = client.get("/api/orders", params={"customerId": shop["customerId"], "limit": 500}, headers=headers)
    response = place(client, shop, [{**line(item(shop), 1), **change}])
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    after = client.get("/api/orders", params={"customerId": shop["customerId"], "limit": 500}, headers=headers)
    assert len(after.json()["items"]) == len(before.json()["items"])


def test_quantity_beyond_the_skus_maximum_is_422(client: TestClient, shop: dict[str, Any]) -> None:
    capped = next(i for i in shop["items"] if i.max_quantity and i.max_quantity < 100_000)
    response = place(client, shop, [line(capped, capped.max_quantity + 1)])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lines[0].quantity"


def test_a_term_the_item_does_not_offer_is_422(client: TestClient, shop: dict[str, Any]) -> None:
    monthly = item(shop, "P1M", "monthly")
    response = place(client, shop, [{**line(monthly, 1), "termDuration": "P3Y"}])
    assert response.status_code == 422


def test_another_resellers_customer_is_404(
    client: TestClient, container: Container, pc: Sandbox, shop: dict[str, Any]
) -> None:
    other_staff = shop["addMember"](
        OrgRef(OrgType.RESELLER, "some-other-reseller", provider_id=shop["provider"]["id"]), Role.RESELLER_STAFF
    )
    headers = shop["auth"](other_staff)
    response = client.post(
        "/api/orders", headers=headers, json={"customerId": shop["customerId"], "lines": [line(item(shop), 1)]}
    )
    assert response.status_code == 404
    order_id = place(client, shop, [line(item(shop), 1)]).json()["id"]
    assert client.get(f"/api/orders/{order_id}", headers=headers).status_code == 404
    assert client.get("/api/orders", params={"customerId": shop["customerId"]}, headers=headers).status_code == 404
    subs = client.get(
        "/api/subscriptions", params={"customerId": shop["customerId"]}, headers=shop["auth"](shop["resellerStaff"])
    ).json()["items"]
    if subs:
        sub_id = subs[0]["id"]
        assert client.get(f"/api/subscriptions/{sub_id}", headers=headers).status_code == 404
        assert client.patch(f"/api/subscriptions/{sub_id}", json={"quantity": 9}, headers=headers).status_code == 404
        assert client.post(f"/api/subscriptions/{sub_id}/cancel", headers=headers).status_code == 404


def test_an_orders_totals_are_the_shown_unit_prices_times_the_quantities(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    """One rule a reseller can check by hand: each tier's total is its shown unit price x the quantity."""
    from decimal import Decimal

    client.put(f"/api/customers/{shop['customerId']}/pricing", headers=shop["auth"](shop["resellerStaff"]),
               json={"margin": "0.1337", "overrides": []}).raise_for_status()  # fmt: skip
    placed = place(client, shop, [line(item(shop), 7), line(item(shop, skip=1), 3)])
    assert placed.status_code == 202, placed.text
    order = placed.json()
    for shown in order["lines"]:
        for tier in ("resellerPrice", "customerPrice"):
            assert Decimal(shown[f"{tier}Total"]) == Decimal(shown[tier]) * shown["quantity"]
        assert "providerCostTotal" not in shown or shown["providerCostTotal"] is None  # reseller staff never see it
    totals = order["totals"]
    assert totals["currency"] == "USD" and totals.get("providerCost") is None
    assert Decimal(totals["customerPrice"]) == sum(Decimal(s["customerPriceTotal"]) for s in order["lines"])
    assert Decimal(totals["resellerPrice"]) == sum(Decimal(s["resellerPriceTotal"]) for s in order["lines"])
    settle(client, container, shop, order["id"])


def subscription_for(client: TestClient, container: Container, shop: dict[str, Any], quantity: int = 5) -> str:
    order = place(client, shop, [line(item(shop), quantity)]).json()
    done = settle(client, container, shop, order["id"])
    assert done["status"] == "completed", done
    return str(done["lines"][0]["subscriptionId"])


def test_a_subscription_partner_center_holds_without_our_record_is_adopted_by_the_sweep(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    """An order whose record was lost after checkout: the next provisioning sweep (every minute) finds the
    subscription in Partner Center (its customer ordered lately), adopts it under the right customer with the
    catalog item of the customer's market, flags and audits it."""
    from shared.services.sweeps import sweep_provisioning
    from shared.storage.orders import TABLE as ORDERS
    from shared.storage.subscriptions import INDEX, TABLE
    from shared.storage.tables import safe_key

    order = place(client, shop, [line(item(shop), 4)]).json()
    sub_id = settle(client, container, shop, order["id"])["lines"][0]["subscriptionId"]
    headers = shop["auth"](shop["resellerStaff"])
    kept = client.get(f"/api/subscriptions/{sub_id}", headers=headers).json()
    assert kept["flag"] is None and kept["catalogItemId"] == item(shop).catalog_item_id
    container.tables.table(ORDERS).delete_entity(safe_key(shop["customerId"]), "o|" + safe_key(order["id"]))
    container.tables.table(TABLE).delete_entity(safe_key(shop["customerId"]), safe_key(sub_id))
    container.tables.table(INDEX).delete_entity(safe_key(sub_id), "s")
    assert client.get(f"/api/subscriptions/{sub_id}", headers=headers).status_code == 404
    subscription_for(client, container, shop, quantity=1)  # the customer ordered lately: the sweep looks
    counts = container.call(sweep_provisioning)
    assert counts["adopted"] >= 1
    adopted = client.get(f"/api/subscriptions/{sub_id}", headers=headers).json()
    assert (adopted["flag"], adopted["customerId"], adopted["quantity"]) == ("adopted", shop["customerId"], 4)
    assert adopted["catalogItemId"] == kept["catalogItemId"]
    admin = shop["auth"](shop["providerAdmin"])
    trail = client.get("/api/audit", params={"entityId": sub_id}, headers=admin).json()["items"]
    assert [entry["action"] for entry in trail][:1] == ["subscription.adopted"]
    assert container.call(sweep_provisioning)["adopted"] == 0  # known now: adopted once


def test_a_lost_mirror_row_of_our_order_is_restored_under_its_order_not_adopted(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    """The order still names the subscription: the sweep mirrors it again with the line's catalog item, no flag."""
    from shared.services.sweeps import sweep_provisioning
    from shared.storage.subscriptions import INDEX, TABLE
    from shared.storage.tables import safe_key

    sub_id = subscription_for(client, container, shop, quantity=2)
    headers = shop["auth"](shop["resellerStaff"])
    before = client.get(f"/api/subscriptions/{sub_id}", headers=headers).json()
    container.tables.table(TABLE).delete_entity(safe_key(shop["customerId"]), safe_key(sub_id))
    container.tables.table(INDEX).delete_entity(safe_key(sub_id), "s")
    assert container.call(sweep_provisioning)["adopted"] == 0
    restored = client.get(f"/api/subscriptions/{sub_id}", headers=headers).json()
    assert (restored["flag"], restored["catalogItemId"], restored["quantity"]) == (None, before["catalogItemId"], 2)


class ProcessDied(Exception):
    """The worker is killed right here (between recording the next attempt and sending its message)."""


def test_a_retry_recorded_but_never_sent_is_sent_by_the_outbox_dispatcher(
    client: TestClient, container: Container, pc: Sandbox, shop: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Partner Center fails, provisioning records attempt 2, and the process dies before sending attempt 2's
    message: the redelivered attempt 1 is superseded, so without an outbox row the order would wait forever."""
    order = place(client, shop, [line(item(shop), 2)]).json()
    publisher = container.provisioning_service._publisher  # noqa: SLF001
    real_send = publisher.send

    def send_or_die(queue: str, message: Any, delay: Any = None) -> None:
        if message.attempt >= 2:
            raise ProcessDied
        real_send(queue, message, delay=delay)

    pc.faults(rate5xx=1.0, seed=7)
    monkeypatch.setattr(publisher, "send", send_or_die)
    try:
        with pytest.raises(ProcessDied):
            container.provisioning_service.provision(shop["customerId"], order["id"], 1)
    finally:
        pc.faults()
        monkeypatch.setattr(publisher, "send", real_send)
    assert container.orders.get(shop["customerId"], order["id"]).provisioning.attempt == 2
    assert container.provisioning_service.dispatch_outbox() >= 1  # the recorded attempt's message, sent after all
    done = settle(client, container, shop, order["id"])
    assert done["status"] == "completed", done


def wait_change(client: TestClient, container: Container, shop: dict[str, Any], sub_id: str) -> dict[str, Any]:
    headers = shop["auth"](shop["resellerStaff"])
    read = lambda: client.get(f"/api/subscriptions/{sub_id}", headers=headers).json()  # noqa: E731
    work_queues(container, lambda: (read()["pendingChange"] or {}).get("status") != "pending")
    return read()  # type: ignore[no-any-return]


def test_seats_are_added_then_removed_inside_the_window(
    client: TestClient, container: Container, pc: Sandbox, shop: dict[str, Any]
) -> None:
    sub_id = subscription_for(client, container, shop, quantity=5)
    headers = shop["auth"](shop["resellerStaff"])
    added = client.patch(f"/api/subscriptions/{sub_id}", json={"quantity": 7}, headers=headers)
    assert added.status_code == 202 and added.json()["pendingChange"]["status"] == "pending"
    after_add = wait_change(client, container, shop, sub_id)
    assert after_add["quantity"] == 7 and after_add["pendingChange"] is None  # applied: nothing pending any more
    assert [lot["quantity"] for lot in after_add["lots"]] == [5, 2]  # the added seats form their own lot
    removed = client.patch(f"/api/subscriptions/{sub_id}", json={"quantity": 6}, headers=headers)
    assert removed.status_code == 202
    assert wait_change(client, container, shop, sub_id)["quantity"] == 6
    in_pc = requests.get(
        f"{pc.url}/_sandbox/subscriptions", params={"customerTenantId": shop["tenantId"]}, timeout=10
    ).json()["items"]
    assert next(s for s in in_pc if s["id"] == sub_id)["quantity"] == 6
    trail = client.get("/api/audit", params={"entityId": sub_id}, headers=shop["auth"](shop["providerAdmin"])).json()
    assert "subscription.change.quantity" in [e["action"] for e in trail["items"]]


def test_a_pending_change_is_cleared_once_the_mirror_shows_it_and_its_message_then_does_nothing(
    client: TestClient, container: Container, pc: Sandbox, shop: dict[str, Any]
) -> None:
    """Whichever writer brings Partner Center's state first (here a re-read, before the queued change is worked),
    the change it already shows is no longer pending; its message, worked afterwards, changes nothing."""
    sub_id = subscription_for(client, container, shop, quantity=3)
    headers = shop["auth"](shop["resellerStaff"])
    asked = client.patch(f"/api/subscriptions/{sub_id}", json={"autoRenew": False}, headers=headers)
    assert asked.status_code == 202 and asked.json()["pendingChange"]["status"] == "pending"
    requests.post(
        f"{pc.url}/_sandbox/subscriptions/{sub_id}/change", json={"autoRenewEnabled": False}, timeout=10
    ).raise_for_status()
    synced = client.post(f"/api/subscriptions/{sub_id}/sync", headers=headers)
    assert synced.status_code == 200, synced.text
    assert synced.json()["autoRenew"] is False and synced.json()["pendingChange"] is None
    drain_queues(container, (QueueNames.SUBSCRIPTION_CHANGES,))
    read = client.get(f"/api/subscriptions/{sub_id}", headers=headers).json()
    assert read["autoRenew"] is False and read["pendingChange"] is None
    listed = client.get("/api/subscriptions", params={"customerId": shop["customerId"], "limit": 500},
                        headers=headers).json()["items"]  # fmt: skip
    assert next(s for s in listed if s["id"] == sub_id)["pendingChange"] is None
    trail = client.get("/api/audit", params={"entityId": sub_id}, headers=shop["auth"](shop["providerAdmin"])).json()
    assert [e["action"] for e in trail["items"]].count("subscription.change.applied") == 1


def test_a_decrease_or_cancel_outside_the_window_is_409(
    client: TestClient, container: Container, pc: Sandbox, shop: dict[str, Any], clock_restored: None
) -> None:
    eight_days_ago = (datetime.now(UTC) - timedelta(days=8)).isoformat().replace("+00:00", "Z")
    requests.post(f"{pc.url}/_sandbox/clock", json={"set": eight_days_ago}, timeout=10).raise_for_status()
    sub_id = subscription_for(client, container, shop, quantity=4)
    requests.post(
        f"{pc.url}/_sandbox/clock", json={"set": datetime.now(UTC).isoformat().replace("+00:00", "Z")}, timeout=10
    )
    headers = shop["auth"](shop["resellerStaff"])
    decrease = client.patch(f"/api/subscriptions/{sub_id}", json={"quantity": 3}, headers=headers)
    assert decrease.status_code == 409
    assert "168 hours" in decrease.json()["detail"]
    cancel = client.post(f"/api/subscriptions/{sub_id}/cancel", headers=headers)
    assert cancel.status_code == 409 and "cancellation window" in cancel.json()["detail"]
    assert client.get(f"/api/subscriptions/{sub_id}", headers=headers).json()["pendingChange"] is None
    # Adding seats is allowed at any time.
    assert client.patch(f"/api/subscriptions/{sub_id}", json={"quantity": 5}, headers=headers).status_code == 202


def test_cancel_inside_the_window_is_applied(client: TestClient, container: Container, shop: dict[str, Any]) -> None:
    sub_id = subscription_for(client, container, shop, quantity=2)
    headers = shop["auth"](shop["resellerStaff"])
    assert client.post(f"/api/subscriptions/{sub_id}/cancel", headers=headers).status_code == 202
    assert wait_change(client, container, shop, sub_id)["status"] == "deleted"


def test_a_change_partner_center_refuses_is_marked_failed_with_its_reason(
    client: TestClient, container: Container, pc: Sandbox, shop: dict[str, Any]
) -> None:
    sub_id = subscription_for(client, container, shop, quantity=3)
    # Suspended directly in Partner Center; the mirror does not know yet.
    requests.post(
        f"{pc.url}/_sandbox/subscriptions/{sub_id}/change", json={"status": "suspended"}, timeout=10
    ).raise_for_status()
    headers = shop["auth"](shop["resellerStaff"])
    assert client.patch(f"/api/subscriptions/{sub_id}", json={"quantity": 4}, headers=headers).status_code == 202
    changed = wait_change(client, container, shop, sub_id)
    assert changed["pendingChange"]["status"] == "failed"
    assert "800091" in changed["pendingChange"]["error"]
    # The refusal made the mirror read Partner Center again: it no longer offers what will be refused again.
    assert changed["status"] == "suspended" and changed["quantity"] == 3


def test_staff_re_read_a_subscription_or_a_customers_subscriptions_on_demand(
    client: TestClient, container: Container, shop: dict[str, Any], pc: Sandbox
) -> None:
    sub_id = subscription_for(client, container, shop, quantity=3)
    headers = shop["auth"](shop["resellerStaff"])
    requests.post(f"{pc.url}/_sandbox/subscriptions/{sub_id}/change", json={"quantity": 6}, timeout=10)
    assert client.get(f"/api/subscriptions/{sub_id}", headers=headers).json()["quantity"] == 3  # not yet known
    synced = client.post(f"/api/subscriptions/{sub_id}/sync", headers=headers)
    assert synced.status_code == 200 and synced.json()["quantity"] == 6, synced.text
    requests.post(f"{pc.url}/_sandbox/subscriptions/{sub_id}/change", json={"autoRenewEnabled": False}, timeout=10)
    whole = client.post(f"/api/customers/{shop['customerId']}/subscriptions/sync", headers=headers)
    assert whole.status_code == 200 and whole.json()["synced"] >= 1, whole.text
    assert client.get(f"/api/subscriptions/{sub_id}", headers=headers).json()["autoRenew"] is False
    assert client.post("/api/subscriptions/no-such-subscription/sync", headers=headers).status_code == 404


def test_one_change_at_a_time_and_bad_patches_are_422(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    sub_id = subscription_for(client, container, shop, quantity=3)
    headers = shop["auth"](shop["resellerStaff"])
    for body in ({"quantity": 4, "autoRenew": False}, {}, {"quantity": 0}, {"status": "deleted"}, {"color": "red"}):
        assert client.patch(f"/api/subscriptions/{sub_id}", json=body, headers=headers).status_code == 422


def test_customer_admins_use_the_storefront_not_staff_routes(client: TestClient, shop: dict[str, Any]) -> None:
    admin = shop["addMember"](
        OrgRef(
            OrgType.CUSTOMER, shop["customerId"], provider_id=shop["provider"]["id"], reseller_id=shop["resellerId"]
        ),
        Role.CUSTOMER_ADMIN,
    )
    response = client.post(
        "/api/orders",
        headers=shop["auth"](admin),
        json={"customerId": shop["customerId"], "lines": [line(item(shop), 1)]},
    )
    assert response.status_code == 403


@pytest.fixture(scope="module")
def webhook_client(container: Container, sandbox: Any) -> Iterator[TestClient]:
    """The app trusting exactly the sandbox's webhook root and host."""
    from dataclasses import replace as _replace  # noqa: F401

    from functions.http.app import create_app
    from tests.support.platform import platform_settings

    settings = platform_settings(container.settings.storage_connection_string, sandbox, **trusting_the_sandbox(sandbox))
    with TestClient(create_app(Container(settings)), raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_signed_event_converges_the_mirror(
    client: TestClient,
    webhook_client: TestClient,
    container: Container,
    pc: Sandbox,
    sandbox: Any,
    shop: dict[str, Any],
) -> None:
    sub_id = subscription_for(client, container, shop, quantity=3)
    requests.post(
        f"{pc.url}/_sandbox/subscriptions/{sub_id}/change", json={"quantity": 9}, timeout=10
    ).raise_for_status()
    body = orjson.dumps(
        {
            "EventName": "subscription-updated",
            "ResourceUri": f"{pc.https_url}/webhooks/v1/customers/{shop['tenantId']}/subscriptions/{sub_id}",
            "ResourceName": "subscription",
            "AuditUri": None,
            "ResourceChangeUtcDate": datetime.now(UTC).isoformat(),
        }
    )
    url = f"/api/webhooks/partner-center?provider={shop['provider']['id']}"
    assert webhook_client.post(url, content=body, headers=sign_event(sandbox, body)).status_code == 200
    headers = shop["auth"](shop["resellerStaff"])
    read = lambda: client.get(f"/api/subscriptions/{sub_id}", headers=headers).json()  # noqa: E731
    from shared.messaging import QueueNames

    work_queues(container, lambda: read()["quantity"] == 9, queues=(QueueNames.PARTNER_CENTER_EVENTS,))
    # The same event again is answered (Partner Center must not retry it) but not queued, nor handled, again.
    again = webhook_client.post(url, content=body, headers=sign_event(sandbox, body))
    assert again.status_code == 200 and again.json() == {"received": "subscription-updated", "duplicate": True}
    handled = drain_queues(container, (QueueNames.PARTNER_CENTER_EVENTS,))
    assert [m for m in handled if m.payload.get("subscriptionId") == sub_id] == []
    assert read()["quantity"] == 9
    # A later change of the same subscription is another event: it is queued.
    later = orjson.loads(body) | {"ResourceChangeUtcDate": (datetime.now(UTC) + timedelta(seconds=1)).isoformat()}
    later_body = orjson.dumps(later)
    fresh = webhook_client.post(url, content=later_body, headers=sign_event(sandbox, later_body))
    assert fresh.status_code == 200 and fresh.json()["duplicate"] is False
    handled = drain_queues(container, (QueueNames.PARTNER_CENTER_EVENTS,))
    assert [m.payload["subscriptionId"] for m in handled if m.payload.get("subscriptionId") == sub_id] == [sub_id]


def test_an_event_about_another_providers_customer_is_refused(
    client: TestClient,
    webhook_client: TestClient,
    container: Container,
    pc: Sandbox,
    sandbox: Any,
    shop: dict[str, Any],
) -> None:
    """Microsoft signs every partner's events with one certificate: a provider's event posted to another
    provider's URL is validly signed, so the event is bound to the provider by its customer's tenant."""
    from tests.support.onboarding import enroll
    from tests.support.platform import member, new_id

    operator = new_id("u-")
    container.members.add(member(operator, OrgRef.operator(), Role.OPERATOR))
    other = enroll(client, shop["auth"](operator), pc.new_provider("Other Distribution")).json()
    body = orjson.dumps({
        "EventName": "subscription-updated",
        "ResourceUri": f"{pc.https_url}/webhooks/v1/customers/{shop['tenantId']}/subscriptions/{uuid.uuid4()}",
        "ResourceName": "subscription", "AuditUri": None, "ResourceChangeUtcDate": datetime.now(UTC).isoformat(),
    })  # fmt: skip
    refused = webhook_client.post(
        f"/api/webhooks/partner-center?provider={other['id']}", content=body, headers=sign_event(sandbox, body)
    )
    assert refused.status_code == 401 and "another provider" in refused.json()["detail"], refused.text
    replayed = webhook_client.post(
        f"/api/webhooks/partner-center?provider={other['id']}", content=body, headers=sign_event(sandbox, body)
    )
    assert replayed.status_code == 401
    now = datetime.now(UTC)
    trail, _ = container.audit.page_feed(other["id"], since=now - timedelta(hours=1), until=now + timedelta(minutes=1),
                                         limit=50, position=None, actor_id="partner-center-webhook")  # fmt: skip
    assert [(e.action, e.after["customerTenantId"], e.after["reason"]) for e in trail] == [
        ("webhook.refused", shop["tenantId"], "wrong_provider")
    ]  # written once, however often it is replayed
    accepted = webhook_client.post(
        f"/api/webhooks/partner-center?provider={shop['provider']['id']}",
        content=body,
        headers=sign_event(sandbox, body),
    )
    assert accepted.status_code == 200 and accepted.json()["duplicate"] is False


@pytest.mark.parametrize("tamper", ["unsigned", "wrong-signature", "altered-body", "untrusted-host"])
def test_unsigned_or_wrongly_signed_events_are_401(
    webhook_client: TestClient, sandbox: Any, shop: dict[str, Any], tamper: str
) -> None:
    body = orjson.dumps(
        {
            "EventName": "subscription-updated",
            "ResourceUri": "https://x/webhooks/v1/customers/a/subscriptions/b",
            "ResourceName": "subscription",
            "ResourceChangeUtcDate": datetime.now(UTC).isoformat(),
        }
    )
    headers = sign_event(sandbox, body)
    if tamper == "unsigned":
        headers.pop("Authorization")
    elif tamper == "wrong-signature":
        headers["Authorization"] = "Signature " + base64.b64encode(b"\x00" * 256).decode()
    elif tamper == "altered-body":
        body = body.replace(b"subscription-updated", b"subscription-deleted")
    else:
        headers["X-MS-Certificate-Url"] = "https://evil.example/cert.cer"
    response = webhook_client.post(
        f"/api/webhooks/partner-center?provider={shop['provider']['id']}", content=body, headers=headers
    )
    assert response.status_code == 401, response.text


def test_an_order_partner_center_keeps_failing_is_failed_with_the_reason_and_dead_lettered(
    client: TestClient, container: Container, pc: Sandbox, shop: dict[str, Any], sandbox: Any
) -> None:
    """Nothing is left provisioning forever: after the last attempt the order fails and its message is
    refused, so the queue dead-letters it."""
    from shared.services.provisioning import ProvisioningAbandoned
    from tests.support.platform import platform_settings

    impatient = Container(
        platform_settings(
            container.settings.storage_connection_string,
            sandbox,
            provisioning_max_attempts=2,
            provisioning_retry_first_delay_seconds=1,
        )
    )
    order = place(client, shop, [line(item(shop), 1)]).json()
    pc.faults(rate5xx=1.0, seed=3)
    try:
        with pytest.raises(ProvisioningAbandoned):
            for attempt in (1, 2, 3):
                impatient.provisioning_service.provision(shop["customerId"], order["id"], attempt)
        # The same message delivered again is refused again (until the queue dead-letters it).
        with pytest.raises(ProvisioningAbandoned):
            impatient.provisioning_service.provision(shop["customerId"], order["id"], 2)
    finally:
        pc.faults()
    failed = client.get(f"/api/orders/{order['id']}", headers=shop["auth"](shop["resellerStaff"])).json()
    assert failed["status"] == "failed"
    assert "gave up after" in failed["failureReason"] and failed["lines"][0]["error"]


def test_twenty_parallel_copies_of_one_event_queue_it_exactly_once(
    webhook_client: TestClient, container: Container, pc: Sandbox, sandbox: Any, shop: dict[str, Any]
) -> None:
    """Partner Center may deliver one event several times at once: the claim is an insert-if-absent, so exactly
    one delivery queues it; the others are replays (200, duplicate) or told to come back (503, Retry-After)."""
    from concurrent.futures import ThreadPoolExecutor
    from functools import partial

    from shared.messaging import QueueNames

    url = f"/api/webhooks/partner-center?provider={shop['provider']['id']}"
    tries, copies = 50, 20
    events = []
    for n in range(tries):
        body = orjson.dumps({
            "EventName": "subscription-updated",
            "ResourceUri": f"{pc.https_url}/webhooks/v1/customers/{shop['tenantId']}/subscriptions/{uuid.uuid4()}",
            "ResourceName": "subscription", "AuditUri": None,
            "ResourceChangeUtcDate": (datetime.now(UTC) + timedelta(milliseconds=n)).isoformat(),
        })  # fmt: skip
        events.append((body, sign_event(sandbox, body)))
    queued_once = 0
    with ThreadPoolExecutor(max_workers=copies) as pool:
        for body, headers in events:
            deliver = partial(webhook_client.post, url, content=body, headers=headers)
            answers = list(pool.map(lambda _, send=deliver: send(), range(copies)))
            assert {a.status_code for a in answers} <= {200, 503}, [a.text for a in answers if a.status_code >= 400]
            assert all(a.headers.get("Retry-After") for a in answers if a.status_code == 503)
            fresh = [a for a in answers if a.status_code == 200 and a.json()["duplicate"] is False]
            queued_once += len(fresh) == 1
            again = webhook_client.post(url, content=body, headers=headers)
            assert again.status_code == 200 and again.json()["duplicate"] is True
    handled = drain_queues(container, (QueueNames.PARTNER_CENTER_EVENTS,), timeout=300)
    per_event = Counter(m.payload.get("resourceUri") for m in handled)
    resources = [orjson.loads(body)["ResourceUri"] for body, _ in events]
    print(f"\n{tries} events x {copies} parallel copies: queued exactly once {queued_once} times out of {tries}")
    assert queued_once == tries
    assert [per_event[r] for r in resources] == [1] * tries


def _signed_post(client: TestClient, sandbox: Any, provider_id: str, event: dict[str, Any]) -> Any:
    body = orjson.dumps({"ResourceName": "x", "AuditUri": None, "ResourceChangeUtcDate": datetime.now(UTC).isoformat(),
                         **event})  # fmt: skip
    return client.post(f"/api/webhooks/partner-center?provider={provider_id}", content=body,
                       headers=sign_event(sandbox, body))  # fmt: skip


def test_each_event_kind_is_bound_to_the_provider_whose_url_received_it(
    webhook_client: TestClient, container: Container, pc: Sandbox, sandbox: Any, shop: dict[str, Any]
) -> None:
    """Microsoft signs every partner's events alike: an event about a tenant the provider does not have is refused,
    save a relationship acceptance, which is a hint whose only effect is a check of the provider's own invited
    customers, at most one a minute; an event naming no customer (invoice-ready) has no effect."""
    from shared.messaging import QueueNames
    from shared.messaging.storage_queues import StorageQueueReceiver

    provider_id, stranger = shop["provider"]["id"], str(uuid.uuid4())
    refused = _signed_post(webhook_client, sandbox, provider_id, {"EventName": "subscription-updated",
        "ResourceUri": f"{pc.https_url}/webhooks/v1/customers/{stranger}/subscriptions/{uuid.uuid4()}"})  # fmt: skip
    assert refused.status_code == 401 and "does not have" in refused.json()["detail"], refused.text

    invoice = _signed_post(webhook_client, sandbox, provider_id, {"EventName": "invoice-ready",
                           "ResourceUri": f"{pc.https_url}/webhooks/v1/invoices/D0{uuid.uuid4().hex[:8]}"})  # fmt: skip
    assert invoice.status_code == 200, invoice.text
    hints = [
        _signed_post(
            webhook_client,
            sandbox,
            provider_id,
            {
                "EventName": "reseller-relationship-accepted-by-customer",
                "ResourceUri": f"{pc.https_url}/webhooks/v1/customers/{uuid.uuid4()}",
            },
        )  # fmt: skip
        for _ in range(2)
    ]
    assert [h.status_code for h in hints] == [200, 200]
    outcomes: list[str] = []
    receiver = StorageQueueReceiver(container.settings.storage_connection_string, QueueNames.PARTNER_CENTER_EVENTS,
                                    max_attempts=8, visibility_timeout=timedelta(seconds=2))  # fmt: skip
    try:
        while receiver.receive_batch(lambda d: outcomes.append(container.event_service.handle(d.message.payload)), 16):
            pass
    finally:
        receiver.close()
    assert "ignored" in outcomes
    assert sum(o.startswith("checked") for o in outcomes) == 1 and sum(o.startswith("coalesced") for o in outcomes) == 1


PRICE_KEYS = {
    "providerCost", "providerCostTotal", "resellerPrice", "resellerPriceTotal", "customerPrice", "customerPriceTotal",
}  # fmt: skip


def price_keys(order: dict[str, Any]) -> set[str]:
    """Every price field an order's answer carries, in its lines and its totals."""
    found = {key for shown in order["lines"] for key in shown if key in PRICE_KEYS}
    return found | {key for key in order["totals"] if key in PRICE_KEYS}


def test_an_order_has_one_shape_in_every_answer_and_hides_the_tiers_above_the_caller(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    """docs/api-guide.md#answers: the placing answer, the read, the list and an Idempotency-Key replay carry the same
    fields; a tier above the caller's is absent (never null), one the caller may read is present (null if unknown)."""
    auth, add = shop["auth"], shop["addMember"]
    reseller_admin = add(OrgRef(OrgType.RESELLER, shop["resellerId"], provider_id=shop["provider"]["id"]),
                         Role.RESELLER_ADMIN)  # fmt: skip
    headers = {**auth(shop["resellerStaff"]), "Idempotency-Key": str(uuid.uuid4())}
    body = {"customerId": shop["customerId"], "lines": [line(item(shop), 2)]}
    placed = client.post("/api/orders", headers=headers, json=body)
    replayed = client.post("/api/orders", headers=headers, json=body)
    assert placed.status_code == replayed.status_code == 202, placed.text
    order_id = placed.json()["id"]
    read = client.get(f"/api/orders/{order_id}", headers=auth(shop["resellerStaff"])).json()
    listed = client.get("/api/orders", params={"customerId": shop["customerId"], "limit": 500},
                        headers=auth(shop["resellerStaff"])).json()["items"]  # fmt: skip
    in_list = next(o for o in listed if o["id"] == order_id)
    seen_by_reseller = {"resellerPrice", "resellerPriceTotal", "customerPrice", "customerPriceTotal"}
    for answer in (placed.json(), replayed.json(), read, in_list):
        assert price_keys(answer) == seen_by_reseller
        assert set(answer) == set(read) and set(answer["lines"][0]) == set(read["lines"][0])
    by_provider = client.get(f"/api/orders/{order_id}", headers=auth(shop["providerAdmin"])).json()
    assert price_keys(by_provider) == PRICE_KEYS  # the provider reads every tier
    assert set(by_provider) == set(read)
    trail = client.get("/api/audit", params={"entityId": order_id}, headers=auth(reseller_admin))
    assert trail.status_code == 200, trail.text
    recorded = str(trail.json()["items"])
    assert "providerCost" not in recorded and "resellerPrice" in recorded  # its own tier, never the one above
    full = client.get("/api/audit", params={"entityId": order_id}, headers=auth(shop["providerAdmin"])).json()
    assert "providerCost" in str(full["items"])
    settle(client, container, shop, order_id)
