"""Promotions (docs/business.md#promotions): which lines may use one, the prices at each tier with the provider's
pass-through, and billing matching a promoted charge at the promotion's price."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from shared.domain.billing import DiscrepancyKind, Lookups
from shared.domain.catalog import ItemStatus
from shared.domain.promotions import (
    Promotion,
    PromotionTerm,
    check_pass_through,
    discounted,
    passed_down,
    promotion_refusal,
)
from tests.unit.test_billing_domain import lookups, reconcile, wire

D = Decimal
NOW = datetime(2026, 10, 10, tzinfo=UTC)
PROMOTION = Promotion(
    id="39NFJQT1Q5KL:0001:39NFJQT1Q5KL", country="US", name="Basic 15% off", description="",
    start_date=datetime(2026, 1, 1, tzinfo=UTC), end_date=datetime(2026, 12, 31, tzinfo=UTC),
    discount_percent=D(15), terms=(PromotionTerm("CFQ7TTC0LH18", "0001", "P1Y", "Monthly"),),
    minimum_quantity=1, maximum_quantity=300,
)  # fmt: skip


def _item(**changes: object) -> object:
    from shared.domain.catalog import CatalogItem

    item = CatalogItem(
        catalog_item_id="CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:monthly", offer_id="CFQ7TTC0LH18:0001:CFQ7TTC0K971",
        product_id="CFQ7TTC0LH18", sku_id="0001", availability_id="CFQ7TTC0K971", title="Basic", sku_title="Basic",
        product_family="", product_type="", country="US", currency="USD", term_duration="P1Y",
        billing_cycle="monthly", min_quantity=1, max_quantity=300, cost=D("6.00"), is_addon=False,
        status=ItemStatus.ACTIVE, sellable=True, first_seen=NOW, last_seen=NOW,
    )  # fmt: skip
    return replace(item, **changes)  # type: ignore[arg-type]


def test_a_line_of_the_promotions_item_term_and_market_may_use_it() -> None:
    assert promotion_refusal(PROMOTION, _item(), 10, country="US", now=NOW) is None


def test_each_refusal_names_the_rule_broken() -> None:
    item = _item()
    assert promotion_refusal(None, item, 10, country="US", now=NOW) == "unknown promotion"
    assert "not in the customer's market NL" in (promotion_refusal(PROMOTION, item, 10, country="NL", now=NOW) or "")
    ended = datetime(2027, 1, 5, tzinfo=UTC)
    assert promotion_refusal(PROMOTION, item, 10, country="US", now=ended) == "this promotion is not active"
    annual = _item(billing_cycle="annual", catalog_item_id="CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:annual")
    assert "does not apply" in (promotion_refusal(PROMOTION, annual, 10, country="US", now=NOW) or "")
    assert "between 1 and 300 seats" in (promotion_refusal(PROMOTION, item, 301, country="US", now=NOW) or "")


def test_the_discount_passes_down_by_the_providers_share() -> None:
    assert discounted(D("6.00"), D(15)) == D("5.1000")
    assert passed_down(D("6.60"), D(15), D(1)) == D("5.61")  # all of the discount: 15% off the reseller's price
    assert passed_down(D("6.60"), D(15), D("0.5")) == D("6.105")  # half of it: 7.5% off
    assert passed_down(D("6.60"), D(15), D(0)) == D("6.60")  # the provider keeps it all
    assert passed_down(None, D(15), D(1)) is None


def test_pass_through_is_a_fraction_from_zero_to_one() -> None:
    assert check_pass_through(D("0")) is None and check_pass_through(D("1")) is None
    assert check_pass_through(D("1.01")) and check_pass_through(D("-0.1")) and check_pass_through(D("NaN"))


def _promoted(share: Decimal) -> Lookups:
    known = lookups()
    return replace(known, promotions={PROMOTION.id.lower(): D(15)}, pass_through=share)


def test_a_promoted_charge_matches_at_the_promotion_price_and_each_tier_gets_its_share() -> None:
    # Microsoft charges 6.00 less 15% = 5.10 for the promoted subscription; reseller 6.60 and customer 7.26 fall by
    # 15% (5.61 and 6.171, billed as 6.17 a seat)
    line = wire(unitPrice=D("5.10"), effectiveUnitPrice=D("5.10"), subtotal=D("51.00"), promotionId=PROMOTION.id)
    _, [priced], found = reconcile(_promoted(D(1)), line)
    assert not [f for f in found if f.kind is DiscrepancyKind.PRICE_MISMATCH]
    assert (priced.provider_cost, priced.reseller_charge, priced.customer_charge) == (D("51.00"), D("56.10"),
                                                                                       D("61.70"))  # fmt: skip
    _, [half], _ = reconcile(_promoted(D("0.5")), line)
    # 7.5% off: 6.105 and 6.7155 a seat, billed as 6.11 and 6.72
    assert (half.reseller_charge, half.customer_charge) == (D("61.10"), D("67.20"))


def test_the_same_charge_without_a_known_promotion_is_a_price_mismatch() -> None:
    line = wire(unitPrice=D("5.10"), effectiveUnitPrice=D("5.10"), subtotal=D("51.00"), promotionId=PROMOTION.id)
    _, _, found = reconcile(lookups(), line)
    assert [f.kind for f in found if f.kind is DiscrepancyKind.PRICE_MISMATCH] == [DiscrepancyKind.PRICE_MISMATCH]
