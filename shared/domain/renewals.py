"""The end of a subscription's term under new commerce (docs/api-guide.md#renewals). Pure.

At its term end a subscription renews (with or without changes scheduled for the next term), expires (cancel at end
of term; a trial that was not converted) or, since May 2026, rolls into a paid Extended Service Term (EST: the
offer's monthly price plus a premium, month by month) when auto-renew is off and cancel at end of term was not
chosen. The platform never lets a reseller drift into EST: switching auto-renew off means cancel at end of term,
and EST is only ever asked for explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from shared.domain.money import EXACT, Money

DEFAULT_PREMIUM_RATE = Decimal("0.20")  # (unconfirmed) the EST premium when Partner Center names none
DEFAULT_WINDOW = timedelta(days=90)
MAX_WINDOW = timedelta(days=366)
WIPE_WARNING = (
    "this change takes effect now and replaces the changes scheduled for the next term: they will be cleared; "
    "send confirmWipeScheduledChanges: true to go ahead"
)


class EndOfTerm(StrEnum):
    """What happens at the end of the current term."""

    RENEW = "renew"
    RENEW_WITH_CHANGES = "renewWithChanges"
    CANCEL = "cancel"
    EXTENDED_SERVICE_TERM = "extendedServiceTerm"


@dataclass(frozen=True)
class ScheduledChanges:
    """The next term as scheduled in Partner Center (`scheduledNextTermInstructions`); `offer_id` is
    product:sku:availability, as Partner Center names the target."""

    offer_id: str
    quantity: int
    term_duration: str
    billing_cycle: str
    custom_term_end_date: date | None = None
    promotion_id: str | None = None

    @property
    def catalog_item_id(self) -> str:
        """The platform's catalog item id of the target (offer, term and cycle)."""
        return f"{self.offer_id}:{self.term_duration.upper()}:{self.billing_cycle.lower()}"


@dataclass(frozen=True)
class ExtendedTerm:
    """The EST month a subscription is in (it rolls month by month)."""

    start: datetime
    end: datetime
    premium_rate: Decimal


def end_of_term(
    *,
    auto_renew: bool,
    cancel_at_end_of_term: bool,
    scheduled: ScheduledChanges | None,
    is_trial: bool,
) -> EndOfTerm:
    """What Partner Center will do at the term end, read from the mirror: cancel wins; a trial that does not renew
    expires (trials never enter EST); auto-renew on renews (with changes when some are scheduled); auto-renew off
    without cancel is EST, which is also what a subscription already in EST shows until it renews."""
    if cancel_at_end_of_term:
        return EndOfTerm.CANCEL
    if auto_renew:
        return EndOfTerm.RENEW_WITH_CHANGES if scheduled is not None else EndOfTerm.RENEW
    if is_trial:
        return EndOfTerm.CANCEL
    return EndOfTerm.EXTENDED_SERVICE_TERM


def end_of_term_date(status: str, term_end: datetime | None, extended: ExtendedTerm | None) -> date | None:
    """The day the current term (or EST month) ends; None when the subscription is not active."""
    if status != "active":
        return None
    if extended is not None:
        return extended.end.date()
    return term_end.date() if term_end is not None else None


def next_term_total(unit_price: Money, quantity: int) -> Money:
    """One billing period of the next term: unit price × quantity (unrounded; shown rounded)."""
    return unit_price * quantity


def extended_term_unit_price(monthly_unit_price: Money, premium_rate: Decimal | None) -> Money:
    """An EST month's unit price: the offer's one-month (P1M, monthly) price × (1 + premium rate), at any tier
    (each party's own monthly price carries the same premium)."""
    rate = DEFAULT_PREMIUM_RATE if premium_rate is None else premium_rate
    if rate < 0:
        raise ValueError("a premium rate is never negative")
    return monthly_unit_price * EXACT.add(Decimal(1), rate)


def monthly_item_id(catalog_item_id: str) -> str:
    """The one-month, monthly item of the same offer (EST is priced at it)."""
    parts = catalog_item_id.split(":")
    return ":".join([*parts[:3], "P1M", "monthly"])


class WipeNotConfirmed(Exception):
    """A mid-term change would clear the changes scheduled for the next term and was not confirmed (409)."""

    def __init__(self, scheduled: ScheduledChanges) -> None:
        super().__init__(WIPE_WARNING)
        self.warning = WIPE_WARNING
        self.scheduled = scheduled


def check_wipe(scheduled: ScheduledChanges | None, *, confirmed: bool) -> None:
    """A mid-term quantity change or an immediate upgrade wipes scheduled changes (unconfirmed: the documented
    new-commerce rule that mid-term changes replace scheduled ones): it needs the caller's confirmation."""
    if scheduled is not None and not confirmed:
        raise WipeNotConfirmed(scheduled)


def renewal_window(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The calendar's [from, to] days: today..+90 days by default; `to` before `from` or more than 366 days after
    it is refused (ValueError names the field)."""
    first = start or today
    last = end or (first + DEFAULT_WINDOW)
    if last < first:
        raise ValueError("to: must not be before from")
    if last - first > MAX_WINDOW:
        raise ValueError("to: the window may span at most 366 days")
    return first, last


def scheduled_refusal(
    *,
    quantity: int,
    minimum: int,
    maximum: int | None,
    target_offer_id: str,
    own_offer_id: str,
    eligible_offer_ids: frozenset[str],
    custom_term_end_date: date | None,
    term_end: datetime | None,
) -> tuple[str, str] | None:
    """Why changes for the next term cannot be scheduled, as (field, reason); None when they can. Targets are the
    subscription's own offer (another quantity, term or cycle) or one of its `scheduled` transition eligibilities."""
    if quantity < minimum:
        return "quantity", f"the quantity must be at least {minimum}"
    if maximum is not None and quantity > maximum:
        return "quantity", f"the quantity may be at most {maximum}"
    if target_offer_id.upper() != own_offer_id.upper() and target_offer_id.upper() not in {
        offer.upper() for offer in eligible_offer_ids
    }:
        return "catalogItemId", "the subscription cannot change to this item at renewal"
    if custom_term_end_date is not None and term_end is not None and custom_term_end_date <= term_end.date():
        return "customTermEndDate", "a custom term end date must lie after the new term starts"
    return None


def scheduled_snapshot(scheduled: ScheduledChanges | None) -> dict[str, Any] | None:
    """The scheduled changes as the audit trail and the 409 problem name them."""
    if scheduled is None:
        return None
    return {
        "catalogItemId": scheduled.catalog_item_id,
        "quantity": scheduled.quantity,
        "termDuration": scheduled.term_duration,
        "billingCycle": scheduled.billing_cycle,
        "customTermEndDate": scheduled.custom_term_end_date.isoformat() if scheduled.custom_term_end_date else None,
    }
