"""Orders: accepted fast, provisioned once (docs/business.md#orders). Pure rules and states: every change of an
order is a method of `Order` (or `OrderLine`) that returns the new value and refuses what `TRANSITIONS` (or
`LINE_TRANSITIONS`) does not allow."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol


class OrderStatus(StrEnum):
    PENDING_APPROVAL = "pendingApproval"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    PROVISIONING = "provisioning"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partiallyCompleted"
    FAILED = "failed"


# The order's state machine, in one place: the statuses an order may move to from each status.
TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING_APPROVAL: frozenset({OrderStatus.ACCEPTED, OrderStatus.REJECTED}),
    OrderStatus.ACCEPTED: frozenset({OrderStatus.PROVISIONING, OrderStatus.FAILED}),  # failed: given up before a cart
    OrderStatus.PROVISIONING: frozenset({OrderStatus.COMPLETED, OrderStatus.PARTIALLY_COMPLETED, OrderStatus.FAILED}),
    OrderStatus.REJECTED: frozenset(),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.PARTIALLY_COMPLETED: frozenset(),
    OrderStatus.FAILED: frozenset(),
}

TERMINAL = frozenset(status for status, following in TRANSITIONS.items() if not following)

# Where provisioning records its progress (cart, checkout, lines, retries); nowhere else.
IN_PROGRESS = frozenset({OrderStatus.ACCEPTED, OrderStatus.PROVISIONING})


class LineStatus(StrEnum):
    PENDING = "pending"
    PROVISIONED = "provisioned"
    FAILED = "failed"


LINE_TRANSITIONS: Mapping[LineStatus, frozenset[LineStatus]] = {
    LineStatus.PENDING: frozenset({LineStatus.PROVISIONED, LineStatus.FAILED}),
    LineStatus.PROVISIONED: frozenset(),
    LineStatus.FAILED: frozenset(),
}


class IllegalTransition(ValueError):
    """A change the state machine does not allow (approving an accepted order, provisioning a failed line...)."""


class PartnerCenterItem(Protocol):
    """What the order needs of a line item of a Partner Center order (shared/partner_center/models.py)."""

    @property
    def offer_id(self) -> str: ...

    @property
    def quantity(self) -> int: ...

    @property
    def subscription_id(self) -> str | None: ...


class PartnerCenterOrder(Protocol):
    """What the order needs of a Partner Center order: its id and line items."""

    @property
    def id(self) -> str: ...

    @property
    def line_items(self) -> Sequence[PartnerCenterItem]: ...


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
    promotion_id: str | None = None  # the promotion the line is bought under (its prices are the promotion's)
    # Co-terming (shared/domain/coterm.py): the subscription the line ends with, the end date Partner Center allowed
    # and the share of a whole cycle its first (shorter) cycle is charged.
    coterminate_with: str | None = None
    custom_term_end_date: date | None = None
    first_cycle_fraction: Decimal | None = None

    def _moved(self, status: LineStatus, **changes: Any) -> OrderLine:
        if status not in LINE_TRANSITIONS[self.status]:
            raise IllegalTransition(f"line {self.number} is {self.status.value}: it cannot become {status.value}")
        return replace(self, status=status, **changes)

    def ordered(self, partner_center_order_id: str) -> OrderLine:
        """Taken by a Partner Center order at checkout (still pending until that order completes)."""
        if self.status is not LineStatus.PENDING:
            raise IllegalTransition(f"line {self.number} is {self.status.value}: only a pending line is ordered")
        return replace(self, partner_center_order_id=partner_center_order_id)

    def provisioned(self, subscription_id: str) -> OrderLine:
        return self._moved(LineStatus.PROVISIONED, subscription_id=subscription_id)

    def failed(self, reason: str) -> OrderLine:
        return self._moved(LineStatus.FAILED, error=reason)

    def matches(self, item: PartnerCenterItem) -> bool:
        """Partner Center's line item is this line: same offer, same quantity."""
        return self.offer_id.lower() == item.offer_id.lower() and self.quantity == item.quantity


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
        return lines_total(self.lines, tier)

    # Transitions: each returns the changed order and refuses what TRANSITIONS does not allow ------------------

    def _moved(self, status: OrderStatus, at: datetime, **changes: Any) -> Order:
        if status not in TRANSITIONS[self.status]:
            raise IllegalTransition(f"order {self.id} is {self.status.value}: it cannot become {status.value}")
        return replace(self, status=status, updated_at=at, **changes)

    def _progressed(self, at: datetime, lines: tuple[OrderLine, ...] | None = None, **provisioning: Any) -> Order:
        """Provisioning's progress (its record, its lines), only while the order is in progress."""
        if self.status not in IN_PROGRESS:
            raise IllegalTransition(f"order {self.id} is {self.status.value}: provisioning does not change it")
        return replace(
            self,
            lines=self.lines if lines is None else lines,
            provisioning=replace(self.provisioning, **provisioning),
            updated_at=at,
        )

    def approved(self, by: str, at: datetime) -> Order:
        return self._moved(OrderStatus.ACCEPTED, at, decided_by=by)

    def rejected(self, by: str, at: datetime, reason: str | None) -> Order:
        return self._moved(OrderStatus.REJECTED, at, decided_by=by, rejection_reason=reason)

    def provisioning_started(self, at: datetime) -> Order:
        return self._moved(OrderStatus.PROVISIONING, at)

    def cart_requested(self, request_id: str, at: datetime) -> Order:
        """The cart's MS-RequestId, recorded before the cart is created (a retry sends the same one)."""
        return self._progressed(at, cart_request_id=request_id)

    def cart_created(self, cart_id: str, checkout_request_id: str, at: datetime) -> Order:
        """The cart and the checkout's MS-RequestId, recorded before the checkout."""
        return self._progressed(at, cart_id=cart_id, checkout_request_id=checkout_request_id)

    def checked_out(self, orders: Sequence[PartnerCenterOrder], refusal: str | None, at: datetime) -> Order:
        """Which pending line each Partner Center order took (by offer and quantity); with a refusal, the lines no
        order took fail with it."""
        remaining = [line for line in self.lines if line.status is LineStatus.PENDING]
        changed: dict[int, OrderLine] = {}
        for pc_order in orders:
            for item in pc_order.line_items:
                match = next((line for line in remaining if line.matches(item)), None)
                if match is None:
                    continue
                remaining.remove(match)
                changed[match.number] = match.ordered(pc_order.id)
        if refusal is not None:
            for line in remaining:
                changed[line.number] = line.failed(refusal)
        lines = tuple(changed.get(line.number, line) for line in self.lines)
        ids = tuple(dict.fromkeys(o.id for o in orders))
        return self._progressed(at, lines, checked_out=True, partner_center_order_ids=ids)

    def partner_order_completed(self, pc_order: PartnerCenterOrder, at: datetime) -> Order:
        """A completed Partner Center order: each pending line it took is provisioned with its subscription."""
        items = [item for item in pc_order.line_items if item.subscription_id]
        lines = []
        for line in self.lines:
            item = None
            if line.partner_center_order_id == pc_order.id and line.status is LineStatus.PENDING:
                item = next((i for i in items if line.matches(i)), None)
            if item is None or item.subscription_id is None:
                lines.append(line)
                continue
            items.remove(item)
            lines.append(line.provisioned(item.subscription_id))
        return self._progressed(at, tuple(lines))

    def lines_failed(self, reason: str, at: datetime, *, partner_center_order_id: str | None = None) -> Order:
        """The pending lines (those of one Partner Center order, when given) fail with the reason."""
        lines = tuple(
            line.failed(reason)
            if line.status is LineStatus.PENDING
            and (partner_center_order_id is None or line.partner_center_order_id == partner_center_order_id)
            else line
            for line in self.lines
        )
        return self._progressed(at, lines)

    def retry_scheduled(self, attempt: int, next_at: datetime, reason: str, at: datetime) -> Order:
        """The next attempt, when it is due and why: its message is the one of that attempt."""
        if attempt <= self.provisioning.attempt:
            raise IllegalTransition(f"order {self.id} is at attempt {self.provisioning.attempt}, not before {attempt}")
        return self._progressed(at, attempt=attempt, next_at=next_at, last_error=reason)

    def settled(self, at: datetime, reason: str | None = None, *, abandoned: bool = False) -> Order:
        """The end state from the lines (`settled_status`); a line still pending fails with the reason. Given up
        on (`abandoned`), the order says so in its provisioning record."""
        lines = tuple(
            line.failed(reason or "failed") if line.status is LineStatus.PENDING else line for line in self.lines
        )
        status = settled_status(lines) or OrderStatus.FAILED
        settled = self._moved(
            status, at, lines=lines, failure_reason=reason if status is not OrderStatus.COMPLETED else None
        )
        last_error = "abandoned" if abandoned else self.provisioning.last_error
        return replace(settled, provisioning=replace(self.provisioning, last_error=last_error, next_at=None))


def opening_status(customer_total: Decimal | None, approval_threshold: Decimal | None) -> OrderStatus:
    """A new order is accepted at once, or waits for approval when its customer total is above the threshold."""
    if approval_threshold is not None and customer_total is not None and customer_total > approval_threshold:
        return OrderStatus.PENDING_APPROVAL
    return OrderStatus.ACCEPTED


def lines_total(lines: Iterable[OrderLine], tier: str) -> Decimal | None:
    """A tier's total of these lines: None when any line has no price at that tier."""
    totals = [line_total(line, tier) for line in lines]
    if any(t is None for t in totals):
        return None
    return sum((t for t in totals if t is not None), Decimal(0))


def line_total(line: OrderLine, tier: str) -> Decimal | None:
    """The shown unit price (rounded at the currency's minor unit) x the quantity: the figure a reseller checks.
    A co-termed line's first cycle is that x its fraction, rounded once more (as billing charges it)."""
    unit = getattr(line.prices, tier)
    if unit is None:
        return None
    from shared.domain.money import Money

    total = Money(unit, line.prices.currency).rounded().amount * line.quantity
    if line.first_cycle_fraction is None:
        return total
    return Money(total * line.first_cycle_fraction, line.prices.currency).rounded().amount


def prorated_unit(line: OrderLine, tier: str) -> Decimal | None:
    """A co-termed line's first-cycle unit price at a tier, unrounded (None without co-terming or a price)."""
    unit: Decimal | None = getattr(line.prices, tier)
    if unit is None or line.first_cycle_fraction is None:
        return None
    return unit * line.first_cycle_fraction


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
