"""Reconciliation line items (docs/partner-center.md#reconciliation): one typed line for v1 camelCase and v2 PascalCase
alike.

Money is exact. v2 lines are parsed with orjson when that is exact and with `json.loads(parse_float=Decimal)`
otherwise: a binary double read from a decimal literal of at most 15 significant digits converts back to that
literal's value exactly (`Decimal(repr(x))`), so only lines with a run of 16 or more digits, or an amount that
underflowed to zero or a subnormal, take the slower exact parser.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from shared.partner_center.models import _get, _str, parse_timestamp

Json = Mapping[str, Any]

# Each line field and the wire names it has: v1 camelCase, v2 PascalCase (compared lower-cased), first match wins.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "partner_tenant_id": ("partnerid", "partnertenantid"),
    "customer_tenant_id": ("customerid", "customertenantid"),
    "customer_name": ("customername", "customercompanyname"),
    "customer_domain": ("customerdomainname", "customerdomain"),
    "reseller_mpn_id": ("resellermpnid", "tier2mpnid", "resellerpartnerid"),
    "mpn_id": ("mpnid",),
    "invoice_number": ("invoicenumber", "invoiceid"),
    "order_id": ("orderid",),
    "subscription_id": ("subscriptionid",),
    "product_id": ("productid",),
    "sku_id": ("skuid",),
    "availability_id": ("availabilityid",),
    "catalog_item_id": ("catalogitemid",),
    "charge_type": ("chargetype",),
    "charge_type_as_sent": ("chargetype",),
    "currency": ("currency", "billingcurrency"),
    "pricing_currency": ("pricingcurrency",),
    "term_and_billing_cycle": ("termandbillingcycle",),
    "billing_frequency": ("billingfrequency",),
    "promotion_id": ("promotionid",),
}
DECIMAL_FIELDS: dict[str, tuple[str, ...]] = {
    "unit_price": ("unitprice",),
    "effective_unit_price": ("effectiveunitprice",),
    "quantity": ("quantity",),
    "billable_quantity": ("billablequantity",),
    "subtotal": ("subtotal",),
    "tax_total": ("taxtotal",),
    "total_for_customer": ("totalforcustomer",),
    "exchange_rate": ("pctobcexchangerate", "pricingtobillingexchangerate", "exchangerate"),
}
DATE_FIELDS: dict[str, tuple[str, ...]] = {
    "charge_start": ("chargestartdate",),
    "charge_end": ("chargeenddate",),
}
_FIELD_COUNT = len(TEXT_FIELDS) + len(DECIMAL_FIELDS) + len(DATE_FIELDS)

# Digits and the decimal point become "0", everything else a blank: 16 zeros in a row mean a long number literal.
_DIGIT_MAP = bytes(0x30 if (0x30 <= b <= 0x39 or b == 0x2E) else 0x20 for b in range(256))
_LONG_NUMBER = b"0" * 16
_SMALLEST_NORMAL = 2.2250738585072014e-308
_CACHE_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class ReconciliationLine:
    """One charge as Microsoft billed it; amounts are exact Decimals, ids are plain strings, dates are aware.

    `line_id` is derived (Microsoft gives lines no id): the first 16 hex digits of SHA-256 over
    invoice|order|subscription|charge start|charge end (ISO 8601)|charge type, then `:` and the line's 0-based
    position in the export as read (v2: blobs in manifest order, lines in file order; v1: pages in order).
    Re-reading the same export gives the same ids; the hash keeps ids of different charges apart if positions shift.
    """

    partner_tenant_id: str | None
    customer_tenant_id: str | None
    customer_name: str | None
    customer_domain: str | None
    reseller_mpn_id: str | None
    mpn_id: str | None
    invoice_number: str | None
    order_id: str | None
    subscription_id: str | None
    product_id: str | None
    sku_id: str | None
    availability_id: str | None
    catalog_item_id: str | None
    charge_type: str | None  # lower-cased, for comparisons and the line id
    charge_type_as_sent: str | None  # Microsoft's own spelling ("cycleCharge"), for what the API shows
    currency: str | None
    pricing_currency: str | None
    term_and_billing_cycle: str | None
    billing_frequency: str | None
    promotion_id: str | None  # the promotion the charge was priced under (None when Microsoft sent "")
    unit_price: Decimal | None
    effective_unit_price: Decimal | None
    quantity: Decimal | None
    billable_quantity: Decimal | None
    subtotal: Decimal | None
    tax_total: Decimal | None
    total_for_customer: Decimal | None
    exchange_rate: Decimal | None
    charge_start: datetime | None
    charge_end: datetime | None
    position: int = 0
    source: bytes | Json = field(default=b"", repr=False, compare=False)

    @property
    def line_id(self) -> str:
        return line_id_for(
            self.invoice_number,
            self.order_id,
            self.subscription_id,
            self.charge_start,
            self.charge_end,
            self.charge_type,
            self.position,
        )

    @property
    def raw(self) -> Json:
        """The line as Microsoft sent it, every non-integer number a Decimal (v2 lines are re-read from their bytes)."""
        if isinstance(self.source, bytes | bytearray):
            return json.loads(self.source, parse_float=Decimal) if self.source else {}
        return self.source


def loads_exact(data: bytes | str) -> Any:
    """JSON with non-integer numbers as Decimal (the slow, always exact way)."""
    return json.loads(data, parse_float=Decimal)


def _reseller(value: Any) -> str | None:
    """`resellerMpnId` is an int, 0 without a reseller; `Tier2MpnId` a string, maybe empty: no reseller is None."""
    if value is None or value == 0 or value == "" or value == "0":
        return None
    if value.__class__ is float:
        value = int(value)
    return str(value)


def _customer(value: Any) -> str | None:
    """v1 prefixes tenant ids with `org:`; the platform matches bare tenant ids."""
    if value is None or value == "":
        return None
    text = str(value)
    return text[4:] if text[:4].lower() == "org:" else text


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if value.__class__ is str else str(value)


def _lower(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value).lower()


def _decimal(value: Any) -> Decimal | None:
    """Exact for Decimals, ints and strings; for a float, exact when the literal had at most 15 significant digits."""
    cls = value.__class__
    if cls is float:
        return Decimal(repr(value))
    if cls is Decimal:
        return value
    if value is None or value == "":
        return None
    if cls is int:
        return Decimal(value)
    return Decimal(str(value).strip())


class _DateCache:
    """Charge dates repeat across a period's lines: each distinct text is parsed once (bounded)."""

    def __init__(self) -> None:
        self.values: dict[Any, datetime | None] = {}

    def __call__(self, value: Any) -> datetime | None:
        try:
            return self.values[value]
        except KeyError:
            pass
        except TypeError:
            return parse_timestamp(value)
        parsed = parse_timestamp(value)
        if len(self.values) >= _CACHE_LIMIT:
            self.values.clear()
        self.values[value] = parsed
        return parsed


def _pick(lowered: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    return next((lowered[name] for name in names if name in lowered), None)


_SLOTS = (*TEXT_FIELDS, *DECIMAL_FIELDS, *DATE_FIELDS, "position", "source")


class _Underflow:
    """Marks a float amount that may be a tiny literal read as zero or a subnormal (the line is re-read exactly)."""


UNDERFLOW = _Underflow()


class _DecimalCache:
    """Amounts repeat (unit prices, quantities): each distinct float or int becomes a Decimal once (bounded)."""

    def __init__(self) -> None:
        self.values: dict[Any, Decimal] = {}
        self.get = self.values.get

    def strict(self, value: Any) -> Decimal | _Underflow | None:
        if value.__class__ is float and -_SMALLEST_NORMAL < value < _SMALLEST_NORMAL:
            return UNDERFLOW
        return self.trusting(value)

    def trusting(self, value: Any) -> Decimal | None:
        number = _decimal(value)
        cls = value.__class__
        if number and (cls is float or cls is int):  # never zero: a cached 0 would hide a float that underflowed
            if len(self.values) >= _CACHE_LIMIT:
                self.values.clear()
            self.values[value] = number
        return number


def _compile_builder(keys: Iterable[str]) -> Callable[..., ReconciliationLine | None]:
    """A builder specialised to one set of wire keys (lines of one export share them), written out as straight code.

    Lines arrive by the million: a generic loop per field costs more than parsing the JSON, so the builder is
    generated once per key set, reads each field by its actual key and sets the frozen slots directly. It answers
    None when `convert` reports an amount that may have underflowed.
    """
    lowered: dict[str, str] = {}
    for wire_key in keys:
        lowered.setdefault(str(wire_key).lower(), str(wire_key))
    special = {"customer_tenant_id": "_customer", "reseller_mpn_id": "_reseller", "charge_type": "_lower"}
    body = [
        "def build(data, position, source, dates, cached, convert):",
        "    get = data.get",
        "    line = new(Line)",
    ]
    for name, names in TEXT_FIELDS.items():
        key = _pick(lowered, names)
        if key is None:
            body.append(f"    {name} = None")
        elif name in special:
            body.append(f"    {name} = {special[name]}(get({key!r}))")
        else:
            body.append(f"    value = get({key!r})")
            body.append(f"    {name} = value if value.__class__ is str and value else _text(value)")
        if name != "catalog_item_id":
            body.append(f"    set_{name}(line, {name})")
    body.append("    if catalog_item_id is None and product_id and sku_id and availability_id:")
    body.append("        catalog_item_id = product_id + ':' + sku_id + ':' + availability_id")
    body.append("    set_catalog_item_id(line, catalog_item_id)")
    for name, names in DECIMAL_FIELDS.items():
        key = _pick(lowered, names)
        if key is None:
            body.append(f"    set_{name}(line, None)")
            continue
        body.append(f"    value = get({key!r})")
        body.append("    number = cached(value)")
        body.append("    if number is None:")
        body.append("        number = convert(value)")
        body.append("        if number is UNDERFLOW:")
        body.append("            return None")
        body.append(f"    set_{name}(line, number)")
    for name, names in DATE_FIELDS.items():
        key = _pick(lowered, names)
        body.append(f"    set_{name}(line, dates(get({key!r})))" if key else f"    set_{name}(line, None)")
    body.append("    set_position(line, position)")
    body.append("    set_source(line, source)")
    body.append("    return line")
    namespace: dict[str, Any] = {
        "new": object.__new__,
        "Line": ReconciliationLine,
        "UNDERFLOW": UNDERFLOW,
        "_customer": _customer,
        "_reseller": _reseller,
        "_lower": _lower,
        "_text": _text,
    }
    for slot in _SLOTS:
        namespace[f"set_{slot}"] = getattr(ReconciliationLine, slot).__set__
    exec("\n".join(body), namespace)  # noqa: S102 - generated from the fixed field tables above, keys as repr()
    return namespace["build"]  # type: ignore[no-any-return]


def line_id_for(
    invoice: str | None,
    order: str | None,
    subscription: str | None,
    charge_start: datetime | None,
    charge_end: datetime | None,
    charge_type: str | None,
    position: int,
) -> str:
    """The derived line id (see ReconciliationLine): a hash of what identifies the charge, then its position."""
    start = charge_start.isoformat() if charge_start else ""
    end = charge_end.isoformat() if charge_end else ""
    natural = f"{invoice or ''}|{order or ''}|{subscription or ''}|{start}|{end}|{charge_type or ''}"
    return f"{hashlib.sha256(natural.encode('utf-8')).hexdigest()[:16]}:{position}"


class LineParser:
    """Turns wire lines (bytes of one JSON object, or parsed mappings) into ReconciliationLines, counting positions."""

    def __init__(self, start: int = 0) -> None:
        self.position = start
        self._builders: dict[tuple[str, ...], Callable[..., ReconciliationLine | None]] = {}
        self._dates = _DateCache()
        self._decimals = _DecimalCache()

    def _builder(self, data: Json) -> Callable[..., ReconciliationLine | None]:
        keys = tuple(data)
        builder = self._builders.get(keys)
        if builder is None:
            if len(self._builders) >= 64:
                self._builders.clear()
            builder = self._builders[keys] = _compile_builder(keys)
        return builder

    def from_bytes(self, line: bytes) -> ReconciliationLine:
        """One JSON-lines record; orjson where exact, the Decimal parser where a number is too long for a double."""
        if _LONG_NUMBER in line.translate(_DIGIT_MAP):
            return self.from_mapping(loads_exact(line), source=line)
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError:
            # a number beyond a double's range, or a literal orjson refuses: the exact parser decides
            return self.from_mapping(loads_exact(line), source=line)
        if data.__class__ is not dict:
            raise ValueError("a reconciliation line is a JSON object")
        decimals = self._decimals
        built = self._builder(data)(data, self.position, line, self._dates, decimals.get, decimals.strict)
        if built is None:
            # an amount read as zero or subnormal: a tiny literal (only written with an exponent) underflowed
            if b"e-" in line or b"E-" in line:
                return self.from_mapping(loads_exact(line), source=line)
            built = self._builder(data)(data, self.position, line, self._dates, decimals.get, decimals.trusting)
        self.position += 1
        return built  # type: ignore[return-value]

    def from_mapping(self, data: Json, *, source: bytes | Json | None = None) -> ReconciliationLine:
        """A line already parsed exactly (v1 pages, the exact fallback)."""
        if not isinstance(data, Mapping):
            raise ValueError("a reconciliation line is a JSON object")
        decimals = self._decimals
        built = self._builder(data)(
            data, self.position, data if source is None else source, self._dates, decimals.get, _decimal
        )
        self.position += 1
        return built  # type: ignore[return-value]

    def from_lines(self, lines: Iterable[bytes]) -> Iterator[ReconciliationLine]:
        for line in lines:
            if line.strip():
                yield self.from_bytes(line)


@dataclass(frozen=True)
class Invoice:
    """An invoice Microsoft issued to the provider; amounts exact."""

    id: str
    invoice_date: datetime | None
    currency: str | None
    total_charges: Decimal | None
    paid_amount: Decimal | None
    invoice_type: str | None
    billing_providers: tuple[str, ...]
    raw: Json = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_wire(cls, data: Json) -> Invoice:
        details = _get(data, "invoiceDetails", default=None) or ()
        providers = tuple(
            str(_get(item, "billingProvider"))
            for item in details
            if isinstance(item, Mapping) and _get(item, "billingProvider") is not None
        )
        return cls(
            id=str(_get(data, "id", default="")),
            invoice_date=parse_timestamp(_get(data, "invoiceDate")),
            currency=_str(_get(data, "currencyCode", "currency")),
            total_charges=_decimal(_get(data, "totalCharges")),
            paid_amount=_decimal(_get(data, "paidAmount")),
            invoice_type=_str(_get(data, "invoiceType")),
            billing_providers=providers,
            raw=data,
        )
