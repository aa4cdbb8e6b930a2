"""Orders: accepted fast, provisioned once (docs/business.md#orders). Pure rules and states."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING_APPROVAL = "pendingApproval"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    PROVISIONING = "provisioning"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partiallyCompleted"
    FAILED = "failed"


TERMINAL = frozenset({OrderStatus.REJECTED, OrderStatus.COMPLETED, OrderStatus.PARTIALLY_COMPLETED, OrderStatus.FAILED})


class LineStatus(StrEnum):
    PENDING = "pending"
    PROVISIONED = "provisioned"
    FAILED = "failed"


@dataclass(frozen=True)
class LinePrices:
    """Unit prices each tier pays, unrounded between tiers; what a buyer sees and pays is the unit price rounded at
    the currency's minor unit, times the quantity (a reseller can check every total by hand)."""

    currency: str
    provider_cost: Decimal | None
    reseller_price: Decimal | None
    customer_price: Decimal | None


@dataclass(frozen=True)
class OrderLine:
    number: int
    catalog_item_id: str
    offer_id: str  # Partner Center's catalogItemId: product:sku:availability
    title: str
    quantity: int
    term_duration: str
    billing_cycle: str
    prices: LinePrices
    status: LineStatus = LineStatus.PENDING
    subscription_id: str | None = None
    error: str | None = None
    partner_center_order_id: str | None = None


@dataclass(frozen=True)
class Provisioning:
    """Progress recorded before each Partner Center call, so a retry resumes instead of buying again."""

    attempt: int = 1
    cart_id: str | None = None
    cart_request_id: str | None = None
    checkout_request_id: str | None = None
    checked_out: bool = False
    partner_center_order_ids: tuple[str, ...] = ()
    next_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class Order:
    id: str
    provider_id: str
    reseller_id: str
    customer_id: str
    customer_tenant_id: str
    reseller_partner_id: str
    lines: tuple[OrderLine, ...]
    status: OrderStatus
    source: str  # staff | storefront
    created_by: str
    created_at: datetime
    updated_at: datetime
    provisioning: Provisioning = field(default_factory=Provisioning)
    failure_reason: str | None = None
    rejection_reason: str | None = None
    decided_by: str | None = None

    def total(self, tier: str) -> Decimal | None:
        """A tier's total as shown and billed: each line's shown (rounded) unit price x its quantity, summed."""
        totals = [line_total(line, tier) for line in self.lines]
        if any(t is None for t in totals):
            return None
        return sum((t for t in totals if t is not None), Decimal(0))


def line_total(line: OrderLine, tier: str) -> Decimal | None:
    """The shown unit price (rounded at the currency's minor unit) x the quantity: the figure a reseller checks."""
    unit = getattr(line.prices, tier)
    if unit is None:
        return None
    from shared.domain.money import Money

    return Money(unit, line.prices.currency).rounded().amount * line.quantity


def settled_status(lines: Iterable[OrderLine]) -> OrderStatus | None:
    """The order's end state once no line is pending, else None."""
    statuses = [line.status for line in lines]
    if any(s is LineStatus.PENDING for s in statuses):
        return None
    if all(s is LineStatus.PROVISIONED for s in statuses):
        return OrderStatus.COMPLETED
    if all(s is LineStatus.FAILED for s in statuses):
        return OrderStatus.FAILED
    return OrderStatus.PARTIALLY_COMPLETED


def fail_pending_lines(order: Order, reason: str) -> tuple[OrderLine, ...]:
    return tuple(
        replace(line, status=LineStatus.FAILED, error=reason) if line.status is LineStatus.PENDING else line
        for line in order.lines
    )


def line_that_bought(
    lines: Iterable[OrderLine],
    *,
    subscription_id: str,
    partner_center_order_id: str | None,
    offer_id: str,
    term_duration: str,
    billing_cycle: str,
) -> OrderLine | None:
    """The line (of our orders' lines) that bought this subscription: the line that names it, or else a line of the
    Partner Center order it came from with its offer, term and cycle (provisioning may not have recorded the
    subscription yet). A subscription bought by our order is ours, not an orphan."""
    candidates = list(lines)
    wanted = subscription_id.lower()
    for line in candidates:
        if line.subscription_id and line.subscription_id.lower() == wanted:
            return line
    if not partner_center_order_id:
        return None
    for line in candidates:
        if (
            line.partner_center_order_id
            and line.partner_center_order_id.lower() == partner_center_order_id.lower()
            and line.offer_id.lower() == offer_id.lower()
            and line.term_duration.upper() == term_duration.upper()
            and line.billing_cycle.lower() == billing_cycle.lower()
        ):
            return line
    return None
