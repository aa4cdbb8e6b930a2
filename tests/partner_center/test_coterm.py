"""Co-terming through the client: the allowed custom term end dates, and a cart line that takes one."""

from __future__ import annotations

import time

import pytest

from shared.partner_center import CartLine, NotFound
from tests.partner_center.conftest import Control
from tests.partner_center.test_ordering import Buyer, bought_subscription, buyer  # noqa: F401 - the fixture


def test_the_targets_end_date_is_allowed_and_a_line_ending_on_it_co_terms(buyer: Buyer) -> None:  # noqa: F811
    client = buyer.pc.client
    base = bought_subscription(buyer, quantity=2)
    assert base.commitment_end_date is not None
    [aligned] = client.get_custom_term_end_dates(buyer.customer_id, "P1Y", target_subscription_id=base.id)
    assert aligned.kind == "subscriptionAligned" and aligned.coterm_subscription_ids == (base.id,)
    assert aligned.end_date == base.commitment_end_date.date()
    everything = client.get_custom_term_end_dates(buyer.customer_id, "P1Y")
    assert {item.kind for item in everything} >= {"subscriptionAligned"}
    assert client.get_custom_term_end_dates(buyer.customer_id, "P1M", target_subscription_id=base.id) == []
    line = CartLine(buyer.availability.catalog_item_id, 1, "P1Y", "annual",
                    reseller_partner_id=buyer.reseller_partner_id, custom_term_end_date=aligned.end_date)  # fmt: skip
    cart = client.create_cart(buyer.customer_id, [line])
    assert cart.line_items[0].error is None
    order = client.checkout_cart(buyer.customer_id, cart.id).orders[0]
    deadline = time.monotonic() + 15
    while not (ids := [i.subscription_id for i in client.get_order(buyer.customer_id, order.id).line_items
                       if i.subscription_id]):  # fmt: skip
        assert time.monotonic() < deadline
        time.sleep(0.2)
    co_termed = client.get_subscription(buyer.customer_id, ids[0])
    assert co_termed.commitment_end_date == base.commitment_end_date


def test_a_target_of_another_customer_is_not_found(buyer: Buyer, control: Control) -> None:  # noqa: F811
    theirs = bought_subscription(buyer, quantity=1)
    other = control.accept_customer(buyer.pc.provider, buyer.reseller_partner_id, "Other buyer")
    with pytest.raises(NotFound):
        buyer.pc.client.get_custom_term_end_dates(other, "P1Y", target_subscription_id=theirs.id)
