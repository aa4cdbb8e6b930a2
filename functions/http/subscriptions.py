"""Subscriptions: the mirror of Partner Center, and changes under new-commerce rules
(docs/api-guide.md#subscriptions)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, Field

from functions.http.deps import ContainerDep, CurrentPrincipal, ListScope, Paging, paging_binding
from functions.http.fields import OneChange, PathId, Quantity, StrictFlag
from functions.http.responses import aware, moment, resource_router
from functions.http.schemas import problems
from shared.domain.scope import may_change_subscription_as_staff
from shared.domain.subscriptions import PendingChange, SeatLot, Subscription, removable_seats
from shared.services.errors import require

router = resource_router(tags=["subscriptions"])


class SubscriptionPatch(OneChange):
    quantity: Quantity | None = None
    autoRenew: StrictFlag | None = None
    status: Literal["suspended", "active"] | None = None


class LotOut(BaseModel):
    quantity: int
    windowEndsAt: str

    @classmethod
    def of(cls, lot: SeatLot) -> LotOut:
        return cls(quantity=lot.quantity, windowEndsAt=lot.allowed_until.isoformat())


class ChangeOut(BaseModel):
    """The last change asked for, while it is pending or after Partner Center refused it; null once applied."""

    id: str
    kind: Literal["quantity", "autoRenew", "status", "cancel"]
    value: int | bool | str = Field(
        description="The quantity, the autoRenew flag, the status asked for (active or suspended); cancel: true."
    )
    requestedBy: str
    requestedAt: str
    status: Literal["pending", "failed"]
    error: str | None = Field(description="Partner Center's reason when it refused the change.")

    @classmethod
    def of(cls, change: PendingChange) -> ChangeOut:
        return cls(id=change.id, kind=change.kind, value=change.value, requestedBy=change.requested_by,  # type: ignore[arg-type]
                   requestedAt=change.requested_at.isoformat(), status=change.status, error=change.error)  # type: ignore[arg-type]  # fmt: skip


class SubscriptionOut(BaseModel):
    id: str
    customerId: str
    resellerId: str
    catalogItemId: str | None
    offerId: str
    name: str
    quantity: int
    status: str
    autoRenew: bool
    termDuration: str
    billingCycle: str
    termStartDate: str | None
    termEndDate: str | None
    cancellationWindowEndsAt: str | None
    removableQuantity: int
    lots: list[LotOut]
    partnerIdOnRecord: str
    orderId: str | None
    pendingChange: ChangeOut | None = Field(
        description="The change being applied, or the last one refused; null once Partner Center shows it applied."
    )
    syncedAt: str | None
    flag: Literal["adopted"] | None = Field(
        description='"adopted": found in Partner Center without an order of ours and taken into the mirror (audited).',
    )

    @classmethod
    def of(cls, sub: Subscription, now: datetime) -> SubscriptionOut:
        """The mirror as of `now`: the seats still removable, the change in flight (an applied one is not shown)."""
        change = sub.change if sub.change and sub.change.status != "applied" else None
        return cls(id=sub.id, customerId=sub.customer_id, resellerId=sub.reseller_id,
                   catalogItemId=sub.catalog_item_id, offerId=sub.offer_id, name=sub.name, quantity=sub.quantity,
                   status=sub.status, autoRenew=sub.auto_renew, termDuration=sub.term_duration,
                   billingCycle=sub.billing_cycle, termStartDate=moment(sub.term_start_date),
                   termEndDate=moment(sub.term_end_date),
                   cancellationWindowEndsAt=moment(sub.cancellation_window_ends_at),
                   removableQuantity=removable_seats(sub.lots, now), lots=[LotOut.of(lot) for lot in sub.lots],
                   partnerIdOnRecord=sub.partner_id, orderId=sub.order_id,
                   pendingChange=None if change is None else ChangeOut.of(change), syncedAt=moment(sub.synced_at),
                   flag=sub.flag)  # type: ignore[arg-type]  # fmt: skip


class SubscriptionPage(BaseModel):
    items: list[SubscriptionOut]
    continuationToken: str | None


def _staff_only(principal: Any) -> None:
    require(may_change_subscription_as_staff(principal))


SubscriptionStatusName = Literal["active", "suspended", "deleted", "expired", "pending", "disabled"]


@router.get("/subscriptions", response_model=SubscriptionPage, responses=problems(400, 401, 403, 404))
def list_subscriptions(
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    names: ListScope,
    status: Annotated[
        list[SubscriptionStatusName] | None,
        Query(max_length=6, description="Subscriptions in any of these statuses (repeat it): e.g. suspended."),
    ] = None,
    product_id: Annotated[
        str | None,
        Query(
            alias="productId",
            max_length=64,
            pattern=r"^[A-Za-z0-9._-]+$",
            description="Partner Center's product id (the first part of offerId).",
        ),
    ] = None,
    term_ends_from: Annotated[
        datetime | None, Query(alias="termEndsFrom", description="Terms ending (renewing) at or after this moment.")
    ] = None,
    term_ends_before: Annotated[
        datetime | None,
        Query(alias="termEndsBefore", description="Terms ending before this moment: e.g. within the next 30 days."),
    ] = None,
    auto_renew: Annotated[
        bool | None, Query(alias="autoRenew", description="Only those that renew (true) or end (false).")
    ] = None,
) -> SubscriptionPage:
    """Every subscription in the caller's scope, by the end of its term (soonest first), across its customers unless
    it names a reseller or a customer (outside its scope: 404). Read from the caller's list partition."""
    partition = names.partition(principal, container)
    statuses = tuple(sorted(set(status or ())))
    start, end = aware(term_ends_from), aware(term_ends_before)
    binding = paging_binding(principal, "subscriptions", partition=partition, status=",".join(statuses),
                             productId=product_id, termEndsFrom=moment(start), termEndsBefore=moment(end),
                             autoRenew=None if auto_renew is None else str(auto_renew))  # fmt: skip
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.subscriptions.listed(
        partition,
        statuses=statuses,
        product_id=product_id,
        term_ends_from=start,
        term_ends_before=end,
        auto_renew=auto_renew,
        limit=paging.limit,
        position=position,
    )
    now = datetime.now(UTC)
    return SubscriptionPage(
        items=[SubscriptionOut.of(s, now) for s in items],
        continuationToken=container.continuation_tokens.encode(following, binding=binding),
    )


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut, responses=problems(401, 403, 404))
def get_subscription(subscription_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> SubscriptionOut:
    return SubscriptionOut.of(container.subscription_service.get(principal, subscription_id), datetime.now(UTC))


@router.patch(
    "/subscriptions/{subscription_id}",
    status_code=202,
    response_model=SubscriptionOut,
    responses=problems(400, 401, 403, 404, 409, 422),
)
def change_subscription(
    subscription_id: PathId, body: SubscriptionPatch, principal: CurrentPrincipal, container: ContainerDep
) -> SubscriptionOut:
    """One change at a time, applied through the queue; a decrease outside the window is 409 with the reason."""
    container.subscription_service.get(principal, subscription_id)
    _staff_only(principal)
    sub = container.subscription_service.request_change(
        principal, subscription_id, quantity=body.quantity, auto_renew=body.autoRenew, status=body.status
    )
    return SubscriptionOut.of(sub, datetime.now(UTC))


@router.post(
    "/subscriptions/{subscription_id}/sync",
    response_model=SubscriptionOut,
    responses=problems(401, 403, 404, 409, 503),
)
def sync_subscription(subscription_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> SubscriptionOut:
    """Provider and reseller staff: the subscription read from Partner Center now (the mirror converges on it)."""
    container.subscription_service.get(principal, subscription_id)
    _staff_only(principal)
    return SubscriptionOut.of(container.subscription_service.resync(principal, subscription_id), datetime.now(UTC))


@router.post(
    "/subscriptions/{subscription_id}/cancel",
    status_code=202,
    response_model=SubscriptionOut,
    responses=problems(401, 403, 404, 409),
)
def cancel_subscription(
    subscription_id: PathId, principal: CurrentPrincipal, container: ContainerDep
) -> SubscriptionOut:
    """Only within the 168-hour cancellation window (409 with the reason otherwise)."""
    container.subscription_service.get(principal, subscription_id)
    _staff_only(principal)
    sub = container.subscription_service.request_change(principal, subscription_id, cancel=True)
    return SubscriptionOut.of(sub, datetime.now(UTC))
