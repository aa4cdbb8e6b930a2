"""Catalog items: one per (product, SKU, availability, term, billing cycle) of a market, as Partner Center offers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from shared.domain.money import Money, check_decimal

BILLING_CYCLES = ("monthly", "annual", "triennial")
COMMERCIAL_SEGMENT = "commercial"


class ItemStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"  # no longer offered by Partner Center; kept because orders and subscriptions name it


def normalize_term(term_duration: str) -> str:
    return (term_duration or "").strip().upper()


def normalize_cycle(billing_cycle: str) -> str:
    """Partner Center writes "Annual" on availability terms, "annual" on carts, "Annual" in the price sheet."""
    return (billing_cycle or "").strip().lower()


def make_catalog_item_id(product_id: str, sku_id: str, availability_id: str, term: str, cycle: str) -> str:
    """The platform's stable id: Partner Center's catalogItemId plus term and billing cycle."""
    return f"{product_id}:{sku_id}:{availability_id}:{normalize_term(term)}:{normalize_cycle(cycle)}"


def make_offer_id(product_id: str, sku_id: str, availability_id: str) -> str:
    """Partner Center's catalogItemId (`product:sku:availability`): what cart lines take and subscriptions call
    offerId."""
    return f"{product_id}:{sku_id}:{availability_id}"


def catalog_item_id_of_offer(offer_id: str, term_duration: str, billing_cycle: str) -> str | None:
    """The catalog item a subscription of `offer_id` (product:sku:availability, as Partner Center names a
    subscription's offer) with this term and billing cycle was bought as; None when the offer is not of that shape.
    Availabilities are per market, so the id names the market's item."""
    parts = (offer_id or "").strip().split(":")
    if len(parts) != 3 or not all(parts) or not normalize_term(term_duration) or not normalize_cycle(billing_cycle):
        return None
    return make_catalog_item_id(parts[0], parts[1], parts[2], term_duration, billing_cycle)


@dataclass(frozen=True)
class CatalogItem:
    """A sellable unit of a market: one term and billing cycle of one availability, with the provider's cost.

    `cost` is Partner Center's unit price for one license for one billing period (the price sheet's UnitPrice),
    None when the price sheet had no row for it (such an item has no price until it does)."""

    catalog_item_id: str
    offer_id: str
    product_id: str
    sku_id: str
    availability_id: str
    title: str
    sku_title: str
    product_family: str
    product_type: str
    country: str
    currency: str
    term_duration: str
    billing_cycle: str
    min_quantity: int | None
    max_quantity: int | None
    cost: Decimal | None
    is_addon: bool
    status: ItemStatus
    sellable: bool
    first_seen: datetime
    last_seen: datetime
    cancellation_window: str | None = None
    segment: str | None = None
    retired_at: datetime | None = None
    prerequisite_skus: tuple[str, ...] = ()  # an add-on's base SKUs ("product:sku"), any one of which it needs
    is_trial: bool = False  # a trial offer (price 0, converts to its paid offer through an upgrade)

    def __post_init__(self) -> None:
        if self.cost is not None:
            check_decimal(self.cost, "cost")

    @property
    def cost_money(self) -> Money | None:
        return None if self.cost is None else Money(self.cost, self.currency)

    @property
    def is_active(self) -> bool:
        return self.status is ItemStatus.ACTIVE

    def content(self) -> tuple[Any, ...]:
        """What Partner Center decides about the item; a difference here is an update."""
        return (
            self.offer_id,
            self.title,
            self.sku_title,
            self.product_family,
            self.product_type,
            self.currency,
            self.min_quantity,
            self.max_quantity,
            self.cost,
            self.is_addon,
            self.cancellation_window,
            self.segment,
            self.prerequisite_skus,
            self.is_trial,
        )

    def same_content(self, other: CatalogItem) -> bool:
        # Decimal("7.50") == Decimal("7.5"): equal costs compare equal whatever their written precision.
        return self.content() == other.content()


# -- building items from Partner Center's catalog ---------------------------------------------------------------------


class ProductLike(Protocol):
    id: str
    title: str | None
    product_type: str | None
    raw: Mapping[str, Any]


class SkuLike(Protocol):
    id: str
    title: str | None
    minimum_quantity: int | None
    maximum_quantity: int | None
    raw: Mapping[str, Any]


class RefundOptionLike(Protocol):
    expires_after: str | None
    sequence_id: int | None


class TermLike(Protocol):
    duration: str
    billing_cycle: str
    refund_options: tuple[Any, ...]


class AvailabilityLike(Protocol):
    id: str
    product_id: str
    sku_id: str
    currency: str | None
    segment: str | None
    is_purchasable: bool
    terms: tuple[Any, ...]


def _lookup(data: Mapping[str, Any], name: str) -> Any:
    if name in data:
        return data[name]
    lowered = name.lower()
    for key, value in data.items():
        if str(key).lower() == lowered:
            return value
    return None


def product_family_of(product: ProductLike) -> str:
    """The product type's sub-type when Partner Center names one (e.g. a licence family), else the type itself."""
    product_type = _lookup(product.raw or {}, "productType")
    if isinstance(product_type, Mapping):
        sub_type = _lookup(product_type, "subType")
        if isinstance(sub_type, Mapping):
            name = _lookup(sub_type, "displayName") or _lookup(sub_type, "id")
            if name:
                return str(name)
    return product.product_type or ""


def sku_is_addon(sku: SkuLike) -> bool:
    attributes = _lookup(sku.raw or {}, "dynamicAttributes")
    return isinstance(attributes, Mapping) and bool(_lookup(attributes, "isAddon"))


def sku_prerequisites(sku: SkuLike) -> tuple[str, ...]:
    """An add-on SKU's base SKUs ("product:sku", upper case), from `dynamicAttributes.prerequisiteSkus`."""
    attributes = _lookup(sku.raw or {}, "dynamicAttributes")
    if not isinstance(attributes, Mapping):
        return ()
    listed = _lookup(attributes, "prerequisiteSkus")
    if not isinstance(listed, list | tuple):
        return ()
    return tuple(dict.fromkeys(str(entry).strip().upper() for entry in listed if str(entry).strip()))


def cancellation_window_of(term: TermLike) -> str | None:
    """The last refund option's `expiresAfter`: a cancellation stays possible while any refund option is open.

    (unconfirmed) Partner Center lists refund options in `sequenceId` order, each one expiring after the previous."""
    options = [option for option in term.refund_options if getattr(option, "expires_after", None)]
    if not options:
        return None
    last = max(enumerate(options), key=lambda pair: (pair[1].sequence_id or 0, pair[0]))[1]
    return str(last.expires_after)


def items_from_availability(
    product: ProductLike,
    sku: SkuLike,
    availability: AvailabilityLike,
    *,
    country: str,
    now: datetime,
    sellable: bool,
    cost: Mapping[tuple[str, str], Decimal] | None = None,
) -> list[CatalogItem]:
    """One active item per term of the availability, its cost looked up by (term, billing cycle)."""
    items: list[CatalogItem] = []
    product_id = availability.product_id or product.id
    sku_id = availability.sku_id or sku.id
    for term in availability.terms:
        duration, cycle = normalize_term(term.duration), normalize_cycle(term.billing_cycle)
        if not duration or not cycle:
            continue
        items.append(
            CatalogItem(
                catalog_item_id=make_catalog_item_id(product_id, sku_id, availability.id, duration, cycle),
                offer_id=make_offer_id(product_id, sku_id, availability.id),
                product_id=product_id,
                sku_id=sku_id,
                availability_id=availability.id,
                title=product.title or sku.title or product_id,
                sku_title=sku.title or product.title or sku_id,
                product_family=product_family_of(product),
                product_type=product.product_type or "",
                country=country.upper(),
                currency=(availability.currency or "").upper(),
                term_duration=duration,
                billing_cycle=cycle,
                min_quantity=sku.minimum_quantity,
                max_quantity=sku.maximum_quantity,
                cost=(cost or {}).get((duration, cycle)),
                is_addon=sku_is_addon(sku),
                prerequisite_skus=sku_prerequisites(sku) if sku_is_addon(sku) else (),
                is_trial=bool(getattr(sku, "is_trial", False)),
                status=ItemStatus.ACTIVE,
                sellable=sellable,
                first_seen=now,
                last_seen=now,
                cancellation_window=cancellation_window_of(term),
                segment=(availability.segment or None),
            )
        )
    return items


# -- the provider's cost from the price sheet ----------------------------------------------------------------------


class PriceSheetRowLike(Protocol):
    """What the sync reads from a price-sheet row (the client's PriceSheetRow); the optional fields are read with
    getattr: `availability_id`, `segment`, `effective_start`, `effective_end`."""

    product_id: str
    sku_id: str
    term_duration: str | None
    billing_plan: str | None
    currency: str | None
    unit_price: Decimal


@dataclass(frozen=True)
class CostKey:
    """Where a price-sheet row applies: a SKU (or one availability of it, when the row names one), a term and a
    billing plan."""

    product_id: str
    sku_id: str
    term_duration: str
    billing_cycle: str
    availability_id: str | None = None


@dataclass(frozen=True)
class Cost:
    amount: Decimal
    currency: str | None
    effective_from: datetime | None = None
    effective_to: datetime | None = None


def _moment(row: Any, *names: str) -> datetime | None:
    for name in names:
        value = getattr(row, name, None)
        if isinstance(value, datetime):
            return value
    return None


def _in_force(cost: Cost, now: datetime) -> bool:
    """Effective dates are whole days (the sheet's end date is the last day the price holds)."""
    started = cost.effective_from is None or cost.effective_from.date() <= now.date()
    return started and (cost.effective_to is None or now.date() <= cost.effective_to.date())


def _current(candidates: list[Cost], now: datetime) -> Cost:
    """The price in force now; else the latest that started; else the first to start (a sheet dated ahead of our
    clock still names the provider's cost better than nothing does)."""
    in_force = [cost for cost in candidates if _in_force(cost, now)]
    if in_force:
        return max(in_force, key=lambda cost: cost.effective_from or datetime.min.replace(tzinfo=now.tzinfo))
    started = [cost for cost in candidates if cost.effective_from is None or cost.effective_from.date() <= now.date()]
    if started:
        return max(started, key=lambda cost: cost.effective_from or datetime.min.replace(tzinfo=now.tzinfo))
    return min(candidates, key=lambda cost: cost.effective_from or now)


class CostIndex:
    """The price sheet's rows by SKU, term and billing plan ("Annual" matches "annual"), one price per place.

    A row naming an availability wins for that availability over a row naming only the SKU; among rows for the same
    place the one in force at `now` wins. Rows for other segments (education, ...) are ignored."""

    def __init__(self, rows: Iterable[PriceSheetRowLike], *, now: datetime) -> None:
        candidates: dict[CostKey, list[Cost]] = {}
        self.rows = 0
        for row in rows:
            self.rows += 1
            segment = getattr(row, "segment", None)
            if segment and str(segment).strip().lower() != COMMERCIAL_SEGMENT:
                continue
            availability = getattr(row, "availability_id", None)
            key = CostKey(
                product_id=str(row.product_id).strip().upper(),
                sku_id=str(row.sku_id).strip().upper(),
                term_duration=normalize_term(row.term_duration or ""),
                billing_cycle=normalize_cycle(row.billing_plan or ""),
                availability_id=str(availability).strip().upper() if availability else None,
            )
            candidates.setdefault(key, []).append(
                Cost(
                    amount=check_decimal(row.unit_price, "unit price"),
                    currency=(row.currency or "").strip().upper() or None,
                    effective_from=_moment(row, "effective_start", "effective_start_date"),
                    effective_to=_moment(row, "effective_end", "effective_end_date"),
                )
            )
        self._by_key = {key: _current(costs, now) for key, costs in candidates.items()}

    def __len__(self) -> int:
        return len(self._by_key)

    def find(self, product_id: str, sku_id: str, availability_id: str, term: str, cycle: str) -> Cost | None:
        key = CostKey(product_id.upper(), sku_id.upper(), normalize_term(term), normalize_cycle(cycle))
        specific = replace(key, availability_id=availability_id.upper())
        return self._by_key.get(specific) or self._by_key.get(key)

    def costs_for(self, availability: AvailabilityLike) -> dict[tuple[str, str], Decimal]:
        """(term, cycle) -> cost for an availability's terms, where the sheet's currency is the catalog's."""
        found: dict[tuple[str, str], Decimal] = {}
        currency = (availability.currency or "").upper()
        for term in availability.terms:
            cost = self.find(availability.product_id, availability.sku_id, availability.id, term.duration,
                             term.billing_cycle)  # fmt: skip
            if cost is not None and (cost.currency is None or cost.currency == currency):
                found[(normalize_term(term.duration), normalize_cycle(term.billing_cycle))] = cost.amount
        return found


def refreshed(existing: CatalogItem, seen: CatalogItem, *, now: datetime) -> CatalogItem:
    """The stored item brought up to what Partner Center shows now; the provider's own choices (sellable) and the
    first sighting are kept."""
    return replace(
        seen,
        sellable=existing.sellable,
        first_seen=existing.first_seen,
        last_seen=now,
        status=ItemStatus.ACTIVE,
        retired_at=None,
    )
