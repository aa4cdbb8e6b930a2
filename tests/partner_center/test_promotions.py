"""Promotions through the client: the market's list, eligibility with reasons, and a promoted purchase."""

from __future__ import annotations

import time
from decimal import Decimal

from shared.partner_center import CartLine, PromotionEligibilityRequest
from tests.partner_center.conftest import Control, ProviderClient

BASIC_ANNUAL = "39NFJQT1Q5KL:0001:39NFJQT1Q5KL"


def test_promotions_are_typed_with_their_products_and_discount(fresh_client: ProviderClient) -> None:
    promotions = {p.id: p for p in fresh_client.client.list_promotions("NL")}
    basic = promotions[BASIC_ANNUAL]
    assert basic.currency == "EUR" and basic.market == "NL" and basic.end_date is not None
    assert {(p.product_id, p.sku_id, p.term_duration, p.billing_cycle) for p in basic.products} == {
        ("CFQ7TTC0LH18", "0001", "P1Y", "monthly"),
        ("CFQ7TTC0LH18", "0001", "P1Y", "annual"),
    }
    assert {p.discount_percent for p in basic.products} == {Decimal(15)}
    assert (basic.minimum_quantity, basic.maximum_quantity) == (1, 300)


def test_eligibility_answers_each_item_with_microsofts_reasons(fresh_client: ProviderClient, control: Control) -> None:
    reseller = control.accept_reseller(fresh_client.provider)
    customer = control.accept_customer(fresh_client.provider, reseller, "Promoted")
    [availability] = fresh_client.client.list_availabilities("CFQ7TTC0LH18", "0001", country="NL")[:1]
    item = f"CFQ7TTC0LH18:0001:{availability.id}"
    eligible, wrong_term = fresh_client.client.check_promotion_eligibility(
        customer,
        [
            PromotionEligibilityRequest(item, 5, "P1Y", "monthly", BASIC_ANNUAL),
            PromotionEligibilityRequest(item, 5, "P1M", "monthly", BASIC_ANNUAL),
        ],
    )
    assert (eligible.item_id, eligible.is_eligible, eligible.errors) == (0, True, ())
    assert wrong_term.item_id == 1 and not wrong_term.is_eligible
    assert wrong_term.errors[0].type == "Term" and "P1M" in wrong_term.reason

    cart = fresh_client.client.create_cart(
        customer, [CartLine(item, 5, "P1Y", "monthly", reseller_partner_id=reseller, promotion_id=BASIC_ANNUAL)]
    )
    assert fresh_client.client.checkout_cart(customer, cart.id).orders
    deadline = time.monotonic() + 15
    subscriptions = fresh_client.client.list_subscriptions(customer)
    while not subscriptions and time.monotonic() < deadline:  # listed once the order completes
        time.sleep(0.2)
        subscriptions = fresh_client.client.list_subscriptions(customer)
    [subscription] = subscriptions
    assert subscription.promotion_id == BASIC_ANNUAL
