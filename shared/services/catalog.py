"""Catalog sync (Partner Center -> Table Storage) and the provider's choices of what its resellers may sell."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from shared.domain.catalog import (
    COMMERCIAL_SEGMENT,
    CatalogItem,
    CostIndex,
    ItemStatus,
    PriceSheetRowLike,
    items_from_availability,
    refreshed,
)
from shared.domain.promotions import Promotion, PromotionTerm, check_pass_through
from shared.domain.scope import OrgRef, OrgType, Principal
from shared.partner_center.errors import NotFound as PartnerCenterNotFound
from shared.partner_center.errors import PartnerCenterError
from shared.services.errors import FieldError, Invalid, NotFound
from shared.storage.audit import AuditLog
from shared.storage.catalog import CatalogRepository, CatalogSettings, SyncRecord, check_country

# (unconfirmed) the targetView spelling for new-commerce licences; it is the products' productType.id in NCE samples.
NCE_TARGET_VIEW = "OnlineServicesNCE"
CATALOG_SYNC = "catalog.sync"


def queue_catalog_syncs(publisher: Any, provider_id: str, countries: Iterable[str], *, now: datetime) -> list[str]:
    """Asks the queue to sync these markets for the provider: once per market and hour (the message id dedupes)."""
    from shared.messaging import QueueMessage, QueueNames

    queued: list[str] = []
    hour = int(now.timestamp() // 3600) + 1
    for country in dict.fromkeys(c.strip().upper() for c in countries if c and c.strip()):
        message = QueueMessage(
            type=CATALOG_SYNC, entity_id=f"{provider_id}:{country}", attempt=hour,
            payload={"providerId": provider_id, "country": country},
        )  # fmt: skip
        publisher.send(QueueNames.CATALOG_SYNCS, message)
        queued.append(country)
    return queued


def promotion_from_wire(promotion: Any, country: str) -> Promotion | None:
    """The client's promotion as the platform keeps it; one without a percentage discount is not kept (the
    platform prices only percentage promotions)."""
    discount = next((p.discount_percent for p in promotion.products if p.discount_percent is not None), None)
    if discount is None or not promotion.id:
        return None
    return Promotion(
        id=promotion.id,
        country=country.upper(),
        name=promotion.name,
        description=promotion.description,
        start_date=promotion.start_date,
        end_date=promotion.end_date,
        discount_percent=discount,
        terms=tuple(
            PromotionTerm(p.product_id, p.sku_id, p.term_duration, p.billing_cycle) for p in promotion.products
        ),
        minimum_quantity=promotion.minimum_quantity,
        maximum_quantity=promotion.maximum_quantity,
        first_purchase_only=promotion.first_purchase_only,
    )


class CatalogSource(Protocol):
    """What the sync reads from Partner Center (the PartnerCenterClient's catalog methods)."""

    def iter_products(self, country: str, target_view: str, *, correlation_id: str | None = None) -> Iterable[Any]: ...

    def list_skus(self, product_id: str, *, country: str, correlation_id: str | None = None) -> list[Any]: ...

    def list_availabilities(
        self, product_id: str, sku_id: str, *, country: str, correlation_id: str | None = None
    ) -> list[Any]: ...


class PriceSheet(StrEnum):
    """How the provider's cost was read in a sync."""

    LOADED = "loaded"  # the market's price sheet was read; items without a row are unpriced
    NOT_AVAILABLE = "notAvailable"  # the client cannot read price sheets: costs stay as they were
    FAILED = "failed"  # Partner Center refused or failed: costs stay as they were


@dataclass(frozen=True)
class SyncResult:
    country: str
    added: int
    updated: int
    retired: int
    unchanged: int
    reactivated: int
    priced: int
    price_sheet: PriceSheet
    price_sheet_error: str | None = None
    retirement_skipped: bool = False
    promotions: int | None = None  # the market's promotions stored; None: not read this time (kept as they were)

    @property
    def seen(self) -> int:
        return self.added + self.updated + self.unchanged


class CatalogSync:
    """Brings one market of a provider's catalog in line with Partner Center; running it twice changes nothing.

    Items Partner Center no longer lists are retired, not deleted; an item listed again is active again with the
    provider's earlier sellable choice. An empty listing never retires a whole market (a glitch must not empty
    the catalog resellers sell from)."""

    def __init__(
        self,
        client: CatalogSource,
        repository: CatalogRepository,
        *,
        target_view: str = NCE_TARGET_VIEW,
        segment: str | None = COMMERCIAL_SEGMENT,
    ) -> None:
        self._client = client
        self._repository = repository
        self._target_view = target_view
        self._segment = segment

    def sync(self, provider_id: str, country: str, *, now: datetime) -> SyncResult:
        country = check_country(country)
        correlation_id = str(uuid.uuid4())
        settings = self._repository.get_settings(provider_id)
        costs, sheet_state, sheet_error = self._read_price_sheet(country, now, correlation_id)
        seen = self._read_catalog(country, now, costs, settings.new_items_sellable, correlation_id)
        existing = {item.catalog_item_id: item for item in self._repository.iter_market(provider_id, country)}

        added: list[CatalogItem] = []
        again: list[CatalogItem] = []
        updated = unchanged = reactivated = 0
        for item in seen.values():
            before = existing.get(item.catalog_item_id)
            if before is None:
                added.append(item)
                continue
            if costs is None:
                item = replace(item, cost=before.cost)  # no price sheet this time: the cost known before stands
            current = refreshed(before, item, now=now)
            again.append(current)
            if before.status is ItemStatus.RETIRED:
                reactivated += 1
                updated += 1
            elif before.same_content(current):
                unchanged += 1
            else:
                updated += 1
        gone = [item for key, item in existing.items() if key not in seen and item.is_active]
        retirement_skipped = not seen and bool(gone)
        if retirement_skipped:
            gone = []

        self._repository.write_seen(provider_id, added, again)
        costs_changed = [
            *added,
            *(item for item in again if item.cost is not None and item.cost != existing[item.catalog_item_id].cost),
        ]
        self._repository.record_costs(provider_id, costs_changed, now=now)
        self._repository.retire(provider_id, gone, now=now)
        promotions = self._sync_promotions(provider_id, country, correlation_id)
        priced = sum(1 for item in [*added, *again] if item.cost is not None)
        result = SyncResult(
            country=country,
            added=len(added),
            updated=updated,
            retired=len(gone),
            unchanged=unchanged,
            reactivated=reactivated,
            priced=priced,
            price_sheet=sheet_state,
            price_sheet_error=sheet_error,
            retirement_skipped=retirement_skipped,
            promotions=promotions,
        )
        self._repository.record_sync(
            provider_id,
            SyncRecord(
                country=country,
                synced_at=now,
                added=result.added,
                updated=result.updated,
                retired=result.retired,
                unchanged=result.unchanged,
                priced=result.priced,
                price_sheet=sheet_state.value,
            ),
        )
        return result

    def _sync_promotions(self, provider_id: str, country: str, correlation_id: str) -> int | None:
        """Stores the market's commercial promotions; a client without promotions, or a failed read, keeps the
        ones stored before (a glitch must not take a promotion away from an order being placed)."""
        list_promotions = getattr(self._client, "list_promotions", None)
        if list_promotions is None:
            return None
        try:
            listed = list_promotions(country, segment=COMMERCIAL_SEGMENT, correlation_id=correlation_id)
        except PartnerCenterError:
            return None
        found = [p for p in (promotion_from_wire(item, country) for item in listed) if p is not None]
        return self._repository.replace_promotions(provider_id, country, found)

    def _read_price_sheet(
        self, country: str, now: datetime, correlation_id: str
    ) -> tuple[CostIndex | None, PriceSheet, str | None]:
        """The market's price sheet as an index, or None (with why) when it cannot be read this time."""
        try:
            iter_price_sheet = self._client.iter_price_sheet  # type: ignore[attr-defined]
        except AttributeError:
            return None, PriceSheet.NOT_AVAILABLE, None
        try:
            rows: Iterable[PriceSheetRowLike] = iter_price_sheet(country)
            return CostIndex(rows, now=now), PriceSheet.LOADED, None
        except (PartnerCenterError, ValueError) as error:  # a refusal, an outage or a malformed sheet
            return None, PriceSheet.FAILED, f"{type(error).__name__}: {error}"

    def _read_catalog(
        self, country: str, now: datetime, costs: CostIndex | None, sellable: bool, correlation_id: str
    ) -> dict[str, CatalogItem]:
        seen: dict[str, CatalogItem] = {}
        products: dict[str, Any] = {}
        for product in self._client.iter_products(country, self._target_view, correlation_id=correlation_id):
            products.setdefault(product.id, product)
        for product in products.values():
            try:
                skus = self._client.list_skus(product.id, country=country, correlation_id=correlation_id)
            except PartnerCenterNotFound:
                continue  # withdrawn between the product list and this call
            for sku in skus:
                try:
                    availabilities = self._client.list_availabilities(
                        product.id, sku.id, country=country, correlation_id=correlation_id
                    )
                except PartnerCenterNotFound:
                    continue
                for availability in availabilities:
                    if not availability.is_purchasable or not self._in_segment(availability.segment):
                        continue
                    for item in items_from_availability(
                        product,
                        sku,
                        availability,
                        country=country,
                        now=now,
                        sellable=sellable,
                        cost=costs.costs_for(availability) if costs is not None else None,
                    ):
                        seen.setdefault(item.catalog_item_id, item)
        return seen

    def _in_segment(self, segment: str | None) -> bool:
        return self._segment is None or not segment or segment.strip().lower() == self._segment


class CatalogAdmin:
    """The provider's switches over its catalog, each change audited."""

    def __init__(self, repository: CatalogRepository, audit: AuditLog) -> None:
        self._repository = repository
        self._audit = audit

    def set_sellable(
        self,
        actor: Principal | str,
        provider_id: str,
        catalog_item_id: str,
        sellable: bool,
        *,
        country: str | None = None,
    ) -> list[CatalogItem]:
        """Switches an item on or off for resellers (in one market, or in every market it is offered in)."""
        before = (
            [self._repository.get(provider_id, country, catalog_item_id)]
            if country
            else self._repository.find_everywhere(provider_id, catalog_item_id)
        )
        before = [item for item in before if item is not None]
        if not before:
            raise NotFound(f"catalog item {catalog_item_id} was not found")
        after = self._repository.set_sellable(provider_id, catalog_item_id, sellable, country=country)
        self._audit.record(
            actor=actor,
            action="catalogItem.sellableChanged",
            entity_type="catalogItem",
            entity_id=catalog_item_id,
            org=OrgRef(OrgType.PROVIDER, provider_id),
            before={item.country: item.sellable for item in before},
            after={item.country: item.sellable for item in after},
        )
        return after

    def settings(self, provider_id: str) -> CatalogSettings:
        return self._repository.get_settings(provider_id)

    def set_new_items_sellable(self, actor: Principal | str, provider_id: str, value: bool) -> CatalogSettings:
        """Whether items a sync sees for the first time may be sold at once, or wait for the provider."""
        before, after = self._repository.save_settings(provider_id, new_items_sellable=value)
        self._audit.record(
            actor=actor,
            action="catalogSettings.changed",
            entity_type="catalogSettings",
            entity_id=provider_id,
            org=OrgRef(OrgType.PROVIDER, provider_id),
            before={"newItemsSellable": before.new_items_sellable},
            after={"newItemsSellable": after.new_items_sellable},
        )
        return after

    def set_promotion_pass_through(self, actor: Principal | str, provider_id: str, share: Decimal) -> CatalogSettings:
        """How much of a promotion's discount the provider hands down to resellers and customers (0 to 1)."""
        problem = check_pass_through(share)
        if problem:
            raise Invalid(f"promotionPassThrough {problem}", [FieldError("promotionPassThrough", problem)])
        before, after = self._repository.save_pass_through(provider_id, share)
        self._audit.record(
            actor=actor,
            action="catalogSettings.changed",
            entity_type="catalogSettings",
            entity_id=provider_id,
            org=OrgRef(OrgType.PROVIDER, provider_id),
            before={"promotionPassThrough": str(before.promotion_pass_through)},
            after={"promotionPassThrough": str(after.promotion_pass_through)},
        )
        return after

    def promotions(self, provider_id: str, country: str) -> list[Promotion]:
        return self._repository.promotions(provider_id, check_country(country))


__all__ = [
    "CatalogAdmin",
    "CatalogSource",
    "CatalogSync",
    "NCE_TARGET_VIEW",
    "PriceSheet",
    "SyncResult",
]
