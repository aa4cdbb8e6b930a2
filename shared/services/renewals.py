"""What renews when and at what price, at the caller's own tier (docs/api-guide.md#renewals): a subscription's
next term, what it may change to at renewal or now (upgrades, trial conversions), the EST month's price, and the
calendar of renewals. Prices are always the caller's own buy price: provider staff see cost, reseller staff their
price, a customer its price; never the tier above."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from shared.domain.catalog import CatalogItem
from shared.domain.money import Money
from shared.domain.renewals import (
    DEFAULT_PREMIUM_RATE,
    EndOfTerm,
    extended_term_unit_price,
    monthly_item_id,
    next_term_total,
)
from shared.domain.scope import OrgType, Principal
from shared.domain.subscriptions import Subscription
from shared.services.pricing import CatalogViewer


class Quotes(Protocol):
    def quote(self, viewer: CatalogViewer, country: str, catalog_item_id: str) -> Any: ...


class Named(Protocol):
    def get(self, provider_id: str, entity_id: str) -> Any | None: ...


@dataclass(frozen=True)
class Priced:
    """A unit price and the total for a quantity at the caller's tier (unrounded; shown rounded)."""

    unit_price: Money
    total: Money


@dataclass(frozen=True)
class Target:
    """An item a subscription may move to, at the caller's price (None when it has none)."""

    item: CatalogItem
    unit_price: Money | None


@dataclass(frozen=True)
class NextTerm:
    item: CatalogItem | None
    catalog_item_id: str
    name: str
    quantity: int
    term_duration: str
    billing_cycle: str
    price: Priced | None


@dataclass(frozen=True)
class Upgrade:
    catalog_item_id: str
    name: str
    eligible: bool
    transition_types: tuple[str, ...]
    reasons: tuple[str, ...]
    unit_price: Money | None
    currency: str | None
    term_duration: str | None
    billing_cycle: str | None


@dataclass(frozen=True)
class RenewalEntry:
    sub: Subscription
    customer_name: str
    reseller_name: str
    renewal_date: date
    next_term: NextTerm | None
    price: Priced | None


def viewer_for(principal: Principal, sub: Subscription) -> CatalogViewer:
    """Whose buy price the caller sees: its own organisation's (the operator sees the provider's cost)."""
    org = principal.org
    if org.org_type is OrgType.RESELLER:
        return CatalogViewer(sub.provider_id, reseller_id=sub.reseller_id)
    if org.org_type is OrgType.CUSTOMER:
        return CatalogViewer(sub.provider_id, reseller_id=sub.reseller_id, customer_id=sub.customer_id)
    return CatalogViewer(sub.provider_id)


class RenewalService:
    def __init__(self, *, subscription_service: Any, subscriptions: Any, customers: Named, resellers: Named,
                 pricing: Quotes) -> None:  # fmt: skip
        self._service = subscription_service
        self._subscriptions = subscriptions
        self._customers = customers
        self._resellers = resellers
        self._pricing = pricing

    def _country(self, sub: Subscription) -> str | None:
        customer = self._customers.get(sub.provider_id, sub.customer_id)
        return getattr(customer, "country", None) or None

    def unit_price(self, principal: Principal, sub: Subscription, catalog_item_id: str) -> tuple[
        CatalogItem | None, Money | None]:  # fmt: skip
        """The item of the customer's market and the caller's unit price for it (None when it has no price)."""
        country = self._country(sub)
        if country is None:
            return None, None
        quoted = self._pricing.quote(viewer_for(principal, sub), country, catalog_item_id)
        if quoted is None:
            return self._service.market_item(sub, catalog_item_id), None
        return quoted.item, quoted.price.money

    def next_term(self, principal: Principal, sub: Subscription) -> NextTerm | None:
        """The term that follows at renewal (with the scheduled changes); EST: the premium month; cancel: None."""
        end = sub.end_of_term
        if sub.status != "active" or end is EndOfTerm.CANCEL:
            return None
        if end is EndOfTerm.EXTENDED_SERVICE_TERM:
            item, price = self.unit_price(principal, sub, monthly_item_id(sub.catalog_item_id or _item_of(sub)))
            rate = sub.extended_term.premium_rate if sub.extended_term else DEFAULT_PREMIUM_RATE
            unit = None if price is None else extended_term_unit_price(price, rate)
            priced = None if unit is None else Priced(unit, next_term_total(unit, sub.quantity))
            return NextTerm(item=item, catalog_item_id=item.catalog_item_id if item else monthly_item_id(_item_of(sub)),
                            name=item.title if item else sub.name, quantity=sub.quantity, term_duration="P1M",
                            billing_cycle="monthly", price=priced)  # fmt: skip
        scheduled = sub.scheduled
        item_id = scheduled.catalog_item_id if scheduled else (sub.catalog_item_id or _item_of(sub))
        quantity = scheduled.quantity if scheduled else sub.quantity
        item, price = self.unit_price(principal, sub, item_id)
        return NextTerm(item=item, catalog_item_id=item_id, name=item.title if item else sub.name, quantity=quantity,
                        term_duration=scheduled.term_duration if scheduled else sub.term_duration,
                        billing_cycle=scheduled.billing_cycle if scheduled else sub.billing_cycle,
                        price=None if price is None else Priced(price, next_term_total(price, quantity)))  # fmt: skip

    def extended_price(self, principal: Principal, sub: Subscription) -> tuple[Priced, Decimal] | None:
        """The EST month at the caller's tier: its own monthly price × (1 + premium), and the premium rate."""
        item, price = self.unit_price(principal, sub, monthly_item_id(sub.catalog_item_id or _item_of(sub)))
        if price is None:
            return None
        rate = sub.extended_term.premium_rate if sub.extended_term else DEFAULT_PREMIUM_RATE
        unit = extended_term_unit_price(price, rate)
        return Priced(unit, next_term_total(unit, sub.quantity)), rate

    def targets(self, principal: Principal, sub: Subscription) -> list[Target]:
        """What the subscription may change to at renewal: its own offer at each term and cycle of the market, and
        every item of its `scheduled` transition eligibilities, at the caller's price."""
        offers = [sub.offer_id] + [e.catalog_item_id for e in self._service.eligibilities(sub, "scheduled")
                                   if e.eligible]  # fmt: skip
        return [Target(item, price) for item, price in self._items_of(principal, sub, offers)]

    def upgrades(self, principal: Principal, sub: Subscription) -> list[Upgrade]:
        """Immediate eligibilities (for a trial: its conversions), one entry per item of the market."""
        found: list[Upgrade] = []
        for eligibility in self._service.eligibilities(sub, "immediate"):
            reasons = tuple(f"{text} ({code})" for code, text in eligibility.errors)
            items = list(self._items_of(principal, sub, [eligibility.catalog_item_id]))
            if not items:
                found.append(Upgrade(eligibility.catalog_item_id, eligibility.title, eligibility.eligible,
                                     eligibility.transition_types, reasons, None, None, None, None))  # fmt: skip
            for item, price in items:
                found.append(Upgrade(item.catalog_item_id, item.title or eligibility.title, eligibility.eligible,
                                     eligibility.transition_types, reasons, price, item.currency, item.term_duration,
                                     item.billing_cycle))  # fmt: skip
        return found

    def _items_of(self, principal: Principal, sub: Subscription, offers: Iterable[str]) -> Iterable[
        tuple[CatalogItem, Money | None]]:  # fmt: skip
        seen: set[str] = set()
        for offer in offers:
            for term, cycle in _TERMS:
                item_id = f"{offer}:{term}:{cycle}"
                if item_id.upper() in seen:
                    continue
                item, price = self.unit_price(principal, sub, item_id)
                if item is not None:
                    seen.add(item_id.upper())
                    yield item, price

    def calendar(self, principal: Principal, partition: str, start: date, end: date, *, limit: int,
                 position: dict[str, str] | None) -> tuple[list[RenewalEntry], dict[str, str] | None]:  # fmt: skip
        """Active subscriptions whose term ends in [start, end], soonest first, each with its next term's price."""
        begin = datetime.combine(start, time.min, tzinfo=UTC)
        until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
        subs, following = self._subscriptions.listed(partition, statuses=("active",), product_id=None,
                                                     term_ends_from=begin, term_ends_before=until, auto_renew=None,
                                                     limit=limit, position=position)  # fmt: skip
        names: dict[tuple[str, str], str] = {}

        def name(kind: str, repo: Named, provider_id: str, entity_id: str) -> str:
            if (kind, entity_id) not in names:
                found = repo.get(provider_id, entity_id)
                names[(kind, entity_id)] = str(getattr(found, "name", "") or "")
            return names[(kind, entity_id)]

        entries = []
        for sub in subs:
            renews = sub.end_of_term_date
            if renews is None:
                continue
            term = self.next_term(principal, sub)
            entries.append(RenewalEntry(sub=sub, customer_name=name("c", self._customers, sub.provider_id,
                                                                    sub.customer_id),
                                        reseller_name=name("r", self._resellers, sub.provider_id, sub.reseller_id),
                                        renewal_date=renews, next_term=term,
                                        price=term.price if term else None))  # fmt: skip
        return entries, following


_TERMS = (("P1M", "monthly"), ("P1Y", "monthly"), ("P1Y", "annual"), ("P3Y", "monthly"), ("P3Y", "annual"),
          ("P3Y", "triennial"), ("P1M", "none"))  # fmt: skip


def _item_of(sub: Subscription) -> str:
    return f"{sub.offer_id}:{sub.term_duration.upper()}:{sub.billing_cycle.lower()}"
