"""Co-terming and add-ons: what new commerce requires of a line before it sells it
(docs/business.md#co-terming-and-add-ons).

- Co-terming: a new subscription may end with one of the customer's active subscriptions (Partner Center's
  `customTermEndDate`, one of the dates `GET .../subscriptions/customTermEndDates` allows). Its first term is shorter,
  so its first billing cycle is too: billing cycles are counted back from the end date and the first one, from the
  purchase day to the first of those boundaries, is charged by day: unit price x (days charged / days of a whole
  cycle ending on the same day). Later cycles are whole. (unconfirmed) Microsoft documents no formula; by day is how
  it prorates seat changes in reconciliation (its effective unit price), and billing reads the factor it applied
  from the line itself (shared/domain/billing.py `proration_factor`), so a co-termed first charge is no mismatch.
- Add-ons: an add-on SKU (`isAddon`) may be bought only for a customer that holds an active subscription of one of
  its prerequisite SKUs (`prerequisiteSkus`, "product:sku"), or buys one in the same order.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal

from shared.domain.money import EXACT

CYCLE_MONTHS = {"monthly": 1, "annual": 12, "triennial": 36}


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


def first_cycle_end(purchase_day: date, last_day: date, billing_cycle: str) -> date:
    """The day after the co-termed first cycle: the earliest boundary after the purchase day, boundaries being the
    day after `last_day` stepped back by whole cycles."""
    months = CYCLE_MONTHS.get(billing_cycle.lower(), 1)
    term_end = last_day + timedelta(days=1)
    steps = 0
    while add_months(term_end, -(steps + 1) * months) > purchase_day:
        steps += 1
    return add_months(term_end, -steps * months)


def first_cycle_fraction(purchase_day: date, last_day: date, billing_cycle: str) -> Decimal:
    """The share of a whole billing cycle the co-termed first cycle is charged (1 when it is whole)."""
    if last_day < purchase_day:
        raise ValueError("a custom term end date lies after the purchase day")
    end = first_cycle_end(purchase_day, last_day, billing_cycle)
    whole = (end - add_months(end, -CYCLE_MONTHS.get(billing_cycle.lower(), 1))).days
    return EXACT.divide(Decimal((end - purchase_day).days), Decimal(whole))


def base_sku(offer_id: str) -> str:
    """ "product:sku" of an offer id or catalog item id (product:sku:availability[:term:cycle])."""
    return ":".join(offer_id.split(":")[:2]).upper()


def addon_refusal(
    prerequisite_skus: Collection[str],
    held_offers: Iterable[str],
    ordered_offers: Iterable[str],
    base_titles: Mapping[str, str],
) -> str | None:
    """Why an add-on cannot be bought: the customer holds no active subscription of a base SKU (`held_offers`: the
    offer ids of its active subscriptions) and the order buys none (`ordered_offers`). None when it may.
    `base_titles` names each base SKU ("product:sku") as the catalog titles it."""
    wanted = {sku.upper() for sku in prerequisite_skus}
    if not wanted:
        return None
    have = {base_sku(offer) for offer in held_offers} | {base_sku(offer) for offer in ordered_offers}
    if wanted & have:
        return None
    named = ", ".join(f"{base_titles[sku]} ({sku})" if sku in base_titles else sku for sku in sorted(wanted))
    return f"this add-on needs an active subscription of {named}: buy the base first or in the same order"


def coterm_refusal(status: str | None, *, of_customer: bool) -> str | None:
    """Why a line cannot end with this subscription: it is not the customer's, or not active."""
    if status is None or not of_customer:
        return "not a subscription of this customer"
    if status.lower() != "active":
        return f"the subscription is {status.lower()}: a line can only end with an active subscription"
    return None
