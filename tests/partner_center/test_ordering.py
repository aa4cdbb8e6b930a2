"""Catalog, carts, checkout and subscription changes against the sandbox, including lost answers and windows."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from shared.partner_center import (
    Availability,
    CancellationWindowPassed,
    CartAlreadySubmitted,
    CartLine,
    SeatReductionWindowPassed,
    StaleEtag,
    Subscription,
)
from shared.partner_center.models import parse_timestamp
from tests.partner_center.conftest import Control, ProviderClient

PRODUCT, SKU = "CFQ7TTC0LH18", "0001"


@dataclass
class Buyer:
    pc: ProviderClient
    customer_id: str
    reseller_partner_id: str
    availability: Availability


@pytest.fixture
def buyer(fresh_client: ProviderClient, control: Control) -> Buyer:
    reseller = control.accept_reseller(fresh_client.provider)
    customer = control.accept_customer(fresh_client.provider, reseller, "Buyer")
    [availability] = fresh_client.client.list_availabilities(PRODUCT, SKU, country="NL")[:1]
    return Buyer(fresh_client, customer, reseller, availability)


@pytest.fixture
def restore_clock(control: Control) -> Iterator[Control]:
    """Advancing the sandbox clock would age every other test's data: its offset is put back afterwards."""
    before = control.call("GET", "/_sandbox/clock")
    started = time.monotonic()
    try:
        yield control
    finally:
        elapsed = dt.timedelta(seconds=time.monotonic() - started)
        target = parse_timestamp(before["now"])
        assert target is not None
        control.call("POST", "/_sandbox/clock", {"set": (target + elapsed).isoformat().replace("+00:00", "Z")})
        after = control.call("GET", "/_sandbox/clock")
        assert abs(after["offsetSeconds"] - before["offsetSeconds"]) < 5


def line(buyer: Buyer, quantity: int = 5) -> CartLine:
    return CartLine(
        buyer.availability.catalog_item_id, quantity, "P1Y", "monthly", reseller_partner_id=buyer.reseller_partner_id
    )


def purchases(control: Control, customer_id: str) -> list[dict[str, Any]]:
    answer = control.call("GET", "/_sandbox/purchases", customerTenantId=customer_id)
    return list(answer["items"] if isinstance(answer, dict) else answer)


def bought_subscription(buyer: Buyer, quantity: int = 5) -> Subscription:
    client = buyer.pc.client
    cart = client.create_cart(buyer.customer_id, [line(buyer, quantity)])
    result = client.checkout_cart(buyer.customer_id, cart.id)
    order_id = result.orders[0].id
    deadline = time.monotonic() + 15
    while True:
        order = client.get_order(buyer.customer_id, order_id)
        ids = [item.subscription_id for item in order.line_items if item.subscription_id]
        if ids:
            return client.get_subscription(buyer.customer_id, ids[0])
        assert time.monotonic() < deadline, "order never gained a subscription"
        time.sleep(0.2)


def test_catalog_offers_terms_and_catalog_item_ids(buyer: Buyer) -> None:
    products = list(buyer.pc.client.iter_products("NL", "OnlineServicesNCE"))
    assert PRODUCT in {product.id for product in products}
    skus = buyer.pc.client.list_skus(PRODUCT, country="NL")
    assert SKU in {sku.id for sku in skus}
    assert buyer.availability.catalog_item_id.startswith(f"{PRODUCT}:{SKU}:")
    assert buyer.availability.offers("P1Y", "monthly")
    single = buyer.pc.client.get_availability(PRODUCT, SKU, buyer.availability.id, country="NL")
    assert single.catalog_item_id == buyer.availability.catalog_item_id


def test_checkout_buys_once_and_a_second_checkout_is_refused(buyer: Buyer, control: Control) -> None:
    client = buyer.pc.client
    cart = client.create_cart(buyer.customer_id, [line(buyer)])
    assert cart.status and cart.status.lower() == "active"
    result = client.checkout_cart(buyer.customer_id, cart.id)
    assert len(result.orders) == 1
    assert result.orders[0].line_items[0].offer_id == buyer.availability.catalog_item_id
    with pytest.raises(CartAlreadySubmitted) as raised:
        client.checkout_cart(buyer.customer_id, cart.id)
    assert raised.value.code == 800065
    assert client.get_cart(buyer.customer_id, cart.id).is_ordered
    assert len(purchases(control, buyer.customer_id)) == 1


def test_checkout_whose_answer_is_lost_is_retried_without_a_second_purchase(buyer: Buyer, faults: Control) -> None:
    client = buyer.pc.client
    cart = client.create_cart(buyer.customer_id, [line(buyer)])
    request_id = str(uuid.uuid4())
    faults.faults(dropAfterCommit=1.0, seed=11)
    buyer.pc.on_sleep = lambda seconds: faults.clear_faults()
    # The retry reuses the MS-RequestId, so the service recognises it and answers with the first checkout's result.
    result = client.checkout_cart(buyer.customer_id, cart.id, request_id=request_id)
    bought = purchases(faults, buyer.customer_id)
    assert len(bought) == 1
    assert bought[0]["requestId"] == request_id
    assert [order.id for order in result.orders] == [bought[0]["orderId"]]
    assert len(buyer.pc.sleeps) == 1
    assert client.get_cart(buyer.customer_id, cart.id).is_ordered


def test_order_names_the_reseller_as_partner_of_record(buyer: Buyer) -> None:
    subscription = bought_subscription(buyer)
    assert subscription.partner_id == buyer.reseller_partner_id
    assert subscription.status == "active"
    assert subscription.etag
    listed = buyer.pc.client.list_subscriptions(buyer.customer_id)
    assert subscription.id in {s.id for s in listed}


def test_seat_increase_is_applied_and_returns_the_new_resource(buyer: Buyer) -> None:
    subscription = bought_subscription(buyer, quantity=5)
    updated = buyer.pc.client.update_subscription(buyer.customer_id, subscription, quantity=7)
    assert updated.quantity == 7
    assert buyer.pc.client.get_subscription(buyer.customer_id, subscription.id).quantity == 7


def test_update_with_a_stale_etag_is_refused(buyer: Buyer) -> None:
    subscription = bought_subscription(buyer, quantity=5)
    buyer.pc.client.update_subscription(buyer.customer_id, subscription, quantity=6)
    with pytest.raises(StaleEtag):
        buyer.pc.client.update_subscription(buyer.customer_id, subscription, quantity=8)


def test_suspend_and_reactivate_round_trip(buyer: Buyer) -> None:
    subscription = bought_subscription(buyer)
    suspended = buyer.pc.client.suspend_subscription(buyer.customer_id, subscription)
    assert suspended.status == "suspended"
    assert buyer.pc.client.reactivate_subscription(buyer.customer_id, suspended.id).status == "active"


def test_cancellation_inside_the_window_deletes_the_subscription(buyer: Buyer) -> None:
    subscription = bought_subscription(buyer)
    assert buyer.pc.client.cancel_subscription(buyer.customer_id, subscription).status == "deleted"


def test_cancellation_after_the_window_is_a_business_rule_error(buyer: Buyer, restore_clock: Control) -> None:
    subscription = bought_subscription(buyer)
    restore_clock.call("POST", "/_sandbox/clock", {"advance": "P8D"})
    with pytest.raises(CancellationWindowPassed) as raised:
        buyer.pc.client.cancel_subscription(buyer.customer_id, subscription.id)
    assert raised.value.code in (900213, 900117)
    assert raised.value.status == 400


def test_seat_decrease_after_the_window_is_a_business_rule_error(buyer: Buyer, restore_clock: Control) -> None:
    subscription = bought_subscription(buyer, quantity=5)
    restore_clock.call("POST", "/_sandbox/clock", {"advance": "P8D"})
    current = buyer.pc.client.get_subscription(buyer.customer_id, subscription.id)
    with pytest.raises(SeatReductionWindowPassed):
        buyer.pc.client.update_subscription(buyer.customer_id, current, quantity=3)
    assert buyer.pc.client.update_subscription(buyer.customer_id, current, quantity=9).quantity == 9
