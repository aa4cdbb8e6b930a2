"""Custom term end dates and add-on prerequisites, as new commerce checks them before it sells
(docs/partner-center.md#co-terming-and-add-ons).

- `GET /v1/customers/{id}/subscriptions/customTermEndDates?term_duration=[&term_start_date=]
  [&target_coterm_subscription_id=]` answers the end dates a new subscription may take: the calendar month end
  within the term (`calendarMonthAligned`) and the end date of each of the customer's active subscriptions that
  falls within it (`subscriptionAligned`, naming them in `cotermSubscriptionIds`).
- A cart line with `customTermEndDate` is accepted only when the date is one of those; the subscription it creates
  ends on it and its first billing cycle is prorated by day (cycles are counted back from the end date).
- An add-on line is accepted only when the customer holds an active subscription of one of its prerequisite SKUs,
  or the same cart buys one.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request

from local.sandbox import catalog
from local.sandbox.auth import CallerDep, SandboxDep
from local.sandbox.clock import add_months, parse_timestamp
from local.sandbox.partner_center import customer_of
from local.sandbox.state import SandboxState
from local.sandbox.wire import PartnerCenterError, WireResponse, collection, get_ci

router = APIRouter(prefix="/v1", tags=["Partner Center: catalog and commerce"])

TERM_MONTHS = {"P1M": 1, "P1Y": 12, "P3Y": 36}
CYCLE_MONTHS = {"monthly": 1, "annual": 12, "triennial": 36}


def _midnight(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _date_text(day: dt.date) -> str:
    """As Microsoft's example writes allowedCustomTermEndDate: a midnight without a zone."""
    return f"{day.isoformat()}T00:00:00"


def parse_end_date(value: Any) -> dt.date | None:
    """A customTermEndDate as a cart line or query may carry it ("2027-06-30", "2027-06-30T00:00:00[Z]")."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def standard_last_day(start: dt.datetime, term_duration: str) -> dt.date:
    """The last day a term bought at `start` covers without a custom end date."""
    return (add_months(_midnight(start), TERM_MONTHS[term_duration]) - dt.timedelta(days=1)).date()


def last_day_of(subscription: dict[str, Any]) -> dt.date:
    """A subscription's current term's last day (commitmentEndDate)."""
    return (parse_timestamp(subscription["termEndsAt"]) - dt.timedelta(days=1)).date()


def _active_of(state: SandboxState, tenant_id: str) -> list[dict[str, Any]]:
    from local.sandbox.commerce import visible_subscriptions

    return [s for s in visible_subscriptions(state, tenant_id) if s["status"] == "active"]


def allowed_end_dates(
    state: SandboxState, customer: dict[str, Any], term_duration: str, start: dt.datetime,
    target: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """The allowed custom term end dates of a new subscription of this term bought at `start` (only the target's,
    when one is named). Dates fall after the start day and no later than the standard term's last day."""
    first, last = _midnight(start).date(), standard_last_day(start, term_duration)
    if target is not None:
        day = last_day_of(target)
        if not first <= day <= last:
            return []
        return [_aligned(day, [target["id"]])]
    items: list[dict[str, Any]] = []
    month_end = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    if month_end != last:
        month_end = last.replace(day=1) - dt.timedelta(days=1)
    if first <= month_end:
        items.append({"allowedCustomTermEndDateType": "calendarMonthAligned",
                      "allowedCustomTermEndDate": _date_text(month_end)})  # fmt: skip
    by_day: dict[dt.date, list[str]] = {}
    for subscription in _active_of(state, customer["tenantId"]):
        day = last_day_of(subscription)
        if first <= day <= last:
            by_day.setdefault(day, []).append(subscription["id"])
    items.extend(_aligned(day, ids) for day, ids in sorted(by_day.items()))
    return items


def _aligned(day: dt.date, ids: list[str]) -> dict[str, Any]:
    return {"allowedCustomTermEndDateType": "subscriptionAligned", "cotermSubscriptionIds": ids,
            "allowedCustomTermEndDate": _date_text(day)}  # fmt: skip


@router.get("/customers/{customer_id}/subscriptions/customTermEndDates", summary="Allowed custom term end dates")
async def custom_term_end_dates(
    customer_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    params = dict(request.query_params)
    term = str(get_ci(params, "term_duration") or "").upper()
    if term not in TERM_MONTHS:
        # (unconfirmed) the code for a missing or unsupported term_duration; the sandbox answers the generic 2000
        raise PartnerCenterError(400, 2000, "term_duration must be one of P1M, P1Y, P3Y.")
    state = sandbox.state
    with state.lock:
        customer = customer_of(state, caller, customer_id)
        now = state.clock.now()
        start = now
        raw_start = get_ci(params, "term_start_date")
        if raw_start:
            day = parse_end_date(raw_start)
            if day is None or day < now.date():
                # the doc: "the intended purchase date: it cannot be in the past" ((unconfirmed) code)
                raise PartnerCenterError(400, 2000, "term_start_date must be a date, today or later.")
            start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        target = None
        target_id = get_ci(params, "target_coterm_subscription_id")
        if target_id:
            target = state.data["subscriptions"].get(str(target_id).lower())
            if target is None or target not in _active_of(state, customer["tenantId"]):
                # (unconfirmed) a target that is unknown, another customer's or not active answers as an unknown
                # subscription of this customer
                raise PartnerCenterError(404, 20003, f"Subscription {target_id} was not found.")
        items = allowed_end_dates(state, customer, term, start, target)
    uri = f"/customers/{customer['tenantId']}/subscriptions/customTermEndDates?term_duration={term}"
    return WireResponse(collection(items, self_uri=uri))


# Cart line checks ----------------------------------------------------------------------------------------------------


def _line_error(code: str, description: str) -> dict[str, Any]:
    return {"errorCode": code, "errorDescription": description, "additionalInformation": {}}


def line_refusal(
    state: SandboxState, customer: dict[str, Any], line: dict[str, Any], cart_lines: list[dict[str, Any]],
    now: dt.datetime,
) -> dict[str, Any] | None:  # fmt: skip
    """Why new commerce refuses this (otherwise valid) cart line: a custom term end date it does not allow, or an
    add-on without a base subscription. None when it accepts it."""
    if line.get("customTermEndDate") is not None:
        day = parse_end_date(line["customTermEndDate"])
        term = line["termDuration"]
        allowed = {parse_end_date(i["allowedCustomTermEndDate"]) for i in allowed_end_dates(state, customer, term, now)}
        if day is None or day not in allowed:
            # (unconfirmed) the cart's error for a custom term end date it does not allow; 900244-900246 are the
            # documented codes for the same mistake in scheduledNextTermInstructions
            return _line_error(
                "invalid_custom_term_end_date",
                f"The custom term end date {line['customTermEndDate']} is not allowed for a {term} term bought "
                "today; read the allowed dates from subscriptions/customTermEndDates.",
            )
    sku = catalog.find_by_catalog_item_id(line["catalogItemId"])
    if sku is not None and sku.is_addon:
        wanted = {p.lower() for p in sku.prerequisite_skus}
        held = {":".join(s["offerId"].split(":")[:2]).lower() for s in _active_of(state, customer["tenantId"])}
        in_cart = {":".join(other["catalogItemId"].split(":")[:2]).lower() for other in cart_lines
                   if other is not line and "error" not in other}  # fmt: skip
        if not wanted & (held | in_cart):
            # (unconfirmed) the code new commerce gives an add-on bought without its base offer
            return _line_error(
                "prerequisite_offer_not_owned",
                f"{sku.product_title} is an add-on: the customer needs an active subscription of "
                f"{', '.join(sku.prerequisite_skus)} first.",
            )
    return None


# Billing cycles of a co-termed subscription --------------------------------------------------------------------------


def first_cycle_end(purchase_day: dt.datetime, term_ends_at: dt.datetime, billing_cycle: str) -> dt.datetime:
    """Cycles of a co-termed subscription are counted back from its end: the first one ends at the earliest of those
    boundaries after the purchase day (the whole first term when it is shorter than a cycle)."""
    months = CYCLE_MONTHS.get(billing_cycle, 1)
    boundary, k = term_ends_at, 0
    while add_months(term_ends_at, -(k + 1) * months) > purchase_day:
        k += 1
        boundary = add_months(term_ends_at, -k * months)
    return boundary


def first_cycle_fraction(purchase_day: dt.datetime, term_ends_at: dt.datetime, billing_cycle: str) -> Decimal:
    """The share of a whole cycle the shortened first cycle is charged: its days over the days of a whole cycle
    ending on the same day. (unconfirmed) Microsoft documents no formula; by day is how it prorates seat changes."""
    end = first_cycle_end(purchase_day, term_ends_at, billing_cycle)
    whole = (end - add_months(end, -CYCLE_MONTHS.get(billing_cycle, 1))).days
    return Decimal((end - purchase_day).days) / Decimal(whole)
