"""Invoices and reconciliation line items (docs/partner-center.md#reconciliation): generated per provider and period,
streamed by index.

A generated set holds the lines derived from the subscriptions the sandbox holds (few, kept in the state) followed
by `extraLines` synthetic lines that are computed from a seed and their index, never stored: any page of a
million-line set costs the same, and nothing holds the whole set in memory.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import operator
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import orjson
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from local.sandbox import catalog, coterm
from local.sandbox.auth import CallerDep, SandboxDep
from local.sandbox.clock import add_months, format_timestamp, parse_timestamp
from local.sandbox.commerce import settle
from local.sandbox.context import Sandbox
from local.sandbox.state import SandboxState
from local.sandbox.wire import PartnerCenterError, get_ci, link

router = APIRouter(prefix="/v1", tags=["Partner Center: invoices and reconciliation"])
control_router = APIRouter(prefix="/_sandbox", tags=["Sandbox control"])

MONEY_FIELDS = ("unitPrice", "effectiveUnitPrice", "subtotal", "taxTotal", "totalForCustomer", "pcToBCExchangeRate")
DISCREPANCY_KINDS = (
    "unknownSubscription", "quantityMismatch", "priceMismatch", "missingCharge", "endedRelationship",
    "partnerOfRecordMismatch",
)  # fmt: skip
MAX_PAGE_SIZE = 2000
MAX_EXTRA_LINES = 5_000_000
_PERIOD = re.compile(r"^(2\d{3})-(0[1-9]|1[0-2])$")  # years 2000-2999: real months only
_CYCLE_MONTHS = {"monthly": 1, "annual": 12, "triennial": 36}
_TERM_MONTHS = {"P1M": 1, "P1Y": 12, "P3Y": 36}
# (unconfirmed) how many digits Partner Center gives a prorated effective unit price; the sandbox keeps fourteen.
_PRORATED_DIGITS = Decimal("1E-14")
_CENT = Decimal("0.01")


def _minor(currency: str) -> Decimal:
    """Amounts are billed to the currency's minor unit (yen have none)."""
    return Decimal(1) if currency in _NO_MINOR_UNIT else _CENT


_NO_MINOR_UNIT = frozenset({"JPY", "KRW", "VND", "CLP", "ISK"})
_MASK = (1 << 64) - 1


def decimal_fragment(value: Any) -> Any:
    """orjson's hook for Decimal: the exact digits as a JSON number, never through float."""
    if isinstance(value, Decimal):
        return orjson.Fragment(format(value, "f").encode("ascii"))
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(value: Any) -> bytes:
    return orjson.dumps(value, default=decimal_fragment)


# Periods and keys ----------------------------------------------------------------------------------------------------


def period_window(period: str) -> tuple[dt.datetime, dt.datetime]:
    match = _PERIOD.match(period)
    if not match:
        raise ValueError(f"period must look like 2026-10, not {period!r}")
    start = dt.datetime(int(match.group(1)), int(match.group(2)), 1, tzinfo=dt.UTC)
    return start, add_months(start, 1)


def period_of(moment: dt.datetime, months_back: int = 0) -> str:
    start = add_months(dt.datetime(moment.year, moment.month, 1, tzinfo=dt.UTC), -months_back)
    return f"{start.year:04d}-{start.month:02d}"


def set_key(provider_tenant_id: str, period: str, kind: str) -> str:
    return f"{provider_tenant_id}|{period}|{kind}"


def _midnight(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _date_text(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT00:00:00Z")


# Lines derived from the sandbox's subscriptions ----------------------------------------------------------------------


@dataclass(frozen=True)
class LineContext:
    """What every line of one set shares: who bills whom, for which invoice."""

    provider: dict[str, Any]
    invoice_number: str
    rate_date: str


def _term_text(subscription: dict[str, Any]) -> str:
    length = {"P1M": "One-Month", "P1Y": "One-Year", "P3Y": "Three-Year"}.get(subscription["termDuration"], "")
    cycle = {"monthly": "monthly", "annual": "yearly", "triennial": "triennial"}.get(subscription["billingCycle"], "")
    return f"{length} commitment for {cycle} billing"


def subscription_price(changes: catalog.CatalogChanges, subscription: dict[str, Any]) -> Decimal:
    """The price the subscription was bought at (new commerce keeps it for the term); older records: the sheet's."""
    if subscription.get("unitPrice"):
        return Decimal(subscription["unitPrice"])
    sku = catalog.find_by_catalog_item_id(subscription["offerId"])
    cycle = {"monthly": "Monthly", "annual": "Annual", "triennial": "Triennial"}[subscription["billingCycle"]]
    term = catalog.find_term(sku, subscription["termDuration"], cycle) if sku else None
    if sku is None or term is None:
        raise ValueError(f"subscription {subscription['id']} names an offer the catalog does not have")
    return catalog.current_unit_price(changes, sku, subscription["country"], term)


def charge_line(
    context: LineContext, customer: dict[str, Any], subscription: dict[str, Any], order: dict[str, Any] | None, *,
    charge_type: str, quantity: int, unit_price: Decimal, fraction: Decimal, credit: bool, charge_start: dt.datetime,
    charge_end: dt.datetime, term_start: dt.datetime, term_end: dt.datetime,
) -> dict[str, Any]:  # fmt: skip
    """One OneTimeInvoiceLineItem as the v1 API spells it, money as Decimal."""
    product_id, sku_id, availability_id = subscription["offerId"].split(":")
    market = catalog.MARKETS.get(subscription["country"], catalog.MARKETS["NL"])
    sign = Decimal(-1) if credit else Decimal(1)
    effective = unit_price if fraction == 1 else (unit_price * fraction).quantize(_PRORATED_DIGITS, ROUND_HALF_UP)
    subtotal = (sign * unit_price * fraction * quantity).quantize(_minor(market.currency), ROUND_HALF_UP)
    reseller = subscription.get("partnerId") or ""
    return {
        "partnerId": context.provider["tenantId"],
        "customerId": f"org:{customer['tenantId']}",
        "customerName": customer["companyName"],
        "customerDomainName": customer["domain"],
        "customerCountry": customer["country"],
        "invoiceNumber": context.invoice_number,
        "mpnId": context.provider["partnerId"],
        "resellerMpnId": int(reseller) if reseller.isdigit() else 0,
        "orderId": subscription["orderId"],
        "orderDate": (order or {}).get("creationDate", subscription["creationDate"]),
        "productId": product_id,
        "skuId": sku_id,
        "availabilityId": availability_id,
        "productName": subscription["offerName"],
        "skuName": subscription["offerName"],
        "chargeType": charge_type,
        "unitPrice": unit_price,
        "effectiveUnitPrice": sign * effective,
        "unitType": "Licenses",
        "quantity": quantity,
        "subtotal": subtotal,
        "taxTotal": Decimal(0),
        "totalForCustomer": subtotal,
        "currency": market.currency,
        "publisherName": "Microsoft Corporation",
        "publisherId": "",
        "subscriptionDescription": subscription["offerName"],
        "subscriptionId": subscription["id"],
        "subscriptionStartDate": _date_text(term_start),
        "subscriptionEndDate": _date_text(term_end - dt.timedelta(days=1)),
        "chargeStartDate": _date_text(charge_start),
        "chargeEndDate": _date_text(charge_end - dt.timedelta(days=1)),
        "termAndBillingCycle": _term_text(subscription),
        "alternateId": (order or {}).get("alternateId", ""),
        "referenceId": "",
        "priceAdjustmentDescription": "",
        "discountDetails": "",
        "pricingCurrency": market.currency,
        "pcToBCExchangeRate": Decimal(1),
        "pcToBCExchangeRateDate": context.rate_date,
        "billableQuantity": quantity,
        "meterDescription": "",
        "billingFrequency": {"monthly": "Monthly", "annual": "Annual", "triennial": "Triennial"}.get(
            subscription["billingCycle"], "Monthly"
        ),
        "reservationOrderId": "",
        "creditReasonCode": "",
        "promotionId": subscription.get("promotionId") or "",
        "productQualifiers": [],
        "invoiceLineItemType": "billing_line_items",
        "billingProvider": "one_time",
        "attributes": {"objectType": "OneTimeInvoiceLineItem"},
    }


def _history(subscription: dict[str, Any]) -> list[tuple[dt.datetime, int, str]]:
    raw = subscription.get("history") or [
        {"at": subscription["purchasedAt"], "quantity": subscription["quantity"], "kind": "new"}
    ]
    return sorted(((parse_timestamp(h["at"]), int(h["quantity"]), h["kind"]) for h in raw), key=lambda h: h[0])


def segment_lines(
    context: LineContext, customer: dict[str, Any], subscription: dict[str, Any], order: dict[str, Any] | None,
    changes: catalog.CatalogChanges, window: tuple[dt.datetime, dt.datetime],
) -> list[dict[str, Any]]:  # fmt: skip
    """A subscription's charges in a period, term by term: the clock records a billing segment at each renewal
    (the new term's offer, price and quantity: 'renew') and each month of Extended Service Term (the premium price:
    'cycleCharge', (unconfirmed)); each segment is billed as a subscription bought at its start. Trials are free and
    produce no lines."""
    if subscription.get("isTrial"):
        return []
    segments = subscription.get("segments") or []
    if len(segments) < 2:
        return subscription_lines(context, customer, subscription, order, subscription_price(changes, subscription),
                                  window)  # fmt: skip
    history = subscription.get("history") or []
    lines: list[dict[str, Any]] = []
    for number, segment in enumerate(segments):
        begins = parse_timestamp(segment["from"])
        last = number == len(segments) - 1
        ends = parse_timestamp(segments[number + 1]["from"]) if not last else None
        if segment.get("until"):
            ends = min(ends, parse_timestamp(segment["until"])) if ends else parse_timestamp(segment["until"])
        kept = [{"at": segment["from"], "quantity": segment["quantity"], "kind": "new"}] + [
            h for h in history
            if h["kind"] not in ("new", "renew", "est", "expire")
            and begins < parse_timestamp(h["at"]) and (ends is None or parse_timestamp(h["at"]) < ends)
        ]  # fmt: skip
        view = {
            **subscription,
            **{k: segment[k] for k in ("offerId", "offerName", "unitPrice", "termDuration", "billingCycle",
                                       "customTermEndDate", "promotionId")},
            "purchasedAt": segment["from"],
            "history": kept,
        }  # fmt: skip
        first = {"new": "new", "renew": "renew", "est": "cycleCharge"}[segment["kind"]]
        # segments bill whole days, as cycles do: one ends at the midnight the next one's first cycle starts
        until = _midnight(ends) if ends is not None else None
        lines.extend(subscription_lines(context, customer, view, order, Decimal(segment["unitPrice"]), window,
                                        first_charge=first, until=until))  # fmt: skip
    return lines


def subscription_lines(
    context: LineContext, customer: dict[str, Any], subscription: dict[str, Any], order: dict[str, Any] | None,
    price: Decimal, window: tuple[dt.datetime, dt.datetime], *, first_charge: str = "new",
    until: dt.datetime | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """The charges a subscription incurs in a period, cycles anniversary-aligned from the purchase day (a co-termed
    subscription's counted back from its custom term end date, its short first cycle prorated by day).

    (unconfirmed) How Partner Center splits new-commerce charges: the sandbox bills each billing cycle in full in
    the period it starts in ('new' for the first, 'renew' at a term start, 'cycleCharge' otherwise), and bills
    seat changes and cancellations prorated by day over the rest of their cycle ('addQuantity', 'removeQuantity',
    'cancel'; credits carry negative amounts and positive quantities).
    """
    start, end = window
    history = _history(subscription)
    purchase_day = _midnight(history[0][0])
    cycle_months = _CYCLE_MONTHS.get(subscription["billingCycle"], 1)
    term_months = _TERM_MONTHS.get(subscription["termDuration"], 12)
    stop: dt.datetime | None = until
    if until is not None:
        pass  # a billing segment that a later term (or EST month) follows
    elif subscription["status"] == "deleted":
        stop = next((at for at, _, kind in reversed(history) if kind == "cancel"), None)
    elif subscription["status"] == "expired" or not subscription["autoRenewEnabled"]:
        stop = parse_timestamp(subscription["termEndsAt"])

    custom = coterm.parse_end_date(subscription.get("customTermEndDate"))
    custom_end = dt.datetime.combine(custom + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC) if custom else None
    first_end = coterm.first_cycle_end(purchase_day, custom_end, subscription["billingCycle"]) if custom_end else None
    cycles_in_first_term = 0
    while first_end is not None and add_months(first_end, cycles_in_first_term * cycle_months) < (
        custom_end or first_end
    ):
        cycles_in_first_term += 1

    def quantity_at(moment: dt.datetime) -> int:
        quantity = history[0][1]
        for at, value, _ in history:
            if at <= moment:
                quantity = value
        return quantity

    def cycle_start(index: int) -> dt.datetime:
        if first_end is not None:  # co-termed: the first cycle is short, later ones count from its end
            return purchase_day if index == 0 else add_months(first_end, (index - 1) * cycle_months)
        return add_months(purchase_day, index * cycle_months)

    def term_bounds(index: int) -> tuple[dt.datetime, dt.datetime]:
        if first_end is not None and custom_end is not None:
            months = (index - 1 - cycles_in_first_term) * cycle_months
            if index == 0 or months < 0:
                return purchase_day, custom_end
            first_month = months // term_months * term_months
            return add_months(custom_end, first_month), add_months(custom_end, first_month + term_months)
        first_month = (index * cycle_months) // term_months * term_months
        return add_months(purchase_day, first_month), add_months(purchase_day, first_month + term_months)

    def is_renewal(index: int) -> bool:
        if first_end is not None:
            months = (index - 1 - cycles_in_first_term) * cycle_months
            return index > 0 and months >= 0 and months % term_months == 0
        return index > 0 and (index * cycle_months) % term_months == 0

    def fraction_of(index: int) -> Decimal:
        if index == 0 and first_end is not None:
            return coterm.first_cycle_fraction(purchase_day, custom_end or first_end, subscription["billingCycle"])
        return Decimal(1)

    lines: list[dict[str, Any]] = []
    common = {"unit_price": price}
    index = 0
    while (begins := cycle_start(index)) < end and (stop is None or begins < stop):
        if begins >= start:
            quantity = history[0][1] if index == 0 else quantity_at(begins)
            if quantity > 0:
                kind = first_charge if index == 0 else "renew" if is_renewal(index) else "cycleCharge"
                term_start, term_end = term_bounds(index)
                lines.append(charge_line(
                    context, customer, subscription, order, charge_type=kind, quantity=quantity,
                    fraction=fraction_of(index), credit=False, charge_start=begins, charge_end=cycle_start(index + 1),
                    term_start=term_start, term_end=term_end, **common,
                ))  # fmt: skip
        index += 1
    previous = history[0][1]
    for at, quantity, kind in history[1:]:
        delta, previous = quantity - previous, quantity
        if not start <= at < end or delta == 0 or kind == "new":
            continue
        months = (at.year - purchase_day.year) * 12 + at.month - purchase_day.month
        index = max(0, months // cycle_months) if first_end is None else 0
        while cycle_start(index) > at:
            index -= 1
        while cycle_start(index + 1) <= at:
            index += 1
        cycle_begins, cycle_ends = cycle_start(index), cycle_start(index + 1)
        day = _midnight(at)
        fraction = Decimal((cycle_ends - day).days) / Decimal((cycle_ends - cycle_begins).days)
        term_start, term_end = term_bounds(index)
        lines.append(charge_line(
            context, customer, subscription, order, charge_type=kind if delta > 0 or kind == "cancel"
            else "removeQuantity", quantity=abs(delta), fraction=fraction, credit=delta < 0, charge_start=day,
            charge_end=cycle_ends, term_start=term_start, term_end=term_end, **common,
        ))  # fmt: skip
    return lines


# Synthetic load lines ------------------------------------------------------------------------------------------------


def _mix(value: int) -> int:
    """splitmix64: a cheap, well-spread hash, so line i is the same every time without any stored state."""
    z = (value + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _guid(value: int) -> str:
    text = f"{value & ((1 << 128) - 1):032x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-a{text[17:20]}-{text[20:]}"


class SyntheticLines:
    """Line i of a set's synthetic tail, as v1 JSON or v2 JSON bytes, built from pre-serialised fragments."""

    CUSTOMERS = 997
    RESELLERS = 53
    MAX_QUANTITY = 60

    def __init__(
        self, record: dict[str, Any], provider: dict[str, Any], changes: catalog.CatalogChanges, market: int = 0
    ) -> None:
        markets = synthetic_markets(record)
        country = markets[market]
        # the first market keeps the set's seed; each further one its own, so their ids never meet
        self.seed = int(record["seed"]) + market * 1_000_003
        total = int(record["extraLines"])
        self.count = total // len(markets) + (1 if market < total % len(markets) else 0)
        self.currency = catalog.MARKETS[country].currency
        invoice = (record.get("invoices") or {}).get(self.currency) or record.get("invoiceId") or ""
        start, end = period_window(record["period"])
        self.offers: list[tuple[catalog.Sku, catalog.Term, Decimal]] = [
            (sku, term, catalog.current_unit_price(changes, sku, country, term))
            for sku in catalog.SKUS for term in sku.terms if term.billing_cycle == "Monthly"
        ]  # fmt: skip
        rate_date = format_timestamp(start - dt.timedelta(seconds=1))
        shared = {
            "partnerId": provider["tenantId"], "invoiceNumber": invoice,
            "mpnId": provider["partnerId"], "orderDate": _date_text(start), "chargeType": "cycleCharge",
            "taxTotal": Decimal(0), "currency": self.currency, "publisherName": "Microsoft Corporation",
            "publisherId": "", "chargeStartDate": _date_text(start),
            "chargeEndDate": _date_text(end - dt.timedelta(days=1)), "referenceId": "",
            "priceAdjustmentDescription": "", "discountDetails": "", "pricingCurrency": self.currency,
            "pcToBCExchangeRate": Decimal(1), "pcToBCExchangeRateDate": rate_date, "meterDescription": "",
            "billingFrequency": "Monthly", "reservationOrderId": "", "creditReasonCode": "", "promotionId": "",
            "productQualifiers": [], "unitType": "Licenses", "invoiceLineItemType": "billing_line_items",
            "billingProvider": "one_time", "subscriptionStartDate": _date_text(add_months(start, -3)),
            "subscriptionEndDate": _date_text(add_months(start, 9) - dt.timedelta(days=1)),
        }  # fmt: skip
        self.shared_v1 = _inner({**shared, "attributes": {"objectType": "OneTimeInvoiceLineItem"}})
        self.shared_v2 = {name: _inner(v2_view(shared, name)) for name in ("full", "basic")}
        self.offer_v1: list[bytes] = []
        self.offer_v2: dict[str, list[bytes]] = {"full": [], "basic": []}
        for sku, term, price in self.offers:
            fields = {
                "productId": sku.product_id, "skuId": sku.sku_id, "availabilityId": sku.availability_in(country),
                "productName": sku.product_title, "skuName": sku.product_title, "unitPrice": price,
                "effectiveUnitPrice": price, "subscriptionDescription": sku.product_title,
                "termAndBillingCycle": term.description,
            }  # fmt: skip
            self.offer_v1.append(_inner(fields))
            for name in self.offer_v2:
                self.offer_v2[name].append(_inner(v2_view(fields, name)))
        self.customer_v1: list[bytes] = []
        self.customer_v2: dict[str, list[bytes]] = {"full": [], "basic": []}
        for number in range(self.CUSTOMERS):
            tenant = _guid(_mix(self.seed ^ (number << 20)) << 64 | _mix(self.seed + number))
            reseller = 0 if number % 10 == 0 else 4_000_000 + _mix(self.seed + number % self.RESELLERS) % 999_999
            fields = {
                "customerId": f"org:{tenant}", "customerName": f"Load Customer {number:04d}",
                "customerDomainName": f"loadcustomer{number:04d}.onmicrosoft.com", "customerCountry": country,
                "resellerMpnId": reseller,
            }  # fmt: skip
            self.customer_v1.append(_inner(fields))
            for name in self.customer_v2:
                self.customer_v2[name].append(_inner(v2_view(fields, name)))

        dynamic = ["subscriptionId", "orderId", "alternateId", "quantity", "billableQuantity", "subtotal",
                   "totalForCustomer"]  # fmt: skip
        self.template_v1 = self._dynamic_template([(name, name) for name in dynamic])
        self.template_v2 = {
            attribute_set: self._dynamic_template([(name, v2_name(name)) for name in dynamic
                                                   if attribute_set == "full" or name in BASIC_FIELDS])
            for attribute_set in ("full", "basic")
        }  # fmt: skip
        self.guid_prefix = _guid(_mix(self.seed) << 64 | _mix(self.seed + 1))[:24]
        minor = _minor(self.currency)
        quantities = range(self.MAX_QUANTITY + 1)
        self.subtotals = [[format((price * q).quantize(minor, ROUND_HALF_UP), "f") for q in quantities]
                          for _, _, price in self.offers]  # fmt: skip

    def _pick(self, index: int) -> tuple[int, int, int, int]:
        mixed = _mix((self.seed << 24) ^ index)
        return mixed, mixed % len(self.offers), 1 + (mixed >> 12) % self.MAX_QUANTITY, (mixed >> 24) % self.CUSTOMERS

    def total(self) -> Decimal:
        quantities = [0] * len(self.offers)
        for index in range(self.count):
            _, offer, quantity, _ = self._pick(index)
            quantities[offer] += quantity
        minor = _minor(self.currency)
        return sum(((self.offers[o][2] * q).quantize(minor, ROUND_HALF_UP) for o, q in enumerate(quantities)),
                   Decimal(0))  # fmt: skip

    def _dynamic_template(self, names: list[tuple[str, str]]) -> tuple[str, Callable[[tuple[Any, ...]], Any]]:
        """A %-format string for the per-line members in the given spelling, and which values it takes."""
        slots = {"subscriptionId": ('"%s"', 0), "orderId": ('"%s"', 1), "alternateId": ('"%s"', 2),
                 "quantity": ("%d", 3), "billableQuantity": ("%d", 3), "subtotal": ("%s", 4),
                 "totalForCustomer": ("%s", 4)}  # fmt: skip
        text = ",".join(f'"{spelled}":{slots[name][0]}' for name, spelled in names)
        return text, operator.itemgetter(*(slots[name][1] for name, _ in names))

    def _members(self, index: int, template: tuple[str, Callable[[tuple[Any, ...]], Any]]) -> tuple[bytes, int, int]:
        mixed, offer, quantity, customer = self._pick(index)
        # Unique per line by construction: the set's prefix and the line's index.
        values = (f"{self.guid_prefix}{index:012x}", f"L{mixed:016X}{index:08d}", f"{mixed & 0xFFFFFFFFFFFF:012x}",
                  quantity, self.subtotals[offer][quantity])  # fmt: skip
        text, pick = template
        return (text % pick(values)).encode("ascii"), offer, customer

    def v1(self, index: int) -> bytes:
        members, offer, customer = self._members(index, self.template_v1)
        return b"{" + b",".join((self.shared_v1, self.offer_v1[offer], self.customer_v1[customer], members)) + b"}"

    def v2(self, index: int, attribute_set: str) -> bytes:
        members, offer, customer = self._members(index, self.template_v2[attribute_set])
        return b"{" + b",".join((self.shared_v2[attribute_set], self.offer_v2[attribute_set][offer],
                                 self.customer_v2[attribute_set][customer], members)) + b"}"  # fmt: skip


def _inner(fields: dict[str, Any]) -> bytes:
    """A JSON object's members without its braces, to join with other members."""
    return to_json(fields)[1:-1]


# v2 (Graph export) field names ---------------------------------------------------------------------------------------

# (unconfirmed) the v2 reconciliation columns: PascalCase of the v1 names, with the recon-file spellings below.
_V2_NAMES = {
    "resellerMpnId": "Tier2MpnId", "mpnId": "MpnId", "pcToBCExchangeRate": "PCToBCExchangeRate",
    "pcToBCExchangeRateDate": "PCToBCExchangeRateDate",
}  # fmt: skip
_V2_DROPPED = frozenset({"attributes", "invoiceLineItemType", "billingProvider"})
# (unconfirmed) the 'basic' attribute set: the columns needed to match charges to subscriptions and price them.
BASIC_FIELDS = frozenset({
    "partnerId", "customerId", "customerName", "invoiceNumber", "mpnId", "resellerMpnId", "orderId", "productId",
    "skuId", "availabilityId", "chargeType", "unitPrice", "effectiveUnitPrice", "quantity", "subtotal", "taxTotal",
    "totalForCustomer", "currency", "subscriptionId", "chargeStartDate", "chargeEndDate", "termAndBillingCycle",
    "billingFrequency", "pricingCurrency", "pcToBCExchangeRate",
})  # fmt: skip


def v2_name(name: str) -> str:
    return _V2_NAMES.get(name) or name[:1].upper() + name[1:]


def v2_view(line: dict[str, Any], attribute_set: str) -> dict[str, Any]:
    """A v1 line as the v2 export writes it: PascalCase, CustomerId without the 'org:' prefix."""
    view: dict[str, Any] = {}
    for name, value in line.items():
        if name in _V2_DROPPED or (attribute_set == "basic" and name not in BASIC_FIELDS):
            continue
        if name == "customerId" and isinstance(value, str) and value.startswith("org:"):
            value = value[4:]
        view[v2_name(name)] = value
    return view


# Stored sets ---------------------------------------------------------------------------------------------------------


def to_state(line: dict[str, Any]) -> dict[str, Any]:
    """Money as strings for the JSON state file."""
    return {k: (format(v, "f") if isinstance(v, Decimal) else v) for k, v in line.items()}


def from_state(line: dict[str, Any]) -> dict[str, Any]:
    return {k: (Decimal(v) if k in MONEY_FIELDS and isinstance(v, str) else v) for k, v in line.items()}


def synthetic_markets(record: dict[str, Any]) -> list[str]:
    return list(record.get("syntheticMarkets") or [record["syntheticMarket"]])


class LineSource:
    """A set's lines for one currency, addressable by index: stored lines first, then the synthetic tails of the
    markets billed in that currency."""

    def __init__(self, sandbox: Sandbox, record: dict[str, Any], currency: str | None = None) -> None:
        self.record = record
        stored = [from_state(line) for line in record["lines"]]
        self.stored = [line for line in stored if currency is None or line["currency"] == currency]
        with sandbox.state.lock:
            provider = dict(sandbox.state.data["providers"][record["providerTenantId"]])
            changes = {name: dict(values) for name, values in (sandbox.state.data.get("catalogChanges") or {}).items()}
        self.synthetic: list[SyntheticLines] = []
        if int(record["extraLines"]):
            for index, country in enumerate(synthetic_markets(record)):
                if currency is None or catalog.MARKETS[country].currency == currency:
                    self.synthetic.append(SyntheticLines(record, provider, changes, index))
        self.count = len(self.stored) + sum(tail.count for tail in self.synthetic)

    def _tail(self, index: int) -> tuple[SyntheticLines, int]:
        index -= len(self.stored)
        for tail in self.synthetic:
            if index < tail.count:
                return tail, index
            index -= tail.count
        raise IndexError(index)

    def v1(self, index: int) -> bytes:
        if index < len(self.stored):
            return to_json(self.stored[index])
        tail, at = self._tail(index)
        return tail.v1(at)

    def v2(self, index: int, attribute_set: str) -> bytes:
        if index < len(self.stored):
            return to_json(v2_view(self.stored[index], attribute_set))
        tail, at = self._tail(index)
        return tail.v2(at, attribute_set)


def find_set(state: SandboxState, key: str) -> dict[str, Any] | None:
    return state.data.setdefault("reconciliation", {}).get(key)


def invoice_id_for(state: SandboxState, provider_tenant_id: str, period: str, currency: str) -> str:
    """A new invoice number per provider, period and billing currency (Microsoft invoices each currency
    separately), shaped like Microsoft's ('G000024135')."""
    invoices = state.data.setdefault("invoiceNumbers", {})
    key = f"{provider_tenant_id}|{period}|{currency}"
    if key not in invoices:
        number = int(state.data.get("lastInvoiceNumber", 24134)) + 1
        state.data["lastInvoiceNumber"] = number
        invoices[key] = f"G{number:09d}"
    return str(invoices[key])


# Control route: generate a period's lines -----------------------------------------------------------------------------


class DiscrepancyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description=", ".join(DISCREPANCY_KINDS))
    count: int = Field(default=1, ge=1, le=1000)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", description="Only lines in this currency")


class ReconciliationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    providerTenantId: str
    period: str = Field(pattern=r"^2\d{3}-(0[1-9]|1[0-2])$", examples=["2026-10"])
    kind: str = Field(pattern=r"^(billed|unbilled)$")
    extraLines: int = Field(default=0, ge=0, le=MAX_EXTRA_LINES)
    extraLinesMarkets: list[str] | None = Field(
        default=None, min_length=1, max_length=len(catalog.MARKETS),
        description="The markets (countries) the synthetic lines are spread over; the provider's own by default",
    )  # fmt: skip
    discrepancies: list[DiscrepancyRequest] = Field(default_factory=list)
    seed: int | None = Field(default=None, description="Synthetic lines and discrepancy picks follow it")


def _real_lines(sandbox: Sandbox, provider: dict[str, Any], period: str, context: LineContext, *,
                customers_with_status: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:  # fmt: skip
    """(subscription, line) pairs of the provider's customers with that relationship status (caller holds lock)."""
    state = sandbox.state
    window = period_window(period)
    changes = state.data.get("catalogChanges") or {}
    result: list[tuple[dict[str, Any], dict[str, Any]]] = []
    subscriptions = sorted(state.data["subscriptions"].values(), key=lambda s: (s["creationDate"], s["id"]))
    for subscription in subscriptions:
        customer = state.data["customers"].get(subscription["customerTenantId"])
        order = state.data["orders"].get(subscription["orderId"])
        if customer is None or customer["providerTenantId"] != provider["tenantId"]:
            continue
        if customer["status"] != customers_with_status or (order or {}).get("status") != "completed":
            continue
        for line in segment_lines(context, customer, subscription, order, changes, window):
            result.append((subscription, line))
    return result


def _fabricated(context: LineContext, customer: dict[str, Any], template: dict[str, Any] | None,
                rng: random.Random, period: str) -> dict[str, Any]:  # fmt: skip
    """A charge for a subscription nobody bought, for this customer."""
    start, end = period_window(period)
    sku = catalog.SKUS[rng.randrange(len(catalog.SKUS))]
    country = customer["country"] if customer["country"] in catalog.MARKETS else "NL"
    subscription = {
        "id": _guid(rng.getrandbits(128)), "offerId": sku.catalog_item_in(country), "offerName": sku.product_title,
        "orderId": f"U{rng.getrandbits(64):016X}", "creationDate": format_timestamp(start), "country": country,
        "termDuration": "P1M", "billingCycle": "monthly",
        "partnerId": str((template or {}).get("resellerMpnId") or ""),
    }  # fmt: skip
    price = catalog.unit_price(sku, country, catalog.Term("P1M", "Monthly"))
    return charge_line(
        context, customer, subscription, None, charge_type="cycleCharge", quantity=rng.randint(1, 20),
        unit_price=price, fraction=Decimal(1), credit=False, charge_start=start, charge_end=end, term_start=start,
        term_end=end,
    )  # fmt: skip


def _reprice(line: dict[str, Any], unit_price: Decimal, quantity: int) -> None:
    sign = Decimal(-1) if line["subtotal"] < 0 else Decimal(1)
    ratio = abs(line["effectiveUnitPrice"]) / line["unitPrice"] if line["unitPrice"] else Decimal(1)
    line["unitPrice"] = unit_price
    line["effectiveUnitPrice"] = sign * (unit_price * ratio).quantize(_PRORATED_DIGITS, ROUND_HALF_UP)
    line["quantity"] = line["billableQuantity"] = quantity
    subtotal = (sign * unit_price * ratio * quantity).quantize(_minor(line["currency"]), ROUND_HALF_UP)
    line["subtotal"] = line["totalForCustomer"] = subtotal


def generate(sandbox: Sandbox, body: ReconciliationRequest) -> dict[str, Any]:
    """Builds (or rebuilds) a provider's set for a period and kind; answers the control route's summary."""
    state = sandbox.state
    seed = body.seed if body.seed is not None else random.SystemRandom().randrange(1 << 31)
    rng = random.Random(seed)
    with state.lock:
        settle(sandbox)
        provider = state.provider_by_tenant(body.providerTenantId)
        if provider is None:
            raise HTTPException(404, f"no provider with tenant id {body.providerTenantId}")
        start, end = period_window(body.period)
        context = LineContext(provider, "", format_timestamp(start - dt.timedelta(seconds=1)))
        pairs = _real_lines(sandbox, provider, body.period, context, customers_with_status="active")
        lines = [line for _, line in pairs]
        ended = [c for c in state.data["customers"].values()
                 if c["providerTenantId"] == provider["tenantId"] and c["status"] == "ended"]  # fmt: skip
        ended_pairs = _real_lines(sandbox, provider, body.period, context, customers_with_status="ended")
        active_customers = [c for c in state.data["customers"].values()
                            if c["providerTenantId"] == provider["tenantId"] and c["status"] == "active"]  # fmt: skip
        other_resellers = sorted(r["mpnId"] for per in state.data["resellers"].values() for r in per.values())
    report: list[dict[str, Any]] = []
    altered: set[int] = set()
    missing: set[str] = set()
    added: list[tuple[str, dict[str, Any]]] = []
    order = list(range(len(lines)))
    rng.shuffle(order)
    for request in body.discrepancies:
        if request.kind not in DISCREPANCY_KINDS:
            raise HTTPException(400, f"unknown discrepancy kind {request.kind}; one of {', '.join(DISCREPANCY_KINDS)}")
        entry: dict[str, Any] = {"kind": request.kind, "requested": request.count, "lineIndexes": [],
                                 "subscriptionIds": [], "customerIds": []}  # fmt: skip
        report.append(entry)
        if request.kind in ("quantityMismatch", "priceMismatch", "partnerOfRecordMismatch"):
            free = [i for i in order if i not in altered and pairs[i][0]["id"] not in missing
                    and lines[i]["subtotal"] > 0
                    and request.currency in (None, lines[i]["currency"])]  # fmt: skip
            for index in free[: request.count]:
                line = lines[index]
                if request.kind == "quantityMismatch":
                    _reprice(line, line["unitPrice"], line["quantity"] + rng.randint(1, 5))
                elif request.kind == "priceMismatch":
                    _reprice(line, line["unitPrice"] + Decimal(rng.randint(11, 250)) / 100, line["quantity"])
                else:
                    choices = [int(m) for m in other_resellers if m.isdigit() and int(m) != line["resellerMpnId"]]
                    line["resellerMpnId"] = 0 if line["resellerMpnId"] or not choices else rng.choice(choices)
                altered.add(index)
                entry["_indexes"] = [*entry.get("_indexes", []), index]
        elif request.kind == "missingCharge":
            candidates: list[str] = []
            for index in order:
                subscription = pairs[index][0]
                taken = missing | set(candidates) | {pairs[i][0]["id"] for i in altered}
                in_currency = request.currency in (None, pairs[index][1]["currency"])
                if subscription["status"] == "active" and subscription["id"] not in taken and in_currency:
                    candidates.append(subscription["id"])
            for subscription_id in candidates[: request.count]:
                missing.add(subscription_id)
                entry["subscriptionIds"].append(subscription_id)
                entry["customerIds"].append(
                    next(p[0]["customerTenantId"] for p in pairs if p[0]["id"] == subscription_id)
                )
        elif request.kind == "unknownSubscription":
            if not active_customers:
                raise HTTPException(400, "unknownSubscription needs at least one active customer of the provider")
            chosen = [c for c in active_customers if request.currency in (None, _currency_of(c))]
            if not chosen:
                raise HTTPException(400, f"unknownSubscription in {request.currency} needs an active customer "
                                    "billed in it")  # fmt: skip
            for _ in range(request.count):
                customer = rng.choice(chosen)
                template = next((line for line in lines if line["customerId"] == f"org:{customer['tenantId']}"), None)
                added.append((request.kind, _fabricated(context, customer, template, rng, body.period)))
        else:  # endedRelationship
            ended_here = [c for c in ended if request.currency in (None, _currency_of(c))]
            ended_lines = [pair for pair in ended_pairs if request.currency in (None, pair[1]["currency"])]
            if not ended_here:
                raise HTTPException(400, "endedRelationship needs a customer whose relationship ended "
                                    "(POST /_sandbox/relationships/end first)"
                                    + (f", billed in {request.currency}" if request.currency else ""))  # fmt: skip
            for number in range(request.count):
                if number < len(ended_lines):
                    added.append((request.kind, dict(ended_lines[number][1])))
                else:
                    added.append((request.kind, _fabricated(context, rng.choice(ended_here), None, rng, body.period)))
    final: list[dict[str, Any]] = []
    position: dict[int, int] = {}
    for index, line in enumerate(lines):
        if pairs[index][0]["id"] in missing:
            continue
        position[index] = len(final)
        final.append(line)
    for entry in report:
        for index in entry.pop("_indexes", []):
            entry["lineIndexes"].append(position[index])
            entry["subscriptionIds"].append(lines[index]["subscriptionId"])
            entry["customerIds"].append(lines[index]["customerId"][4:])
    for kind, line in added:
        entry = next(e for e in report if e["kind"] == kind)
        entry["lineIndexes"].append(len(final))
        entry["subscriptionIds"].append(line["subscriptionId"])
        entry["customerIds"].append(line["customerId"][4:])
        final.append(line)
    for entry in report:
        entry["count"] = (
            len(entry["lineIndexes"]) if entry["kind"] != "missingCharge" else len(entry["subscriptionIds"])
        )
    country = provider["country"] if provider["country"] in catalog.MARKETS else "NL"
    markets = [m.upper() for m in body.extraLinesMarkets or [country]]
    unknown = [m for m in markets if m not in catalog.MARKETS]
    if unknown or len(set(markets)) != len(markets):
        raise HTTPException(400, f"extraLinesMarkets: distinct markets among {', '.join(catalog.MARKETS)}")
    currencies = {line["currency"] for line in final}
    if body.extraLines:
        currencies |= {catalog.MARKETS[m].currency for m in markets}
    primary = catalog.MARKETS[markets[0]].currency
    invoices: dict[str, str] = {}
    if body.kind == "billed":
        with state.lock:
            invoices = {c: invoice_id_for(state, provider["tenantId"], body.period, c)
                        for c in sorted(currencies or {primary})}  # fmt: skip
        for line in final:
            line["invoiceNumber"] = invoices[line["currency"]]
    invoice_id = invoices.get(primary) or next(iter(invoices.values()), None)
    record: dict[str, Any] = {
        "providerTenantId": provider["tenantId"], "period": body.period, "kind": body.kind, "invoiceId": invoice_id,
        "invoices": invoices, "seed": seed, "extraLines": body.extraLines, "syntheticMarket": markets[0],
        "syntheticMarkets": markets, "currency": primary, "lines": [to_state(line) for line in final],
        "discrepancies": report,
    }  # fmt: skip
    with state.lock:
        changes = {name: dict(values) for name, values in (state.data.get("catalogChanges") or {}).items()}
    totals: dict[str, Decimal] = {}
    for line in final:
        totals[line["currency"]] = totals.get(line["currency"], Decimal(0)) + line["subtotal"]
    if body.extraLines:
        for index in range(len(markets)):
            synthetic = SyntheticLines(record, provider, changes, index)
            totals[synthetic.currency] = totals.get(synthetic.currency, Decimal(0)) + synthetic.total()
    record["totals"] = {currency: format(amount, "f") for currency, amount in sorted(totals.items())}
    record["count"] = len(final) + body.extraLines
    with state.lock:
        sets = state.data.setdefault("reconciliation", {})
        key = set_key(provider["tenantId"], body.period, body.kind)
        previous = sets.get(key)
        record["generation"] = (previous or {}).get("generation", 0) + 1
        now = state.clock.now()
        record["generatedAt"] = format_timestamp(now)
        record["invoiceDate"] = format_timestamp(max(end, now) if body.kind == "billed" else now)
        sets[key] = record
        state.save()
    for issued in invoices.values():
        sandbox.publish("invoice-ready", f"{sandbox.config.https_url}/v1/invoices/{issued}",
                        {"providerTenantId": provider["tenantId"], "invoiceId": issued})  # fmt: skip
    return record


def _currency_of(customer: dict[str, Any]) -> str:
    return catalog.MARKETS[customer["country"] if customer["country"] in catalog.MARKETS else "NL"].currency


def summary(record: dict[str, Any]) -> dict[str, Any]:
    answer = {
        "count": record["count"], "providerTenantId": record["providerTenantId"], "period": record["period"],
        "kind": record["kind"], "seed": record["seed"], "generation": record["generation"],
        "storedLines": len(record["lines"]), "extraLines": record["extraLines"], "currency": record["currency"],
        "totals": record["totals"], "discrepancies": record["discrepancies"],
    }  # fmt: skip
    if record.get("invoiceId"):
        invoices = [{"invoiceId": i, "currency": c, "total": record["totals"].get(c, "0")}
                    for c, i in sorted((record.get("invoices") or {}).items())]  # fmt: skip
        answer = {"count": record["count"], "invoiceId": record["invoiceId"], "invoices": invoices, **answer}
    return answer


class JsonBytes(Response):
    media_type = "application/json; charset=utf-8"


@control_router.post("/reconciliation", summary="Generate a period's reconciliation line items for a provider")
def generate_reconciliation(body: ReconciliationRequest, sandbox: SandboxDep) -> Response:
    """Answers {count, invoiceId?} plus what was generated and which lines were made wrong on purpose."""
    return JsonBytes(to_json(summary(generate(sandbox, body))))


def _control_set(sandbox: Sandbox, provider_tenant_id: str, period: str, kind: str) -> dict[str, Any]:
    with sandbox.state.lock:
        provider = sandbox.state.provider_by_tenant(provider_tenant_id)
        record = find_set(sandbox.state, set_key(provider["tenantId"], period, kind)) if provider else None
    if record is None:
        raise HTTPException(404, f"nothing generated for {provider_tenant_id} {period} {kind}")
    return record


@control_router.get("/reconciliation", summary="What a generated set holds: counts, totals, deliberate errors")
def read_reconciliation(
    sandbox: SandboxDep,
    providerTenantId: str = Query(),
    period: str = Query(),
    kind: str = Query(),  # noqa: N803
) -> Response:
    return JsonBytes(to_json(summary(_control_set(sandbox, providerTenantId, period, kind))))


@control_router.get("/reconciliation/lines", summary="Generated lines in the v1 shape, by offset")
def read_lines(
    sandbox: SandboxDep,
    providerTenantId: str = Query(),
    period: str = Query(),
    kind: str = Query(),  # noqa: N803
    offset: int = Query(default=0, ge=0),
    limit: int = Query(default=1000, ge=1, le=MAX_PAGE_SIZE),
) -> Response:
    record = _control_set(sandbox, providerTenantId, period, kind)
    source = LineSource(sandbox, record)
    items = [orjson.Fragment(source.v1(i)) for i in range(offset, min(offset + limit, source.count))]
    return JsonBytes(orjson.dumps({"count": source.count, "offset": offset, "items": items}))


# v1 API: invoices and line items -------------------------------------------------------------------------------------


def _billed_sets(state: SandboxState, provider_tenant_id: str) -> list[dict[str, Any]]:
    sets = state.data.setdefault("reconciliation", {}).values()
    return sorted((r for r in sets if r["providerTenantId"] == provider_tenant_id and r["kind"] == "billed"),
                  key=lambda r: r["period"])  # fmt: skip


def _invoices_of(record: dict[str, Any]) -> dict[str, str]:
    return dict(
        record.get("invoices") or ({record["currency"]: record["invoiceId"]} if record.get("invoiceId") else {})
    )


def invoice_view(record: dict[str, Any], currency: str) -> dict[str, Any]:
    """One billing currency's invoice of a billed set."""
    start, end = period_window(record["period"])
    invoice_id = _invoices_of(record)[currency]
    total = Decimal(record["totals"].get(currency, "0"))
    symbol = next(m.symbol for m in catalog.MARKETS.values() if m.currency == currency)
    return {
        "id": invoice_id,
        "invoiceDate": record["invoiceDate"],
        "billingPeriodStartDate": _date_text(start),
        "billingPeriodEndDate": _date_text(end - dt.timedelta(days=1)),
        "totalCharges": total,
        "paidAmount": Decimal(0),
        "currencyCode": currency,
        "currencySymbol": symbol,
        "pdfDownloadLink": f"/invoices/{invoice_id}/documents/statement",
        "invoiceType": "Recurring",
        "documentType": "Invoice",
        "amendments": [],
        "invoiceDetails": [
            {
                "invoiceLineItemType": "billing_line_items",
                "billingProvider": "one_time",
                "links": {"self": link(f"/invoices/{invoice_id}/lineitems/OneTime/BillingLineItems")},
                "attributes": {"objectType": "InvoiceDetail"},
            }
        ],
        "links": {"self": link(f"/invoices/{invoice_id}")},
        "attributes": {"objectType": "Invoice"},
    }


@router.get("/invoices", summary="The provider's invoices")
def list_invoices(caller: CallerDep, sandbox: SandboxDep) -> Response:
    with sandbox.state.lock:
        items = [invoice_view(r, c) for r in reversed(_billed_sets(sandbox.state, caller.tenant_id))
                 for c in sorted(_invoices_of(r))]  # fmt: skip
    body = {"totalCount": len(items), "items": items, "links": {"self": link("/invoices?size=200&offset=0")},
            "attributes": {"objectType": "Collection"}}  # fmt: skip
    return JsonBytes(to_json(body))


def invoice_set(state: SandboxState, provider_tenant_id: str, invoice_id: str) -> tuple[dict[str, Any], str] | None:
    """The billed set an invoice belongs to, and the invoice's currency (the caller holds the lock)."""
    for record in _billed_sets(state, provider_tenant_id):
        for currency, issued in _invoices_of(record).items():
            if issued.lower() == invoice_id.lower():
                return record, currency
    return None


def _invoice_set(sandbox: Sandbox, provider_tenant_id: str, invoice_id: str) -> tuple[dict[str, Any], str]:
    with sandbox.state.lock:
        found = invoice_set(sandbox.state, provider_tenant_id, invoice_id)
        if found is not None:
            return found
    # (unconfirmed) the code Partner Center answers for an unknown invoice
    raise PartnerCenterError(404, 2000, f"Invoice {invoice_id} was not found.", source="InvoiceService")


def _encode_token(payload: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode("ascii")


def _decode_token(token: str) -> dict[str, Any]:
    try:
        payload = json.loads(base64.b64decode(token.encode("ascii"), validate=True))
        assert isinstance(payload, dict) and isinstance(payload.get("o"), int)
        return payload
    except (ValueError, binascii.Error, AssertionError, UnicodeEncodeError) as exc:
        raise PartnerCenterError(400, 2000, "The continuation token is not valid.", source="InvoiceService") from exc


def _check_kind(params: dict[str, str]) -> None:
    provider = (get_ci(params, "provider") or "").lower()
    item_type = (get_ci(params, "invoicelineitemtype") or "").lower()
    if provider not in ("onetime", "office", "azure", "all") or item_type not in ("billinglineitems",
                                                                                  "usagelineitems"):  # fmt: skip
        raise PartnerCenterError(400, 2000, "provider and invoicelineitemtype are required (e.g. provider=onetime&"
                                 "invoicelineitemtype=billinglineitems).", source="InvoiceService")  # fmt: skip


def _page_size(params: dict[str, str]) -> int:
    text = get_ci(params, "size")
    try:
        size = int(text) if text is not None else MAX_PAGE_SIZE
    except ValueError:
        raise PartnerCenterError(400, 2000, "size must be an integer.", source="InvoiceService") from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise PartnerCenterError(400, 2000, f"size must be between 1 and {MAX_PAGE_SIZE}.", source="InvoiceService")
    return size


def _page(sandbox: Sandbox, request: Request, record: dict[str, Any] | None, currency: str | None, self_uri: str,
          next_uri: str, *, applies: bool) -> Response:  # fmt: skip
    """One seek page: `size` lines from the token's offset, `links.next` with MS-ContinuationToken while more."""
    params = dict(request.query_params)
    size = _page_size(params)
    offset = 0
    if (get_ci(params, "seekOperation") or "").lower() == "next":
        token = request.headers.get("MS-ContinuationToken")
        if not token:
            raise PartnerCenterError(400, 2000, "The MS-ContinuationToken header is required with seekOperation=Next.",
                                     source="InvoiceService")  # fmt: skip
        payload = _decode_token(token)
        if record is None or payload.get("g") != record["generation"] or payload.get("k") != record["kind"]:
            # (unconfirmed) a token that outlived the data it pages over
            raise PartnerCenterError(400, 2000, "The continuation token is no longer valid.", source="InvoiceService")
        offset, size = payload["o"], int(payload.get("s", size))
    items: list[orjson.Fragment] = []
    more = False
    if record is not None and applies:
        source = LineSource(sandbox, record, currency)
        stop = min(offset + size, source.count)
        items = [orjson.Fragment(source.v1(i)) for i in range(offset, stop)]
        more = stop < source.count
    body: dict[str, Any] = {"totalCount": len(items), "items": items, "links": {"self": link(self_uri)}}
    if more and record is not None:
        token = _encode_token({"k": record["kind"], "g": record["generation"], "o": offset + len(items), "s": size})
        body["continuationToken"] = token
        body["links"]["next"] = link(next_uri, headers=[{"key": "MS-ContinuationToken", "value": token}])
    body["attributes"] = {"objectType": "Collection"}
    return JsonBytes(orjson.dumps(body))


@router.get("/invoices/unbilled/lineitems", summary="Unbilled (open) line items of the current or previous period")
def unbilled_line_items(request: Request, caller: CallerDep, sandbox: SandboxDep) -> Response:
    params = dict(request.query_params)
    _check_kind(params)
    currency = (get_ci(params, "currencycode") or "").upper()
    period_name = (get_ci(params, "period") or "").lower()
    if not currency or period_name not in ("current", "previous"):
        raise PartnerCenterError(400, 2000, "currencycode and period (current or previous) are required.",
                                 source="InvoiceService")  # fmt: skip
    period = period_of(sandbox.state.clock.now(), 0 if period_name == "current" else 1)
    with sandbox.state.lock:
        record = find_set(sandbox.state, set_key(caller.tenant_id, period, "unbilled"))
    applies = (get_ci(params, "provider") or "").lower() == "onetime" and (
        (get_ci(params, "invoicelineitemtype") or "").lower() == "billinglineitems"
    )
    query = (f"provider=onetime&invoicelineitemtype=billinglineitems&currencycode={currency}&period={period_name}"
             f"&size={_page_size(params)}")  # fmt: skip
    return _page(sandbox, request, record, currency, f"/invoices/unbilled/lineitems?{query}",
                 f"/invoices/unbilled/lineitems?{query}&seekOperation=Next", applies=applies)  # fmt: skip


@router.get("/invoices/{invoice_id}", summary="One invoice")
def get_invoice(invoice_id: str, caller: CallerDep, sandbox: SandboxDep) -> Response:
    record, currency = _invoice_set(sandbox, caller.tenant_id, invoice_id)
    return JsonBytes(to_json(invoice_view(record, currency)))


@router.get("/invoices/{invoice_id}/lineitems", summary="Billed line items of an invoice, seek-paged")
def billed_line_items(invoice_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep) -> Response:
    params = dict(request.query_params)
    _check_kind(params)
    record, currency = _invoice_set(sandbox, caller.tenant_id, invoice_id)
    applies = (get_ci(params, "provider") or "").lower() == "onetime" and (
        (get_ci(params, "invoicelineitemtype") or "").lower() == "billinglineitems"
    )
    query = f"provider=onetime&invoicelineitemtype=billinglineitems&size={_page_size(params)}"
    issued = _invoices_of(record)[currency]
    return _page(sandbox, request, record, currency, f"/invoices/{issued}/lineitems?{query}",
                 f"/invoices/{issued}/lineitems/OneTime/BillingLineItems?size={_page_size(params)}"
                 "&seekOperation=Next", applies=applies)  # fmt: skip


@router.get("/invoices/{invoice_id}/lineitems/{provider}/{item_type}", summary="Next pages of billed line items")
def billed_line_items_next(
    invoice_id: str, provider: str, item_type: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> Response:
    record, currency = _invoice_set(sandbox, caller.tenant_id, invoice_id)
    applies = provider.lower() == "onetime" and item_type.lower() == "billinglineitems"
    size = _page_size(dict(request.query_params))
    uri = f"/invoices/{_invoices_of(record)[currency]}/lineitems/OneTime/BillingLineItems?size={size}"
    return _page(sandbox, request, record, currency, uri, f"{uri}&seekOperation=Next", applies=applies)


def digest(record: dict[str, Any]) -> str:
    """Changes whenever the set is regenerated (the v2 manifest's eTag)."""
    raw = f"{record['providerTenantId']}|{record['period']}|{record['kind']}|{record['generation']}|{record['seed']}"
    return base64.urlsafe_b64encode(hashlib.sha256(raw.encode()).digest()[:12]).decode("ascii")
