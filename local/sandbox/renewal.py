"""A subscription's end of term (docs/partner-center.md#the-subscriptions-life): scheduled next-term changes,
cancel at end of term, renewal and Extended Service Term, all driven by the sandbox clock.

- `scheduledNextTermInstructions` (partner-center-api.md §8.1) names the offer, quantity, term, billing cycle and
  custom term end date the next term takes; they are applied and cleared at renewal.
- At a term's end a subscription with `cancelAtEndOfTerm` expires, a trial expires, one with auto-renew on renews
  (at the current price of the new term), and one with auto-renew off rolls into Extended Service Term (EST): one
  month at a time at the one-month price plus a premium (partner-center-api.md leaves EST out: (unconfirmed)).
- Billing segments: each renewal and EST month appends a segment (offer, price, term, quantity from a moment) that
  reconciliation bills from; a subscription without segments is billed as bought.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from local.sandbox import catalog, coterm
from local.sandbox.clock import add_duration, add_months, format_timestamp, parse_timestamp
from local.sandbox.state import SandboxState
from local.sandbox.wire import PartnerCenterError

CYCLES = {"monthly": "Monthly", "annual": "Annual", "triennial": "Triennial", "none": "None"}


def catalog_changes_of(state: SandboxState) -> catalog.CatalogChanges:
    changes = state.data.get("catalogChanges") or {}
    return {name: dict(values) for name, values in changes.items()}


def boundary(subscription: dict[str, Any]) -> dt.datetime:
    """When the clock next acts on the subscription: the end of its EST month, else its term end."""
    est = subscription.get("est")
    return parse_timestamp(est["endDate"] if est else subscription["termEndsAt"])


def renewal_term_duration(subscription: dict[str, Any]) -> str:
    """The next term's duration when scheduled instructions change it, else "" (as Partner Center writes it)."""
    scheduled = subscription.get("scheduled") or {}
    duration = str((scheduled.get("product") or {}).get("termDuration") or "").upper()
    return duration if duration and duration != subscription["termDuration"].upper() else ""


# Scheduling ---------------------------------------------------------------------------------------------------------


def scheduled_targets(subscription: dict[str, Any]) -> list[catalog.Sku]:
    """What the subscription may change to at renewal: its own offer (another quantity, term or cycle) and its
    upgrade paths. A trial has none: it converts through a transition or ends."""
    sku = catalog.find_by_catalog_item_id(subscription["offerId"])
    if sku is None or sku.is_trial:
        return []
    return [sku, *catalog.transition_targets(sku)]


def validate_instructions(
    state: SandboxState, customer: dict[str, Any], subscription: dict[str, Any], raw: Any, auto_renew: bool
) -> dict[str, Any]:
    """The instructions as the sandbox keeps them, or a 400 that changes nothing."""
    if not isinstance(raw, dict) or not isinstance(raw.get("product"), dict):
        raise PartnerCenterError(400, 2000, "scheduledNextTermInstructions needs a product and a quantity.")
    if not auto_renew:
        # (unconfirmed) code and text: Partner Center applies scheduled changes only to a subscription that renews
        raise PartnerCenterError(400, 800093, "Scheduled next-term instructions require autoRenewEnabled to be true.")
    product = raw["product"]
    item = ":".join(str(product.get(k) or "") for k in ("productId", "skuId", "availabilityId"))
    country = subscription["country"]
    target = catalog.find_by_catalog_item_id(item, country)
    if target is None or all(target is not t for t in scheduled_targets(subscription)):
        # (unconfirmed) the code for a target outside the scheduled transition eligibilities
        raise PartnerCenterError(400, 800002, f"The subscription is not eligible to renew as {item}.")
    if not catalog.is_offered(catalog_changes_of(state), target, country):
        raise PartnerCenterError(400, 800002, f"{item} is no longer offered in {country}.")
    duration = str(product.get("termDuration") or "").upper()
    cycle = str(product.get("billingCycle") or "").lower()
    if catalog.find_term(target, duration, CYCLES.get(cycle, cycle)) is None:
        raise PartnerCenterError(400, 2000, f"The term {duration or '(none)'} billed {cycle or '(none)'} is not "
                                 f"offered for {item}.")  # fmt: skip
    quantity = raw.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise PartnerCenterError(400, 2000, "scheduledNextTermInstructions.quantity must be an integer.")
    if not target.minimum_quantity <= quantity <= target.maximum_quantity:
        raise PartnerCenterError(400, 900275, f"The requested quantity {quantity} is not allowed for this offer "
                                 f"({target.minimum_quantity}..{target.maximum_quantity}).")  # fmt: skip
    kept: dict[str, Any] = {
        "product": {"productId": target.product_id, "skuId": target.sku_id,
                    "availabilityId": target.availability_in(country), "billingCycle": cycle,
                    "termDuration": duration},
        "quantity": quantity,
    }  # fmt: skip
    promotion = product.get("promotionId")
    if promotion:
        kept["product"]["promotionId"] = str(promotion)
    if raw.get("customTermEndDate") not in (None, ""):
        kept["customTermEndDate"] = _custom_end(state, customer, subscription, raw["customTermEndDate"], duration)
    return kept


def _custom_end(
    state: SandboxState, customer: dict[str, Any], subscription: dict[str, Any], raw: Any, duration: str
) -> str:
    """A custom end date for the next term: a date (900244), after the new term starts (900246) and one of the
    dates customTermEndDates would allow for a term starting at the renewal (900245). The codes are documented;
    their descriptions are (unconfirmed)."""
    day = coterm.parse_end_date(raw)
    if day is None:
        raise PartnerCenterError(400, 900244, f"The custom term end date {raw!r} is not a valid date.")
    starts = boundary(subscription)
    if day < starts.date():
        raise PartnerCenterError(400, 900246, f"The custom term end date {day} is before the new term starts "
                                 f"({starts.date()}).")  # fmt: skip
    allowed = {
        coterm.parse_end_date(item["allowedCustomTermEndDate"])
        for item in coterm.allowed_end_dates(state, customer, duration, starts)
    }
    if day not in allowed:
        raise PartnerCenterError(400, 900245, f"The custom term end date {day} is not an allowed end date for a "
                                 f"{duration} term starting {starts.date()}.")  # fmt: skip
    return day.isoformat()


# The clock at a term's end ------------------------------------------------------------------------------------------


def _segment(subscription: dict[str, Any], at: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "from": at,
        "kind": kind,
        "offerId": subscription["offerId"],
        "offerName": subscription["offerName"],
        "unitPrice": subscription["unitPrice"],
        "termDuration": subscription["termDuration"],
        "billingCycle": subscription["billingCycle"],
        "quantity": subscription["quantity"],
        "customTermEndDate": subscription.get("customTermEndDate"),
        "promotionId": subscription.get("promotionId") or "",
        **extra,
    }


def _segments(subscription: dict[str, Any]) -> list[dict[str, Any]]:
    """The billing segments, starting with the purchase's (written the first time the clock changes the terms)."""
    if "segments" not in subscription:
        subscription["segments"] = [_segment(subscription, subscription["purchasedAt"], "new")]
    segments: list[dict[str, Any]] = subscription["segments"]
    return segments


def _history(subscription: dict[str, Any], at: str, kind: str) -> None:
    history = subscription.setdefault(
        "history", [{"at": subscription["purchasedAt"], "quantity": subscription["quantity"], "kind": "new"}]
    )
    history.append({"at": at, "quantity": subscription["quantity"], "kind": kind})


def renew(state: SandboxState, subscription: dict[str, Any], at: dt.datetime) -> None:
    """A new term from `at` with the scheduled instructions applied (then cleared), at the current price of the new
    term; its seats open a fresh refund window. (unconfirmed) A promotion carries over only when the instructions
    name one again."""
    _segments(subscription)
    scheduled = subscription.get("scheduled")
    country = subscription["country"]
    sku = catalog.find_by_catalog_item_id(subscription["offerId"])
    custom: str | None = None
    promotion_id = ""
    if scheduled:
        product = scheduled["product"]
        sku = catalog.find_sku(product["productId"], product["skuId"]) or sku
        subscription["termDuration"] = product["termDuration"]
        subscription["billingCycle"] = product["billingCycle"]
        subscription["quantity"] = scheduled["quantity"]
        custom = scheduled.get("customTermEndDate")
        promotion_id = str(product.get("promotionId") or "")
    assert sku is not None
    subscription["offerId"] = sku.catalog_item_in(country)
    subscription["offerName"] = sku.product_title
    term = catalog.find_term(sku, subscription["termDuration"], CYCLES.get(subscription["billingCycle"], "Monthly"))
    assert term is not None
    price = catalog.current_unit_price(catalog_changes_of(state), sku, country, term)
    promotion = catalog.find_promotion(promotion_id) if promotion_id else None
    if promotion is not None:
        price = catalog.promotional_price(price, promotion, country)
    start = format_timestamp(at)
    subscription["unitPrice"] = str(price)
    subscription["promotionId"] = promotion_id if promotion is not None else ""
    subscription["customTermEndDate"] = custom
    subscription["termStartedAt"] = start
    end_date = coterm.parse_end_date(custom)
    subscription["termEndsAt"] = format_timestamp(
        dt.datetime.combine(end_date + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        if end_date is not None
        else add_duration(at, subscription["termDuration"])
    )
    subscription["lots"] = [{"quantity": subscription["quantity"], "addedAt": start}]
    subscription["scheduled"] = None
    subscription["est"] = None
    subscription["segments"].append(_segment(subscription, start, "renew"))
    _history(subscription, start, "renew")
    subscription["version"] += 1


def est_unit_price(state: SandboxState, subscription: dict[str, Any], premium_rate: Decimal) -> Decimal:
    """One EST month of one seat: the offer's one-month (P1M, monthly) price × (1 + premium), to the currency's
    minor unit ((unconfirmed) rounding)."""
    sku = catalog.find_by_catalog_item_id(subscription["offerId"])
    assert sku is not None
    term = catalog.find_term(sku, "P1M", "Monthly") or catalog.Term("P1M", "Monthly")
    monthly = catalog.current_unit_price(catalog_changes_of(state), sku, subscription["country"], term)
    digits = Decimal(1) if catalog.MARKETS[subscription["country"]].currency == "JPY" else Decimal("0.01")
    return (monthly * (Decimal(1) + premium_rate)).quantize(digits, ROUND_HALF_UP)


def extend(state: SandboxState, subscription: dict[str, Any], at: dt.datetime, premium_rate: Decimal) -> None:
    """One more month of Extended Service Term from `at`: the subscription stays active, billed monthly at the
    premium price. (unconfirmed) The shape of `extendedServiceTerm` and the premium."""
    _segments(subscription)
    start, end = format_timestamp(at), format_timestamp(add_months(at, 1))
    subscription["est"] = {"startDate": start, "endDate": end, "premiumRate": format(premium_rate, "f")}
    price = est_unit_price(state, subscription, premium_rate)
    subscription["segments"].append(
        _segment(
            subscription,
            start,
            "est",
            unitPrice=str(price),
            termDuration="P1M",
            billingCycle="monthly",
            customTermEndDate=None,
            promotionId="",
            until=end,
        )  # fmt: skip
    )
    _history(subscription, start, "est")
    subscription["version"] += 1


def expire(subscription: dict[str, Any], at: dt.datetime) -> None:
    subscription["status"] = "expired"
    subscription["est"] = None
    subscription["scheduled"] = None
    subscription["lots"] = []
    _history(subscription, format_timestamp(at), "expire")
    subscription["version"] += 1


def at_boundary(state: SandboxState, subscription: dict[str, Any], premium_rate: Decimal) -> None:
    """What the end of a term (or of an EST month) does to a subscription."""
    at = boundary(subscription)
    if subscription["status"] == "suspended" or subscription.get("cancelAtEndOfTerm"):
        expire(subscription, at)
    elif subscription.get("isTrial"):
        expire(subscription, at)  # a trial not converted ends; it never enters EST
    elif subscription["autoRenewEnabled"]:
        renew(state, subscription, at)  # after EST: a fresh term of the original duration
    else:
        extend(state, subscription, at, premium_rate)
