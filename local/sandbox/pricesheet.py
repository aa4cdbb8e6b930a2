"""The new-commerce license price sheet download that api.partner.microsoft.com serves
(docs/partner-center.md#price-sheet)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from local.sandbox import catalog
from local.sandbox.auth import CallerDep, SandboxDep
from local.sandbox.clock import add_months
from local.sandbox.commerce import catalog_changes
from local.sandbox.wire import PartnerCenterError

router = APIRouter(tags=["Price sheet (api.partner.microsoft.com)"])

# (unconfirmed) the columns of Microsoft's NCE license-based price list, in this order; the reference could not
# confirm them, so a parser should map by header name rather than by position.
COLUMNS = (
    "ProductTitle", "ProductId", "SkuId", "SkuTitle", "Publisher", "SkuDescription", "UnitOfMeasure", "TermDuration",
    "BillingPlan", "Market", "Currency", "UnitPrice", "PricingTierRangeMin", "PricingTierRangeMax",
    "EffectiveStartDate", "EffectiveEndDate", "Tags", "ERPPrice", "Segment",
)  # fmt: skip
VIEWS = frozenset({"azure_consumption", "azure_reservations", "updatedlicensebased", "marketplace", "software"})
# (unconfirmed) ERP (estimated retail price) sits above the partner price; the sandbox uses a fixed 20% uplift.
ERP_UPLIFT = Decimal("1.20")
_SELECTOR = re.compile(r"^pricesheets\((?P<args>[^)]*)\)/\$value$", re.IGNORECASE)
_ARGUMENT = re.compile(r"\s*(\w+)\s*=\s*'([^']*)'\s*")


def parse_selector(path: str) -> dict[str, str]:
    """The OData key arguments of `pricesheets(Market='NL',PricesheetView='updatedlicensebased')/$value`."""
    match = _SELECTOR.match(path)
    if not match:
        raise PartnerCenterError(404, 2000, f"Resource sales/{path} was not found.", source="PriceSheetService")
    arguments: dict[str, str] = {}
    for part in match.group("args").split(","):
        argument = _ARGUMENT.fullmatch(part)
        if argument is None:
            raise PartnerCenterError(400, 2000, f"Invalid price sheet selector: {match.group('args')}.",
                                     source="PriceSheetService")  # fmt: skip
        arguments[argument.group(1).lower()] = argument.group(2)
    return arguments


def price_rows(changes: catalog.CatalogChanges, country: str, today: dt.date) -> Iterator[dict[str, str]]:
    """One row per product, SKU, term and billing plan still offered in the market, priced as carts are charged."""
    market = catalog.MARKETS[country]
    # (unconfirmed) the sheet covers the current month; a changed price is effective from the month it changed
    start = today.replace(day=1)
    end = add_months(dt.datetime(start.year, start.month, 1, tzinfo=dt.UTC), 1).date() - dt.timedelta(days=1)
    for sku in catalog.offered_skus(changes, country):
        for term in sku.terms:
            price = catalog.current_unit_price(changes, sku, country, term)
            yield {
                "ProductTitle": sku.product_title,
                "ProductId": sku.product_id,
                "SkuId": sku.sku_id,
                "SkuTitle": sku.product_title,
                "Publisher": "Microsoft Corporation",
                "SkuDescription": sku.product_description,
                "UnitOfMeasure": "1 License",
                "TermDuration": term.duration,
                "BillingPlan": term.billing_cycle,
                "Market": market.country,
                "Currency": market.currency,
                "UnitPrice": format(price, "f"),
                "PricingTierRangeMin": "",
                "PricingTierRangeMax": "",
                "EffectiveStartDate": start.strftime("%m/%d/%Y"),
                "EffectiveEndDate": end.strftime("%m/%d/%Y"),
                "Tags": "License;Addon" if sku.is_addon else "License",
                "ERPPrice": format((price * ERP_UPLIFT).quantize(Decimal("0.01")), "f"),
                "Segment": "Commercial",
            }


def csv_chunks(rows: Iterator[dict[str, str]]) -> Iterator[bytes]:
    """The CSV as a stream (header first), as the download is a file rather than a JSON document."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 16384:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


@router.get("/v1.0/sales/{selector:path}", summary="Price sheet download (app+user only)")
def price_sheet(selector: str, request: Request, caller: CallerDep, sandbox: SandboxDep) -> Any:
    caller.require_app_user()
    arguments = parse_selector(selector)
    view = arguments.get("pricesheetview", "")
    if view.lower() not in VIEWS:
        raise PartnerCenterError(400, 2000, f"The price sheet view '{view}' is not valid.", source="PriceSheetService")
    country = arguments.get("market", "").upper()
    if country not in catalog.MARKETS:
        # (unconfirmed) the code for a market the price sheet does not serve
        raise PartnerCenterError(400, 2000, f"The market '{arguments.get('market', '')}' is not valid.",
                                 source="PriceSheetService")  # fmt: skip
    changes = catalog_changes(sandbox)
    rows: Iterator[dict[str, str]] = iter(())
    if view.lower() == "updatedlicensebased":
        rows = price_rows(changes, country, sandbox.state.clock.now().date())
    file_name = f"{view}_{country}_{sandbox.state.clock.now():%Y%m}.csv"
    return StreamingResponse(
        csv_chunks(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )


# Control: change the catalog so the platform's catalog sync has something to notice ---------------------------------

control_router = APIRouter(prefix="/_sandbox", tags=["Sandbox control"])


class CatalogChange(BaseModel):
    """A price change (unitPrice with market, termDuration and billingCycle) or a retirement (retire: true)."""

    model_config = ConfigDict(extra="forbid")

    catalogItemId: str = Field(examples=["CFQ7TTC0LH18:0001:CFQ7TTC0K971"])
    market: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$", description="Omitted on a retirement: all")
    termDuration: str | None = Field(default=None, examples=["P1Y"])
    billingCycle: str | None = Field(default=None, examples=["Monthly"])
    unitPrice: Decimal | None = Field(default=None, description="Price per billing period, as the sheet lists it")
    retire: bool = False


class CatalogChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    changes: list[CatalogChange] = Field(min_length=1)


def _apply(changes: dict[str, dict[str, str]], change: CatalogChange, now: str) -> dict[str, Any]:
    sku = catalog.find_by_catalog_item_id(change.catalogItemId)
    if sku is None:
        raise HTTPException(400, f"unknown catalog item {change.catalogItemId}")
    if change.market is not None and change.market.upper() not in catalog.MARKETS:
        raise HTTPException(400, f"the sandbox sells in {', '.join(catalog.MARKETS)} only")
    if change.retire:
        if change.unitPrice is not None:
            raise HTTPException(400, "a change either retires an offer or sets a price, not both")
        key = catalog.retire_key(sku.catalog_item_id, change.market or catalog.ANY_MARKET)
        changes.setdefault("retired", {})[key] = now
        return {"catalogItemId": sku.catalog_item_id, "market": change.market, "retired": True}
    if change.unitPrice is None or change.market is None or not change.termDuration or not change.billingCycle:
        raise HTTPException(400, "a price change needs market, termDuration, billingCycle and unitPrice")
    term = catalog.find_term(sku, change.termDuration, change.billingCycle)
    if term is None:
        raise HTTPException(400, f"{sku.catalog_item_id} has no term {change.termDuration}/{change.billingCycle}")
    if change.unitPrice <= 0:
        raise HTTPException(400, "unitPrice must be positive")
    key = catalog.price_key(sku.catalog_item_id, change.market, term)
    changes.setdefault("prices", {})[key] = format(change.unitPrice, "f")
    return {"catalogItemId": sku.catalog_item_id, "market": change.market.upper(), "termDuration": term.duration,
            "billingCycle": term.billing_cycle, "unitPrice": format(change.unitPrice, "f")}  # fmt: skip


@control_router.post("/catalog/changes", summary="Change a price or retire an offer (price sheet and catalog follow)")
def change_catalog(body: CatalogChanges, sandbox: SandboxDep) -> dict[str, Any]:
    """New purchases pay the changed price; subscriptions keep the price they were bought at (new commerce)."""
    with sandbox.state.lock:
        changes = sandbox.state.data.setdefault("catalogChanges", {})
        staged = {name: dict(values) for name, values in changes.items()}
        applied = [_apply(staged, change, sandbox.state.now_text()) for change in body.changes]
        changes.clear()
        changes.update(staged)
        sandbox.state.save()
    return {"applied": applied, **catalog_changes(sandbox)}


@control_router.get("/catalog/changes", summary="The price changes and retirements in force")
def get_catalog_changes(sandbox: SandboxDep) -> dict[str, Any]:
    return {"prices": {}, "retired": {}, **catalog_changes(sandbox)}


@control_router.delete("/catalog/changes", summary="Back to the built-in catalog and prices")
def reset_catalog(sandbox: SandboxDep) -> dict[str, Any]:
    with sandbox.state.lock:
        sandbox.state.data["catalogChanges"] = {}
        sandbox.state.save()
    return {"prices": {}, "retired": {}}
