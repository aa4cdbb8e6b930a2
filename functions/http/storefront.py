"""The storefront: a customer's admin buys and manages for itself, at its own prices, within the policy its
reseller or provider set, and only while the storefront is switched on (docs/api-guide.md#storefront,
docs/business.md#storefront-policy)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from functions.http.agreements import CustomerAgreementOut, StorefrontAgreementIn, StorefrontAgreementOut
from functions.http.billing import LineOut, Totals
from functions.http.catalog import CatalogItemOut, CatalogPageOut, customer_market
from functions.http.deps import ContainerDep, CurrentPrincipal, IdempotencyDep, Paging, paging_binding
from functions.http.fields import OneChange, PathId, Quantity, StrictFlag
from functions.http.orders import OrderLineIn, OrderOut, OrderPage, line_request
from functions.http.renewals import RenewalIn
from functions.http.responses import answer, resource_router
from functions.http.schemas import problems
from functions.http.subscriptions import SubscriptionOut, SubscriptionPage
from shared.domain.listings import list_partition
from shared.domain.money import TERM_MONTHS
from shared.domain.periods import PERIOD_PATTERN
from shared.domain.relationships import Customer
from shared.domain.scope import OrgType, Principal, may_use_storefront, tiers_visible_to
from shared.domain.text import SINGLE_LINE_PATTERN
from shared.services.errors import Forbidden, ServiceError, require
from shared.services.pricing import CatalogViewer
from shared.storage.catalog import CatalogFilter

router = resource_router(prefix="/storefront", tags=["storefront"])


class StorefrontClosed(ServiceError):
    status, slug, title = 403, "storefront-disabled", "The storefront is not enabled"


def storefront_customer(principal: CurrentPrincipal, container: ContainerDep) -> tuple[Principal, Customer]:
    """A customer admin whose storefront is on right now: read fresh on every request, never cached."""
    require(may_use_storefront(principal))
    customer = container.relationship_service.customer(principal, principal.org.org_id)
    if customer.offboarded or container.relationship_service.has_offboarded_reseller(customer):
        raise CustomerOffboarded(
            "your organisation has been offboarded: nothing new can be bought here; your subscriptions stay as they "
            "are, and your reseller can still tell you about them and your charges"
        )
    if not customer.storefront_enabled:
        raise StorefrontClosed("your reseller has not enabled the storefront for you (or switched it off)")
    return principal, customer


class CustomerOffboarded(ServiceError):
    status, slug, title = 403, "customer-offboarded", "The customer is offboarded"


Shopper = Annotated[tuple[Principal, Customer], Depends(storefront_customer)]


class StorefrontOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lines: list[OrderLineIn] = Field(min_length=1, max_length=50)


class StorefrontChangeIn(OneChange):
    quantity: Quantity | None = None
    autoRenew: StrictFlag | None = None


class ChargesOut(BaseModel):
    period: str
    runId: str | None = Field(description="The billing run the charges are read from; null before any run.")
    kind: Literal["billed", "unbilled"] | None
    currency: str | None = Field(description="The customer's billing currency in that run; null: no charge.")
    total: str | None = Field(description="The sum of its charges at the currency's minor unit; null: no charge.")
    items: list[LineOut] = Field(description="Its own lines at the customer tier.")


@router.get("/catalog", response_model=CatalogPageOut, responses=problems(400, 401, 403, 409, 422))
def storefront_catalog(
    shopper: Shopper,
    container: ContainerDep,
    paging: Paging,
    country: Annotated[
        str | None, Query(pattern=r"^[A-Za-z]{2}$", description="The customer's own market (the default); no other")
    ] = None,
    term_duration: Annotated[str | None, Query(alias="termDuration", pattern=r"^P(1M|1Y|3Y)$")] = None,
    billing_cycle: Annotated[str | None, Query(alias="billingCycle", max_length=20, pattern=r"^[a-z]+$")] = None,
    q: Annotated[str | None, Query(max_length=100, pattern=SINGLE_LINE_PATTERN)] = None,
) -> CatalogPageOut:
    """The customer's own prices (never its reseller's), only the items its policy allows."""
    principal, customer = shopper
    country = customer_market(customer, country)
    policy = customer.storefront_policy
    viewer = CatalogViewer(customer.provider_id, reseller_id=customer.reseller_id, customer_id=customer.id)
    binding = paging_binding(
        principal, "storefront-catalog", country=country, termDuration=term_duration, billingCycle=billing_cycle, q=q
    )
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    filters = CatalogFilter(term_duration=term_duration, billing_cycle=billing_cycle, text=q)
    page = container.pricing_service.catalog_for(
        viewer, country.upper(), filters=filters, limit=paging.limit, position=position
    )
    allowed = policy.allowed
    items = [
        CatalogItemOut.of(item)
        for item in page.items
        if (allowed is None or item.item.catalog_item_id in allowed)
        and policy.max_term_months >= TERM_MONTHS.get(item.item.term_duration, 99)
    ]
    return CatalogPageOut(
        items=items, continuationToken=container.continuation_tokens.encode(page.next_position, binding=binding)
    )


def _storefront_agreement(container: ContainerDep, customer: Customer) -> StorefrontAgreementOut:
    terms = container.agreement_service.terms(customer)
    recorded = CustomerAgreementOut.of(customer.agreement)
    return StorefrontAgreementOut(
        **recorded.model_dump(), agreementLink=terms.agreement_link, currentTemplateId=terms.template_id
    )


@router.get("/agreement", response_model=StorefrontAgreementOut, responses=problems(401, 403, 503))
def get_storefront_agreement(shopper: Shopper, container: ContainerDep) -> StorefrontAgreementOut:
    """Whether the organisation has accepted the Microsoft Customer Agreement, and Microsoft's link to its text:
    nothing can be ordered before it is accepted."""
    return _storefront_agreement(container, shopper[1])


@router.post("/agreement", response_model=StorefrontAgreementOut, responses=problems(400, 401, 403, 409, 422, 503))
def add_storefront_agreement(
    body: StorefrontAgreementIn, shopper: Shopper, container: ContainerDep
) -> StorefrontAgreementOut:
    """The customer admin accepts the Microsoft Customer Agreement for its organisation, now, naming the person
    accepting (itself): recorded in Partner Center, read back and audited. Accepting again records a new
    acceptance (409 when the relationship is not active)."""
    principal, customer = shopper
    accepted = container.agreement_service.accept_in_storefront(principal, customer, body.contact())
    return _storefront_agreement(container, accepted)


@router.post("/orders", status_code=202, response_model=OrderOut, responses=problems(400, 401, 403, 409, 422))
def storefront_order(
    body: StorefrontOrderIn, shopper: Shopper, container: ContainerDep, idempotency: IdempotencyDep
) -> Any:
    """For its own tenant only, with its reseller as partner of record; above the approval threshold the
    order waits (`pendingApproval`) and nothing is bought before approval."""
    principal, customer = shopper
    policy = customer.storefront_policy

    def create() -> JSONResponse:
        order = container.order_service.place(
            principal,
            customer.id,
            [line_request(line) for line in body.lines],
            source="storefront",
            approval_threshold=policy.approval_threshold,
            allowed_items=policy.allowed,
            max_term_months=policy.max_term_months,
        )
        return answer(
            OrderOut.of(order, tiers_visible_to(principal)),
            status_code=202,
            headers={"Location": f"/api/storefront/orders/{order.id}"},
        )

    return idempotency.respond(create)


@router.get("/orders", response_model=OrderPage, responses=problems(400, 401, 403))
def storefront_orders(shopper: Shopper, container: ContainerDep, paging: Paging) -> OrderPage:
    principal, customer = shopper
    binding = paging_binding(principal, "storefront-orders", order="newest")
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.orders.listed(
        list_partition(OrgType.CUSTOMER, customer.id), statuses=(), created_from=None, created_before=None,
        limit=paging.limit, position=position,
    )  # fmt: skip
    return OrderPage(
        items=[OrderOut.of(o, tiers_visible_to(principal)) for o in items],
        continuationToken=container.continuation_tokens.encode(following, binding=binding),
    )


@router.get("/orders/{order_id}", response_model=OrderOut, responses=problems(401, 403, 404))
def storefront_get_order(order_id: PathId, shopper: Shopper, container: ContainerDep) -> OrderOut:
    principal, _ = shopper
    return OrderOut.of(container.order_service.get(principal, order_id), tiers_visible_to(principal))


@router.get("/subscriptions", response_model=SubscriptionPage, responses=problems(400, 401, 403))
def storefront_subscriptions(shopper: Shopper, container: ContainerDep, paging: Paging) -> SubscriptionPage:
    principal, customer = shopper
    binding = paging_binding(principal, "storefront-subscriptions", order="termEnd")
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.subscriptions.listed(
        list_partition(OrgType.CUSTOMER, customer.id), statuses=(), product_id=None, term_ends_from=None,
        term_ends_before=None, auto_renew=None, limit=paging.limit, position=position,
    )  # fmt: skip
    now = datetime.now(UTC)
    return SubscriptionPage(
        items=[SubscriptionOut.of(s, now) for s in items],
        continuationToken=container.continuation_tokens.encode(following, binding=binding),
    )


@router.patch(
    "/subscriptions/{subscription_id}",
    status_code=202,
    response_model=SubscriptionOut,
    responses=problems(400, 401, 403, 404, 409, 422),
)
def storefront_change(
    subscription_id: PathId, body: StorefrontChangeIn, shopper: Shopper, container: ContainerDep
) -> SubscriptionOut:
    """Add seats; remove seats inside the window when the policy allows it; switch auto-renew."""
    principal, customer = shopper
    policy = customer.storefront_policy
    sub = container.subscription_service.request_change(
        principal,
        subscription_id,
        quantity=body.quantity,
        auto_renew=body.autoRenew,
        allow_decrease=policy.allow_seat_decrease,
    )
    return SubscriptionOut.of(sub, datetime.now(UTC))


@router.get("/charges", response_model=ChargesOut, responses=problems(400, 401, 403))
def storefront_charges(
    shopper: Shopper,
    container: ContainerDep,
    period: Annotated[str, Query(pattern=PERIOD_PATTERN)],
) -> ChargesOut:
    """Its own customer-tier charges for the period, from the latest billing run (never another tier)."""
    principal, customer = shopper
    for kind in ("billed", "unbilled"):
        run_id = container.billing_runs.current_run_id(customer.provider_id, period, kind)
        if run_id:
            break
    else:
        return ChargesOut(period=period, runId=None, kind=None, currency=None, total=None, items=[])
    totals = Totals.of(container.billing_service.get_run(principal, run_id))
    _, rows = container.billing_service.lines(principal, run_id)
    mine = [c for c in totals.customers if c.customerId == customer.id]
    return ChargesOut(period=period, runId=run_id, kind=kind,  # type: ignore[arg-type]
                      currency=mine[0].currency if mine else None, total=mine[0].amount if mine else None,
                      items=[LineOut(**row) for row in rows])  # fmt: skip


def _renewal_changes_allowed(customer: Any) -> None:
    if not customer.storefront_policy.allow_renewal_changes:
        raise Forbidden("this storefront does not allow changes to the next term")


@router.put(
    "/subscriptions/{subscription_id}/renewal",
    status_code=202,
    response_model=SubscriptionOut,
    responses=problems(400, 401, 403, 404, 409, 422, 503),
)
def storefront_put_renewal(
    subscription_id: PathId, body: RenewalIn, shopper: Shopper, container: ContainerDep
) -> SubscriptionOut:
    """Schedules changes for the next term of its own subscription, when its storefront allows it (403 otherwise)."""
    principal, customer = shopper
    container.subscription_service.get(principal, subscription_id)
    _renewal_changes_allowed(customer)
    sub = container.subscription_service.request_renewal(
        principal, subscription_id, quantity=body.quantity, catalog_item_id=body.catalogItemId,
        term_duration=body.termDuration, billing_cycle=body.billingCycle, custom_term_end_date=body.customTermEndDate,
    )  # fmt: skip
    return SubscriptionOut.of(sub, datetime.now(UTC))


@router.delete(
    "/subscriptions/{subscription_id}/renewal",
    status_code=202,
    response_model=SubscriptionOut,
    responses=problems(401, 403, 404, 409),
)
def storefront_remove_renewal(subscription_id: PathId, shopper: Shopper, container: ContainerDep) -> SubscriptionOut:
    """Clears the changes scheduled for its next term, when its storefront allows it (403 otherwise)."""
    principal, customer = shopper
    container.subscription_service.get(principal, subscription_id)
    _renewal_changes_allowed(customer)
    sub = container.subscription_service.request_renewal(principal, subscription_id, clear=True)
    return SubscriptionOut.of(sub, datetime.now(UTC))
