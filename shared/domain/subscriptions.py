"""Subscriptions and the new-commerce rules for changing them (docs/business.md#changing-a-subscription). Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from shared.domain.renewals import EndOfTerm, ExtendedTerm, ScheduledChanges, end_of_term, end_of_term_date

CANCELLATION_WINDOW = timedelta(hours=168)


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETED = "deleted"  # cancelled
    EXPIRED = "expired"
    PENDING = "pending"
    DISABLED = "disabled"


@dataclass(frozen=True)
class SeatLot:
    """Seats bought together (the purchase, a renewal, or seats added mid-term), removable until `allowed_until`."""

    quantity: int
    allowed_until: datetime

    def open_at(self, now: datetime) -> bool:
        return now < self.allowed_until


class ChangeRefused(Exception):
    """A change new commerce does not allow now; `reason` says why (answered 409)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def removable_seats(lots: Iterable[SeatLot], now: datetime) -> int:
    """Only seats whose lot is still inside its 168-hour window can be removed."""
    return sum(lot.quantity for lot in lots if lot.open_at(now))


def check_quantity_change(
    *,
    current: int,
    requested: int,
    lots: Iterable[SeatLot],
    status: str,
    now: datetime,
    minimum: int = 1,
    maximum: int | None = None,
) -> None:
    """Raises ChangeRefused for a change Partner Center would refuse: decreases beyond the seats whose
    lot is still in its window, any change while suspended or cancelled, limits of the SKU."""
    if status == SubscriptionStatus.SUSPENDED:
        raise ChangeRefused("a suspended subscription's quantity cannot be changed; reactivate it first")
    if status not in (SubscriptionStatus.ACTIVE,):
        raise ChangeRefused(f"a {status} subscription cannot be changed")
    if requested < minimum:
        raise ChangeRefused(f"the quantity must be at least {minimum}")
    if maximum is not None and requested > maximum:
        raise ChangeRefused(f"the quantity may be at most {maximum}")
    if requested < current:
        removable = removable_seats(lots, now)
        if current - requested > removable:
            raise ChangeRefused(
                f"only {removable} seat(s) can be removed now: seats can be removed only within 168 hours "
                "of their purchase or renewal"
            )


def check_cancellation(*, status: str, cancellation_allowed_until: datetime | None, now: datetime) -> None:
    if status in (SubscriptionStatus.DELETED, SubscriptionStatus.EXPIRED):
        raise ChangeRefused(f"the subscription is already {status}")
    if cancellation_allowed_until is None or now >= cancellation_allowed_until:
        raise ChangeRefused(
            "the 168-hour cancellation window has passed; the subscription can only be left "
            "to end at its term end (switch auto-renew off)"
        )


def check_status_change(*, current: str, requested: str) -> None:
    if requested not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED):
        raise ChangeRefused("status may be set to active or suspended; cancel with POST .../cancel")
    if current in (SubscriptionStatus.DELETED, SubscriptionStatus.EXPIRED):
        raise ChangeRefused(f"a {current} subscription cannot be changed")


def check_end_of_term(*, status: str, is_trial: bool, requested: str) -> None:
    """Raises ChangeRefused (409) for an end of term that cannot be chosen now: only an active subscription's,
    and a trial never enters EST (it converts or ends)."""
    if requested not in (EndOfTerm.RENEW, EndOfTerm.CANCEL, EndOfTerm.EXTENDED_SERVICE_TERM):
        raise ChangeRefused("endOfTerm is renew, cancel or extendedServiceTerm")
    if status not in ("active", "suspended"):
        raise ChangeRefused(f"a {status} subscription's end of term cannot be changed")
    if is_trial and requested == EndOfTerm.EXTENDED_SERVICE_TERM:
        raise ChangeRefused("a trial never enters Extended Service Term: convert it, or let it end")


class ChangeKind(StrEnum):
    """What a pending change does to a subscription."""

    QUANTITY = "quantity"
    AUTO_RENEW = "autoRenew"
    STATUS = "status"
    CANCEL = "cancel"
    END_OF_TERM = "endOfTerm"  # value: "renew" | "cancel" | "extendedServiceTerm"
    RENEWAL = "renewal"  # value: the scheduled changes (a dict), or None to clear them
    UPGRADE = "upgrade"  # value: {toCatalogItemId, quantity, transitionType, requestId, progress, ...}


class ChangeStatus(StrEnum):
    PENDING = "pending"
    APPLIED = "applied"
    FAILED = "failed"


@dataclass(frozen=True)
class PendingChange:
    """A change accepted by the platform and applied through the queue. Once Partner Center's state shows it, it is
    cleared from the subscription (an `applied` one is never shown); a refused one stays `failed` with the reason
    until the next change."""

    id: str
    kind: ChangeKind
    value: Any
    requested_by: str
    requested_at: datetime
    status: ChangeStatus = ChangeStatus.PENDING
    error: str | None = None
    attempt: int = 1


@dataclass(frozen=True)
class Subscription:
    """Our mirror of a Partner Center subscription; Partner Center stays the source of truth."""

    id: str
    provider_id: str
    reseller_id: str
    customer_id: str
    customer_tenant_id: str
    catalog_item_id: str | None
    offer_id: str
    name: str
    quantity: int
    status: str
    auto_renew: bool
    term_duration: str
    billing_cycle: str
    term_start_date: datetime | None
    term_end_date: datetime | None
    cancellation_window_ends_at: datetime | None
    partner_id: str
    order_id: str | None
    lots: tuple[SeatLot, ...] = ()
    change: PendingChange | None = None
    updated_at: datetime | None = None
    synced_at: datetime | None = None
    # "adopted": found in Partner Center without a record of ours (bought outside the platform, or an order whose
    # record was lost after checkout) and taken into the mirror under its customer.
    flag: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    is_trial: bool = False
    scheduled: ScheduledChanges | None = None  # changes scheduled for the next term
    cancel_at_end_of_term: bool = False
    extended_term: ExtendedTerm | None = None  # the EST month it is in
    upgraded_from: str | None = None  # the subscription an upgrade (or trial conversion) replaced
    upgraded_to: str | None = None  # the subscription an upgrade moved its seats to

    @property
    def end_of_term(self) -> EndOfTerm:
        return end_of_term(auto_renew=self.auto_renew, cancel_at_end_of_term=self.cancel_at_end_of_term,
                           scheduled=self.scheduled, is_trial=self.is_trial)  # fmt: skip

    @property
    def end_of_term_date(self) -> date | None:
        return end_of_term_date(self.status, self.term_end_date, self.extended_term)
