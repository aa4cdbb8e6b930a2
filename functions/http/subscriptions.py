"""Subscriptions: the mirror of Partner Center, and changes under new-commerce rules
(docs/api-guide.md#subscriptions)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from functions.http.deps import ContainerDep, CurrentPrincipal, ListScope, Paging, paging_binding
from functions.http.fields import PathId, Quantity, StrictFlag, _one_property_schema
from functions.http.responses import aware, moment, resource_router
from functions.http.schemas import problems
from shared.domain.renewals import ScheduledChanges
from shared.domain.scope import may_change_subscription_as_staff
from shared.domain.subscriptions import PendingChange, SeatLot, Subscription, removable_seats
from shared.services.errors import require

router = resource_router(tags=["subscriptions"])


_CHANGES = ("quantity", "autoRenew", "status", "endOfTerm")


def _one_change_schema(schema: dict[str, Any]) -> None:
    """Exactly one change (never null), and the wipe confirmation beside it when it is needed."""
    _one_property_schema(schema)
    schema["maxProperties"] = 2
    schema["oneOf"] = [{"required": [name]} for name in _CHANGES]


class SubscriptionPatch(BaseModel):
    """One change at a time (each applied and audited on its own); `confirmWipeScheduledChanges` goes with a
    mid-term quantity change that would clear the changes scheduled for the next term."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_one_change_schema)

    quantity: Quantity | None = None
    autoRenew: StrictFlag | None = Field(
        default=None, description="true: renew at the term end; false: cancel at the end of the term (never EST)."
    )
    status: Literal["suspended", "active"] | None = None
    endOfTerm: Literal["renew", "cancel", "extendedServiceTerm"] | None = Field(
        default=None, description="What happens at the term end; extendedServiceTerm only when asked for explicitly."
    )
    confirmWipeScheduledChanges: StrictFlag | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SubscriptionPatch:
        given = [name for name in _CHANGES if name in self.model_fields_set]
        if len(given) != 1 or getattr(self, given[0]) is None:
            raise ValueError(f"give exactly one of {', '.join(_CHANGES)}, with a value (one change at a time)")
        return self


class LotOut(BaseModel):
    quantity: int
    windowEndsAt: str

    @classmethod
    def of(cls, lot: SeatLot) -> LotOut:
        return cls(quantity=lot.quantity, windowEndsAt=lot.allowed_until.isoformat())


class ChangeOut(BaseModel):
    """The last change asked for, while it is pending or after Partner Center refused it; null once applied."""

    id: str
    kind: Literal["quantity", "autoRenew", "status", "cancel", "endOfTerm", "renewal", "upgrade"]
    value: int | bool | str | dict[str, Any] | None = Field(
        description="The quantity, the autoRenew flag, the status asked for (active or suspended); cancel: true; "
        "endOfTerm: renew, cancel or extendedServiceTerm; renewal: the changes scheduled (null: cleared); upgrade: "
        "{toCatalogItemId, quantity, transitionType, progress, toSubscriptionId, ...}."
    )
    requestedBy: str
    requestedAt: str
    status: Literal["pending", "failed"]
    error: str | None = Field(description="Partner Center's reason when it refused the change.")

    @classmethod
    def of(cls, change: PendingChange) -> ChangeOut:
        return cls(id=change.id, kind=change.kind, value=change.value, requestedBy=change.requested_by,  # type: ignore[arg-type]
                   requestedAt=change.requested_at.isoformat(), status=change.status, error=change.error)  # type: ignore[arg-type]  # fmt: skip


class ScheduledChangesOut(BaseModel):
    """The changes the next term takes at renewal."""

    catalogItemId: str
    name: str
    quantity: int
    termDuration: str
    billingCycle: str
    customTermEndDate: str | None

    @classmethod
    def of(cls, scheduled: ScheduledChanges, name: str) -> ScheduledChangesOut:
        end = scheduled.custom_term_end_date
        return cls(catalogItemId=scheduled.catalog_item_id, name=name, quantity=scheduled.quantity,
                   termDuration=scheduled.term_duration, billingCycle=scheduled.billing_cycle,
                   customTermEndDate=end.isoformat() if end else None)  # fmt: skip


class ExtendedServiceTermOut(BaseModel):
    """The Extended Service Term month the subscription is in (it rolls month by month)."""

    startDate: str
    endDate: str
    premiumRate: str = Field(description='The premium over the monthly price as a decimal fraction ("0.20").')


class ExtendedServiceTermPriceOut(BaseModel):
    """An EST month at the caller's own tier: its monthly unit price × (1 + premiumRate)."""

    unitPrice: str
    total: str
    currency: str
    premiumRate: str


EndOfTermName = Literal["renew", "renewWithChanges", "cancel", "extendedServiceTerm"]


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
    endOfTerm: EndOfTermName = Field(
        description="What happens at the term end: renew, renew with the scheduled changes, cancel (expires), or "
        "Extended Service Term (auto-renew off without cancel; also shown while in EST)."
    )
    endOfTermDate: str | None = Field(description="The day the term (or EST month) ends; null when not active.")
    scheduledChanges: ScheduledChangesOut | None
    isTrial: bool
    trialEndDate: str | None
    extendedServiceTerm: ExtendedServiceTermOut | None
    upgradedFrom: str | None = Field(description="The subscription an upgrade (or trial conversion) replaced.")
    upgradedTo: str | None = Field(description="The subscription an upgrade moved this one's seats to.")
    extendedServiceTermPrice: ExtendedServiceTermPriceOut | None = Field(
        default=None, description="With ?endOfTerm=: the EST month at the caller's own price."
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
                   flag=sub.flag, endOfTerm=sub.end_of_term.value,  # type: ignore[arg-type]
                   endOfTermDate=_day(sub.end_of_term_date),
                   scheduledChanges=None if sub.scheduled is None else ScheduledChangesOut.of(sub.scheduled, sub.name),
                   isTrial=sub.is_trial,
                   trialEndDate=_day(sub.term_end_date.date()) if sub.is_trial and sub.term_end_date else None,
                   extendedServiceTerm=None if sub.extended_term is None else ExtendedServiceTermOut(
                       startDate=sub.extended_term.start.date().isoformat(),
                       endDate=sub.extended_term.end.date().isoformat(),
                       premiumRate=str(sub.extended_term.premium_rate)),
                   upgradedFrom=sub.upgraded_from, upgradedTo=sub.upgraded_to)  # fmt: skip


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


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
    end_of_term: Annotated[
        EndOfTermName | None,
        Query(alias="endOfTerm", description="Only those whose term ends so; each then carries its EST month's price."),
    ] = None,
) -> SubscriptionPage:
    """Every subscription in the caller's scope, by the end of its term (soonest first), across its customers unless
    it names a reseller or a customer (outside its scope: 404). Read from the caller's list partition."""
    partition = names.partition(principal, container)
    statuses = tuple(sorted(set(status or ())))
    start, end = aware(term_ends_from), aware(term_ends_before)
    binding = paging_binding(principal, "subscriptions", partition=partition, status=",".join(statuses),
                             productId=product_id, termEndsFrom=moment(start), termEndsBefore=moment(end),
                             autoRenew=None if auto_renew is None else str(auto_renew),
                             endOfTerm=end_of_term)  # fmt: skip
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
        end_of_term=end_of_term,
    )
    now = datetime.now(UTC)
    out = [SubscriptionOut.of(s, now) for s in items]
    if end_of_term is not None:
        for sub, item in zip(items, out, strict=True):
            priced = container.renewal_service.extended_price(principal, sub)
            if priced is not None:
                item.extendedServiceTermPrice = ExtendedServiceTermPriceOut(
                    unitPrice=priced[0].unit_price.shown(), total=priced[0].total.shown(),
                    currency=priced[0].total.currency, premiumRate=str(priced[1]))  # fmt: skip
    return SubscriptionPage(
        items=out,
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
    """One change at a time, applied through the queue; a decrease outside the window is 409 with the reason.
    `autoRenew: false` cancels at the end of the term (never EST); EST only with `endOfTerm: extendedServiceTerm`.
    A mid-term quantity change that would clear scheduled changes is 409
    (`scheduled-changes-would-be-wiped`, with `warning` and `scheduledChanges`) unless confirmed."""
    container.subscription_service.get(principal, subscription_id)
    _staff_only(principal)
    sub = container.subscription_service.request_change(
        principal, subscription_id, quantity=body.quantity, auto_renew=body.autoRenew, status=body.status,
        end_of_term=body.endOfTerm, confirm_wipe=bool(body.confirmWipeScheduledChanges),
    )  # fmt: skip
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
