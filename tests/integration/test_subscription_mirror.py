"""Whoever mirrors a subscription first (provisioning, an event from Partner Center, the orphan sweep, a sync), it
gets its catalog item from the customer's market, and a later writer never erases it
(docs/business.md#the-subscription-mirror).
Each test lets another writer reach the mirror before provisioning does, over Azurite and the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import Container
from shared.domain.orders import Order, OrderLine
from shared.services.sweeps import adopt_recent_orphans
from shared.storage.orders import TABLE as ORDERS
from shared.storage.subscriptions import INDEX, TABLE
from shared.storage.tables import safe_key
from tests.integration.test_orders import item, line, place, settle
from tests.support.commerce import ready_shop
from tests.support.onboarding import Sandbox


@pytest.fixture(scope="module")
def shop(client: TestClient, container: Container, sandbox: Any) -> dict[str, Any]:
    return ready_shop(client, container, Sandbox(sandbox), sandbox)


Writer = Callable[[Container, dict[str, Any], Order, str], None]


def event_for_subscription(container: Container, shop: dict[str, Any], order: Order, subscription_id: str) -> None:
    """Partner Center's subscription-updated event, handled before provisioning mirrored the subscription."""
    answer = container.event_service.handle({
        "providerId": shop["provider"]["id"], "eventName": "subscription-updated",
        "customerId": shop["tenantId"], "subscriptionId": subscription_id})  # fmt: skip
    assert answer == "customer synced", answer


def orphan_sweep(container: Container, shop: dict[str, Any], order: Order, subscription_id: str) -> None:
    """The provisioning sweep's look for orphans of recent orders, run while this one is still provisioning."""
    adopt_recent_orphans(container.orders, container.subscription_service)
    found = container.subscriptions.get(order.customer_id, subscription_id)
    assert found is not None and found.flag is None  # an order of ours bought it: not an orphan


def sync_of_the_customer(container: Container, shop: dict[str, Any]) -> None:
    """The periodic sync (or "sync now"): every subscription Partner Center holds for the customer."""
    container.subscription_service.sync_customer(container.providers.get(shop["provider"]["id"]), shop["customerId"])


def full_sync(container: Container, shop: dict[str, Any], order: Order, subscription_id: str) -> None:
    sync_of_the_customer(container, shop)


def mirrored_first_by(
    monkeypatch: pytest.MonkeyPatch, container: Container, shop: dict[str, Any], writer: Writer, order_ids: set[str]
) -> list[str]:
    """Provisioning's mirror step, with `writer` reaching the mirror just before it, for the orders named (the
    queues are shared: another test's order may be provisioned meanwhile, and is left alone)."""
    original = container.provisioning_service._mirror  # noqa: SLF001
    raced: list[str] = []

    def mirror_after_another_writer(order: Order, order_line: OrderLine, subscription_id: str) -> None:
        if order.id in order_ids and subscription_id not in raced:
            raced.append(subscription_id)
            writer(container, shop, order, subscription_id)
            assert container.subscriptions.get(order.customer_id, subscription_id) is not None
        original(order, order_line, subscription_id)

    monkeypatch.setattr(container.provisioning_service, "_mirror", mirror_after_another_writer)
    return raced


@pytest.mark.parametrize("writer", [event_for_subscription, orphan_sweep, full_sync], ids=lambda w: w.__name__)
def test_a_subscription_mirrored_first_by_another_writer_keeps_the_catalog_item_it_was_bought_as(
    client: TestClient, container: Container, shop: dict[str, Any], monkeypatch: pytest.MonkeyPatch, writer: Writer
) -> None:
    ours: set[str] = set()
    raced = mirrored_first_by(monkeypatch, container, shop, writer, ours)
    bought = item(shop, skip=1)
    order = place(client, shop, [line(bought, 3)]).json()
    ours.add(order["id"])
    done = settle(client, container, shop, order["id"])
    assert done["status"] == "completed", done
    sub_id = done["lines"][0]["subscriptionId"]
    assert raced == [sub_id]

    shown = client.get(f"/api/subscriptions/{sub_id}", headers=shop["auth"](shop["resellerStaff"])).json()
    assert (shown["catalogItemId"], shown["flag"], shown["quantity"]) == (bought.catalog_item_id, None, 3), shown
    # A later writer (the periodic sync) reads the same subscription again and keeps it.
    sync_of_the_customer(container, shop)
    again = client.get(f"/api/subscriptions/{sub_id}", headers=shop["auth"](shop["resellerStaff"])).json()
    assert (again["catalogItemId"], again["flag"]) == (bought.catalog_item_id, None), again


def test_a_true_orphan_is_adopted_with_the_catalog_item_of_its_customers_market(
    client: TestClient, container: Container, shop: dict[str, Any]
) -> None:
    """Partner Center holds a subscription no order of ours bought (its order record was lost after checkout):
    adopted and flagged, its catalog item read from the customer's market by offer, term and cycle."""
    bought = item(shop, skip=2)
    order = place(client, shop, [line(bought, 2)]).json()
    done = settle(client, container, shop, order["id"])
    sub_id = done["lines"][0]["subscriptionId"]
    container.tables.table(ORDERS).delete_entity(safe_key(shop["customerId"]), "o|" + safe_key(order["id"]))
    container.tables.table(TABLE).delete_entity(safe_key(shop["customerId"]), safe_key(sub_id))
    container.tables.table(INDEX).delete_entity(safe_key(sub_id), "s")
    assert container.orders.get(shop["customerId"], order["id"]) is None

    sync_of_the_customer(container, shop)
    adopted = client.get(f"/api/subscriptions/{sub_id}", headers=shop["auth"](shop["resellerStaff"])).json()
    assert (adopted["flag"], adopted["catalogItemId"]) == ("adopted", bought.catalog_item_id), adopted


def test_provisioning_claims_a_subscription_adopted_before_its_order_recorded_it(
    client: TestClient, container: Container, shop: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adopted by a writer that could not know the order (mirrored with no catalog item and flagged): the order's
    line then claims it, with its catalog item and without the flag."""
    from dataclasses import replace

    def adopted_without_an_item(container: Container, shop: dict[str, Any], order: Order, subscription_id: str) -> None:
        sync_of_the_customer(container, shop)
        container.subscriptions.update(
            order.customer_id, subscription_id, lambda s: replace(s, catalog_item_id=None, flag="adopted")
        )

    ours: set[str] = set()
    mirrored_first_by(monkeypatch, container, shop, adopted_without_an_item, ours)
    bought = item(shop)
    order = place(client, shop, [line(bought, 1)]).json()
    ours.add(order["id"])
    done = settle(client, container, shop, order["id"])
    sub_id = done["lines"][0]["subscriptionId"]
    shown = client.get(f"/api/subscriptions/{sub_id}", headers=shop["auth"](shop["resellerStaff"])).json()
    assert (shown["catalogItemId"], shown["flag"]) == (bought.catalog_item_id, None), shown
