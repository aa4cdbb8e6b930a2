"""The end of a subscription's term: scheduled changes for the next term, upgrades and trial conversions, and the
renewal calendar (docs/api-guide.md#renewals). Prices are the caller's own buy price."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from functions.http.deps import ContainerDep, CurrentPrincipal, IdempotencyDep, ListScope, Paging, paging_binding
from functions.http.fields import PathId, Quantity, StrictFlag
from functions.http.responses import answer, resource_router
from functions.http.schemas import problems
from functions.http.subscriptions import EndOfTermName, ScheduledChangesOut, SubscriptionOut, _staff_only
from shared.domain.money import Money
from shared.domain.renewals import renewal_window
from shared.services.errors import FieldError, Invalid
from shared.services.renewals import NextTerm

router = resource_router(tags=["renewals"])

TermName = Literal["P1M", "P1Y", "P3Y"]
CycleName = Literal["monthly", "annual", "triennial", "none"]


class NextTermOut(BaseModel):
    catalogItemId: str
    name: str
    quantity: int
    termDuration: str
    billingCycle: str
    unitPrice: str | None
    total: str | None
    currency: str | None

    @classmethod
    def of(cls, term: NextTerm) -> NextTermOut:
        price = term.price
        return cls(catalogItemId=term.catalog_item_id, name=term.name, quantity=term.quantity,
                   termDuration=term.term_duration, billingCycle=term.billing_cycle,
                   unitPrice=price.unit_price.shown() if price else None, total=price.total.shown() if price else None,
                   currency=price.total.currency if price else (term.item.currency if term.item else None))  # fmt: skip


class TargetOut(BaseModel):
    catalogItemId: str
    name: str
    termDuration: str
    billingCycle: str
    unitPrice: str | None
    currency: str


class RenewalOut(BaseModel):
    subscriptionId: str
    endOfTerm: EndOfTermName
    endOfTermDate: str | None
    scheduledChanges: ScheduledChangesOut | None
    nextTerm: NextTermOut | None = Field(description="The term that follows (EST: the premium month; cancel: null).")
    targets: list[TargetOut] = Field(description="What the subscription may change to at renewal, at your price.")


class RenewalIn(BaseModel):
    """Changes for the next term; what is left out stays as it is now. Turns auto-renew on."""

    model_config = ConfigDict(extra="forbid")

    quantity: Quantity | None = None
    catalogItemId: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    termDuration: TermName | None = None
    billingCycle: CycleName | None = None
    customTermEndDate: date | None = None


def _money(value: Money | None) -> str | None:
    return value.shown() if value is not None else None


@router.get("/subscriptions/{subscription_id}/renewal", response_model=RenewalOut,
            responses=problems(401, 403, 404, 503))  # fmt: skip
def get_renewal(subscription_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> RenewalOut:
    """What happens at the term end, the next term at your price, and what the subscription may change to then."""
    sub = container.subscription_service.get(principal, subscription_id)
    renewals = container.renewal_service
    term = renewals.next_term(principal, sub)
    targets = renewals.targets(principal, sub) if sub.status == "active" else []
    return RenewalOut(
        subscriptionId=sub.id, endOfTerm=sub.end_of_term.value, endOfTermDate=_day(sub.end_of_term_date),
        scheduledChanges=None if sub.scheduled is None else ScheduledChangesOut.of(
            sub.scheduled, term.name if term else sub.name),
        nextTerm=None if term is None else NextTermOut.of(term),
        targets=[TargetOut(catalogItemId=t.item.catalog_item_id, name=t.item.title, termDuration=t.item.term_duration,
                           billingCycle=t.item.billing_cycle, unitPrice=_money(t.unit_price), currency=t.item.currency)
                 for t in targets],
    )  # type: ignore[arg-type]  # fmt: skip


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


@router.put("/subscriptions/{subscription_id}/renewal", status_code=202, response_model=SubscriptionOut,
            responses=problems(400, 401, 403, 404, 409, 422, 503))  # fmt: skip
def put_renewal(
    subscription_id: PathId, body: RenewalIn, principal: CurrentPrincipal, container: ContainerDep
) -> SubscriptionOut:
    """Schedules changes for the next term (queued; auto-renew on). A target the subscription may not change to, a
    quantity outside the offer's limits or a bad date is 422 naming the field; not active or a change pending: 409."""
    container.subscription_service.get(principal, subscription_id)
    _staff_only(principal)
    sub = container.subscription_service.request_renewal(
        principal, subscription_id, quantity=body.quantity, catalog_item_id=body.catalogItemId,
        term_duration=body.termDuration, billing_cycle=body.billingCycle, custom_term_end_date=body.customTermEndDate,
    )  # fmt: skip
    return SubscriptionOut.of(sub, datetime.now(UTC))


@router.delete("/subscriptions/{subscription_id}/renewal", status_code=202, response_model=SubscriptionOut,
               responses=problems(401, 403, 404, 409))  # fmt: skip
def remove_renewal(subscription_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> SubscriptionOut:
    """Clears the changes scheduled for the next term (queued)."""
    container.subscription_service.get(principal, subscription_id)
    _staff_only(principal)
    sub = container.subscription_service.request_renewal(principal, subscription_id, clear=True)
    return SubscriptionOut.of(sub, datetime.now(UTC))


class UpgradeOut(BaseModel):
    catalogItemId: str
    name: str
    eligible: bool
    transitionTypes: list[Literal["transitionOnly", "transitionWithLicenseTransfer"]]
    reasons: list[str] = Field(description="Partner Center's reasons when the subscription is not eligible.")
    unitPrice: str | None
    currency: str | None
    termDuration: str | None
    billingCycle: str | None


class UpgradePage(BaseModel):
    items: list[UpgradeOut]


_TYPES = {"transition_only": "transitionOnly", "transition_with_license_transfer": "transitionWithLicenseTransfer"}


@router.get("/subscriptions/{subscription_id}/upgrades", response_model=UpgradePage,
            responses=problems(401, 403, 404, 503))  # fmt: skip
def list_upgrades(subscription_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> UpgradePage:
    """What the subscription may move to now (for a trial: its paid offers), at your price."""
    sub = container.subscription_service.get(principal, subscription_id)
    found = container.renewal_service.upgrades(principal, sub) if sub.status == "active" else []
    return UpgradePage(items=[
        UpgradeOut(catalogItemId=u.catalog_item_id, name=u.name, eligible=u.eligible,
                   transitionTypes=[_TYPES[t] for t in u.transition_types if t in _TYPES],  # type: ignore[misc]
                   reasons=list(u.reasons), unitPrice=_money(u.unit_price), currency=u.currency,
                   termDuration=u.term_duration, billingCycle=u.billing_cycle)
        for u in found])  # fmt: skip


class UpgradeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    toCatalogItemId: Annotated[str, Field(min_length=1, max_length=200)]
    quantity: Quantity
    transitionType: Literal["transitionOnly", "transitionWithLicenseTransfer"] = "transitionWithLicenseTransfer"
    confirmWipeScheduledChanges: StrictFlag = False


@router.post("/subscriptions/{subscription_id}/upgrade", status_code=202, response_model=SubscriptionOut,
             responses=problems(400, 401, 403, 404, 409, 422, 503))  # fmt: skip
def start_upgrade(
    subscription_id: PathId, body: UpgradeIn, principal: CurrentPrincipal, container: ContainerDep,
    idempotency: IdempotencyDep,
) -> Any:  # fmt: skip
    """Moves seats to another offer now (or converts a trial), through the queue exactly once; the new subscription
    shows `upgradedFrom`, this one `upgradedTo`. Not eligible: 422 with Partner Center's reason; not active: 409;
    scheduled changes would be cleared: 409 unless `confirmWipeScheduledChanges`."""

    def create() -> JSONResponse:
        container.subscription_service.get(principal, subscription_id)
        _staff_only(principal)
        sub = container.subscription_service.request_upgrade(
            principal, subscription_id, to_catalog_item_id=body.toCatalogItemId, quantity=body.quantity,
            transition_type=body.transitionType, confirm_wipe=body.confirmWipeScheduledChanges,
        )  # fmt: skip
        return answer(SubscriptionOut.of(sub, datetime.now(UTC)), status_code=202)

    return idempotency.respond(create)


class PriceOut(BaseModel):
    unitPrice: str
    total: str
    currency: str


class RenewalItemOut(BaseModel):
    subscriptionId: str
    customerId: str
    customerName: str
    resellerId: str
    resellerName: str
    name: str
    catalogItemId: str | None
    renewalDate: str
    endOfTerm: EndOfTermName
    quantity: int
    termDuration: str
    billingCycle: str
    price: PriceOut | None = Field(description="The next term at your price (EST: the premium month; cancel: null).")


class RenewalPage(BaseModel):
    items: list[RenewalItemOut]
    continuationToken: str | None


@router.get("/renewals", response_model=RenewalPage, responses=problems(400, 401, 403, 404, 422))
def list_renewals(
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    names: ListScope,
    start: Annotated[date | None, Query(alias="from", description="First day (default today).")] = None,
    end: Annotated[
        date | None, Query(alias="to", description="Last day (default from + 90 days; 366 at most).")
    ] = None,
) -> RenewalPage:
    """Every active subscription in your scope whose term ends between the two days, soonest first, with what
    happens then and the next term's price at your tier."""
    try:
        first, last = renewal_window(start, end, datetime.now(UTC).date())
    except ValueError as error:
        field, _, message = str(error).partition(": ")
        raise Invalid(str(error), [FieldError(field, message)]) from error
    partition = names.partition(principal, container)
    binding = paging_binding(principal, "renewals", partition=partition, start=first.isoformat(),
                             end=last.isoformat())  # fmt: skip
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    entries, following = container.renewal_service.calendar(principal, partition, first, last, limit=paging.limit,
                                                            position=position)  # fmt: skip
    items = []
    for e in entries:
        term, sub = e.next_term, e.sub
        price = None
        if e.price is not None:
            money = e.price
            price = PriceOut(
                unitPrice=money.unit_price.shown(), total=money.total.shown(), currency=money.total.currency
            )
        items.append(RenewalItemOut(
            subscriptionId=sub.id, customerId=sub.customer_id, customerName=e.customer_name,
            resellerId=sub.reseller_id, resellerName=e.reseller_name, name=sub.name,
            catalogItemId=term.catalog_item_id if term else sub.catalog_item_id,
            renewalDate=e.renewal_date.isoformat(), endOfTerm=sub.end_of_term.value,  # type: ignore[arg-type]
            quantity=term.quantity if term else sub.quantity,
            termDuration=term.term_duration if term else sub.term_duration,
            billingCycle=term.billing_cycle if term else sub.billing_cycle,
            price=price))  # fmt: skip
    return RenewalPage(items=items, continuationToken=container.continuation_tokens.encode(following, binding=binding))
