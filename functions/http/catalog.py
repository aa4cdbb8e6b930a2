"""The catalog at each caller's own buy price, and the provider's switches over it (docs/api-guide.md#catalog).

Who sees what follows from the caller's membership alone: provider staff see the provider's cost and every item
(retired and switched-off ones on request), a reseller's staff only its own price, a customer admin only its own
price, and neither of the last two ever an item the provider does not let them sell. The operator has no prices of
its own: it names the provider (`providerId`) and sees that provider's view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from functions.http.deps import ContainerDep, CurrentPrincipal, Paging, paging_binding
from functions.http.fields import StrictFlag
from functions.http.responses import hidden, resource_router
from functions.http.schemas import problems
from shared.domain.catalog import CatalogItem
from shared.domain.money import Money, format_decimal, monthly_equivalent
from shared.domain.pricing import Tier
from shared.domain.relationships import Provider
from shared.domain.scope import (
    OrgRef,
    OrgType,
    Principal,
    catalog_market_customer,
    may_decide_what_resellers_sell,
    may_manage_catalog,
    may_name_provider,
    may_read_catalog_for_customer,
    provider_named_by_operator,
)
from shared.domain.text import SINGLE_LINE_PATTERN
from shared.partner_center.errors import InvalidRequest, PartnerCenterError, Throttled
from shared.services.catalog import SyncResult
from shared.services.errors import Conflict, FieldError, Invalid, NotFound, Unavailable, require
from shared.services.pricing import CatalogViewer, PricedItem
from shared.storage.catalog import CatalogFilter, CatalogSettings

router = resource_router(tags=["catalog"])

Country = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
ItemId = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class CatalogItemOut(BaseModel):
    """One sellable item at the caller's own price; the fields under "provider staff only" appear for them alone."""

    catalogItemId: str
    offerId: str
    productId: str
    skuId: str
    availabilityId: str
    title: str
    skuTitle: str
    productFamily: str
    productType: str
    country: str
    currency: str
    termDuration: str
    billingCycle: str
    minQuantity: int | None
    maxQuantity: int | None
    isAddon: bool
    isTrial: bool = Field(description="A trial offer: price 0; convert it with POST /api/subscriptions/{id}/upgrade.")
    prerequisiteSkus: list[str] = Field(
        default_factory=list,
        description='An add-on\'s base SKUs ("product:sku"): it is sold only to a customer holding one of them.',
    )
    cancellationWindow: str | None
    status: Literal["active", "retired"]
    price: str | None = Field(description="The caller's own buy price, rounded to the currency's minor unit.")
    monthlyEquivalent: str | None = Field(description="The price spread over the term's months, for comparing.")
    cost: str | None = hidden("Provider staff only: Microsoft's price to the provider (null: not priced).")
    sellable: bool = hidden("Provider staff only: resellers and customers may buy it.")
    firstSeen: str = hidden("Provider staff only: when the catalog first listed it.")
    lastSeen: str = hidden("Provider staff only: when the catalog last listed it.")
    retiredAt: str | None = hidden("Provider staff only: when the catalog stopped listing it (null: listed).")

    @classmethod
    def of(cls, priced: PricedItem) -> CatalogItemOut:
        """The item at the viewer's own price; the provider's cost and switches for the provider alone."""
        item, price = priced.item, priced.price
        shown, money = price.shown(), price.money
        provider_only: dict[str, Any] = {}
        if price.tier is Tier.COST:
            provider_only = dict(cost=None if item.cost is None else format_decimal(item.cost), sellable=item.sellable,
                                 firstSeen=item.first_seen.isoformat(), lastSeen=item.last_seen.isoformat(),
                                 retiredAt=item.retired_at.isoformat() if item.retired_at else None)  # fmt: skip
        monthly = None if money is None else monthly_equivalent(money, item.term_duration, item.billing_cycle)
        return cls(catalogItemId=item.catalog_item_id, offerId=item.offer_id, productId=item.product_id,
                   skuId=item.sku_id, availabilityId=item.availability_id, title=item.title, skuTitle=item.sku_title,
                   productFamily=item.product_family, productType=item.product_type, country=item.country,
                   currency=item.currency, termDuration=item.term_duration, billingCycle=item.billing_cycle,
                   minQuantity=item.min_quantity, maxQuantity=item.max_quantity, isAddon=item.is_addon,
                   isTrial=item.is_trial,
                   prerequisiteSkus=list(item.prerequisite_skus), cancellationWindow=item.cancellation_window,
                   status=item.status.value,  # type: ignore[arg-type]
                   price=None if shown is None else shown.shown(),
                   monthlyEquivalent=None if monthly is None else monthly.shown(), **provider_only)  # fmt: skip


class CatalogPageOut(BaseModel):
    items: list[CatalogItemOut]
    continuationToken: str | None


class SyncIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country: Country | None = Field(
        default=None,
        description="One market; without it, every market the provider sells in (CATALOG_MARKETS and "
        "its customers' markets), one after the other.",
    )


class SyncFigures(BaseModel):
    added: int
    updated: int
    retired: int
    unchanged: int
    reactivated: int
    priced: int
    priceSheet: str
    priceSheetError: str | None
    retirementSkipped: bool


class MarketSyncOut(SyncFigures):
    country: str

    @classmethod
    def of(cls, result: SyncResult) -> MarketSyncOut:
        return cls(country=result.country, added=result.added, updated=result.updated, retired=result.retired,
                   unchanged=result.unchanged, reactivated=result.reactivated, priced=result.priced,
                   priceSheet=result.price_sheet.value, priceSheetError=result.price_sheet_error,
                   retirementSkipped=result.retirement_skipped)  # fmt: skip


class SyncOut(SyncFigures):
    country: str | None = Field(description="The market synced, or null when several were.")
    markets: list[MarketSyncOut] = Field(description="Each market the sync covered, with its own figures.")

    @classmethod
    def of(cls, markets: list[MarketSyncOut]) -> SyncOut:
        """One market's figures as they are; several markets' summed, each kept under `markets`."""
        if len(markets) == 1:
            return cls(**markets[0].model_dump(), markets=markets)
        sheets = [m.priceSheet for m in markets]
        errors = [f"{m.country}: {m.priceSheetError}" for m in markets if m.priceSheetError]
        return cls(country=None, added=sum(m.added for m in markets), updated=sum(m.updated for m in markets),
                   retired=sum(m.retired for m in markets), unchanged=sum(m.unchanged for m in markets),
                   reactivated=sum(m.reactivated for m in markets), priced=sum(m.priced for m in markets),
                   priceSheet=next((sheet for sheet in sheets if sheet != "loaded"), "loaded"),
                   priceSheetError="; ".join(errors) or None,
                   retirementSkipped=any(m.retirementSkipped for m in markets), markets=markets)  # fmt: skip


# A fraction from 0 to 1 with at most four decimals, as a decimal string (money and shares are never floats).
PassThroughShare = Annotated[str, StringConstraints(max_length=6, pattern=r"^(0(\.[0-9]{1,4})?|1(\.0{1,4})?)$")]


class CatalogSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    newItemsSellable: StrictFlag | None = None
    promotionPassThrough: PassThroughShare | None = Field(
        default=None,
        description='The share (a decimal string from "0" to "1", e.g. "0.5") of a promotion\'s discount handed down '
        "to resellers' and customers' prices.",
    )


class CatalogSettingsOut(BaseModel):
    newItemsSellable: bool
    promotionPassThrough: str = Field(description="The share (0 to 1) of a promotion's discount handed down.")

    @classmethod
    def of(cls, settings: CatalogSettings) -> CatalogSettingsOut:
        return cls(
            newItemsSellable=settings.new_items_sellable,
            promotionPassThrough=format_decimal(settings.promotion_pass_through),
        )


class PromotionItemOut(BaseModel):
    """A catalog item the promotion applies to, at the caller's own price and under the promotion."""

    catalogItemId: str
    title: str
    termDuration: str
    billingCycle: str
    currency: str
    price: str | None = Field(description="The caller's own buy price without the promotion.")
    promotionalPrice: str | None = Field(description="The caller's own buy price under the promotion.")


class PromotionOut(BaseModel):
    id: str
    country: str
    name: str
    description: str
    startDate: str | None
    endDate: str | None
    discountPercent: str = Field(description="Microsoft's discount to the provider, in percent.")
    minimumQuantity: int | None
    maximumQuantity: int | None
    firstPurchaseOnly: bool
    items: list[PromotionItemOut] = Field(description="The market's catalog items it applies to, as the caller buys.")


class PromotionsOut(BaseModel):
    items: list[PromotionOut]


class SellableIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sellable: StrictFlag
    country: Country | None = Field(default=None, description="One market; every market the item is in when absent.")


class SellableItemOut(BaseModel):
    catalogItemId: str
    country: str
    sellable: bool
    status: Literal["active", "retired"]

    @classmethod
    def of(cls, item: CatalogItem) -> SellableItemOut:
        return cls(catalogItemId=item.catalog_item_id, country=item.country, sellable=item.sellable,
                   status=item.status.value)  # type: ignore[arg-type]  # fmt: skip


class SellableOut(BaseModel):
    items: list[SellableItemOut]


@dataclass(frozen=True)
class ProviderCatalogFilter(CatalogFilter):
    """The provider's listing can also ask for the items it has switched off (`sellable=false`)."""

    switched_off_only: bool = False

    def server_filter(self) -> str:
        base = super().server_filter()
        if not self.switched_off_only:
            return base
        return f"{base} and sellable eq false" if base else "sellable eq false"


def catalog_viewer(container: Any, principal: Principal, provider_id: str | None) -> CatalogViewer:
    """Whose prices the caller sees: its own organisation's, or (operator) the named provider's cost view."""
    require(may_name_provider(principal, provider_id), f"provider {provider_id} was not found")
    named = provider_named_by_operator(principal, provider_id)
    if named:
        if container.providers.get(named) is None:
            raise NotFound(f"provider {named} was not found")
        return CatalogViewer(named)
    try:
        return CatalogViewer.of(principal.org)
    except ValueError:
        raise NotFound("your organisation has no catalog") from None


def customer_market(customer: Any, asked: str | None) -> str:
    """A customer sees and buys its own market's catalog: the default, and the only one it may ask for."""
    if not customer.country:
        raise Conflict(f"customer {customer.id}'s market is not known yet: check its relationship first")
    if asked and asked.upper() != customer.country.upper():
        raise Invalid(
            f"customer {customer.id} buys in its own market ({customer.country})",
            [FieldError("country", f"must be {customer.country}, the customer's market")],
        )
    return str(customer.country).upper()


def own_provider(container: Any, principal: Principal, *, admin_only: bool = False) -> Provider:
    """The provider whose catalog a provider member manages; 403 for every other role."""
    require(may_decide_what_resellers_sell(principal) if admin_only else may_manage_catalog(principal))
    provider = container.providers.get(principal.org.org_id)
    if provider is None:
        raise NotFound("your provider was not found")
    return provider  # type: ignore[no-any-return]


@router.get(
    "/catalog",
    responses={
        200: {"model": CatalogPageOut, "description": "A page of items"},
        **problems(400, 401, 403, 404, 409, 422),
    },
)
def list_catalog(
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    country: Annotated[
        Country | None,
        Query(
            description="The market, a two-letter country code; by default the customer's (customer admins, or "
            "`customerId` named), required otherwise."
        ),
    ] = None,
    customer_id: Annotated[
        str | None,
        Query(alias="customerId", max_length=128, description="Provider and reseller staff: that customer's market."),
    ] = None,
    product_family: Annotated[
        str | None, Query(alias="productFamily", max_length=200, pattern=SINGLE_LINE_PATTERN)
    ] = None,
    product_id: Annotated[str | None, Query(alias="productId", max_length=200)] = None,
    term_duration: Annotated[str | None, Query(alias="termDuration", max_length=10)] = None,
    billing_cycle: Annotated[str | None, Query(alias="billingCycle", max_length=20)] = None,
    q: Annotated[
        str | None, Query(max_length=200, pattern=SINGLE_LINE_PATTERN, description="Text in the title or SKU title.")
    ] = None,
    include_retired: Annotated[
        bool, Query(alias="includeRetired", description="Provider staff only (others never see retired items).")
    ] = False,
    sellable: Annotated[
        bool | None, Query(description="Provider staff only: only items resellers may (true) or may not (false) sell.")
    ] = None,
    provider_id: Annotated[
        str | None, Query(alias="providerId", max_length=128, description="Operator only: whose catalog.")
    ] = None,
) -> CatalogPageOut:
    """Any member: each item with the caller's own buy price (provider: cost; reseller and customer: their own)."""
    viewer = catalog_viewer(container, principal, provider_id)
    # A filter outside the caller's scope is a 404; a customer reads its own market.
    require(may_read_catalog_for_customer(principal, customer_id), f"customer {customer_id} was not found")
    market_of = catalog_market_customer(principal, customer_id)
    if market_of:
        country = customer_market(container.relationship_service.customer(principal, market_of), country)
    if not country:  # answered as any missing query parameter is
        raise RequestValidationError(
            [{"type": "missing", "loc": ("query", "country"), "msg": "Field required (or name customerId)"}]
        )
    filters = ProviderCatalogFilter(
        product_family=product_family or None,
        product_id=product_id or None,
        term_duration=term_duration or None,
        billing_cycle=billing_cycle or None,
        text=q or None,
        sellable_only=sellable is True,
        include_retired=include_retired,
        switched_off_only=sellable is False,
    )
    binding = paging_binding(
        principal,
        "catalog",
        country=country.upper(),
        providerId=viewer.provider_id,
        productFamily=product_family,
        productId=product_id,
        termDuration=term_duration,
        billingCycle=billing_cycle,
        q=q,
        includeRetired=str(include_retired),
        sellable=None if sellable is None else str(sellable),
    )
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    page = container.pricing_service.catalog_for(
        viewer, country, filters=filters, limit=paging.limit, position=position
    )
    return CatalogPageOut(
        items=[CatalogItemOut.of(item) for item in page.items],
        continuationToken=container.continuation_tokens.encode(page.next_position, binding=binding),
    )


class MarketsOut(BaseModel):
    items: list[str] = Field(
        description="Two-letter markets: those of CATALOG_MARKETS, then those the provider's customers brought (what "
        "a sync covers); a customer admin's is its own market alone (empty until it is known)."
    )


@router.get("/catalog/markets", response_model=MarketsOut, responses=problems(400, 401, 403, 404, 422))
def list_markets(
    principal: CurrentPrincipal,
    container: ContainerDep,
    provider_id: Annotated[
        str | None, Query(alias="providerId", max_length=128, description="The operator names the provider.")
    ] = None,
) -> MarketsOut:
    """The markets whose catalog the caller can read: the market picker of the catalog and the pricing pages."""
    viewer = catalog_viewer(container, principal, provider_id)
    if viewer.customer_id is not None:
        customer = container.relationship_service.customer(principal, viewer.customer_id)
        return MarketsOut(items=[customer.country.upper()] if customer.country else [])
    return MarketsOut(items=container.markets_of(viewer.provider_id))


@router.get("/catalog/promotions", response_model=PromotionsOut, responses=problems(401, 404, 422))
def list_promotions(
    principal: CurrentPrincipal,
    container: ContainerDep,
    country: Annotated[Country | None, Query(description="The market; a customer admin's own by default.")] = None,
    provider_id: Annotated[
        str | None, Query(alias="providerId", max_length=128, description="Operator only: whose catalog.")
    ] = None,
) -> PromotionsOut:
    """Any member: the market's active promotions with the items they apply to, at the caller's own prices (the
    provider's cost under a promotion is Microsoft's; lower tiers get the provider's pass-through share)."""
    viewer = catalog_viewer(container, principal, provider_id)
    if viewer.customer_id is not None:
        country = customer_market(container.relationship_service.customer(principal, viewer.customer_id), country)
    if not country:
        raise RequestValidationError([{"type": "missing", "loc": ("query", "country"), "msg": "Field required"}])
    country = country.upper()
    now = datetime.now(UTC)
    offers = container.pricing_service.promotion_offers(viewer, country, now=now)
    return PromotionsOut(
        items=[
            PromotionOut(
                id=promotion.id, country=promotion.country, name=promotion.name, description=promotion.description,
                startDate=promotion.start_date.isoformat() if promotion.start_date else None,
                endDate=promotion.end_date.isoformat() if promotion.end_date else None,
                discountPercent=format_decimal(promotion.discount_percent),
                minimumQuantity=promotion.minimum_quantity, maximumQuantity=promotion.maximum_quantity,
                firstPurchaseOnly=promotion.first_purchase_only,
                items=[
                    PromotionItemOut(
                        catalogItemId=o.item.catalog_item_id, title=o.item.title, termDuration=o.item.term_duration,
                        billingCycle=o.item.billing_cycle, currency=o.item.currency,
                        price=_shown(o.price, o.item.currency), promotionalPrice=_shown(o.promoted, o.item.currency),
                    )
                    for o in offers_of
                ],
            )
            for promotion, offers_of in offers
        ]
    )  # fmt: skip


def _shown(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else Money(amount, currency).rounded().shown()


@router.post("/catalog/sync", response_model=SyncOut, responses=problems(401, 403, 404, 422, 503))
def sync_catalog(body: SyncIn, principal: CurrentPrincipal, container: ContainerDep) -> SyncOut:
    """Provider staff: reads the market from Partner Center now (as the timer does) and answers what changed."""
    provider = own_provider(container, principal)
    countries = [body.country.upper()] if body.country else container.markets_of(provider.id)
    sync = container.catalog_sync_for(provider)
    markets: list[MarketSyncOut] = []
    for country in countries:
        try:
            result = sync.sync(provider.id, country, now=datetime.now(UTC))
        except Throttled as error:
            raise Unavailable("Partner Center is throttling catalog reads; try again shortly") from error
        except InvalidRequest as error:
            # Partner Center refused our input (a market it does not sell in): the caller's to fix, not an outage.
            raise Invalid(
                f"Partner Center does not sell in the market {country}",
                [FieldError("country", error.description or "is not a market Partner Center sells in")],
            ) from error
        except PartnerCenterError as error:
            raise Unavailable(f"Partner Center did not answer the catalog: {type(error).__name__}") from error
        container.audit.record(
            actor=principal,
            action="catalog.synced",
            entity_type="catalog",
            entity_id=f"{provider.id}|{result.country}",
            org=OrgRef(OrgType.PROVIDER, provider.id),
            before=None,
            after=result,
        )
        markets.append(MarketSyncOut.of(result))
    return SyncOut.of(markets)


@router.get("/catalog/settings", response_model=CatalogSettingsOut, responses=problems(401, 403, 404))
def get_catalog_settings(principal: CurrentPrincipal, container: ContainerDep) -> CatalogSettingsOut:
    """Provider staff: whether items first seen in a sync may be sold at once."""
    provider = own_provider(container, principal)
    return CatalogSettingsOut.of(container.catalog_service.settings(provider.id))


@router.put("/catalog/settings", response_model=CatalogSettingsOut, responses=problems(401, 403, 404, 422))
def put_catalog_settings(
    body: CatalogSettingsIn, principal: CurrentPrincipal, container: ContainerDep
) -> CatalogSettingsOut:
    """Provider admin: what resellers may sell of what a sync brings in, and how much of a promotion's discount
    passes down, are business decisions (audited)."""
    provider = own_provider(container, principal, admin_only=True)
    if body.newItemsSellable is None and body.promotionPassThrough is None:
        raise Invalid("nothing to change", [FieldError("newItemsSellable", "name a setting to change")])
    settings = container.catalog_service.settings(provider.id)
    if body.newItemsSellable is not None:
        settings = container.catalog_service.set_new_items_sellable(principal, provider.id, body.newItemsSellable)
    if body.promotionPassThrough is not None:
        settings = container.catalog_service.set_promotion_pass_through(
            principal, provider.id, Decimal(body.promotionPassThrough)
        )
    return CatalogSettingsOut.of(settings)


@router.put(
    "/catalog/items/{catalog_item_id}/sellable", response_model=SellableOut, responses=problems(401, 403, 404, 422)
)
def put_item_sellable(
    catalog_item_id: ItemId, body: SellableIn, principal: CurrentPrincipal, container: ContainerDep
) -> SellableOut:
    """Provider admin: switches one item on or off for resellers and their customers (audited)."""
    provider = own_provider(container, principal, admin_only=True)
    items = container.catalog_service.set_sellable(
        principal, provider.id, catalog_item_id, body.sellable, country=body.country.upper() if body.country else None
    )
    return SellableOut(items=[SellableItemOut.of(item) for item in items])


__all__ = ["ProviderCatalogFilter", "catalog_viewer", "own_provider", "router"]
