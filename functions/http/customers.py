"""Customers: invitations, new tenants, reads, storefront switch and relationship checks
(docs/api-guide.md#customers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from functions.http.agreements import AgreementAcceptanceIn, CustomerAgreementOut
from functions.http.deps import ContainerDep, CurrentPrincipal, IdempotencyDep, Paging, paging_binding
from functions.http.fields import PathId
from functions.http.pricing import CustomerPatchWithPricing, patch_customer_pricing
from functions.http.relationship_models import CustomerInvitationIn, NewCustomerIn, OffboardIn, StorefrontPolicyIn
from functions.http.resellers import OFFBOARDED_FILTER, StrictQueryFlag, check_fields, offboarding_fields, query_flag
from functions.http.responses import answer, moment, resource_router
from functions.http.schemas import problems
from shared.domain.money import format_decimal
from shared.domain.relationships import Customer
from shared.domain.scope import may_sync_customer_subscriptions
from shared.domain.storefront import StorefrontPolicy
from shared.partner_center import Address, BillingProfile
from shared.services.errors import Conflict, require
from shared.services.relationships import NewTenant

router = resource_router(tags=["customers"])

CustomerStatus = Literal["invited", "creating", "active", "ended", "expired", "failed"]


class StorefrontPolicyOut(BaseModel):
    allowedCatalogItemIds: list[str] | None = Field(
        description="The items the customer may buy; null: every sellable item."
    )
    allowSeatDecrease: bool
    allowRenewalChanges: bool
    maxTermDuration: Literal["P1M", "P1Y", "P3Y"]
    approvalThreshold: str | None = Field(
        description="An order whose total (customer price) is above this waits for approval; null: none does."
    )

    @classmethod
    def of(cls, policy: StorefrontPolicy) -> StorefrontPolicyOut:
        ids = policy.allowed_catalog_item_ids
        threshold = policy.approval_threshold
        return cls(allowedCatalogItemIds=None if ids is None else list(ids),
                   allowSeatDecrease=policy.allow_seat_decrease, allowRenewalChanges=policy.allow_renewal_changes,
                   maxTermDuration=policy.max_term_duration,  # type: ignore[arg-type]
                   approvalThreshold=None if threshold is None else format_decimal(threshold))  # fmt: skip


class CustomerOut(BaseModel):
    id: str
    providerId: str
    resellerId: str
    name: str
    domain: str | None
    tenantId: str | None
    contactEmail: str | None
    status: CustomerStatus
    origin: Literal["invitation", "created"]
    invitationUrl: str | None
    storefrontEnabled: bool
    storefrontPolicy: StorefrontPolicyOut
    country: str | None = Field(description="The market: the billing profile's country in Partner Center.")
    currency: str | None = Field(description="The currency the customer's market is billed in.")
    marketReadAt: str | None = Field(description="When the market was last read from Partner Center.")
    invitedAt: str
    expiresAt: str
    activatedAt: str | None
    endedAt: str | None
    failureReason: str | None
    flag: str | None
    lastCheckedAt: str | None
    lastCheckResult: str | None = Field(description='What the last check found (e.g. "still active").')
    nextCheckAt: str | None = Field(description="When the relationship is looked for next, while it is pending.")
    offboardedAt: str | None = Field(
        default=None, description="When it was offboarded (no new orders); null: in business."
    )
    offboardedBy: str | None = Field(default=None, description="The member who offboarded it.")
    offboardingReason: str | None = Field(default=None, description="Why, as given when it was offboarded.")
    agreement: CustomerAgreementOut = Field(
        description="The customer's Microsoft Customer Agreement acceptance as Partner Center confirmed it."
    )
    updatedAt: str

    @classmethod
    def fields_of(cls, customer: Customer) -> dict[str, Any]:
        return dict(
            id=customer.id, providerId=customer.provider_id, resellerId=customer.reseller_id, name=customer.name,
            domain=customer.domain, tenantId=customer.tenant_id, contactEmail=customer.contact_email,
            status=customer.status.value, origin=customer.origin, invitationUrl=customer.invitation_url,
            storefrontEnabled=customer.storefront_enabled,
            storefrontPolicy=StorefrontPolicyOut.of(customer.storefront_policy), country=customer.country,
            currency=customer.currency, marketReadAt=moment(customer.market_read_at),
            invitedAt=customer.invited_at.isoformat(), expiresAt=customer.expires_at.isoformat(),
            activatedAt=moment(customer.activated_at), endedAt=moment(customer.ended_at),
            failureReason=customer.failure_reason, flag=customer.flag, updatedAt=customer.updated_at.isoformat(),
            agreement=CustomerAgreementOut.of(customer.agreement),
            **check_fields(customer), **offboarding_fields(customer),
        )  # fmt: skip

    @classmethod
    def of(cls, customer: Customer) -> CustomerOut:
        return cls(**cls.fields_of(customer))


class CustomerCreatedOut(CustomerOut):
    customerId: str

    @classmethod
    def of(cls, customer: Customer) -> CustomerCreatedOut:
        return cls(customerId=customer.id, **cls.fields_of(customer))


class CustomerPage(BaseModel):
    items: list[CustomerOut]
    continuationToken: str | None


@router.post(
    "/customer-invitations",
    status_code=201,
    response_model=CustomerCreatedOut,
    responses=problems(400, 401, 403, 404, 409, 422, 503),
)
def invite_customer(
    body: CustomerInvitationIn, principal: CurrentPrincipal, container: ContainerDep, idempotency: IdempotencyDep
) -> Any:
    """Provider staff, or the reseller's own staff: a relationship request link naming the reseller."""

    def create() -> JSONResponse:
        customer = container.relationship_service.invite_customer(
            principal,
            reseller_id=body.resellerId,
            name=body.name,
            domain=body.domain,
            tenant_id=body.tenantId,
            contact_email=body.contactEmail,
        )
        return answer(
            CustomerCreatedOut.of(customer),
            status_code=201,
            headers={"Location": f"/api/customers/{customer.id}"},
        )

    return idempotency.respond(create)


@router.post(
    "/customers", status_code=202, response_model=CustomerCreatedOut, responses=problems(400, 401, 403, 404, 409, 422)
)
def create_customer(
    body: NewCustomerIn, principal: CurrentPrincipal, container: ContainerDep, idempotency: IdempotencyDep
) -> Any:
    """A new tenant in Partner Center for the reseller: 202 creating, then active or failed with the reason."""

    def create() -> JSONResponse:
        address = body.billingProfile.defaultAddress
        tenant = NewTenant(
            company_name=body.companyProfile.companyName,
            domain_prefix=body.companyProfile.domainPrefix,
            billing_profile=BillingProfile(
                email=body.billingProfile.email,
                culture=body.billingProfile.culture,
                language=body.billingProfile.language,
                company_name=body.companyProfile.companyName,
                default_address=Address(
                    country=address.country,
                    city=address.city,
                    address_line1=address.addressLine1,
                    postal_code=address.postalCode,
                    address_line2=address.addressLine2,
                    state=address.state,
                    first_name=address.firstName,
                    last_name=address.lastName,
                    phone_number=address.phoneNumber,
                ),
            ),
        )
        customer = container.relationship_service.create_customer(principal, reseller_id=body.resellerId, tenant=tenant)
        return answer(
            CustomerCreatedOut.of(customer),
            status_code=202,
            headers={"Location": f"/api/customers/{customer.id}"},
        )

    return idempotency.respond(create)


@router.get("/customers", response_model=CustomerPage, responses=problems(400, 401, 403, 404))
def list_customers(
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    reseller_id: Annotated[str | None, Query(alias="resellerId", max_length=128)] = None,
    status: Annotated[CustomerStatus | None, Query()] = None,
    provider_id: Annotated[
        str | None, Query(alias="providerId", max_length=128, description="Operator only: whose customers.")
    ] = None,
    offboarded: Annotated[StrictQueryFlag | None, Query(description=OFFBOARDED_FILTER)] = None,
) -> CustomerPage:
    binding = paging_binding(principal, "customers", resellerId=reseller_id, status=status, providerId=provider_id,
                             offboarded=offboarded)  # fmt: skip
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.relationship_service.list_customers(
        principal,
        provider_id=provider_id,
        reseller_id=reseller_id,
        status=status,
        limit=paging.limit,
        position=position,
        offboarded=query_flag(offboarded),
    )
    return CustomerPage(
        items=[CustomerOut.of(c) for c in items],
        continuationToken=container.continuation_tokens.encode(following, binding=binding),
    )


@router.get("/customers/{customer_id}", response_model=CustomerOut, responses=problems(401, 403, 404))
def get_customer(customer_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> CustomerOut:
    return CustomerOut.of(container.relationship_service.customer(principal, customer_id))


@router.patch("/customers/{customer_id}", response_model=CustomerOut, responses=problems(400, 401, 403, 404, 409, 422))
def patch_customer(
    customer_id: PathId, body: CustomerPatchWithPricing, principal: CurrentPrincipal, container: ContainerDep
) -> CustomerOut:
    """Provider staff or the customer's reseller staff: its name and contact e-mail, the storefront switch and
    pricing settings (each audited). A policy naming an id that is not a catalog item of the customer's market is
    422, and nothing is changed."""
    customer = container.relationship_service.customer(principal, customer_id)
    policy = None if body.storefrontPolicy is None else _storefront_policy(body.storefrontPolicy)
    if policy is not None:  # checked before anything is changed, the pricing fields included
        container.relationship_service.check_storefront_policy(
            principal, customer_id, policy, catalog=container.catalog
        )
    patch_customer_pricing(container, principal, customer_id, body)
    if body.name is not None or body.contactEmail is not None:
        customer = container.relationship_service.edit_customer(
            principal, customer_id, name=body.name, contact_email=body.contactEmail
        )
    if policy is not None:
        customer = container.relationship_service.set_storefront_policy(
            principal, customer_id, policy, catalog=container.catalog
        )
    if body.storefrontEnabled is not None:
        customer = container.relationship_service.set_storefront(principal, customer_id, body.storefrontEnabled)
    return CustomerOut.of(customer)


def _storefront_policy(policy: StorefrontPolicyIn) -> StorefrontPolicy:
    return StorefrontPolicy(
        allowed_catalog_item_ids=None if policy.allowedCatalogItemIds is None else tuple(policy.allowedCatalogItemIds),
        allow_seat_decrease=policy.allowSeatDecrease,
        allow_renewal_changes=policy.allowRenewalChanges,
        max_term_duration=policy.maxTermDuration,
        approval_threshold=None if policy.approvalThreshold is None else Decimal(policy.approvalThreshold),
    )


@router.post(
    "/customers/{customer_id}/offboard", response_model=CustomerOut, responses=problems(400, 401, 403, 404, 409, 422)
)
def offboard_customer(
    customer_id: PathId, principal: CurrentPrincipal, container: ContainerDep, body: OffboardIn | None = None
) -> CustomerOut:
    """Provider staff or the reseller's admins: no new orders or seats from now on; its subscriptions stay as they
    are in Partner Center, its record, orders, charges and billing stay readable (409 when already offboarded)."""
    reason = body.reason if body else None
    return CustomerOut.of(container.relationship_service.offboard_customer(principal, customer_id, reason=reason))


@router.post("/customers/{customer_id}/restore", response_model=CustomerOut, responses=problems(401, 403, 404, 409))
def restore_customer(customer_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> CustomerOut:
    """Provider staff or the reseller's admins: back in business; 409 when it is not offboarded, or while its
    reseller is (restore the reseller first)."""
    return CustomerOut.of(container.relationship_service.restore_customer(principal, customer_id))


@router.post(
    "/customers/{customer_id}/agreement",
    response_model=CustomerOut,
    responses=problems(400, 401, 403, 404, 409, 422, 503),
)
def add_customer_agreement(
    customer_id: PathId, body: AgreementAcceptanceIn, principal: CurrentPrincipal, container: ContainerDep
) -> CustomerOut:
    """Provider staff or the customer's reseller staff record the Microsoft Customer Agreement acceptance the
    customer gave (who, when): it is recorded in Partner Center, read back, stored and audited, and answers the
    customer (200). 409 when the customer is not active; 422 for a date in the future or one Partner Center refuses."""
    customer = container.agreement_service.record(
        principal, customer_id, contact=body.contact(), date_agreed=body.dateAgreed
    )
    return CustomerOut.of(customer)


@router.post(
    "/customers/{customer_id}/relationship-check",
    status_code=202,
    response_model=CustomerOut,
    responses=problems(401, 403, 404),
)
def check_customer(customer_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> CustomerOut:
    return CustomerOut.of(container.relationship_service.request_customer_check(principal, customer_id))


class SubscriptionsSyncOut(BaseModel):
    customerId: str
    synced: int = Field(description="How many subscriptions Partner Center holds for the customer, each mirrored now.")


@router.post(
    "/customers/{customer_id}/subscriptions/sync",
    response_model=SubscriptionsSyncOut,
    responses=problems(401, 403, 404, 409, 503),
)
def sync_customer_subscriptions(
    customer_id: PathId, principal: CurrentPrincipal, container: ContainerDep
) -> SubscriptionsSyncOut:
    """Provider staff and the customer's reseller staff: every subscription of the customer read from Partner
    Center now; one it holds that we had no record of is adopted (flagged and audited)."""
    customer = container.relationship_service.customer(principal, customer_id)
    require(may_sync_customer_subscriptions(principal, customer.org))
    if customer.status.value != "active":
        raise Conflict(f"customer {customer_id} is {customer.status.value}: only an active relationship is synced")
    provider = container.relationship_service.selling_provider(customer.provider_id)
    synced = container.subscription_service.resync_customer(provider, customer.id)
    return SubscriptionsSyncOut(customerId=customer.id, synced=synced)
