"""The storefront: what a customer may do for itself, within the limits its reseller or provider sets."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from shared.domain.money import TERM_MONTHS


@dataclass(frozen=True)
class StorefrontPolicy:
    allowed_catalog_item_ids: tuple[str, ...] | None = None  # None: every sellable item
    allow_seat_decrease: bool = True
    max_term_duration: str = "P3Y"
    approval_threshold: Decimal | None = None  # an order above this total waits for approval
    allow_renewal_changes: bool = False  # the customer may schedule changes for its next terms

    @property
    def allowed(self) -> frozenset[str] | None:
        return None if self.allowed_catalog_item_ids is None else frozenset(self.allowed_catalog_item_ids)

    def items_outside(self, market_items: Collection[str]) -> list[int]:
        """The positions in `allowed_catalog_item_ids` of the ids that are not catalog items of the customer's
        market: a policy names only what the customer could buy there."""
        return [at for at, item_id in enumerate(self.allowed_catalog_item_ids or ()) if item_id not in market_items]

    @property
    def max_term_months(self) -> int:
        return TERM_MONTHS[self.max_term_duration]
