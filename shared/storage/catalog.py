"""The synced catalog in Table Storage: one partition per provider and market, one row per catalog item.

Rows are never deleted: an item Partner Center stops offering is marked retired, because orders and subscriptions
still name it. The sync writes with MERGE and never touches `sellable`, so a provider's switch made while a sync
runs is not lost.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.domain.catalog import CatalogItem, ItemStatus, normalize_cycle, normalize_term
from shared.domain.money import format_decimal, parse_money_string
from shared.domain.promotions import DEFAULT_PASS_THROUGH, Promotion, PromotionTerm
from shared.storage.tables import (
    TableStorage,
    chunks,
    iter_query,
    odata_quote,
    query_page,
    safe_key,
    update_with_etag,
)

COSTS_TABLE = "catalogcosts"
PROMOTIONS_TABLE = "catalogpromotions"

TABLE = "catalog"
SETTINGS_TABLE = "catalogsettings"
_SETTINGS_ROW = "settings"
_SYNC_ROW_PREFIX = "sync|"
BATCH_SIZE = 100  # an entity-group transaction holds at most 100 operations
_SCAN_PAGE = 1000
_COUNTRY = re.compile(r"^[A-Za-z]{2}\Z")


def provider_key(provider_id: str) -> str:
    """The provider part of a key; '|' is escaped so one provider's key range never holds another's rows."""
    return safe_key(provider_id).replace("|", "%7C")


def check_country(country: str) -> str:
    """A market is a two-letter country code (upper case in keys)."""
    if not isinstance(country, str) or not _COUNTRY.match(country):
        raise ValueError(f"a market is a two-letter country code, not {country!r}")
    return country.upper()


def partition_key(provider_id: str, country: str) -> str:
    return f"{provider_key(provider_id)}|{check_country(country)}"


def _partition_range(provider_id: str) -> str:
    prefix = provider_key(provider_id) + "|"
    return f"PartitionKey ge {odata_quote(prefix)} and PartitionKey lt {odata_quote(prefix + '~')}"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _content_fields(item: CatalogItem) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "catalogItemId": item.catalog_item_id,
        "offerId": item.offer_id,
        "productId": item.product_id,
        "skuId": item.sku_id,
        "availabilityId": item.availability_id,
        "title": item.title,
        "titleLower": item.title.lower(),
        "skuTitle": item.sku_title,
        "productFamily": item.product_family,
        "productType": item.product_type,
        "country": item.country,
        "currency": item.currency,
        "termDuration": item.term_duration,
        "billingCycle": item.billing_cycle,
        "minQuantity": item.min_quantity if item.min_quantity is not None else -1,
        "maxQuantity": item.max_quantity if item.max_quantity is not None else -1,
        "cost": "" if item.cost is None else format_decimal(item.cost),  # money is a string: tables have no decimal
        "isAddon": item.is_addon,
        "isTrial": item.is_trial,
        "prerequisiteSkus": ",".join(item.prerequisite_skus),
        "cancellationWindow": _text(item.cancellation_window),
        "segment": _text(item.segment),
    }
    return fields


def to_entity(item: CatalogItem, provider_id: str) -> dict[str, Any]:
    """The whole row, as first written."""
    return {
        "PartitionKey": partition_key(provider_id, item.country),
        "RowKey": safe_key(item.catalog_item_id),
        **_content_fields(item),
        "status": item.status.value,
        "sellable": item.sellable,
        "firstSeen": item.first_seen,
        "lastSeen": item.last_seen,
        "retiredAt": item.retired_at or "",
    }


def _quantity(value: Any) -> int | None:
    return None if value is None or int(value) < 0 else int(value)


def _when(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def from_entity(entity: dict[str, Any]) -> CatalogItem:
    cost_text = entity.get("cost") or ""
    return CatalogItem(
        catalog_item_id=entity["catalogItemId"],
        offer_id=entity["offerId"],
        product_id=entity["productId"],
        sku_id=entity["skuId"],
        availability_id=entity["availabilityId"],
        title=entity.get("title") or "",
        sku_title=entity.get("skuTitle") or "",
        product_family=entity.get("productFamily") or "",
        product_type=entity.get("productType") or "",
        country=entity["country"],
        currency=entity["currency"],
        term_duration=entity["termDuration"],
        billing_cycle=entity["billingCycle"],
        min_quantity=_quantity(entity.get("minQuantity")),
        max_quantity=_quantity(entity.get("maxQuantity")),
        cost=parse_money_string(cost_text) if cost_text else None,
        is_addon=bool(entity.get("isAddon")),
        is_trial=bool(entity.get("isTrial")),
        prerequisite_skus=tuple(sku for sku in str(entity.get("prerequisiteSkus") or "").split(",") if sku),
        status=ItemStatus(entity.get("status") or ItemStatus.ACTIVE.value),
        sellable=bool(entity.get("sellable")),
        first_seen=_when(entity.get("firstSeen")) or datetime.min.replace(tzinfo=UTC),
        last_seen=_when(entity.get("lastSeen")) or datetime.min.replace(tzinfo=UTC),
        cancellation_window=entity.get("cancellationWindow") or None,
        segment=entity.get("segment") or None,
        retired_at=_when(entity.get("retiredAt")),
    )


@dataclass(frozen=True)
class CatalogFilter:
    """What a catalog listing can be narrowed to; `text` matches title or SKU title, case-insensitively."""

    product_family: str | None = None
    product_id: str | None = None
    term_duration: str | None = None
    billing_cycle: str | None = None
    text: str | None = None
    sellable_only: bool = False
    include_retired: bool = False

    def server_filter(self) -> str:
        """The part Table Storage evaluates (exact matches); text search is applied while scanning."""
        clauses: list[str] = []
        if not self.include_retired:
            clauses.append(f"status eq {odata_quote(ItemStatus.ACTIVE.value)}")
        if self.sellable_only:
            clauses.append("sellable eq true")
        if self.product_family:
            clauses.append(f"productFamily eq {odata_quote(self.product_family)}")
        if self.product_id:
            clauses.append(f"productId eq {odata_quote(self.product_id)}")
        if self.term_duration:
            clauses.append(f"termDuration eq {odata_quote(normalize_term(self.term_duration))}")
        if self.billing_cycle:
            clauses.append(f"billingCycle eq {odata_quote(normalize_cycle(self.billing_cycle))}")
        return " and ".join(clauses)

    def matches_text(self, entity: dict[str, Any]) -> bool:
        if not self.text:
            return True
        needle = self.text.strip().lower()
        return needle in (entity.get("title") or "").lower() or needle in (entity.get("skuTitle") or "").lower()


@dataclass(frozen=True)
class CatalogPage:
    items: list[CatalogItem]
    next_position: dict[str, str] | None


@dataclass(frozen=True)
class CatalogSettings:
    """The provider's catalog choices: whether items first seen in a sync may be sold before anyone looks."""

    new_items_sellable: bool = False
    etag: str | None = None
    promotion_pass_through: Decimal = DEFAULT_PASS_THROUGH  # share of a promotion's discount handed down (0-1)


@dataclass(frozen=True)
class SyncRecord:
    """The outcome of a market's last sync, kept for operations and the health of the catalog."""

    country: str
    synced_at: datetime
    added: int
    updated: int
    retired: int
    unchanged: int
    priced: int
    price_sheet: str


class CatalogRepository:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self) -> Any:
        return self._storage.table(TABLE)

    @property
    def _settings(self) -> Any:
        return self._storage.table(SETTINGS_TABLE)

    # -- reads ---------------------------------------------------------------------------------------------------

    def get(self, provider_id: str, country: str, catalog_item_id: str) -> CatalogItem | None:
        try:
            entity = self._table.get_entity(partition_key(provider_id, country), safe_key(catalog_item_id))
        except ResourceNotFoundError:
            return None
        return from_entity(dict(entity))

    def iter_market(self, provider_id: str, country: str) -> Iterator[CatalogItem]:
        """Every item of a market, retired ones included."""
        query = f"PartitionKey eq {odata_quote(partition_key(provider_id, country))}"
        for entity in iter_query(self._table, query_filter=query):
            yield from_entity(entity)

    def market_currency(self, provider_id: str, country: str) -> str | None:
        """The currency the synced catalog of a market is sold in (None before its first sync)."""
        query = f"PartitionKey eq {odata_quote(partition_key(provider_id, country.upper()))}"
        page = query_page(self._table, query_filter=query, limit=1, select=["currency"])
        return str(page.items[0]["currency"]) if page.items and page.items[0].get("currency") else None

    def find_everywhere(self, provider_id: str, catalog_item_id: str) -> list[CatalogItem]:
        """The item in every market of the provider where it is (or was) offered."""
        query = f"{_partition_range(provider_id)} and RowKey eq {odata_quote(safe_key(catalog_item_id))}"
        return [from_entity(entity) for entity in iter_query(self._table, query_filter=query)]

    def find_sku(self, provider_id: str, country: str, product_id: str, sku_id: str) -> CatalogItem | None:
        """An item of a SKU in a market (any of its terms): how the catalog titles an add-on's base."""
        query = (f"PartitionKey eq {odata_quote(partition_key(provider_id, country.upper()))} and productId eq "
                 f"{odata_quote(product_id.upper())} and skuId eq {odata_quote(sku_id)}")  # fmt: skip
        page = query_page(self._table, query_filter=query, limit=1)
        return from_entity(dict(page.items[0])) if page.items else None

    def currencies_of(self, provider_id: str, catalog_item_id: str) -> frozenset[str]:
        """The currencies the provider's catalog sells the item in (empty: unknown item): pricing validation."""
        return frozenset(item.currency for item in self.find_everywhere(provider_id, catalog_item_id))

    def currencies_by_item(self, provider_id: str) -> dict[str, frozenset[str]]:
        """Every item id of the provider with the currencies it is sold in, read in one scan (bulk validation)."""
        found: dict[str, set[str]] = {}
        query = _partition_range(provider_id)
        for entity in self._table.query_entities(query, select=["catalogItemId", "currency"], results_per_page=1000):
            found.setdefault(entity["catalogItemId"], set()).add(entity["currency"])
        return {item_id: frozenset(currencies) for item_id, currencies in found.items()}

    def page(
        self,
        provider_id: str,
        country: str,
        *,
        filters: CatalogFilter | None = None,
        limit: int,
        position: dict[str, str] | None = None,
    ) -> CatalogPage:
        """Up to `limit` matching items in catalog-item-id order, after `position`.

        The position is the last row key returned rather than Table Storage's own token, so rows scanned but not
        returned (past the limit, or not matching the text) are never skipped."""
        if limit < 1:
            raise ValueError("limit must be positive")
        filters = filters or CatalogFilter()
        clauses = [f"PartitionKey eq {odata_quote(partition_key(provider_id, country))}"]
        after = (position or {}).get("after")
        if after:
            clauses.append(f"RowKey gt {odata_quote(after)}")
        server = filters.server_filter()
        if server:
            clauses.append(server)
        items: list[CatalogItem] = []
        last_key: str | None = None
        entities = self._table.query_entities(" and ".join(clauses), results_per_page=min(_SCAN_PAGE, limit + 1))
        for entity in entities:
            entity = dict(entity)
            if not filters.matches_text(entity):
                continue
            if len(items) == limit:
                return CatalogPage(items=items, next_position={"after": last_key or ""})
            items.append(from_entity(entity))
            last_key = entity["RowKey"]
        return CatalogPage(items=items, next_position=None)

    # -- writes by the sync --------------------------------------------------------------------------------------

    def write_seen(self, provider_id: str, added: Iterable[CatalogItem], seen: Iterable[CatalogItem]) -> int:
        """New items whole; items seen again with Partner Center's fields only (never `sellable`), in batches."""
        operations: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        for item in added:
            operations.append(("upsert", to_entity(item, provider_id), {"mode": UpdateMode.MERGE}))
        for item in seen:
            entity = {
                "PartitionKey": partition_key(provider_id, item.country),
                "RowKey": safe_key(item.catalog_item_id),
                **_content_fields(item),
                "status": ItemStatus.ACTIVE.value,
                "lastSeen": item.last_seen,
                "retiredAt": "",
            }
            operations.append(("upsert", entity, {"mode": UpdateMode.MERGE}))
        return self._submit(operations)

    def record_costs(self, provider_id: str, items: Iterable[CatalogItem], *, now: datetime) -> int:
        """Appends the costs the sync just set or changed, with when they took effect: billing prices a charge
        with the cost in force on its date, so the price sheet's earlier values are kept."""
        table = self._storage.table(COSTS_TABLE)
        written = 0
        for batch in chunks((item for item in items if item.cost is not None), 100):
            operations = [("upsert", {
                "PartitionKey": safe_key(provider_id), "RowKey": safe_key(f"{i.catalog_item_id}|{i.country}|"
                                                                          f"{now.isoformat()}"),
                "itemId": i.catalog_item_id, "country": i.country, "currency": i.currency,
                "cost": format_decimal(i.cost), "effectiveFrom": now,
            }) for i in batch if i.cost is not None]  # fmt: skip
            by_partition = table.submit_transaction(operations)
            written += len(by_partition)
        return written

    def cost_history(self, provider_id: str) -> dict[tuple[str, str], list[tuple[datetime, Decimal]]]:
        """Every recorded cost of the provider's items, by (catalog item id, country), oldest first."""
        found: dict[tuple[str, str], list[tuple[datetime, Decimal]]] = {}
        for row in iter_query(self._storage.table(COSTS_TABLE),
                              query_filter=f"PartitionKey eq {odata_quote(safe_key(provider_id))}"):  # fmt: skip
            found.setdefault((row["itemId"], row["country"]), []).append(
                (row["effectiveFrom"], parse_money_string(row["cost"]))
            )
        for versions in found.values():
            versions.sort(key=lambda version: version[0])
        return found

    def retire(self, provider_id: str, items: Iterable[CatalogItem], *, now: datetime) -> int:
        """Marks items Partner Center no longer offers; their rows stay."""
        operations = [
            (
                "update",
                {
                    "PartitionKey": partition_key(provider_id, item.country),
                    "RowKey": safe_key(item.catalog_item_id),
                    "status": ItemStatus.RETIRED.value,
                    "retiredAt": now,
                },
                {"mode": UpdateMode.MERGE},
            )
            for item in items
        ]
        return self._submit(operations)

    def _submit(self, operations: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> int:
        by_partition: dict[str, list[tuple[str, dict[str, Any], dict[str, Any]]]] = {}
        for operation in operations:
            by_partition.setdefault(operation[1]["PartitionKey"], []).append(operation)
        written = 0
        for partition_operations in by_partition.values():
            for batch in chunks(partition_operations, BATCH_SIZE):
                self._table.submit_transaction(batch)
                written += len(batch)
        return written

    # -- the provider's choices ----------------------------------------------------------------------------------

    def set_sellable(
        self, provider_id: str, catalog_item_id: str, sellable: bool, *, country: str | None = None
    ) -> list[CatalogItem]:
        """Switches one item on or off for resellers, in one market or in every market it is offered in."""
        if country is not None:
            current = self.get(provider_id, country, catalog_item_id)
            targets = [current] if current is not None else []
        else:
            targets = self.find_everywhere(provider_id, catalog_item_id)
        changed: list[CatalogItem] = []
        for item in targets:
            self._table.update_entity(
                {
                    "PartitionKey": partition_key(provider_id, item.country),
                    "RowKey": safe_key(item.catalog_item_id),
                    "sellable": sellable,
                },
                mode=UpdateMode.MERGE,
            )
            changed.append(item)
        return [self.get(provider_id, item.country, catalog_item_id) or item for item in changed]

    def get_settings(self, provider_id: str) -> CatalogSettings:
        try:
            entity = self._settings.get_entity(provider_key(provider_id), _SETTINGS_ROW)
        except ResourceNotFoundError:
            return CatalogSettings()
        pass_through = entity.get("promotionPassThrough")
        return CatalogSettings(
            new_items_sellable=bool(entity.get("newItemsSellable")),
            etag=entity.metadata.get("etag"),
            promotion_pass_through=Decimal(pass_through) if pass_through else DEFAULT_PASS_THROUGH,
        )

    def save_settings(self, provider_id: str, *, new_items_sellable: bool) -> tuple[CatalogSettings, CatalogSettings]:
        """Stores the provider's choice under If-Match; answers (before, after)."""
        table = self._settings
        key = provider_key(provider_id)
        with contextlib.suppress(ResourceExistsError):
            table.create_entity({"PartitionKey": key, "RowKey": _SETTINGS_ROW, "newItemsSellable": False})
        before: dict[str, Any] = {}

        def change(entity: dict[str, Any]) -> dict[str, Any]:
            before.clear()
            before.update(entity)
            return {**entity, "newItemsSellable": new_items_sellable}

        update_with_etag(table, key, _SETTINGS_ROW, change)
        return CatalogSettings(new_items_sellable=bool(before.get("newItemsSellable"))), self.get_settings(provider_id)

    def save_pass_through(self, provider_id: str, share: Decimal) -> tuple[CatalogSettings, CatalogSettings]:
        """Stores the share of promotions' discounts handed down, under If-Match; answers (before, after)."""
        table = self._settings
        key = provider_key(provider_id)
        with contextlib.suppress(ResourceExistsError):
            table.create_entity({"PartitionKey": key, "RowKey": _SETTINGS_ROW, "newItemsSellable": False})
        before = self.get_settings(provider_id)
        update_with_etag(table, key, _SETTINGS_ROW, lambda e: {**e, "promotionPassThrough": format_decimal(share)})
        return before, self.get_settings(provider_id)

    # -- promotions ----------------------------------------------------------------------------------------------

    def replace_promotions(self, provider_id: str, country: str, promotions: Iterable[Promotion]) -> int:
        """The market's promotions become exactly these (a promotion Microsoft stopped listing is gone)."""
        table = self._storage.table(PROMOTIONS_TABLE)
        partition = partition_key(provider_id, country)
        wanted = {safe_key(p.id): _promotion_entity(partition, p) for p in promotions}
        stale = [
            e["RowKey"]
            for e in iter_query(table, query_filter=f"PartitionKey eq {odata_quote(partition)}")
            if e["RowKey"] not in wanted
        ]
        for row_key in stale:
            table.delete_entity(partition, row_key)
        for entity in wanted.values():
            table.upsert_entity(entity, mode=UpdateMode.REPLACE)
        return len(wanted)

    def promotions(self, provider_id: str, country: str) -> list[Promotion]:
        """The market's promotions as the last sync read them, in id order."""
        table = self._storage.table(PROMOTIONS_TABLE)
        query = f"PartitionKey eq {odata_quote(partition_key(provider_id, country))}"
        return [_promotion_of(e) for e in iter_query(table, query_filter=query)]

    def all_promotions(self, provider_id: str) -> list[Promotion]:
        """Every market's promotions of the provider (billing matches lines by promotion id)."""
        table = self._storage.table(PROMOTIONS_TABLE)
        return [_promotion_of(e) for e in iter_query(table, query_filter=_partition_range(provider_id))]

    def record_sync(self, provider_id: str, record: SyncRecord) -> None:
        self._settings.upsert_entity(
            {
                "PartitionKey": provider_key(provider_id),
                "RowKey": _SYNC_ROW_PREFIX + record.country.upper(),
                "country": record.country.upper(),
                "syncedAt": record.synced_at,
                "added": record.added,
                "updated": record.updated,
                "retired": record.retired,
                "unchanged": record.unchanged,
                "priced": record.priced,
                "priceSheet": record.price_sheet,
            },
            mode=UpdateMode.REPLACE,
        )

    def sync_records(self, provider_id: str) -> list[SyncRecord]:
        """The last sync of every market the provider's catalog holds: which markets exist, and how fresh."""
        key = provider_key(provider_id)
        query = (
            f"PartitionKey eq {odata_quote(key)} and RowKey ge {odata_quote(_SYNC_ROW_PREFIX)} "
            f"and RowKey lt {odata_quote(_SYNC_ROW_PREFIX + '~')}"
        )
        return [
            SyncRecord(
                country=e["country"],
                synced_at=e["syncedAt"],
                added=int(e["added"]),
                updated=int(e["updated"]),
                retired=int(e["retired"]),
                unchanged=int(e["unchanged"]),
                priced=int(e.get("priced") or 0),
                price_sheet=e.get("priceSheet") or "",
            )
            for e in iter_query(self._settings, query_filter=query)
        ]


def _promotion_entity(partition: str, promotion: Promotion) -> dict[str, Any]:
    return {
        "PartitionKey": partition,
        "RowKey": safe_key(promotion.id),
        "promotionId": promotion.id,
        "country": promotion.country,
        "name": promotion.name,
        "description": promotion.description,
        "startDate": promotion.start_date or "",
        "endDate": promotion.end_date or "",
        "discountPercent": format_decimal(promotion.discount_percent),
        "terms": json.dumps([[t.product_id, t.sku_id, t.term_duration, t.billing_cycle] for t in promotion.terms]),
        "minQuantity": promotion.minimum_quantity if promotion.minimum_quantity is not None else -1,
        "maxQuantity": promotion.maximum_quantity if promotion.maximum_quantity is not None else -1,
        "firstPurchaseOnly": promotion.first_purchase_only,
    }


def _promotion_of(entity: dict[str, Any]) -> Promotion:
    return Promotion(
        id=entity["promotionId"],
        country=entity["country"],
        name=entity.get("name") or "",
        description=entity.get("description") or "",
        start_date=_when(entity.get("startDate")),
        end_date=_when(entity.get("endDate")),
        discount_percent=Decimal(entity.get("discountPercent") or "0"),
        terms=tuple(PromotionTerm(*t) for t in json.loads(entity.get("terms") or "[]", parse_float=Decimal)),
        minimum_quantity=_quantity(entity.get("minQuantity")),
        maximum_quantity=_quantity(entity.get("maxQuantity")),
        first_purchase_only=bool(entity.get("firstPurchaseOnly")),
    )
