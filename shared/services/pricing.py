"""Prices as each caller may see them, and the pricing writes (validated, ETag-guarded, audited).

Functions take explicit ids; the HTTP layer decides from the caller's membership which ids it may pass (a reseller
only its own id, a customer only its own and its reseller's). What a viewer is shown follows from those ids alone:
provider staff see the provider's cost, a reseller its own price, a customer its own price, and nothing above it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.domain.catalog import CatalogItem
from shared.domain.pricing import (
    Price,
    PriceRule,
    Tier,
    customer_price,
    parse_margin,
    parse_pricing,
    provider_cost,
    reseller_price,
)
from shared.domain.promotions import Promotion, discounted, passed_down
from shared.domain.scope import OrgRef, OrgType, Principal, catalog_buyer
from shared.services.errors import Conflict, FieldError, Invalid, ServiceError
from shared.storage.audit import AuditLog
from shared.storage.catalog import CatalogFilter, CatalogRepository, check_country
from shared.storage.pricing import (
    PROVIDER_DEFAULT_ROW,
    PricingChanged,
    PricingHistory,
    PricingRepository,
    StoredMargin,
    StoredPricing,
    customer_row,
    reseller_default_row,
    reseller_row,
)

_WRITE_ATTEMPTS = 5
_BULK_LOOKUP_FROM = 20  # more overrides than this: read the provider's item ids in one scan


class PreconditionFailed(ServiceError):
    status, slug, title = 412, "precondition-failed", "The resource changed since it was read"


@dataclass(frozen=True)
class CatalogViewer:
    """Whose prices to show: a provider, one of its resellers, or a customer of that reseller."""

    provider_id: str
    reseller_id: str | None = None
    customer_id: str | None = None

    def __post_init__(self) -> None:
        if self.customer_id is not None and self.reseller_id is None:
            raise ValueError("a customer's prices come from its reseller's: name the reseller too")

    @property
    def tier(self) -> Tier:
        if self.customer_id is not None:
            return Tier.CUSTOMER
        if self.reseller_id is not None:
            return Tier.RESELLER
        return Tier.COST

    @classmethod
    def of(cls, org: OrgRef) -> CatalogViewer:
        """The viewer an organisation is (`catalog_buyer`: its lineage names the provider and reseller above it)."""
        buyer = catalog_buyer(org)
        if buyer is None:
            raise ValueError(f"{org.key} has no catalog prices of its own")
        return cls(buyer.provider_id, reseller_id=buyer.reseller_id, customer_id=buyer.customer_id)


@dataclass(frozen=True)
class PricedItem:
    """A catalog item with the viewer's own buy price (unrounded inside; shown rounded)."""

    item: CatalogItem
    price: Price


@dataclass(frozen=True)
class PricedPage:
    items: list[PricedItem]
    next_position: dict[str, str] | None


@dataclass(frozen=True)
class TierPrices:
    """One item at every tier for one customer (billing: what each party pays)."""

    cost: Price
    reseller: Price
    customer: Price


@dataclass(frozen=True)
class PromotedOffer:
    """One item a promotion applies to, at a viewer's own price without and with the promotion (unrounded)."""

    item: CatalogItem
    price: Decimal | None
    promoted: Decimal | None


@dataclass(frozen=True)
class _Rules:
    reseller: PriceRule | None = None
    provider_default: Decimal | None = None
    customer: PriceRule | None = None
    reseller_default: Decimal | None = None


def _cost_at(costs: list[tuple[datetime, Decimal]], moment: datetime | None, current: Decimal | None) -> Decimal | None:
    """The cost in force at a moment: the last recorded before it; before the first record, the first one (the
    earliest known); with nothing recorded, the item's current cost."""
    if not costs:
        return current
    if moment is None:
        return costs[0][1]
    in_force = [cost for effective, cost in costs if effective <= moment]
    return in_force[-1] if in_force else costs[0][1]


class PricingService:
    def __init__(
        self,
        catalog: CatalogRepository,
        pricing: PricingRepository,
        audit: AuditLog,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._catalog = catalog
        self._pricing = pricing
        self._audit = audit
        self._clock = clock or (lambda: datetime.now(UTC))

    # -- reading prices ------------------------------------------------------------------------------------------

    def _rules(self, viewer: CatalogViewer) -> _Rules:
        if viewer.reseller_id is None:
            return _Rules()
        reseller = self._pricing.get_reseller_pricing(viewer.provider_id, viewer.reseller_id).rule
        provider_default = self._pricing.get_provider_default(viewer.provider_id).margin
        if viewer.customer_id is None:
            return _Rules(reseller, provider_default)
        return _Rules(
            reseller,
            provider_default,
            self._pricing.get_customer_pricing(viewer.provider_id, viewer.customer_id).rule,
            self._pricing.get_reseller_default(viewer.provider_id, viewer.reseller_id).margin,
        )

    @staticmethod
    def _price(item: CatalogItem, tier: Tier, rules: _Rules) -> Price:
        cost = provider_cost(item)
        if tier is Tier.COST:
            return cost
        bought = reseller_price(cost, rules.reseller, rules.provider_default)
        if tier is Tier.RESELLER:
            return bought
        return customer_price(bought, rules.customer, rules.reseller_default)

    def catalog_for(
        self,
        viewer: CatalogViewer,
        country: str,
        *,
        filters: CatalogFilter | None = None,
        limit: int = 50,
        position: dict[str, str] | None = None,
    ) -> PricedPage:
        """A page of the market's catalog with the viewer's own prices; resellers and customers see only active,
        sellable items, the provider whatever its filters ask for."""
        country = _market(country)
        filters = filters or CatalogFilter()
        if viewer.tier is not Tier.COST:
            filters = CatalogFilter(
                product_family=filters.product_family,
                product_id=filters.product_id,
                term_duration=filters.term_duration,
                billing_cycle=filters.billing_cycle,
                text=filters.text,
                sellable_only=True,
                include_retired=False,
            )
        page = self._catalog.page(viewer.provider_id, country, filters=filters, limit=limit, position=position)
        rules = self._rules(viewer)
        return PricedPage(
            items=[PricedItem(item, self._price(item, viewer.tier, rules)) for item in page.items],
            next_position=page.next_position,
        )

    def quote(self, viewer: CatalogViewer, country: str, catalog_item_id: str) -> PricedItem | None:
        """One item at the viewer's own price (ordering, approval thresholds); None when the viewer cannot buy it."""
        item = self._catalog.get(viewer.provider_id, _market(country), catalog_item_id)
        if item is None:
            return None
        if viewer.tier is not Tier.COST and not (item.is_active and item.sellable):
            return None
        return PricedItem(item, self._price(item, viewer.tier, self._rules(viewer)))

    def tier_prices(self, viewer: CatalogViewer, item: CatalogItem) -> TierPrices:
        """The item's price at every tier down to the viewer's customer (for billing, never shown as a whole)."""
        if viewer.tier is not Tier.CUSTOMER:
            raise ValueError("tier prices are computed for a customer")
        rules = self._rules(viewer)
        cost = provider_cost(item)
        bought = reseller_price(cost, rules.reseller, rules.provider_default)
        return TierPrices(cost=cost, reseller=bought, customer=customer_price(bought, rules.customer,
                                                                             rules.reseller_default))  # fmt: skip

    def promoted_tier_prices(self, viewer: CatalogViewer, item: CatalogItem, promotion: Promotion) -> TierPrices:
        """The item's price at every tier under a promotion: Microsoft's discounted cost for the provider, and
        the reseller's and customer's own prices less the provider's pass-through share of the discount."""
        regular = self.tier_prices(viewer, item)
        share = self._catalog.get_settings(viewer.provider_id).promotion_pass_through
        percent = promotion.discount_percent
        return TierPrices(
            cost=replace(regular.cost, amount=discounted(regular.cost.amount, percent)),
            reseller=replace(regular.reseller, amount=passed_down(regular.reseller.amount, percent, share)),
            customer=replace(regular.customer, amount=passed_down(regular.customer.amount, percent, share)),
        )

    def promotion_offers(
        self, viewer: CatalogViewer, country: str, *, now: datetime
    ) -> list[tuple[Promotion, list[PromotedOffer]]]:
        """The market's active promotions, each with the items it applies to at the viewer's own price and under
        the promotion (resellers and customers: only items they may buy)."""
        country = _market(country)
        promotions = [p for p in self._catalog.promotions(viewer.provider_id, country) if p.is_active(now)]
        if not promotions:
            return []
        rules = self._rules(viewer)
        share = self._catalog.get_settings(viewer.provider_id).promotion_pass_through
        items = [
            item for item in self._catalog.iter_market(viewer.provider_id, country)
            if item.is_active and (viewer.tier is Tier.COST or item.sellable)
        ]  # fmt: skip
        found: list[tuple[Promotion, list[PromotedOffer]]] = []
        for promotion in promotions:
            offers = []
            for item in items:
                if not promotion.applies_to(item):
                    continue
                price = self._price(item, viewer.tier, rules).amount
                if viewer.tier is Tier.COST:
                    promoted = discounted(price, promotion.discount_percent)
                else:
                    promoted = passed_down(price, promotion.discount_percent, share)
                offers.append(PromotedOffer(item, price, promoted))
            found.append((promotion, sorted(offers, key=lambda o: o.item.catalog_item_id)))
        return found

    def history(self, provider_id: str) -> PricingHistory:
        """Every version of the provider's pricing (read once per billing run)."""
        return self._pricing.history(provider_id)

    def tier_price_schedule(
        self,
        viewer: CatalogViewer,
        item: CatalogItem,
        *,
        history: PricingHistory | None = None,
        costs: list[tuple[datetime, Decimal]] | None = None,
    ) -> list[tuple[datetime | None, TierPrices]]:
        """The item's tier prices as its cost and the pricing rules stood over time: the first entry (moment None)
        holds before any recorded change, each later one from its moment on. Billing prices a charge with the entry
        in force on the charge's start date. `costs` are the item's recorded costs, oldest first."""
        if viewer.tier is not Tier.CUSTOMER or viewer.reseller_id is None or viewer.customer_id is None:
            raise ValueError("tier prices are computed for a customer")
        history = history or self._pricing.history(viewer.provider_id)
        keys = [reseller_row(viewer.reseller_id), PROVIDER_DEFAULT_ROW, customer_row(viewer.customer_id),
                reseller_default_row(viewer.reseller_id)]  # fmt: skip
        costs = costs or []
        changes = sorted(set(history.changes(keys)) | {moment for moment, _ in costs})
        first = changes[0] if changes else None
        schedule = []
        for moment in [None, *changes]:
            at = moment if moment is not None else (first - timedelta(microseconds=1) if first else None)
            rules = _Rules(history.rule_at(keys[0], at), history.margin_at(keys[1], at),
                           history.rule_at(keys[2], at), history.margin_at(keys[3], at))  # fmt: skip
            cost = provider_cost(replace(item, cost=_cost_at(costs, at, item.cost)))
            bought = reseller_price(cost, rules.reseller, rules.provider_default)
            schedule.append((moment, TierPrices(cost=cost, reseller=bought,
                                                customer=customer_price(bought, rules.customer,
                                                                        rules.reseller_default))))  # fmt: skip
        return schedule

    # -- writing pricing -----------------------------------------------------------------------------------------

    def _lookup(self, provider_id: str, body: Any) -> Callable[[str], Collection[str]]:
        overrides = body.get("overrides") if isinstance(body, Mapping) else None
        if isinstance(overrides, list) and len(overrides) > _BULK_LOOKUP_FROM:
            known = self._catalog.currencies_by_item(provider_id)
            return lambda item_id: known.get(item_id, frozenset())
        cache: dict[str, frozenset[str]] = {}

        def lookup(item_id: str) -> frozenset[str]:
            if item_id not in cache:
                cache[item_id] = self._catalog.currencies_of(provider_id, item_id)
            return cache[item_id]

        return lookup

    def get_reseller_pricing(self, provider_id: str, reseller_id: str) -> StoredPricing:
        return self._pricing.get_reseller_pricing(provider_id, reseller_id)

    def get_customer_pricing(self, provider_id: str, customer_id: str) -> StoredPricing:
        return self._pricing.get_customer_pricing(provider_id, customer_id)

    def set_reseller_pricing(
        self, actor: Principal | str, provider_id: str, reseller_id: str, body: Any, *, if_match: str | None = None
    ) -> StoredPricing:
        """Replaces what the provider charges a reseller: `{margin, overrides: [{catalogItemId, price, currency?}]}`."""
        rule = parse_pricing(body, self._lookup(provider_id, body))
        org = OrgRef(OrgType.RESELLER, reseller_id, provider_id=provider_id)

        def write(current: StoredPricing) -> StoredPricing:
            return self._pricing.put_reseller_pricing(
                provider_id, reseller_id, rule, etag=current.etag, actor_id=_actor_id(actor), now=self._clock()
            )

        return self._replace(
            actor, org, "resellerPricing", reseller_id, lambda: self.get_reseller_pricing(provider_id, reseller_id),
            write, if_match,
        )  # fmt: skip

    def set_customer_pricing(
        self,
        actor: Principal | str,
        provider_id: str,
        reseller_id: str,
        customer_id: str,
        body: Any,
        *,
        if_match: str | None = None,
    ) -> StoredPricing:
        """Replaces what a reseller charges its customer (margin over the reseller's own price, overrides)."""
        rule = parse_pricing(body, self._lookup(provider_id, body))
        org = OrgRef(OrgType.CUSTOMER, customer_id, provider_id=provider_id, reseller_id=reseller_id)

        def write(current: StoredPricing) -> StoredPricing:
            if current.reseller_id and current.reseller_id != reseller_id:
                raise Conflict(f"customer {customer_id} is priced by another reseller")
            return self._pricing.put_customer_pricing(
                provider_id,
                customer_id,
                reseller_id,
                rule,
                etag=current.etag,
                actor_id=_actor_id(actor),
                now=self._clock(),
            )

        return self._replace(
            actor, org, "customerPricing", customer_id, lambda: self.get_customer_pricing(provider_id, customer_id),
            write, if_match,
        )  # fmt: skip

    def _replace(
        self,
        actor: Principal | str,
        org: OrgRef,
        entity_type: str,
        entity_id: str,
        read: Callable[[], StoredPricing],
        write: Callable[[StoredPricing], StoredPricing],
        if_match: str | None,
    ) -> StoredPricing:
        for _ in range(_WRITE_ATTEMPTS):
            current = read()
            if if_match is not None and if_match != current.version:
                raise PreconditionFailed(f"{entity_type} of {entity_id} changed since it was read")
            try:
                stored = write(current)
            except PricingChanged:
                if if_match is not None:
                    raise PreconditionFailed(f"{entity_type} of {entity_id} changed since it was read") from None
                continue
            self._audit.record(
                actor=actor,
                action=f"{entity_type}.replaced",
                entity_type=entity_type,
                entity_id=entity_id,
                org=org,
                before=current.rule if current.etag else None,
                after=stored.rule,
                at=stored.updated_at,
            )
            return stored
        raise Conflict(f"{entity_type} of {entity_id} kept changing; try again")

    def get_provider_default_margin(self, provider_id: str) -> StoredMargin:
        return self._pricing.get_provider_default(provider_id)

    def get_reseller_default_margin(self, provider_id: str, reseller_id: str) -> StoredMargin:
        return self._pricing.get_reseller_default(provider_id, reseller_id)

    def set_provider_default_margin(self, actor: Principal | str, provider_id: str, margin: Any) -> StoredMargin:
        """The margin over cost for every reseller without its own ("0.12", or null for none)."""
        value = parse_margin(margin)
        return self._replace_margin(
            actor,
            OrgRef(OrgType.PROVIDER, provider_id),
            "providerDefaultMargin",
            provider_id,
            lambda: self._pricing.get_provider_default(provider_id),
            lambda current: self._pricing.put_provider_default(
                provider_id, value, etag=current.etag, actor_id=_actor_id(actor), now=self._clock()
            ),
        )

    def set_reseller_default_margin(
        self, actor: Principal | str, provider_id: str, reseller_id: str, margin: Any
    ) -> StoredMargin:
        """The reseller's margin over its own price for every customer without its own."""
        value = parse_margin(margin)
        return self._replace_margin(
            actor,
            OrgRef(OrgType.RESELLER, reseller_id, provider_id=provider_id),
            "resellerDefaultMargin",
            reseller_id,
            lambda: self._pricing.get_reseller_default(provider_id, reseller_id),
            lambda current: self._pricing.put_reseller_default(
                provider_id, reseller_id, value, etag=current.etag, actor_id=_actor_id(actor), now=self._clock()
            ),
        )

    def _replace_margin(
        self,
        actor: Principal | str,
        org: OrgRef,
        entity_type: str,
        entity_id: str,
        read: Callable[[], StoredMargin],
        write: Callable[[StoredMargin], StoredMargin],
    ) -> StoredMargin:
        for _ in range(_WRITE_ATTEMPTS):
            current = read()
            try:
                stored = write(current)
            except PricingChanged:
                continue
            self._audit.record(
                actor=actor,
                action=f"{entity_type}.replaced",
                entity_type=entity_type,
                entity_id=entity_id,
                org=org,
                before={"margin": current.margin} if current.etag else None,
                after={"margin": stored.margin},
                at=stored.updated_at,
            )
            return stored
        raise Conflict(f"{entity_type} of {entity_id} kept changing; try again")


def _market(country: str) -> str:
    try:
        return check_country(country)
    except ValueError as error:
        raise Invalid(str(error), [FieldError("country", "a two-letter country code, such as NL")]) from None


def _actor_id(actor: Principal | str) -> str:
    return actor if isinstance(actor, str) else actor.user_id


__all__ = [
    "CatalogViewer",
    "PreconditionFailed",
    "PricedItem",
    "PricedPage",
    "PricingService",
    "TierPrices",
]
