"""Pricing: what the provider charges each reseller, what a reseller charges each customer, and the default margins
(docs/api-guide.md; the tiers in docs/business.md#the-three-price-tiers).

A buyer's pricing is read and replaced whole (`PUT`), guarded by its ETag (`If-Match`, 412 when stale), validated
before anything is written (422 with field errors) and audited. Reading a reseller's pricing is for provider staff
only: its margin over cost would tell the reseller the provider's cost. Margins and prices are decimal strings
("0.12", "7.50"); a JSON number is refused rather than read through a float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import Header, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from functions.http.deps import ContainerDep, CurrentPrincipal
from functions.http.fields import PathId
from functions.http.relationship_models import CustomerPatch
from functions.http.responses import moment, resource_router
from functions.http.schemas import Problem, problems
from shared.domain.money import format_decimal
from shared.domain.pricing import MAX_OVERRIDES
from shared.domain.relationships import Customer, Provider, Reseller
from shared.domain.scope import (
    OrgRef,
    OrgType,
    Principal,
    can_see,
    may_price_customer,
    may_price_reseller,
    may_read_provider_default_margin,
    may_read_reseller_default_margin,
    may_set_provider_default_margin,
    may_set_reseller_default_margin,
)
from shared.services.errors import NotFound, require
from shared.storage.pricing import StoredMargin, StoredPricing

router = resource_router(tags=["pricing"])

DecimalText = Annotated[str, StringConstraints(min_length=1, max_length=40)]
PRICING_PROBLEMS: dict[int | str, dict[str, object]] = {
    **problems(400, 401, 403, 404, 409, 422),
    412: {
        "model": Problem,
        "content": {"application/problem+json": {}},
        "description": "If-Match names a version that is no longer the current one",
    },
}


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    catalogItemId: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    price: DecimalText = Field(description='A fixed price in the catalog currency, a decimal string such as "7.50".')
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = Field(
        default=None, description="Needed only when the item is sold in more than one currency."
    )


class PricingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    margin: DecimalText | None = Field(
        default=None, description='A decimal fraction over the supplier\'s price ("0.12" = 12%); null for none.'
    )
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=MAX_OVERRIDES)


class OverrideOut(BaseModel):
    catalogItemId: str
    currency: str
    price: str


class PricingOut(BaseModel):
    margin: str | None
    overrides: list[OverrideOut] = Field(description="Sorted by catalog item and currency.")
    updatedAt: str | None
    updatedBy: str | None

    @classmethod
    def of(cls, stored: StoredPricing) -> PricingOut:
        rule = stored.rule
        overrides = [OverrideOut(catalogItemId=key.catalog_item_id, currency=key.currency, price=format_decimal(price))
                     for key, price in sorted(rule.overrides.items())]  # fmt: skip
        return cls(margin=_decimal(rule.margin), overrides=overrides, updatedAt=moment(stored.updated_at),
                   updatedBy=stored.updated_by)  # fmt: skip


class MarginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    margin: DecimalText | None = Field(description='A decimal fraction ("0.12" = 12%), or null for none.')


class MarginOut(BaseModel):
    margin: str | None
    updatedAt: str | None
    updatedBy: str | None

    @classmethod
    def of(cls, stored: StoredMargin) -> MarginOut:
        return cls(margin=_decimal(stored.margin), updatedAt=moment(stored.updated_at), updatedBy=stored.updated_by)


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format_decimal(value)


class CustomerPatchWithPricing(CustomerPatch):
    """PATCH /api/customers/{id}: the customer's settings and, when sent, its pricing (margin, overrides)."""

    margin: DecimalText | None = Field(default=None, description="As in PUT /api/customers/{id}/pricing.")
    overrides: list[OverrideIn] | None = Field(default=None, max_length=MAX_OVERRIDES)


# -- scope ---------------------------------------------------------------------------------------------------------


def _reseller_priced_by_provider(container: Any, principal: Principal, reseller_id: str) -> Reseller:
    """The reseller whose prices provider staff set; 404 outside the caller's scope, 403 for anyone else."""
    reseller: Reseller = container.relationship_service.reseller(principal, reseller_id)
    require(may_price_reseller(principal, reseller.org))
    return reseller


def priced_customer(container: Any, principal: Principal, customer_id: str) -> Customer:
    """A customer whose prices the caller sets: provider staff, or the staff of the customer's own reseller."""
    customer: Customer = container.relationship_service.customer(principal, customer_id)
    require(may_price_customer(principal, customer.org))
    return customer


def _visible_provider(container: Any, principal: Principal, provider_id: str) -> Provider:
    if not can_see(principal, OrgRef(OrgType.PROVIDER, provider_id)):
        raise NotFound(f"provider {provider_id} was not found")
    provider: Provider | None = container.providers.get(provider_id)
    if provider is None:
        raise NotFound(f"provider {provider_id} was not found")
    return provider


def _with_etag(response: Response, stored: StoredPricing) -> PricingOut:
    """From the first read on, the ETag to replace it with (a version even before anything is stored)."""
    response.headers["ETag"] = stored.version
    return PricingOut.of(stored)


def _precondition(if_match: str | None) -> str | None:
    """`If-Match: *` asks for no particular version; any other value must be the current ETag."""
    if if_match is None or if_match.strip() == "*":
        return None
    return if_match.strip()


IfMatch = Annotated[
    str | None, Header(alias="If-Match", max_length=512, description="The ETag last read; 412 when it is stale.")
]


# -- what the provider charges a reseller ----------------------------------------------------------------------------


@router.get("/resellers/{reseller_id}/pricing", response_model=PricingOut, responses=problems(401, 403, 404))
def get_reseller_pricing(
    reseller_id: PathId, principal: CurrentPrincipal, container: ContainerDep, response: Response
) -> PricingOut:
    """Provider staff: the reseller's margin over cost and its fixed prices, with the ETag to replace them."""
    reseller = _reseller_priced_by_provider(container, principal, reseller_id)
    return _with_etag(response, container.pricing_service.get_reseller_pricing(reseller.provider_id, reseller.id))


@router.put("/resellers/{reseller_id}/pricing", response_model=PricingOut, responses=PRICING_PROBLEMS)
def put_reseller_pricing(
    reseller_id: PathId,
    body: PricingIn,
    principal: CurrentPrincipal,
    container: ContainerDep,
    response: Response,
    if_match: IfMatch = None,
) -> PricingOut:
    """Provider staff: replaces what the provider charges the reseller (validated, audited)."""
    reseller = _reseller_priced_by_provider(container, principal, reseller_id)
    stored = container.pricing_service.set_reseller_pricing(
        principal, reseller.provider_id, reseller.id, body.model_dump(), if_match=_precondition(if_match)
    )
    return _with_etag(response, stored)


# -- what a reseller charges a customer ------------------------------------------------------------------------------


@router.get("/customers/{customer_id}/pricing", response_model=PricingOut, responses=problems(401, 403, 404))
def get_customer_pricing(
    customer_id: PathId, principal: CurrentPrincipal, container: ContainerDep, response: Response
) -> PricingOut:
    """Provider staff or the customer's reseller staff: its margin over the reseller's price and its fixed prices."""
    customer = priced_customer(container, principal, customer_id)
    return _with_etag(response, container.pricing_service.get_customer_pricing(customer.provider_id, customer.id))


@router.put("/customers/{customer_id}/pricing", response_model=PricingOut, responses=PRICING_PROBLEMS)
def put_customer_pricing(
    customer_id: PathId,
    body: PricingIn,
    principal: CurrentPrincipal,
    container: ContainerDep,
    response: Response,
    if_match: IfMatch = None,
) -> PricingOut:
    """Provider staff or the customer's reseller staff: replaces what the reseller charges it (validated, audited)."""
    customer = priced_customer(container, principal, customer_id)
    stored = container.pricing_service.set_customer_pricing(
        principal,
        customer.provider_id,
        customer.reseller_id,
        customer.id,
        body.model_dump(),
        if_match=_precondition(if_match),
    )
    return _with_etag(response, stored)


def patch_customer_pricing(
    container: Any, principal: Principal, customer_id: str, body: CustomerPatchWithPricing
) -> StoredPricing | None:
    """Applies the pricing fields a PATCH sent, keeping the ones it did not; None when it sent none."""
    sent = body.model_fields_set & {"margin", "overrides"}
    if not sent:
        return None
    customer = priced_customer(container, principal, customer_id)
    current: StoredPricing = container.pricing_service.get_customer_pricing(customer.provider_id, customer.id)
    replacement: dict[str, Any] = PricingOut.of(current).model_dump(include={"margin", "overrides"})
    if "margin" in sent:
        replacement["margin"] = body.margin
    if "overrides" in sent:
        replacement["overrides"] = [override.model_dump() for override in body.overrides or []]
    stored: StoredPricing = container.pricing_service.set_customer_pricing(
        principal, customer.provider_id, customer.reseller_id, customer.id, replacement, if_match=current.etag
    )
    return stored


# -- default margins -------------------------------------------------------------------------------------------------


@router.get("/providers/{provider_id}/default-margin", response_model=MarginOut, responses=problems(401, 403, 404))
def get_provider_default_margin(provider_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> MarginOut:
    """Provider staff: the margin over cost for resellers without one of their own."""
    provider = _visible_provider(container, principal, provider_id)
    require(may_read_provider_default_margin(principal, provider.org))
    return MarginOut.of(container.pricing_service.get_provider_default_margin(provider.id))


@router.put(
    "/providers/{provider_id}/default-margin", response_model=MarginOut, responses=problems(401, 403, 404, 409, 422)
)
def put_provider_default_margin(
    provider_id: PathId, body: MarginIn, principal: CurrentPrincipal, container: ContainerDep
) -> MarginOut:
    """Provider admin: the margin over cost every reseller without its own pays (audited)."""
    provider = _visible_provider(container, principal, provider_id)
    require(may_set_provider_default_margin(principal, provider.org))
    return MarginOut.of(container.pricing_service.set_provider_default_margin(principal, provider.id, body.margin))


@router.get("/resellers/{reseller_id}/default-margin", response_model=MarginOut, responses=problems(401, 403, 404))
def get_reseller_default_margin(reseller_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> MarginOut:
    """Provider staff and the reseller's own staff: its margin for customers without one of their own."""
    reseller: Reseller = container.relationship_service.reseller(principal, reseller_id)
    require(may_read_reseller_default_margin(principal, reseller.org))
    return MarginOut.of(container.pricing_service.get_reseller_default_margin(reseller.provider_id, reseller.id))


@router.put(
    "/resellers/{reseller_id}/default-margin", response_model=MarginOut, responses=problems(401, 403, 404, 409, 422)
)
def put_reseller_default_margin(
    reseller_id: PathId, body: MarginIn, principal: CurrentPrincipal, container: ContainerDep
) -> MarginOut:
    """The reseller's admin or provider staff: the reseller's margin for customers without their own (audited)."""
    reseller: Reseller = container.relationship_service.reseller(principal, reseller_id)
    require(may_set_reseller_default_margin(principal, reseller.org))
    return MarginOut.of(
        container.pricing_service.set_reseller_default_margin(principal, reseller.provider_id, reseller.id, body.margin)
    )


__all__ = ["CustomerPatchWithPricing", "patch_customer_pricing", "priced_customer", "router"]
