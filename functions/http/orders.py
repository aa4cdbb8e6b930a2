"""Orders: accepted in milliseconds, provisioned through the queue (docs/api-guide.md#orders)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from functions.http.deps import ContainerDep, CurrentPrincipal, IdempotencyDep, Paging, page_body, paging_binding
from functions.http.fields import PathId, Quantity, Reason
from functions.http.schemas import problems
from shared.services.ordering import LineRequest, tiers_for

router = APIRouter(tags=["orders"])

OrderStatusName = Literal[
    "pendingApproval", "rejected", "accepted", "provisioning", "completed", "partiallyCompleted", "failed"
]
ItemId = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9:._-]+$")]


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    catalogItemId: ItemId
    quantity: Quantity
    termDuration: Literal["P1M", "P1Y", "P3Y"]
    billingCycle: Literal["monthly", "annual", "triennial"]


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
    providerCost: str | None = Field(default=None, description="Provider staff only.")
    resellerPrice: str | None = Field(default=None, description="Provider and reseller staff.")
    customerPrice: str | None = None
    providerCostTotal: str | None = Field(default=None, description="Provider staff only: providerCost x quantity.")
    resellerPriceTotal: str | None = Field(default=None, description="resellerPrice (as shown) x quantity.")
    customerPriceTotal: str | None = Field(default=None, description="customerPrice (as shown) x quantity.")


class OrderTotals(BaseModel):
    currency: str | None = Field(description="The order's currency: its customer's market's.")
    providerCost: str | None = Field(default=None, description="Provider staff only.")
    resellerPrice: str | None = Field(default=None, description="Provider and reseller staff.")
    customerPrice: str | None = Field(
        default=None, description="The sum of the lines' customerPriceTotal; storefront approval thresholds judge it."
    )


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


class OrderPage(BaseModel):
    items: list[OrderOut]
    continuationToken: str | None


def lines_of(body: OrderIn) -> list[LineRequest]:
    return [LineRequest(line.catalogItemId, line.quantity, line.termDuration, line.billingCycle) for line in body.lines]


@router.post("/orders", status_code=202, response_model=OrderOut, responses=problems(400, 401, 403, 404, 409, 422))
def place_order(
    body: OrderIn, principal: CurrentPrincipal, container: ContainerDep, idempotency: IdempotencyDep
) -> Any:
    """Provider staff, or reseller staff for their own customers: accepted now, provisioned asynchronously."""

    def create() -> JSONResponse:
        order = container.ordering.place(principal, body.customerId, lines_of(body))
        return JSONResponse(
            order.to_json(tiers=tiers_for(principal)), status_code=202, headers={"Location": f"/api/orders/{order.id}"}
        )

    return idempotency.respond(create)


@router.get("/orders", response_model=OrderPage, responses=problems(400, 401, 403, 404))
def list_orders(
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    customer_id: Annotated[
        str | None,
        Query(
            alias="customerId",
            max_length=128,
            description="Required for provider and reseller staff (whose orders); a customer's own members omit it.",
        ),
    ] = None,
    status: Annotated[OrderStatusName | None, Query()] = None,
) -> dict[str, Any]:
    customer = customer_id or (principal.org.org_id if principal.org.org_type.value == "customer" else None)
    if customer is None:
        from shared.services.errors import FieldError, Invalid

        raise Invalid("name the customer", [FieldError("customerId", "is required")])
    binding = paging_binding(principal, "orders", customerId=customer, status=status)
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.ordering.page(
        principal, customer, status=status, limit=paging.limit, position=position
    )
    tiers = tiers_for(principal)
    return page_body(
        [o.to_json(tiers=tiers) for o in items], container.continuation_tokens.encode(following, binding=binding)
    )


@router.get("/orders/{order_id}", response_model=OrderOut, responses=problems(401, 403, 404))
def get_order(order_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> dict[str, Any]:
    return container.ordering.get(principal, order_id).to_json(tiers=tiers_for(principal))


@router.post("/orders/{order_id}/approve", response_model=OrderOut, responses=problems(401, 403, 404, 409))
def approve_order(order_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> dict[str, Any]:
    """An order waiting for approval is accepted and provisioning starts; 409 when it is not waiting."""
    return container.ordering.decide(principal, order_id, approve=True).to_json(tiers=tiers_for(principal))


@router.post("/orders/{order_id}/reject", response_model=OrderOut, responses=problems(401, 403, 404, 409, 422))
def reject_order(
    order_id: PathId, body: RejectIn, principal: CurrentPrincipal, container: ContainerDep
) -> dict[str, Any]:
    return container.ordering.decide(principal, order_id, approve=False, reason=body.reason).to_json(
        tiers=tiers_for(principal)
    )
