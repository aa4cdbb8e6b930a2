"""Billing reconciliation rules (docs/business.md#billing-runs). Pure: no I/O.

Every Microsoft line is matched to our subscription, customer and reseller, priced at each tier and checked:

- provider cost is Microsoft's own amount (`subtotal`, else effective unit price x quantity);
- reseller and customer charges are the tier unit prices of the line's catalog item, scaled by the proration factor
  Microsoft applied (effective unit price / unit price; else subtotal / (unit price x quantity); else charged days /
  cycle days), each rounded once per line, half up, at the currency's minor unit;
- totals are sums of rounded lines, so any total can be traced back to the lines (and their Microsoft line ids).

Discrepancies name the money at stake from the provider's side (Microsoft's amounts against ours), positive when
Microsoft charges more than we expect.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any, Protocol

from shared.domain.money import EXACT, MINOR_UNITS, format_decimal
from shared.domain.promotions import DEFAULT_PASS_THROUGH, discounted, passed_down

ZERO = Decimal(0)
ONE = Decimal(1)
# Charge types that change seats inside a cycle; everything else charges a whole cycle at its seat count.
# (unconfirmed) Partner Center's full list of charge types; these are the documented and observed ones.
ADDING_CHARGES = frozenset({"addquantity"})
REMOVING_CHARGES = frozenset({"removequantity", "cancel", "refund"})
CANCELLING_CHARGES = frozenset({"cancel", "refund"})
_UNKNOWN_SUBSCRIPTION = "Microsoft charged a subscription the platform does not know"
_UNKNOWN_CUSTOMER = _UNKNOWN_SUBSCRIPTION + " (nor its customer tenant)"
_CYCLE_MONTHS = {"monthly": 1, "annual": 12, "triennial": 36}
_FREQUENCY_MONTHS = {"monthly": 1, "annual": 12, "triennial": 36, "onetime": 1}


class RunKind(StrEnum):
    """What a billing run reads: an invoice's billed reconciliation lines, or the open period's unbilled ones."""

    BILLED = "billed"
    UNBILLED = "unbilled"


class RunStatus(StrEnum):
    """Where a billing run stands: its message sent, a worker holding its lease, done, or given up on."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class DiscrepancyKind(StrEnum):
    """The kinds the billing API names (the sandbox's reconciliation route takes the same names)."""

    UNKNOWN_SUBSCRIPTION = "unknownSubscription"
    QUANTITY_MISMATCH = "quantityMismatch"
    PRICE_MISMATCH = "priceMismatch"
    MISSING_CHARGE = "missingCharge"
    ENDED_RELATIONSHIP = "endedRelationship"
    PARTNER_OF_RECORD_MISMATCH = "partnerOfRecordMismatch"
    # A charge of a subscription we know that has no reseller or customer price: billed to nobody unless seen.
    UNPRICED_CHARGE = "unpricedCharge"


_UNKNOWN = DiscrepancyKind.UNKNOWN_SUBSCRIPTION


class ChargeLine(Protocol):
    """What billing reads from one of Microsoft's reconciliation lines (shared.partner_center's line fits)."""

    @property
    def line_id(self) -> str: ...

    subscription_id: str | None
    customer_tenant_id: str | None
    reseller_mpn_id: str | None
    invoice_number: str | None
    product_id: str | None
    sku_id: str | None
    availability_id: str | None
    catalog_item_id: str | None
    charge_type: str | None  # lower-cased
    charge_type_as_sent: str | None  # as Microsoft spells it
    currency: str | None
    pricing_currency: str | None
    billing_frequency: str | None
    unit_price: Decimal | None
    effective_unit_price: Decimal | None
    quantity: Decimal | None
    subtotal: Decimal | None
    exchange_rate: Decimal | None
    charge_start: datetime | None
    charge_end: datetime | None


@dataclass(frozen=True, slots=True)
class KnownSubscription:
    """Our mirror of a subscription, as billing needs it."""

    id: str
    customer_id: str
    reseller_id: str
    catalog_item_id: str | None
    quantity: int
    status: str
    term_duration: str
    billing_cycle: str
    term_start_date: datetime | None


@dataclass(frozen=True, slots=True)
class KnownCustomer:
    id: str
    reseller_id: str
    tenant_id: str | None
    status: str
    ended_at: datetime | None = None
    currency: str | None = None  # the currency its market bills in, when known


@dataclass(frozen=True, slots=True)
class KnownReseller:
    id: str
    partner_id: str


@dataclass(frozen=True, slots=True)
class UnitPrices:
    """One catalog item's unit price per billing period at each tier (unrounded), in the item's currency."""

    catalog_item_id: str
    currency: str
    cost: Decimal | None
    reseller: Decimal | None
    customer: Decimal | None


@dataclass(frozen=True)
class Lookups:
    """Everything a run matches lines against, loaded once per run (small next to the lines)."""

    subscriptions: Mapping[str, KnownSubscription]  # by lower-case subscription id
    customers: Mapping[str, KnownCustomer]  # by customer id
    customers_by_tenant: Mapping[str, KnownCustomer]  # by lower-case tenant id
    resellers: Mapping[str, KnownReseller]  # by reseller id
    prices: Mapping[str, Mapping[str, UnitPrices]]  # by subscription id (lower case), then currency
    # The same, as the pricing rules stood over time: (in force from, prices), oldest first; None = from the start.
    schedules: Mapping[str, Mapping[str, tuple[tuple[datetime | None, UnitPrices], ...]]] = field(default_factory=dict)
    # Promotions by lower-case id -> discount percent, and the pass-through share (docs/business.md#promotions)
    promotions: Mapping[str, Decimal] = field(default_factory=dict)
    pass_through: Decimal = DEFAULT_PASS_THROUGH

    @classmethod
    def build(
        cls,
        subscriptions: list[KnownSubscription],
        customers: list[KnownCustomer],
        resellers: list[KnownReseller],
        prices: Mapping[str, Mapping[str, UnitPrices]],
        schedules: Mapping[str, Mapping[str, tuple[tuple[datetime | None, UnitPrices], ...]]] | None = None,
        promotions: Mapping[str, Decimal] | None = None,
        pass_through: Decimal = DEFAULT_PASS_THROUGH,
    ) -> Lookups:
        return cls(
            subscriptions={s.id.lower(): s for s in subscriptions},
            customers={c.id: c for c in customers},
            customers_by_tenant={c.tenant_id.lower(): c for c in customers if c.tenant_id},
            resellers={r.id: r for r in resellers},
            prices={key.lower(): value for key, value in prices.items()},
            schedules={key.lower(): value for key, value in (schedules or {}).items()},
            promotions={key.lower(): value for key, value in (promotions or {}).items()},
            pass_through=pass_through,
        )


def in_force(schedule: tuple[tuple[datetime | None, UnitPrices], ...], moment: datetime | None) -> UnitPrices:
    """The prices in force on a charge's start date: the last entry from that day or before (the first when none
    is). Charge dates are whole days (Microsoft's start at midnight UTC), so a change made during a day applies to
    the charges starting that day: pricing set for a new customer just before its first order applies to it."""
    chosen = schedule[0][1]
    for effective, prices in schedule:
        if effective is None or moment is None or effective.date() <= moment.date():
            chosen = prices
        else:
            break
    return chosen


_EXPONENTS: dict[str, Decimal] = {}


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Half up (ties away from zero) at the currency's minor unit; the one rounding a line gets."""
    exponent = _EXPONENTS.get(currency)
    if exponent is None:
        exponent = _EXPONENTS[currency] = Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))
    rounded = amount.quantize(exponent, rounding=ROUND_HALF_UP, context=EXACT)
    return rounded if rounded or not rounded.is_signed() else -rounded  # never "-0.00"


def amount_text(value: Decimal | str | None, currency: str) -> str | None:
    """An amount as the API writes it: plain digits at the currency's minor unit ("23.00", JPY "2300"), rounded
    half up when it has more places; None stays None (not known)."""
    if value is None:
        return None
    places = MINOR_UNITS.get(currency, 2)
    text = value if value.__class__ is str else str(value)
    dot = text.find(".")
    at_minor_unit = (dot < 0 and places == 0) or (dot >= 0 and len(text) - dot - 1 == places)
    if at_minor_unit and "E" not in text and "e" not in text and (text[0] != "-" or text.strip("-0.") != ""):
        return text
    return _rounded_text(text, currency)


@lru_cache(maxsize=4096)
def _rounded_text(text: str, currency: str) -> str:
    """A period's prices repeat: each is rounded once."""
    return format_decimal(round_money(Decimal(text), currency))


def whole_quantity(value: Decimal | int | str | None) -> int:
    """A line's quantity as the API writes it: a whole number of licences (half up, should Microsoft ever send a
    fraction)."""
    if value is None:
        return 0
    if value.__class__ is int:
        return value
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    whole = int(number)
    return whole if whole == number else int(number.to_integral_value(rounding=ROUND_HALF_UP))


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later, clamped to the month's last day (how new-commerce cycles are anniversaried)."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def is_credit(line: ChargeLine) -> bool:
    """A refund or seat removal: Microsoft writes positive quantities with negative amounts."""
    kind = (line.charge_type or "").lower()
    if kind in REMOVING_CHARGES:
        return True
    return any(amount is not None and amount < 0 for amount in (line.subtotal, line.effective_unit_price))


def proration_factor(line: ChargeLine) -> Decimal:
    """The share of a full billing period Microsoft charged (negative for credits)."""
    unit, effective = line.unit_price, line.effective_unit_price
    sign = -ONE if is_credit(line) else ONE
    # (unconfirmed) Microsoft documents no formula; the effective unit price is the prorated unit price, which keeps
    # more digits than the subtotal (rounded to a cent), so it is preferred.
    if unit and effective is not None:
        return sign * abs(EXACT.divide(effective, unit))
    quantity, subtotal = line.quantity, line.subtotal
    if unit and quantity and subtotal is not None:
        return sign * abs(EXACT.divide(subtotal, EXACT.multiply(unit, quantity)))
    if line.charge_start is not None and line.charge_end is not None:
        months = _FREQUENCY_MONTHS.get((line.billing_frequency or "monthly").lower(), 1)
        cycle_end = line.charge_end.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        cycle_start = add_months(cycle_end, -months)
        charged = (cycle_end - line.charge_start.replace(hour=0, minute=0, second=0, microsecond=0)).days
        whole = (cycle_end - cycle_start).days
        if whole > 0:
            return sign * EXACT.divide(Decimal(charged), Decimal(whole))
    return sign


def provider_cost(line: ChargeLine) -> Decimal:
    """What Microsoft charges the provider for the line (unrounded)."""
    if line.subtotal is not None:
        return line.subtotal
    unit = line.effective_unit_price if line.effective_unit_price is not None else line.unit_price
    if unit is None or line.quantity is None:
        return ZERO
    amount = EXACT.multiply(unit, line.quantity)
    return -abs(amount) if is_credit(line) else amount


def tier_charge(
    unit_price: Decimal | None,
    quantity: Decimal,
    factor: Decimal,
    exchange_rate: Decimal | None,
    currency: str,
    price_currency: str | None = None,
) -> Decimal | None:
    """A tier's charge for the line: the unit price as shown (rounded at its currency's minor unit, so a reseller can
    check it by hand: shown price x quantity) x quantity x proration (x exchange rate), rounded once more."""
    if unit_price is None:
        return None
    shown = round_money(unit_price, price_currency or currency)
    amount = EXACT.multiply(EXACT.multiply(shown, quantity), factor)
    if exchange_rate is not None and exchange_rate != ONE:
        amount = EXACT.multiply(amount, exchange_rate)
    return round_money(amount, currency)


@dataclass(frozen=True, slots=True)
class Discrepancy:
    kind: DiscrepancyKind
    subscription_id: str | None
    customer_id: str | None
    reseller_id: str | None
    amount: Decimal
    currency: str
    detail: str
    line_item_ids: tuple[str, ...] = ()


_DAYS: dict[datetime, str] = {}


def _day_text(moment: datetime | None) -> str | None:
    """The charge date as written in exports; a period's lines share few dates, so each is formatted once."""
    if moment is None:
        return None
    text = _DAYS.get(moment)
    if text is None:
        if len(_DAYS) >= 4096:
            _DAYS.clear()
        text = _DAYS[moment] = moment.date().isoformat()
    return text


@dataclass(frozen=True, slots=True)
class PricedLine:
    """One Microsoft line priced at each tier (rounded), with the Microsoft line id behind it."""

    line_item_id: str
    invoice_number: str | None
    subscription_id: str | None
    customer_id: str | None
    reseller_id: str | None
    customer_tenant_id: str | None
    catalog_item_id: str | None
    charge_type: str | None
    charge_start: datetime | None
    charge_end: datetime | None
    quantity: Decimal
    currency: str
    unit_price: Decimal | None
    effective_unit_price: Decimal | None
    proration: Decimal
    provider_cost: Decimal
    reseller_charge: Decimal | None
    customer_charge: Decimal | None
    billable: bool  # matched to our subscription: counted in reseller and customer totals
    pricing_currency: str | None = None  # the currency of Microsoft's unit prices, when it is not the line's

    def to_record(self) -> dict[str, Any]:
        """Every field as stored in the line blob, as the API answers it: the quantity a whole number, money as
        decimal strings at the minor unit, the charge type as Microsoft spells it."""
        currency = self.currency
        prices_in = self.pricing_currency or currency
        return {
            "lineItemIds": [self.line_item_id],
            "invoiceNumber": self.invoice_number,
            "subscriptionId": self.subscription_id,
            "customerId": self.customer_id,
            "resellerId": self.reseller_id,
            "customerTenantId": self.customer_tenant_id,
            "catalogItemId": self.catalog_item_id,
            "chargeType": self.charge_type,
            "chargeStartDate": _day_text(self.charge_start),
            "chargeEndDate": _day_text(self.charge_end),
            "quantity": whole_quantity(self.quantity),
            "currency": currency,
            "pricingCurrency": prices_in,
            "unitPrice": amount_text(self.unit_price, prices_in),
            "effectiveUnitPrice": amount_text(self.effective_unit_price, prices_in),
            "proration": _text(self.proration),
            # already rounded once at the minor unit (round_money), so written as they are
            "providerCost": _text(self.provider_cost),
            "resellerCharge": _text(self.reseller_charge),
            "customerCharge": _text(self.customer_charge),
            "billable": self.billable,
        }


def _text(value: Decimal | None) -> str | None:
    """A decimal in plain notation (str() is the fast path; it only uses an exponent for very large or small values)."""
    if value is None:
        return None
    text = str(value)
    return format_decimal(value) if "E" in text else text


# Money fields of a line: amounts in the line's currency, and Microsoft's unit prices (in its pricing currency).
AMOUNT_FIELDS = ("providerCost", "resellerCharge", "customerCharge")
UNIT_PRICE_FIELDS = ("unitPrice", "effectiveUnitPrice")


def shown_line(record: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """A stored line as the API answers it: exactly `fields` (a field the caller may not read is absent; one that is
    not known is None), the quantity a whole number and money at the minor unit (lines stored before these rules
    are brought to them here; lines stored since pass through as they are)."""
    shown = {name: record.get(name) for name in fields}
    if "quantity" in shown and shown["quantity"].__class__ is not int:
        shown["quantity"] = whole_quantity(shown["quantity"])
    currency = str(record.get("currency") or "")
    for name in AMOUNT_FIELDS:
        if name in shown:
            shown[name] = amount_text(shown[name], currency)
    prices_in = str(record.get("pricingCurrency") or currency)
    for name in UNIT_PRICE_FIELDS:
        if name in shown:
            shown[name] = amount_text(shown[name], prices_in)
    return shown


# Fields each audience may see of a stored line: reseller staff never see Microsoft's prices or the provider cost.
PROVIDER_FIELDS = (
    "lineItemIds", "invoiceNumber", "subscriptionId", "customerId", "resellerId", "customerTenantId", "catalogItemId",
    "chargeType", "chargeStartDate", "chargeEndDate", "quantity", "currency", "unitPrice", "effectiveUnitPrice",
    "proration", "providerCost", "resellerCharge", "customerCharge", "billable",
)  # fmt: skip
RESELLER_FIELDS = (
    "lineItemIds", "subscriptionId", "customerId", "resellerId", "catalogItemId", "chargeType", "chargeStartDate",
    "chargeEndDate", "quantity", "currency", "proration", "resellerCharge", "customerCharge",
)  # fmt: skip
CUSTOMER_FIELDS = (
    "lineItemIds", "subscriptionId", "customerId", "catalogItemId", "chargeType", "chargeStartDate", "chargeEndDate",
    "quantity", "currency", "proration", "customerCharge",
)  # fmt: skip


def expects_charge(subscription: KnownSubscription, start: datetime, end: datetime) -> bool:
    """Whether a billing cycle of the subscription starts in [start, end): Microsoft bills each cycle when it starts."""
    anchor = subscription.term_start_date
    if anchor is None or anchor >= end:
        return False
    months = _CYCLE_MONTHS.get((subscription.billing_cycle or "monthly").lower(), 1)
    anchor = anchor.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = (start.year - anchor.year) * 12 + start.month - anchor.month
    index = max(0, elapsed // months - 1)
    while (begins := add_months(anchor, index * months)) < end:
        if begins >= start:
            return True
        index += 1
    return False


@dataclass
class _Tally:
    """What one known subscription's lines add up to in the period (for quantity and missing-charge checks)."""

    line_ids: list[str] = field(default_factory=list)
    baseline_start: datetime | None = None
    baseline_quantity: Decimal = ZERO
    unit: Decimal = ZERO  # the baseline line's prorated unit price, for the amount at stake
    currency: str = ""
    changes: list[tuple[datetime | None, Decimal]] = field(default_factory=list)
    cancelled: bool = False


@dataclass
class Totals:
    """Running sums of rounded lines, keyed by who pays and the currency."""

    resellers: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    customers: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)
    costs: dict[str, Decimal] = field(default_factory=dict)
    lines: int = 0
    billable_lines: int = 0
    unpriced_lines: int = 0
    # The lines each reseller and each customer may read (the billable ones), per currency.
    reseller_lines: dict[tuple[str, str], int] = field(default_factory=dict)
    customer_lines: dict[tuple[str, str, str], int] = field(default_factory=dict)


class Reconciler:
    """Prices lines one at a time and flags discrepancies; `finish()` adds the checks that need the whole period.

    Memory is bounded by what we know (subscriptions), never by the number of lines.
    """

    def __init__(
        self,
        lookups: Lookups,
        period_start: datetime,
        charges_expected_before: datetime,
        currencies_read: Iterable[str] | None = None,
    ) -> None:
        self.lookups = lookups
        self.period_start = period_start
        self.charges_expected_before = charges_expected_before
        # The currencies whose lines were read in full: a charge can only be missing from one of those.
        self.currencies_read = None if currencies_read is None else frozenset(currencies_read)
        self.totals = Totals()
        self._tallies: dict[str, _Tally] = {}

    def add(self, line: ChargeLine) -> tuple[PricedLine, list[Discrepancy]]:
        lookups = self.lookups
        line_id = line.line_id
        currency = line.currency or ""
        quantity = line.quantity if line.quantity is not None else ZERO
        cost = round_money(provider_cost(line), currency)
        totals = self.totals
        totals.lines += 1
        totals.costs[currency] = totals.costs.get(currency, ZERO) + cost
        found: list[Discrepancy] = []
        subscription_key = (line.subscription_id or "").lower()
        subscription = lookups.subscriptions.get(subscription_key)
        if subscription is not None:
            customer = lookups.customers.get(subscription.customer_id)
        else:
            customer = lookups.customers_by_tenant.get((line.customer_tenant_id or "").lower())
        reseller_id = subscription.reseller_id if subscription else (customer.reseller_id if customer else None)
        customer_id = subscription.customer_id if subscription else (customer.id if customer else None)
        if subscription is None:
            found.append(Discrepancy(
                _UNKNOWN, line.subscription_id, customer_id, reseller_id, cost, currency,
                _UNKNOWN_SUBSCRIPTION if customer else _UNKNOWN_CUSTOMER, (line_id,)))  # fmt: skip
            if customer is not None and customer.status == "ended":
                found.extend(self._ended(line, customer, None, cost, currency, line_id))
            priced = PricedLine(
                line_id, line.invoice_number, line.subscription_id, customer_id, reseller_id,
                line.customer_tenant_id, line.catalog_item_id, line.charge_type_as_sent, line.charge_start,
                line.charge_end, quantity, currency, line.unit_price, line.effective_unit_price, ONE, cost, None, None,
                False, line.pricing_currency)  # fmt: skip
            return priced, found
        factor = proration_factor(line)
        prices = self._prices_for(subscription, line)
        rate = line.exchange_rate if prices is not None and prices.currency != currency else None
        reseller_charge = customer_charge = None
        if prices is not None:
            reseller_charge = tier_charge(prices.reseller, quantity, factor, rate, currency, prices.currency)
            customer_charge = tier_charge(prices.customer, quantity, factor, rate, currency, prices.currency)
            if prices.cost is not None and line.unit_price is not None and line.unit_price != prices.cost:
                stake = round_money(EXACT.multiply(EXACT.multiply(line.unit_price - prices.cost, quantity), factor)
                                    * (rate or ONE), currency)  # fmt: skip
                found.append(Discrepancy(
                    DiscrepancyKind.PRICE_MISMATCH, subscription.id, customer_id, reseller_id, stake, currency,
                    f"Microsoft's unit price {format_decimal(line.unit_price)} differs from our catalog cost "
                    f"{format_decimal(prices.cost)} {prices.currency} for {prices.catalog_item_id}",
                    (line_id,)))  # fmt: skip
        if reseller_charge is None or customer_charge is None:
            totals.unpriced_lines += 1
            missing = [tier for tier, charge in (("reseller", reseller_charge), ("customer", customer_charge))
                       if charge is None]  # fmt: skip
            item = subscription.catalog_item_id or line.catalog_item_id or "the item"
            found.append(Discrepancy(
                DiscrepancyKind.UNPRICED_CHARGE, subscription.id, customer_id, reseller_id, cost, currency,
                f"no {' or '.join(missing)} price for {item} in {currency}: this charge is billed to nobody",
                (line_id,)))  # fmt: skip
        reseller = lookups.resellers.get(subscription.reseller_id)
        if reseller is not None and line.reseller_mpn_id != reseller.partner_id:
            on_line = line.reseller_mpn_id or "missing"
            found.append(Discrepancy(
                DiscrepancyKind.PARTNER_OF_RECORD_MISMATCH, subscription.id, customer_id, reseller_id, cost, currency,
                f"partner of record on the line is {on_line}, the reseller's partner ID is {reseller.partner_id}",
                (line_id,)))  # fmt: skip
        if customer is not None and customer.status == "ended":
            found.extend(self._ended(line, customer, subscription.id, cost, currency, line_id))
        self._tally(subscription, line, line_id, quantity, factor, currency)
        totals.billable_lines += 1
        key = (subscription.reseller_id, currency)
        ckey = (subscription.customer_id, subscription.reseller_id, currency)
        totals.reseller_lines[key] = totals.reseller_lines.get(key, 0) + 1
        totals.customer_lines[ckey] = totals.customer_lines.get(ckey, 0) + 1
        if reseller_charge is not None:
            totals.resellers[key] = totals.resellers.get(key, ZERO) + reseller_charge
        if customer_charge is not None:
            totals.customers[ckey] = totals.customers.get(ckey, ZERO) + customer_charge
        priced = PricedLine(
            line_id, line.invoice_number, subscription.id, customer_id, reseller_id, line.customer_tenant_id,
            prices.catalog_item_id if prices else subscription.catalog_item_id, line.charge_type_as_sent,
            line.charge_start, line.charge_end, quantity, currency, line.unit_price, line.effective_unit_price, factor,
            cost, reseller_charge, customer_charge, True, line.pricing_currency)  # fmt: skip
        return priced, found

    def _prices_for(self, subscription: KnownSubscription, line: ChargeLine) -> UnitPrices | None:
        """The tier prices the line is billed at: a line Microsoft priced under a promotion the catalog knows gets
        the promotion's (cost less the discount, lower tiers less the pass-through share), so it matches."""
        prices = self._regular_prices_for(subscription, line)
        promotion_id = (getattr(line, "promotion_id", None) or "").lower()
        percent = self.lookups.promotions.get(promotion_id) if promotion_id else None
        if prices is None or percent is None:
            return prices
        share = self.lookups.pass_through
        cost = discounted(prices.cost, percent)
        return replace(
            prices,
            # Microsoft charges the discounted price at the currency's minor unit (as the sandbox does; (unconfirmed))
            cost=None if cost is None else round_money(cost, prices.currency),
            reseller=passed_down(prices.reseller, percent, share),
            customer=passed_down(prices.customer, percent, share),
        )

    def _regular_prices_for(self, subscription: KnownSubscription, line: ChargeLine) -> UnitPrices | None:
        scheduled = self.lookups.schedules.get(subscription.id.lower())
        if scheduled:
            for currency in (line.pricing_currency, line.currency):
                if currency and currency in scheduled:
                    return in_force(scheduled[currency], line.charge_start)
        by_currency = self.lookups.prices.get(subscription.id.lower())
        if not by_currency:
            return None
        for currency in (line.pricing_currency, line.currency):
            if currency and currency in by_currency:
                return by_currency[currency]
        return None

    def _ended(
        self,
        line: ChargeLine,
        customer: KnownCustomer,
        subscription_id: str | None,
        cost: Decimal,
        currency: str,
        line_id: str,
    ) -> list[Discrepancy]:
        ended = customer.ended_at
        last_day = line.charge_end or line.charge_start
        if ended is not None and last_day is not None and last_day.date() < ended.date():
            return []
        when = ended.date().isoformat() if ended else "an unknown date"
        return [Discrepancy(DiscrepancyKind.ENDED_RELATIONSHIP, subscription_id, customer.id, customer.reseller_id,
                            cost, currency, f"charged after the customer's relationship ended on {when}",
                            (line_id,))]  # fmt: skip

    def _tally(
        self,
        subscription: KnownSubscription,
        line: ChargeLine,
        line_id: str,
        quantity: Decimal,
        factor: Decimal,
        currency: str,
    ) -> None:
        tally = self._tallies.get(subscription.id)
        if tally is None:
            tally = self._tallies[subscription.id] = _Tally(currency=currency)
        tally.line_ids.append(line_id)
        kind = (line.charge_type or "").lower()
        if kind in CANCELLING_CHARGES:
            tally.cancelled = True
        if kind in ADDING_CHARGES:
            tally.changes.append((line.charge_start, quantity))
        elif kind in REMOVING_CHARGES or factor < 0:
            tally.changes.append((line.charge_start, -quantity))
        elif tally.baseline_start is None or (
            line.charge_start is not None and line.charge_start >= tally.baseline_start
        ):
            tally.baseline_start = line.charge_start
            tally.baseline_quantity = quantity
            unit = line.effective_unit_price if line.effective_unit_price is not None else line.unit_price
            tally.unit = abs(unit) if unit is not None else ZERO

    def finish(self) -> list[Discrepancy]:
        """Checks over the whole period: seats charged against ours, and subscriptions Microsoft did not charge."""
        found: list[Discrepancy] = []
        lookups = self.lookups
        for subscription in lookups.subscriptions.values():
            tally = self._tallies.get(subscription.id)
            customer = lookups.customers.get(subscription.customer_id)
            if tally is None:
                if (
                    subscription.status == "active"
                    and customer is not None
                    and customer.status == "active"
                    and expects_charge(subscription, self.period_start, self.charges_expected_before)
                ):
                    prices = lookups.prices.get(subscription.id.lower()) or {}
                    known = [customer.currency] if customer.currency else sorted(prices)
                    read = [c for c in known if self.currencies_read is None or c in self.currencies_read]
                    if known and not read:
                        continue  # its currency's lines were not read: no charge can be called missing
                    chosen = prices.get(read[0]) if read else None
                    amount = (
                        ZERO
                        if chosen is None or chosen.cost is None
                        else round_money(chosen.cost * subscription.quantity, chosen.currency)
                    )
                    found.append(Discrepancy(
                        DiscrepancyKind.MISSING_CHARGE, subscription.id, subscription.customer_id,
                        subscription.reseller_id, amount, chosen.currency if chosen else (read[0] if read else ""),
                        "an active subscription had a billing cycle start in the period but no charge"))  # fmt: skip
                continue
            if tally.cancelled or subscription.status != "active" or tally.baseline_start is None:
                continue
            charged = tally.baseline_quantity + sum(
                (delta for at, delta in tally.changes
                 if at is None or tally.baseline_start is None or at >= tally.baseline_start), ZERO)  # fmt: skip
            if charged != subscription.quantity:
                amount = round_money((charged - subscription.quantity) * tally.unit, tally.currency)
                found.append(Discrepancy(
                    DiscrepancyKind.QUANTITY_MISMATCH, subscription.id, subscription.customer_id,
                    subscription.reseller_id, amount, tally.currency,
                    f"Microsoft charged {format_decimal(charged)} seat(s), "
                    f"the subscription has {subscription.quantity}",
                    tuple(tally.line_ids)))  # fmt: skip
        return found


def visible_fields(tier: str) -> tuple[str, ...]:
    """Which stored line fields a tier ("provider", "reseller", "customer") may read."""
    return {"provider": PROVIDER_FIELDS, "reseller": RESELLER_FIELDS, "customer": CUSTOMER_FIELDS}[tier]


__all__ = [
    "AMOUNT_FIELDS",
    "UNIT_PRICE_FIELDS",
    "ChargeLine",
    "Discrepancy",
    "DiscrepancyKind",
    "KnownCustomer",
    "KnownReseller",
    "KnownSubscription",
    "Lookups",
    "PricedLine",
    "Reconciler",
    "Totals",
    "UnitPrices",
    "amount_text",
    "expects_charge",
    "proration_factor",
    "provider_cost",
    "round_money",
    "shown_line",
    "tier_charge",
    "visible_fields",
    "whole_quantity",
]
