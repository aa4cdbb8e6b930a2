"""The three price tiers, proved over generated costs, margins and overrides."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Context, Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shared.domain.catalog import CatalogItem, ItemStatus
from shared.domain.money import Money, minor_unit
from shared.domain.pricing import (
    MAX_MARGIN,
    MIN_MARGIN,
    Basis,
    InvalidPricing,
    OverrideKey,
    Price,
    PriceRule,
    Tier,
    customer_price,
    parse_margin,
    parse_pricing,
    provider_cost,
    reseller_price,
    validate_pricing,
)

D = Decimal
ITEM = "CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:annual"
OTHER = "CFQ7TTC0LDPB:0001:CFQ7TTC0K5QW:P1M:monthly"
WIDE = Context(prec=80)

costs = st.decimals(min_value=D("0"), max_value=D("100000"), places=4, allow_nan=False, allow_infinity=False)
margins = st.decimals(min_value=MIN_MARGIN, max_value=MAX_MARGIN, places=4, allow_nan=False, allow_infinity=False)
prices = st.decimals(min_value=D("0"), max_value=D("100000"), places=2, allow_nan=False, allow_infinity=False)
currencies = st.sampled_from(["EUR", "USD", "JPY", "KWD", "GBP"])
optional_margins = st.none() | margins


def item(cost: Decimal | None, currency: str = "EUR", catalog_item_id: str = ITEM) -> CatalogItem:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return CatalogItem(
        catalog_item_id=catalog_item_id, offer_id=":".join(catalog_item_id.split(":")[:3]), product_id="P",
        sku_id="0001", availability_id="A", title="Title", sku_title="Sku", product_family="OnlineServicesNCE",
        product_type="OnlineServicesNCE", country="NL", currency=currency, term_duration="P1Y",
        billing_cycle="annual", min_quantity=1, max_quantity=300, cost=cost, is_addon=False,
        status=ItemStatus.ACTIVE, sellable=True, first_seen=now, last_seen=now,
    )  # fmt: skip


def rounded(value: Decimal, currency: str) -> Decimal:
    """The independent reference: exact arithmetic, then half up to the minor unit."""
    return value.quantize(D(1).scaleb(-minor_unit(currency)), rounding=ROUND_HALF_UP, context=WIDE)


def shown(price: Price) -> Decimal:
    money = price.shown()
    assert money is not None
    return money.amount


@given(costs, margins, currencies)
def test_a_margin_over_cost_gives_exactly_the_rounded_cost_times_one_plus_margin(
    cost: Decimal, margin: Decimal, currency: str
) -> None:
    price = reseller_price(provider_cost(item(cost, currency)), PriceRule(margin=margin), None)
    assert shown(price) == rounded(WIDE.multiply(cost, 1 + margin), currency)
    assert price.basis is Basis.MARGIN


@given(costs, margins, currencies)
def test_the_provider_default_margin_applies_to_a_reseller_without_its_own(
    cost: Decimal, default: Decimal, currency: str
) -> None:
    price = reseller_price(provider_cost(item(cost, currency)), PriceRule(), default)
    assert shown(price) == rounded(WIDE.multiply(cost, 1 + default), currency)
    assert price.basis is Basis.DEFAULT_MARGIN


@given(costs, margins, margins)
def test_a_resellers_own_margin_wins_over_the_provider_default(cost: Decimal, own: Decimal, default: Decimal) -> None:
    price = reseller_price(provider_cost(item(cost)), PriceRule(margin=own), default)
    assert shown(price) == rounded(WIDE.multiply(cost, 1 + own), "EUR")


@given(costs, optional_margins, optional_margins, prices)
def test_an_override_wins_over_any_margin(
    cost: Decimal, margin: Decimal | None, default: Decimal | None, override: Decimal
) -> None:
    rule = PriceRule(margin=margin, overrides={OverrideKey(ITEM, "EUR"): override})
    price = reseller_price(provider_cost(item(cost)), rule, default)
    assert shown(price) == override
    assert price.basis is Basis.OVERRIDE


@given(costs, optional_margins, prices)
def test_an_override_in_another_currency_does_not_apply(
    cost: Decimal, margin: Decimal | None, override: Decimal
) -> None:
    rule = PriceRule(margin=margin, overrides={OverrideKey(ITEM, "USD"): override})
    price = reseller_price(provider_cost(item(cost, "EUR")), rule, None)
    assert price.basis is not Basis.OVERRIDE


@given(costs, prices)
def test_an_override_for_another_item_does_not_apply(cost: Decimal, override: Decimal) -> None:
    rule = PriceRule(margin=D("0.1"), overrides={OverrideKey(OTHER, "EUR"): override})
    assert reseller_price(provider_cost(item(cost)), rule, None).basis is Basis.MARGIN


@given(costs, optional_margins, optional_margins, margins)
def test_customer_price_is_the_resellers_unrounded_price_times_one_plus_margin(
    cost: Decimal, reseller_margin: Decimal | None, provider_default: Decimal | None, customer_margin: Decimal
) -> None:
    bought = reseller_price(provider_cost(item(cost)), PriceRule(margin=reseller_margin), provider_default)
    assert bought.amount is not None
    price = customer_price(bought, PriceRule(margin=customer_margin), None)
    assert shown(price) == rounded(WIDE.multiply(bought.amount, 1 + customer_margin), "EUR")


@given(costs, costs, prices, optional_margins, optional_margins)
def test_customer_price_depends_on_its_resellers_price_never_on_the_providers_cost(
    cost_a: Decimal, cost_b: Decimal, reseller_override: Decimal, customer_margin: Decimal | None,
    reseller_default: Decimal | None,
) -> None:  # fmt: skip
    assume(cost_a != cost_b)
    reseller_rule = PriceRule(overrides={OverrideKey(ITEM, "EUR"): reseller_override})
    customer_rule = PriceRule(margin=customer_margin)
    prices_seen = {
        customer_price(
            reseller_price(provider_cost(item(cost)), reseller_rule, None), customer_rule, reseller_default
        ).shown()
        for cost in (cost_a, cost_b)
    }
    assert len(prices_seen) == 1


@given(costs, margins)
def test_customer_price_refuses_to_be_computed_from_the_cost(cost: Decimal, margin: Decimal) -> None:
    with pytest.raises(TypeError):
        customer_price(provider_cost(item(cost)), PriceRule(margin=margin), None)


def test_reseller_price_refuses_anything_but_the_cost() -> None:
    bought = reseller_price(provider_cost(item(D("10"))), PriceRule(margin=D("0.1")), None)
    with pytest.raises(TypeError):
        reseller_price(bought, PriceRule(), None)


@given(costs, margins, margins)
def test_prices_are_not_rounded_between_tiers(
    cost: Decimal, reseller_margin: Decimal, customer_margin: Decimal
) -> None:
    bought = reseller_price(provider_cost(item(cost)), PriceRule(margin=reseller_margin), None)
    price = customer_price(bought, PriceRule(margin=customer_margin), None)
    exact = WIDE.multiply(WIDE.multiply(cost, 1 + reseller_margin), 1 + customer_margin)
    assert bought.amount == WIDE.multiply(cost, 1 + reseller_margin)
    assert price.amount == exact
    assert shown(price) == rounded(exact, "EUR")


def test_rounding_once_differs_from_rounding_each_tier() -> None:
    """1.004 x 1.5 = 1.506 (shown 1.51) for the reseller; x 1.5 again = 2.259, shown 2.26, where rounding the
    reseller's price first would give 1.51 x 1.5 = 2.265 -> 2.27."""
    bought = reseller_price(provider_cost(item(D("1.004"))), PriceRule(margin=D("0.5")), None)
    price = customer_price(bought, PriceRule(margin=D("0.5")), None)
    assert shown(bought) == D("1.51")
    assert shown(price) == D("2.26")


def test_without_any_margin_the_suppliers_price_passes_on_unchanged() -> None:
    bought = reseller_price(provider_cost(item(D("7.125"))), None, None)
    price = customer_price(bought, None, None)
    assert (bought.amount, price.amount) == (D("7.125"), D("7.125"))
    assert price.basis is Basis.SUPPLIER_PRICE


def test_an_item_without_a_known_cost_is_unpriced_unless_overridden() -> None:
    cost = provider_cost(item(None))
    assert reseller_price(cost, PriceRule(margin=D("0.2")), None).shown() is None
    overridden = reseller_price(cost, PriceRule(overrides={OverrideKey(ITEM, "EUR"): D("9.99")}), None)
    assert overridden.shown() == Money.of("9.99", "EUR")
    assert customer_price(overridden, PriceRule(margin=D("0.1")), None).shown() == Money.of("10.99", "EUR")


@given(costs, margins, margins)
def test_prices_are_never_negative_for_margins_in_range(cost: Decimal, first: Decimal, second: Decimal) -> None:
    bought = reseller_price(provider_cost(item(cost)), PriceRule(margin=first), None)
    assert shown(customer_price(bought, PriceRule(margin=second), None)) >= 0


@given(costs, margins, margins, currencies)
def test_every_tier_amount_is_a_decimal(cost: Decimal, first: Decimal, second: Decimal, currency: str) -> None:
    cost_price = provider_cost(item(cost, currency))
    bought = reseller_price(cost_price, PriceRule(margin=first), None)
    sold = customer_price(bought, PriceRule(margin=second), None)
    for price in (cost_price, bought, sold):
        assert type(price.amount) is Decimal
        assert price.tier in (Tier.COST, Tier.RESELLER, Tier.CUSTOMER)


out_of_range = st.decimals(min_value=D("-1000"), max_value=D("1000"), places=3, allow_nan=False).filter(
    lambda m: not MIN_MARGIN <= m <= MAX_MARGIN
)


@given(out_of_range)
def test_a_margin_out_of_range_is_refused_with_a_field_error(margin: Decimal) -> None:
    with pytest.raises(InvalidPricing) as refused:
        PriceRule(margin=margin)
    assert [error.field for error in refused.value.errors] == ["margin"]
    assert [error.field for error in validate_pricing({"margin": str(margin)}, lambda _: {"EUR"})] == ["margin"]


def test_a_negative_override_is_refused() -> None:
    with pytest.raises(InvalidPricing):
        PriceRule(overrides={OverrideKey(ITEM, "EUR"): D("-0.01")})


def catalog(item_id: str) -> set[str]:
    return {ITEM: {"EUR"}, OTHER: {"EUR", "USD"}}.get(item_id, set())


def fields(body: object) -> list[str]:
    return [error.field for error in validate_pricing(body, catalog)]


def test_a_valid_pricing_body_parses_to_its_rule() -> None:
    rule = parse_pricing(
        {"margin": "0.12", "overrides": [{"catalogItemId": ITEM, "price": "7.50"},
                                         {"catalogItemId": OTHER, "price": "8", "currency": "USD"}]},
        catalog,
    )  # fmt: skip
    assert rule.margin == D("0.12")
    assert rule.overrides == {OverrideKey(ITEM, "EUR"): D("7.50"), OverrideKey(OTHER, "USD"): D("8")}


def test_validation_lists_every_problem_with_its_field() -> None:
    body = {
        "margin": "11",
        "overrides": [
            {"catalogItemId": "NOPE:1:2:P1Y:annual", "price": "1.00"},
            {"catalogItemId": ITEM, "price": "-1.00"},
            {"catalogItemId": ITEM, "price": "1.00", "currency": "USD"},
            {"catalogItemId": OTHER, "price": "1.00"},
            {"catalogItemId": ITEM, "price": 7.5},
            {"catalogItemId": ITEM, "price": "1.005"},
            {"catalogItemId": ITEM, "price": "abc"},
        ],
    }
    assert fields(body) == [
        "margin",
        "overrides[0].catalogItemId",
        "overrides[1].price",
        "overrides[2].currency",
        "overrides[3].currency",
        "overrides[4].price",
        "overrides[5].price",
        "overrides[6].price",
    ]


def test_the_same_item_overridden_twice_is_refused() -> None:
    body = {"overrides": [{"catalogItemId": ITEM, "price": "1.00"}, {"catalogItemId": ITEM, "price": "2.00"}]}
    assert fields(body) == ["overrides[1]"]


@pytest.mark.parametrize("body", [[], "x", {"overrides": {}}, {"margin": 0.12}, {"margin": "1e-1"}])
def test_malformed_bodies_are_refused_not_crashed_on(body: object) -> None:
    assert fields(body)


def test_parse_margin_accepts_null_and_refuses_floats() -> None:
    assert parse_margin(None) is None
    assert parse_margin("0.125") == D("0.125")
    with pytest.raises(InvalidPricing):
        parse_margin(0.125)
    with pytest.raises(InvalidPricing):
        parse_margin("0.1234567")
