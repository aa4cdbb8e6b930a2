"""The new-commerce license price sheet (docs/partner-center.md#price-sheet): a CSV download read row by row.

Columns are matched by header name (case, spaces and underscores ignored), never by position: the column set is
(unconfirmed). A UTF-8 BOM, a gzip body and a zip archive holding the CSV are all accepted.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from shared.partner_center.errors import UnexpectedResponse
from shared.partner_center.models import parse_timestamp

VIEWS = frozenset({"azure_consumption", "azure_reservations", "updatedlicensebased", "marketplace", "software"})
_MARKET = re.compile(r"^[A-Za-z]{2}$")
_ZIP_MAGIC = b"PK\x03\x04"
_GZIP_MAGIC = b"\x1f\x8b"
_SPOOL_IN_MEMORY = 32 << 20

# Normalised header -> field; the first names are those of Microsoft's license-based price list.
COLUMNS: dict[str, str] = {
    "productid": "product_id",
    "skuid": "sku_id",
    "producttitle": "product_title",
    "productname": "product_title",
    "skutitle": "sku_title",
    "skuname": "sku_title",
    "termduration": "term_duration",
    "billingplan": "billing_plan",
    "billingcycle": "billing_plan",
    "market": "market",
    "currency": "currency",
    "unitprice": "unit_price",
    "erpprice": "erp_price",
    "effectivestartdate": "effective_start",
    "effectiveenddate": "effective_end",
    "segment": "segment",
}
REQUIRED = frozenset({"product_id", "sku_id", "unit_price"})


@dataclass(frozen=True)
class PriceSheetRow:
    """One price: a product's SKU for a term and billing plan in a market; the provider's cost (`unit_price`)."""

    product_id: str
    sku_id: str
    product_title: str | None
    sku_title: str | None
    term_duration: str | None
    billing_plan: str | None  # lower case, as carts and subscriptions write billing cycles
    market: str | None
    currency: str | None
    unit_price: Decimal
    erp_price: Decimal | None
    effective_start: datetime | None
    effective_end: datetime | None
    segment: str | None
    raw: Mapping[str, str] = field(repr=False, compare=False, default_factory=dict)


def price_sheet_path(market: str, view: str) -> str:
    """`/v1.0/sales/pricesheets(Market='NL',PricesheetView='updatedlicensebased')/$value`, arguments checked."""
    if not _MARKET.match(market or ""):
        raise ValueError("market is a two-letter country code")
    if view not in VIEWS:
        raise ValueError(f"view must be one of {sorted(VIEWS)}")
    return f"/v1.0/sales/pricesheets(Market='{market.upper()}',PricesheetView='{view}')/$value"


def _normalise(header: str) -> str:
    return re.sub(r"[\s_\-]", "", header.lstrip("\ufeff")).lower()


def _money(value: str | None, *, column: str, line: int) -> Decimal | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return Decimal(text)  # money is never guessed: a grouping or decimal comma is refused, not misread
    except InvalidOperation:
        raise UnexpectedResponse(f"price sheet line {line}: {column} {text!r} is not a number") from None


def _date(value: str | None) -> datetime | None:
    """ISO 8601, or the US `M/D/YYYY` the price list files use (unconfirmed), as midnight UTC."""
    text = (value or "").strip()
    if not text:
        return None
    if "/" in text:
        for layout in ("%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p"):
            try:
                return datetime.strptime(text, layout).replace(tzinfo=UTC)
            except ValueError:
                continue
        return None
    try:
        return parse_timestamp(text)
    except ValueError:
        return None


def _text(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def iter_rows(text: IO[str]) -> Iterator[PriceSheetRow]:
    """Rows of a CSV text stream; the header row decides which column is which."""
    reader = csv.reader(text)
    header = next(reader, None)
    if header is None:
        return
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        target = COLUMNS.get(_normalise(name))
        if target is not None and target not in positions:
            positions[target] = index
    missing = REQUIRED - positions.keys()
    if missing:
        raise UnexpectedResponse(f"the price sheet has no {', '.join(sorted(missing))} column (header: {header})")
    names = [name.lstrip("\ufeff") for name in header]
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str | None:
            index = positions.get(name)
            return row[index] if index is not None and index < len(row) else None

        line = reader.line_num
        unit_price = _money(cell("unit_price"), column="UnitPrice", line=line)
        if unit_price is None:
            raise UnexpectedResponse(f"price sheet line {line} has no UnitPrice")
        plan = _text(cell("billing_plan"))
        yield PriceSheetRow(
            product_id=(cell("product_id") or "").strip(),
            sku_id=(cell("sku_id") or "").strip(),
            product_title=_text(cell("product_title")),
            sku_title=_text(cell("sku_title")),
            term_duration=_text(cell("term_duration")),
            billing_plan=plan.lower() if plan else None,
            market=_text(cell("market")),
            currency=_text(cell("currency")),
            unit_price=unit_price,
            erp_price=_money(cell("erp_price"), column="ERPPrice", line=line),
            effective_start=_date(cell("effective_start")),
            effective_end=_date(cell("effective_end")),
            segment=_text(cell("segment")),
            raw=dict(zip(names, row, strict=False)),
        )


class _Gunzip(io.RawIOBase):
    """A readable stream over a gzip stream, inflated as it is read."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self.buffer:
            if self.inflater.eof:
                rest = self.inflater.unused_data
                if not rest:
                    return 0
                self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self.buffer = self.inflater.decompress(rest)
                continue
            chunk = self.source.read(1 << 16)
            if not chunk:
                self.buffer = self.inflater.flush()
                if not self.buffer:
                    return 0
                break
            self.buffer = self.inflater.decompress(chunk)
        size = min(len(target), len(self.buffer))
        target[:size] = self.buffer[:size]
        self.buffer = self.buffer[size:]
        return size


def open_csv(body: IO[bytes]) -> Iterator[IO[str]]:
    """The CSV text inside a download: plain, gzip, or the first .csv member of a zip (spooled: zip needs seeking)."""
    buffered: Any = body if isinstance(body, io.BufferedReader) else io.BufferedReader(body)  # type: ignore[type-var]
    head = buffered.peek(4)[:4]
    if head.startswith(_GZIP_MAGIC):
        buffered = io.BufferedReader(_Gunzip(buffered))
        head = buffered.peek(4)[:4]
    if head.startswith(_ZIP_MAGIC):
        # (unconfirmed) "zipped on request": the archive is spooled to disk past 32 MiB, then its CSV is streamed
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            while chunk := buffered.read(1 << 20):
                spool.write(chunk)
            spool.seek(0)
            with zipfile.ZipFile(spool) as archive:
                members = [info for info in archive.infolist() if not info.is_dir()]
                if not members:
                    raise UnexpectedResponse("the price sheet archive is empty")
                chosen = next((m for m in members if m.filename.lower().endswith(".csv")), members[0])
                with archive.open(chosen) as member:
                    yield io.TextIOWrapper(member, encoding="utf-8-sig", newline="")
        return
    yield io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")


def iter_price_sheet(body: IO[bytes]) -> Iterator[PriceSheetRow]:
    """Every row of a price sheet download, whatever wrapping it came in."""
    for text in open_csv(body):
        yield from iter_rows(text)
