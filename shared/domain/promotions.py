"""New-commerce promotions as the platform keeps them (docs/business.md#promotions): which catalog items one applies
to, why an order line may not use it, and what each tier pays under it.

The promotion's price is the provider's cost (Microsoft charges it); `pass_through` (0 to 1) is the share of the
discount the provider hands down: a reseller's and a customer's price fall by that share of the discount, so with
1 everyone's price falls by the promotion's percentage and with 0 the provider keeps the whole discount."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shared.domain.catalog import CatalogItem, normalize_cycle, normalize_term
from shared.domain.money import EXACT

HUNDRED = Decimal(100)
DEFAULT_PASS_THROUGH = Decimal(1)  # a provider passes Microsoft's promotions on unless it says otherwise


@dataclass(frozen=True)
class PromotionTerm:
    """One product, SKU, term and billing cycle a promotion applies to."""

    product_id: str
    sku_id: str
    term_duration: str
    billing_cycle: str


@dataclass(frozen=True)
class Promotion:
    """A promotion of one market, as the catalog sync last read it."""

    id: str
    country: str
    name: str
    description: str
    start_date: datetime | None
    end_date: datetime | None
    discount_percent: Decimal
    terms: tuple[PromotionTerm, ...]
    minimum_quantity: int | None = None
    maximum_quantity: int | None = None
    first_purchase_only: bool = False

    def is_active(self, now: datetime) -> bool:
        return (self.start_date is None or self.start_date <= now) and (self.end_date is None or now <= self.end_date)

    def applies_to(self, item: CatalogItem) -> bool:
        """The item's product, SKU, term and billing cycle are among the promotion's."""
        return any(
            t.product_id.lower() == item.product_id.lower()
            and t.sku_id.lower() == item.sku_id.lower()
            and normalize_term(t.term_duration) == normalize_term(item.term_duration)
            and normalize_cycle(t.billing_cycle) == normalize_cycle(item.billing_cycle)
            for t in self.terms
        )


def check_pass_through(value: Decimal) -> str | None:
    """Why a pass-through share is not valid (None when it is): a fraction from 0 to 1."""
    if not value.is_finite() or value < 0 or value > 1:
        return "must be a fraction from 0 to 1 (0% to 100% of the discount)"
    return None


def promotion_refusal(
    promotion: Promotion | None, item: CatalogItem, quantity: int, *, country: str | None, now: datetime
) -> str | None:
    """Why an order line of `item` may not use the promotion, checked against what the sync stored before
    Partner Center is asked; None when nothing here refuses it."""
    if promotion is None:
        return "unknown promotion"
    if country and promotion.country.upper() != country.upper():
        return f"this promotion is offered in {promotion.country}, not in the customer's market {country.upper()}"
    if not promotion.is_active(now):
        return "this promotion is not active"
    if not promotion.applies_to(item):
        return "this promotion does not apply to this item, term or billing cycle"
    low, high = promotion.minimum_quantity, promotion.maximum_quantity
    if (low is not None and quantity < low) or (high is not None and quantity > high):
        return f"this promotion needs between {low or 1} and {high} seats" if high else f"at least {low} seats"
    return None


def discounted(amount: Decimal | None, discount_percent: Decimal) -> Decimal | None:
    """The amount less the promotion's percentage (unrounded, like every tier price)."""
    if amount is None:
        return None
    return EXACT.multiply(amount, EXACT.subtract(Decimal(1), EXACT.divide(discount_percent, HUNDRED)))


def passed_down(price: Decimal | None, discount_percent: Decimal, pass_through: Decimal) -> Decimal | None:
    """A reseller's or customer's price under a promotion: its own price less `pass_through` of the discount."""
    if price is None:
        return None
    share = EXACT.multiply(EXACT.divide(discount_percent, HUNDRED), pass_through)
    return EXACT.multiply(price, EXACT.subtract(Decimal(1), share))


def find_promotion(promotions: Iterable[Promotion], promotion_id: str) -> Promotion | None:
    return next((p for p in promotions if p.id.lower() == (promotion_id or "").strip().lower()), None)
