"""The three price tiers: Microsoft's cost to the provider, the provider's price to a reseller, the reseller's price
to a customer.

Rules (docs/business.md#the-three-price-tiers):
- A tier's price is an override for the item (a fixed price in the item's currency) when one exists, otherwise its
  supplier's price times (1 + margin), the margin being the buyer's own or else its supplier's default for it, and
  with neither, the supplier's price as it is (margin 0).
- The reseller's price is computed from the provider's cost; the customer's price from its reseller's price, never
  from the cost (`customer_price` refuses anything but a reseller-tier price).
- Amounts flow between tiers unrounded; `Price.shown()` rounds half up to the currency's minor unit, and is called
  only where a price is shown or billed. Rounding between tiers would let a margin of a margin drift by a cent.
- All amounts are `Decimal`; a margin is a decimal fraction (0.12 = 12 %) within [MIN_MARGIN, MAX_MARGIN].
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

from shared.domain.catalog import CatalogItem
from shared.domain.money import EXACT, Money, MoneyError, is_known_currency, minor_unit
from shared.domain.money import parse_money_string as _parse_decimal
from shared.services.errors import FieldError, Invalid

MIN_MARGIN = Decimal("-0.5")
MAX_MARGIN = Decimal("10")
MAX_MARGIN_PLACES = 6
MAX_OVERRIDES = 10_000


class Tier(StrEnum):
    COST = "cost"  # what Microsoft charges the provider
    RESELLER = "reseller"  # what the provider charges a reseller
    CUSTOMER = "customer"  # what a reseller charges a customer


class Basis(StrEnum):
    COST = "cost"  # the price sheet's unit price
    OVERRIDE = "override"
    MARGIN = "margin"  # the buyer's own margin
    DEFAULT_MARGIN = "defaultMargin"  # its supplier's default margin
    SUPPLIER_PRICE = "supplierPrice"  # no margin anywhere: the supplier's price passed on as it is
    UNPRICED = "unpriced"  # no cost known and no override


class InvalidPricing(Invalid):
    """Pricing the rules refuse, with one FieldError per problem (answered 422 by the HTTP layer)."""

    def __init__(self, errors: list[FieldError], detail: str = "the pricing is not valid") -> None:
        super().__init__(detail, errors)


class OverrideKey(NamedTuple):
    """An override applies to one catalog item in one currency (the same item id is sold in several markets)."""

    catalog_item_id: str
    currency: str


def check_margin(margin: Decimal | None, field_name: str = "margin") -> list[FieldError]:
    if margin is None:
        return []
    if isinstance(margin, bool) or not isinstance(margin, Decimal) or not margin.is_finite():
        return [FieldError(field_name, 'a margin is a decimal fraction given as a string, such as "0.12"')]
    if not MIN_MARGIN <= margin <= MAX_MARGIN:
        return [FieldError(field_name, f"a margin must lie between {MIN_MARGIN} and {MAX_MARGIN} (0.12 = 12%)")]
    if -margin.as_tuple().exponent > MAX_MARGIN_PLACES:  # type: ignore[operator]
        return [FieldError(field_name, f"a margin has at most {MAX_MARGIN_PLACES} decimal places")]
    return []


@dataclass(frozen=True)
class PriceRule:
    """One buyer's pricing: a margin over its supplier's price and fixed prices for some items."""

    margin: Decimal | None = None
    overrides: Mapping[OverrideKey, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        errors = check_margin(self.margin)
        for key, price in self.overrides.items():
            where = f"overrides[{key.catalog_item_id}|{key.currency}]"
            if isinstance(price, bool) or not isinstance(price, Decimal) or not price.is_finite():
                errors.append(FieldError(f"{where}.price", "a price is a Decimal"))
            elif price < 0:
                errors.append(FieldError(f"{where}.price", "a price may not be negative"))
        if errors:
            raise InvalidPricing(errors)
        object.__setattr__(self, "overrides", dict(self.overrides))

    def override_for(self, catalog_item_id: str, currency: str) -> Decimal | None:
        return self.overrides.get(OverrideKey(catalog_item_id, currency))


EMPTY_RULE = PriceRule()


@dataclass(frozen=True)
class Price:
    """One tier's price for one catalog item, unrounded; `shown()` is what a person sees or is billed."""

    catalog_item_id: str
    currency: str
    amount: Decimal | None
    tier: Tier
    basis: Basis
    margin: Decimal | None = None

    @property
    def money(self) -> Money | None:
        return None if self.amount is None else Money(self.amount, self.currency)

    def shown(self) -> Money | None:
        """The price rounded half up to the currency's minor unit: call only where it is shown or billed."""
        money = self.money
        return None if money is None else money.rounded()


def provider_cost(item: CatalogItem) -> Price:
    """Microsoft's price to the provider, from the price sheet (unpriced when the sheet had no row, or the catalog
    named no currency we can round in)."""
    if item.cost is None or not is_known_currency(item.currency):
        return Price(item.catalog_item_id, item.currency, None, Tier.COST, Basis.UNPRICED)
    return Price(item.catalog_item_id, item.currency, Money(item.cost, item.currency).amount, Tier.COST, Basis.COST)


def _apply(supplier: Price, tier: Tier, rule: PriceRule | None, default_margin: Decimal | None) -> Price:
    rule = rule or EMPTY_RULE
    override = rule.override_for(supplier.catalog_item_id, supplier.currency)
    if override is not None:
        return Price(supplier.catalog_item_id, supplier.currency, override, tier, Basis.OVERRIDE)
    if supplier.amount is None:
        return Price(supplier.catalog_item_id, supplier.currency, None, tier, Basis.UNPRICED)
    if rule.margin is not None:
        margin, basis = rule.margin, Basis.MARGIN
    elif default_margin is not None:
        margin, basis = default_margin, Basis.DEFAULT_MARGIN
    else:
        return Price(supplier.catalog_item_id, supplier.currency, supplier.amount, tier, Basis.SUPPLIER_PRICE)
    if check_margin(margin):
        raise InvalidPricing(check_margin(margin))
    amount = EXACT.multiply(supplier.amount, EXACT.add(Decimal(1), margin))
    return Price(supplier.catalog_item_id, supplier.currency, amount, tier, basis, margin)


def reseller_price(cost: Price, reseller_rule: PriceRule | None, provider_default: Decimal | None) -> Price:
    """The provider's price to a reseller: its override, else cost x (1 + its margin, else the provider default)."""
    if cost.tier is not Tier.COST:
        raise TypeError(f"a reseller's price is computed from the provider's cost, not a {cost.tier} price")
    return _apply(cost, Tier.RESELLER, reseller_rule, provider_default)


def customer_price(reseller_price: Price, customer_rule: PriceRule | None, reseller_default: Decimal | None) -> Price:
    """A reseller's price to its customer: its override, else the reseller's own price x (1 + margin); never the
    provider's cost."""
    if reseller_price.tier is not Tier.RESELLER:
        raise TypeError(f"a customer's price is computed from its reseller's price, not a {reseller_price.tier} price")
    return _apply(reseller_price, Tier.CUSTOMER, customer_rule, reseller_default)


# -- validation of pricing bodies (the HTTP layer's PUT .../pricing) -------------------------------------------------

CatalogLookup = Callable[[str], Collection[str]]
"""catalog item id -> the currencies the provider's catalog sells it in (empty: not a known item)."""


def _decimal_field(value: Any, field_name: str, errors: list[FieldError], what: str) -> Decimal | None:
    """A decimal string (or Decimal); anything else, a JSON float above all, is a field error."""
    try:
        return _parse_decimal(value)
    except MoneyError:
        errors.append(FieldError(field_name, f'{what} must be a decimal string such as "7.50"'))
        return None


def _parse(body: Any, catalog_lookup: CatalogLookup) -> tuple[PriceRule | None, list[FieldError]]:
    errors: list[FieldError] = []
    if not isinstance(body, Mapping):
        return None, [FieldError("body", "pricing is an object {margin, overrides}")]
    margin: Decimal | None = None
    raw_margin = body.get("margin")
    if raw_margin is not None:
        margin = _decimal_field(raw_margin, "margin", errors, "margin")
        if margin is not None:
            errors.extend(check_margin(margin))
    raw_overrides = body.get("overrides")
    if raw_overrides is None:
        raw_overrides = []
    if not isinstance(raw_overrides, list):
        errors.append(FieldError("overrides", "overrides is a list of {catalogItemId, price, currency?}"))
        raw_overrides = []
    if len(raw_overrides) > MAX_OVERRIDES:
        errors.append(FieldError("overrides", f"at most {MAX_OVERRIDES} overrides"))
        raw_overrides = []
    overrides: dict[OverrideKey, Decimal] = {}
    for index, entry in enumerate(raw_overrides):
        where = f"overrides[{index}]"
        if not isinstance(entry, Mapping):
            errors.append(FieldError(where, "an override is an object {catalogItemId, price, currency?}"))
            continue
        item_id = entry.get("catalogItemId")
        if not isinstance(item_id, str) or not item_id:
            errors.append(FieldError(f"{where}.catalogItemId", "a catalog item id is required"))
            continue
        currencies = sorted(catalog_lookup(item_id))
        if not currencies:
            errors.append(FieldError(f"{where}.catalogItemId", f"{item_id} is not in the catalog"))
            continue
        currency = entry.get("currency")
        if currency is None:
            if len(currencies) > 1:
                errors.append(
                    FieldError(f"{where}.currency", f"{item_id} is sold in {', '.join(currencies)}: name the currency")
                )
                continue
            currency = currencies[0]
        if not isinstance(currency, str) or currency not in currencies:
            errors.append(
                FieldError(f"{where}.currency", f"{item_id} is sold in {', '.join(currencies)}, not in {currency}")
            )
            continue
        price = _decimal_field(entry.get("price"), f"{where}.price", errors, "price")
        if price is None:
            continue
        if price < 0:
            errors.append(FieldError(f"{where}.price", "a price may not be negative"))
            continue
        if is_known_currency(currency) and -price.as_tuple().exponent > minor_unit(currency):  # type: ignore[operator]
            errors.append(
                FieldError(f"{where}.price", f"a {currency} price has at most {minor_unit(currency)} decimal places")
            )
            continue
        key = OverrideKey(item_id, currency)
        if key in overrides:
            errors.append(FieldError(where, f"{item_id} in {currency} is overridden twice"))
            continue
        overrides[key] = price
    if errors:
        return None, errors
    return PriceRule(margin=margin, overrides=overrides), []


def validate_pricing(body: Any, catalog_lookup: CatalogLookup) -> list[FieldError]:
    """Every problem with a pricing body: unknown items, negative or malformed prices, a currency the catalog does
    not sell the item in, a margin out of range."""
    return _parse(body, catalog_lookup)[1]


def parse_pricing(body: Any, catalog_lookup: CatalogLookup) -> PriceRule:
    """The PriceRule a valid body describes; InvalidPricing listing every problem otherwise."""
    rule, errors = _parse(body, catalog_lookup)
    if rule is None:
        raise InvalidPricing(errors)
    return rule


def parse_margin(value: Any, field_name: str = "margin") -> Decimal | None:
    """A default margin as the API sends it ("0.12" or null); InvalidPricing when it is malformed or out of range."""
    if value is None:
        return None
    errors: list[FieldError] = []
    margin = _decimal_field(value, field_name, errors, "margin")
    if margin is not None:
        errors.extend(check_margin(margin, field_name))
    if errors:
        raise InvalidPricing(errors)
    return margin


def rule_from_overrides(margin: Decimal | None, overrides: Iterable[tuple[str, str, Decimal]]) -> PriceRule:
    """A PriceRule from (catalog item id, currency, price) triples, as storage keeps them."""
    return PriceRule(margin=margin, overrides={OverrideKey(i, c): p for i, c, p in overrides})
