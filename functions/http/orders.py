"""Orders: accepted in milliseconds, provisioned through the queue (docs/api-guide.md#orders)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from functions.http.deps import ContainerDep, CurrentPrincipal, IdempotencyDep, ListScope, Paging, paging_binding
from functions.http.fields import PathId, Quantity, Reason
from functions.http.responses import answer, aware, moment, resource_router
from functions.http.schemas import problems
from shared.domain.money import Money, format_decimal
from shared.domain.orders import Order, OrderLine, line_total, prorated_unit
from shared.domain.scope import tiers_visible_to
from shared.services.orders import LineRequest

router = resource_router(tags=["orders"])

# The price tiers by the name each has in an answer.
TIER_FIELDS = {"provider_cost": "providerCost", "reseller_price": "resellerPrice", "customer_price": "customerPrice"}

OrderStatusName = Literal[
    "pendingApproval", "rejected", "accepted", "provisioning", "completed", "partiallyCompleted", "failed"
]
ItemId = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9:._-]+$")]
PromotionId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9:._-]+$")]


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    catalogItemId: ItemId
    quantity: Quantity
    termDuration: Literal["P1M", "P1Y", "P3Y"]
    billingCycle: Literal["monthly", "annual", "triennial"]
    promotionId: PromotionId | None = Field(
        default=None, description="A promotion of the customer's market (GET /api/catalog/promotions) to buy under."
    )
    coterminateWith: PathId | None = Field(
        default=None,
        description="Co-terming: the id of an active subscription of the same customer this line should end with "
        "(its first term is shortened and its first cycle prorated).",
    )


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customerId: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    lines: list[OrderLineIn] = Field(min_length=1, max_length=50)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason


class OrderLineOut(BaseModel):
    lineNumber: int
    catalogItemId: str
    offerId: str
    title: str
    quantity: int
    termDuration: str
    billingCycle: str
    status: Literal["pending", "provisioned", "failed"]
    subscriptionId: str | None
    error: str | None
    currency: str
    promotionId: str | None = Field(default=None, description="The promotion the line is bought under.")
    providerCost: str | None = Field(default=None, description="Provider staff only.")
    resellerPrice: str | None = Field(default=None, description="Provider and reseller staff.")
    customerPrice: str | None = None
    providerCostTotal: str | None = Field(default=None, description="Provider staff only: providerCost x quantity.")
    resellerPriceTotal: str | None = Field(default=None, description="resellerPrice (as shown) x quantity.")
    customerPriceTotal: str | None = Field(
        default=None, description="customerPrice (as shown) x quantity (co-termed: x firstCycleFraction, rounded)."
    )
    coterminateWith: str | None = Field(default=None, description="Co-terming: the subscription the line ends with.")
    customTermEndDate: str | None = Field(default=None, description="Co-terming: the last day of its first term.")
    firstCycleFraction: str | None = Field(
        default=None, description="Co-terming: the share of a whole billing cycle its first cycle is charged."
    )
    providerCostFirstCycle: str | None = Field(default=None, description="Co-terming, provider staff only.")
    resellerPriceFirstCycle: str | None = Field(default=None, description="Co-terming: the first cycle's unit price.")
    customerPriceFirstCycle: str | None = Field(default=None, description="Co-terming: the first cycle's unit price.")

    @classmethod
    def of(cls, line: OrderLine, tiers: Iterable[str]) -> OrderLineOut:
        """The line with the unit price and total of each tier the caller may see, rounded as shown and billed."""
        currency = line.prices.currency
        prices: dict[str, str | None] = {}
        for tier in tiers:
            unit = getattr(line.prices, tier)
            total = line_total(line, tier)
            prices[TIER_FIELDS[tier]] = None if unit is None else Money(unit, currency).shown()
            prices[TIER_FIELDS[tier] + "Total"] = None if total is None else Money(total, currency).shown()
            if line.first_cycle_fraction is not None:
                first = prorated_unit(line, tier)
                prices[TIER_FIELDS[tier] + "FirstCycle"] = None if first is None else Money(first, currency).shown()
        if line.custom_term_end_date is not None:
            prices |= {"coterminateWith": line.coterminate_with,
                       "customTermEndDate": line.custom_term_end_date.isoformat(),
                       "firstCycleFraction": None if line.first_cycle_fraction is None
                       else format_decimal(line.first_cycle_fraction.quantize(Decimal("1E-6")))}  # fmt: skip
        return cls(lineNumber=line.number, catalogItemId=line.catalog_item_id, offerId=line.offer_id,
                   title=line.title, quantity=line.quantity, termDuration=line.term_duration,
                   billingCycle=line.billing_cycle, status=line.status.value, subscriptionId=line.subscription_id,
                   error=line.error, currency=currency, promotionId=line.promotion_id, **prices)  # fmt: skip


class OrderTotals(BaseModel):
    currency: str | None = Field(description="The order's currency: its customer's market's.")
    providerCost: str | None = Field(default=None, description="Provider staff only.")
    resellerPrice: str | None = Field(default=None, description="Provider and reseller staff.")
    customerPrice: str | None = Field(
        default=None, description="The sum of the lines' customerPriceTotal; storefront approval thresholds judge it."
    )

    @classmethod
    def of(cls, order: Order, tiers: Iterable[str]) -> OrderTotals:
        """The total of each tier the caller may see, in the order's one currency (its customer's market)."""
        currencies = sorted({line.prices.currency for line in order.lines})
        currency = currencies[0] if len(currencies) == 1 else None
        totals: dict[str, str | None] = {}
        for tier in tiers:
            total = order.total(tier) if currency else None
            totals[TIER_FIELDS[tier]] = None if total is None or currency is None else Money(total, currency).shown()
        return cls(currency=currency, **totals)


class OrderOut(BaseModel):
    id: str
    customerId: str
    resellerId: str
    status: OrderStatusName
    source: Literal["staff", "storefront"]
    lines: list[OrderLineOut]
    totals: OrderTotals
    createdBy: str
    createdAt: str
    updatedAt: str
    failureReason: str | None
    rejectionReason: str | None

    @classmethod
    def of(cls, order: Order, tiers: Iterable[str]) -> OrderOut:
        """The order as a caller may see it: only the price tiers it is allowed to see."""
        shown = tuple(tiers)
        return cls(id=order.id, customerId=order.customer_id, resellerId=order.reseller_id,
                   status=order.status.value, source=order.source,  # type: ignore[arg-type]
                   lines=[OrderLineOut.of(line, shown) for line in order.lines], totals=OrderTotals.of(order, shown),
                   createdBy=order.created_by, createdAt=order.created_at.isoformat(),
                   updatedAt=order.updated_at.isoformat(), failureReason=order.failure_reason,
                   rejectionReason=order.rejection_reason)  # fmt: skip


class OrderPage(BaseModel):
    items: list[OrderOut]
    continuationToken: str | None


def lines_of(body: OrderIn) -> list[LineRequest]:
    return [line_request(line) for line in body.lines]


def line_request(line: OrderLineIn) -> LineRequest:
    return LineRequest(
        line.catalogItemId,
        line.quantity,
        line.termDuration,
        line.billingCycle,
        promotion_id=line.promotionId,
        coterminate_with=line.coterminateWith,
    )


@router.post("/orders", status_code=202, response_model=OrderOut, responses=problems(400, 401, 403, 404, 409, 422))
def place_order(
    body: OrderIn, principal: CurrentPrincipal, container: ContainerDep, idempotency: IdempotencyDep
) -> Any:
    """Provider staff, or reseller staff for their own customers: accepted now, provisioned asynchronously."""

    def create() -> JSONResponse:
        order = container.order_service.place(principal, body.customerId, lines_of(body))
        return answer(
            OrderOut.of(order, tiers_visible_to(principal)),
            status_code=202,
            headers={"Location": f"/api/orders/{order.id}"},
        )

    return idempotency.respond(create)


@router.get("/orders", response_model=OrderPage, responses=problems(400, 401, 403, 404))
def list_orders(
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    names: ListScope,
    status: Annotated[
        list[OrderStatusName] | None,
        Query(max_length=7, description="Orders in any of these statuses (repeat it): e.g. the approval queue."),
    ] = None,
    created_from: Annotated[
        datetime | None, Query(alias="createdFrom", description="Orders placed at or after this moment.")
    ] = None,
    created_before: Annotated[
        datetime | None, Query(alias="createdBefore", description="Orders placed before this moment.")
    ] = None,
) -> OrderPage:
    """Every order in the caller's scope, newest first: across its customers unless it names a reseller or a
    customer (outside its scope: 404). Read from the caller's list partition, never by scanning customers."""
    partition = names.partition(principal, container)
    statuses = tuple(sorted(set(status or ())))
    start, end = aware(created_from), aware(created_before)
    binding = paging_binding(principal, "orders", partition=partition, status=",".join(statuses),
                             createdFrom=moment(start), createdBefore=moment(end))  # fmt: skip
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.orders.listed(partition, statuses=statuses, created_from=start,
                                               created_before=end, limit=paging.limit, position=position)  # fmt: skip
    tiers = tiers_visible_to(principal)
    return OrderPage(
        items=[OrderOut.of(o, tiers) for o in items],
        continuationToken=container.continuation_tokens.encode(following, binding=binding),
    )


@router.get("/orders/{order_id}", response_model=OrderOut, responses=problems(401, 403, 404))
def get_order(order_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> OrderOut:
    return OrderOut.of(container.order_service.get(principal, order_id), tiers_visible_to(principal))


@router.post("/orders/{order_id}/approve", response_model=OrderOut, responses=problems(401, 403, 404, 409))
def approve_order(order_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> OrderOut:
    """An order waiting for approval is accepted and provisioning starts; 409 when it is not waiting."""
    return OrderOut.of(container.order_service.decide(principal, order_id, approve=True), tiers_visible_to(principal))


@router.post("/orders/{order_id}/reject", response_model=OrderOut, responses=problems(401, 403, 404, 409, 422))
def reject_order(order_id: PathId, body: RejectIn, principal: CurrentPrincipal, container: ContainerDep) -> OrderOut:
    decided = container.order_service.decide(principal, order_id, approve=False, reason=body.reason)
    return OrderOut.of(decided, tiers_visible_to(principal))
