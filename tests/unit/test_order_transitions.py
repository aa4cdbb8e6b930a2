"""The order's state machine (shared/domain/orders.py): each transition returns the new order and refuses what the
transitions table does not allow."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.orders import (
    IN_PROGRESS,
    TERMINAL,
    TRANSITIONS,
    IllegalTransition,
    LinePrices,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    opening_status,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=1)


@dataclass(frozen=True)
class Item:
    offer_id: str
    quantity: int
    subscription_id: str | None = None


@dataclass(frozen=True)
class PcOrder:
    id: str
    line_items: tuple[Item, ...]


def a_line(number: int, offer: str = "CFQ7TTC0LH18:0001:CFQ7TTC0LH3M", quantity: int = 5) -> OrderLine:
    return OrderLine(
        number=number,
        catalog_item_id=f"item-{number}",
        offer_id=offer,
        title="Microsoft 365 Business Basic",
        quantity=quantity,
        term_duration="P1Y",
        billing_cycle="monthly",
        prices=LinePrices("USD", Decimal("5"), Decimal("5.5"), Decimal("6")),
    )


def an_order(status: OrderStatus = OrderStatus.ACCEPTED, lines: tuple[OrderLine, ...] | None = None) -> Order:
    return Order(
        id="ord-1",
        provider_id="p",
        reseller_id="r",
        customer_id="c",
        customer_tenant_id="t",
        reseller_partner_id="123",
        lines=lines if lines is not None else (a_line(0, "A:1:X"), a_line(1, "B:1:X", 2)),
        status=status,
        source="staff",
        created_by="u",
        created_at=T0,
        updated_at=T0,
    )


def provisioning() -> Order:
    return an_order().provisioning_started(T0)


# Approval ------------------------------------------------------------------------------------------------------


def test_approving_an_order_waiting_for_approval_accepts_it() -> None:
    approved = an_order(OrderStatus.PENDING_APPROVAL).approved("u-staff", T1)
    assert (approved.status, approved.decided_by, approved.updated_at) == (OrderStatus.ACCEPTED, "u-staff", T1)


@pytest.mark.parametrize("status", [s for s in OrderStatus if s is not OrderStatus.PENDING_APPROVAL])
def test_approving_an_order_not_waiting_for_approval_is_refused(status: OrderStatus) -> None:
    with pytest.raises(IllegalTransition):
        an_order(status).approved("u-staff", T1)


def test_rejecting_an_order_waiting_for_approval_records_who_and_why() -> None:
    rejected = an_order(OrderStatus.PENDING_APPROVAL).rejected("u-staff", T1, "over budget")
    assert rejected.status is OrderStatus.REJECTED
    assert (rejected.decided_by, rejected.rejection_reason, rejected.updated_at) == ("u-staff", "over budget", T1)


@pytest.mark.parametrize("status", [s for s in OrderStatus if s is not OrderStatus.PENDING_APPROVAL])
def test_rejecting_an_order_not_waiting_for_approval_is_refused(status: OrderStatus) -> None:
    with pytest.raises(IllegalTransition):
        an_order(status).rejected("u-staff", T1, None)


def test_an_order_above_its_threshold_opens_waiting_for_approval() -> None:
    assert opening_status(Decimal("100.01"), Decimal("100")) is OrderStatus.PENDING_APPROVAL


@pytest.mark.parametrize(("total", "threshold"), [("100", "100"), ("1", None), (None, "100")])
def test_an_order_at_or_below_its_threshold_or_without_one_opens_accepted(
    total: str | None, threshold: str | None
) -> None:
    status = opening_status(Decimal(total) if total else None, Decimal(threshold) if threshold else None)
    assert status is OrderStatus.ACCEPTED


# Provisioning ---------------------------------------------------------------------------------------------------


def test_starting_provisioning_moves_an_accepted_order_to_provisioning() -> None:
    started = an_order().provisioning_started(T1)
    assert (started.status, started.updated_at) == (OrderStatus.PROVISIONING, T1)


@pytest.mark.parametrize("status", [s for s in OrderStatus if s is not OrderStatus.ACCEPTED])
def test_starting_provisioning_of_an_order_not_accepted_is_refused(status: OrderStatus) -> None:
    with pytest.raises(IllegalTransition):
        an_order(status).provisioning_started(T1)


def test_the_cart_request_id_and_then_the_cart_are_recorded_in_progress() -> None:
    carted = provisioning().cart_requested("req-cart", T1).cart_created("cart-1", "req-checkout", T1)
    p = carted.provisioning
    assert (p.cart_request_id, p.cart_id, p.checkout_request_id) == ("req-cart", "cart-1", "req-checkout")
    assert carted.status is OrderStatus.PROVISIONING and carted.updated_at == T1


@pytest.mark.parametrize("status", [s for s in OrderStatus if s not in IN_PROGRESS])
def test_provisioning_progress_on_an_order_not_in_progress_is_refused(status: OrderStatus) -> None:
    order = an_order(status)
    for change in (
        lambda: order.cart_requested("req", T1),
        lambda: order.cart_created("cart", "req", T1),
        lambda: order.checked_out((), None, T1),
        lambda: order.partner_order_completed(PcOrder("pc-1", ()), T1),
        lambda: order.lines_failed("no", T1),
        lambda: order.retry_scheduled(2, T1, "throttled", T1),
    ):
        with pytest.raises(IllegalTransition):
            change()


def test_checkout_matches_each_line_to_a_partner_center_order_by_offer_and_quantity() -> None:
    bought = PcOrder("pc-1", (Item("b:1:x", 2), Item("A:1:X", 5)))
    checked = provisioning().checked_out((bought, bought), None, T1)
    assert [line.partner_center_order_id for line in checked.lines] == ["pc-1", "pc-1"]
    assert all(line.status is LineStatus.PENDING for line in checked.lines)
    assert checked.provisioning.checked_out and checked.provisioning.partner_center_order_ids == ("pc-1",)


def test_checkout_with_a_refusal_fails_the_lines_no_order_took() -> None:
    checked = provisioning().checked_out((PcOrder("pc-1", (Item("A:1:X", 5),)),), "Partner Center refused: 1: no", T1)
    first, second = checked.lines
    assert first.partner_center_order_id == "pc-1" and first.status is LineStatus.PENDING
    assert (second.status, second.error) == (LineStatus.FAILED, "Partner Center refused: 1: no")


def test_checkout_without_a_refusal_leaves_unmatched_lines_pending() -> None:
    checked = provisioning().checked_out((PcOrder("pc-1", (Item("A:1:X", 99),)),), None, T1)
    assert all(line.status is LineStatus.PENDING and not line.partner_center_order_id for line in checked.lines)


def test_a_completed_partner_center_order_provisions_its_lines_with_their_subscriptions() -> None:
    checked = provisioning().checked_out((PcOrder("pc-1", (Item("A:1:X", 5), Item("B:1:X", 2))),), None, T1)
    done = checked.partner_order_completed(PcOrder("pc-1", (Item("A:1:X", 5, "sub-a"), Item("B:1:X", 2))), T1)
    first, second = done.lines
    assert (first.status, first.subscription_id) == (LineStatus.PROVISIONED, "sub-a")
    assert second.status is LineStatus.PENDING  # no subscription yet on its item


def test_a_completed_partner_center_order_leaves_the_lines_of_other_orders_alone() -> None:
    checked = provisioning().checked_out((PcOrder("pc-1", (Item("A:1:X", 5),)),), None, T1)
    done = checked.partner_order_completed(PcOrder("pc-2", (Item("A:1:X", 5, "sub-x"),)), T1)
    assert done.lines == checked.lines


def test_failing_lines_of_one_partner_center_order_leaves_the_others_pending() -> None:
    checked = provisioning().checked_out((PcOrder("pc-1", (Item("A:1:X", 5),)), PcOrder("pc-2", (Item("B:1:X", 2),))),
                                         None, T1)  # fmt: skip
    cancelled = checked.lines_failed("Partner Center cancelled the order", T1, partner_center_order_id="pc-1")
    assert [line.status for line in cancelled.lines] == [LineStatus.FAILED, LineStatus.PENDING]
    assert cancelled.lines[0].error == "Partner Center cancelled the order"


def test_failing_pending_lines_keeps_the_provisioned_ones() -> None:
    checked = provisioning().checked_out((PcOrder("pc-1", (Item("A:1:X", 5),)),), None, T1)
    done = checked.partner_order_completed(PcOrder("pc-1", (Item("A:1:X", 5, "sub-a"),)), T1)
    failed = done.lines_failed("Partner Center created no order for this line", T1)
    assert [line.status for line in failed.lines] == [LineStatus.PROVISIONED, LineStatus.FAILED]


def test_a_retry_records_the_next_attempt_when_it_is_due_and_why() -> None:
    retried = provisioning().retry_scheduled(2, T1 + timedelta(seconds=4), "Throttled: slow down", T1)
    p = retried.provisioning
    assert (p.attempt, p.next_at, p.last_error) == (2, T1 + timedelta(seconds=4), "Throttled: slow down")


def test_a_retry_that_does_not_move_the_attempt_forward_is_refused() -> None:
    with pytest.raises(IllegalTransition):
        provisioning().retry_scheduled(1, T1, "again", T1)


# Settling -------------------------------------------------------------------------------------------------------


def provisioned_lines(*statuses: LineStatus) -> tuple[OrderLine, ...]:
    return tuple(replace(a_line(n), status=s) for n, s in enumerate(statuses))


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ((LineStatus.PROVISIONED, LineStatus.PROVISIONED), OrderStatus.COMPLETED),
        ((LineStatus.PROVISIONED, LineStatus.FAILED), OrderStatus.PARTIALLY_COMPLETED),
        ((LineStatus.FAILED, LineStatus.FAILED), OrderStatus.FAILED),
    ],
)
def test_settling_takes_the_end_state_from_the_lines(lines: tuple[LineStatus, ...], expected: OrderStatus) -> None:
    order = an_order(OrderStatus.PROVISIONING, provisioned_lines(*lines))
    settled = order.settled(T1, None if expected is OrderStatus.COMPLETED else "some failed")
    assert settled.status is expected and settled.provisioning.next_at is None


def test_a_completed_order_carries_no_failure_reason() -> None:
    order = an_order(OrderStatus.PROVISIONING, provisioned_lines(LineStatus.PROVISIONED))
    assert order.settled(T1, "ignored").failure_reason is None


def test_settling_fails_the_lines_still_pending_with_the_reason() -> None:
    order = an_order(OrderStatus.PROVISIONING, provisioned_lines(LineStatus.PROVISIONED, LineStatus.PENDING))
    settled = order.settled(T1, "Partner Center refused: no")
    assert settled.status is OrderStatus.PARTIALLY_COMPLETED
    assert settled.lines[1].error == "Partner Center refused: no" and settled.failure_reason == settled.lines[1].error


def test_an_order_given_up_on_says_so_in_its_provisioning_record() -> None:
    settled = provisioning().settled(T1, "gave up after 10 attempts", abandoned=True)
    assert settled.status is OrderStatus.FAILED and settled.provisioning.last_error == "abandoned"


def test_an_accepted_order_given_up_on_before_its_cart_fails() -> None:
    assert an_order().settled(T1, "the provider no longer exists", abandoned=True).status is OrderStatus.FAILED


@pytest.mark.parametrize("status", sorted(TERMINAL | {OrderStatus.PENDING_APPROVAL}))
def test_settling_an_order_not_in_progress_is_refused(status: OrderStatus) -> None:
    with pytest.raises(IllegalTransition):
        an_order(status, provisioned_lines(LineStatus.FAILED)).settled(T1, "no")


def test_an_accepted_order_cannot_complete_without_provisioning() -> None:
    with pytest.raises(IllegalTransition):
        an_order(OrderStatus.ACCEPTED, provisioned_lines(LineStatus.PROVISIONED)).settled(T1)


# Lines ----------------------------------------------------------------------------------------------------------


def test_a_pending_line_is_provisioned_with_its_subscription() -> None:
    line = a_line(0).provisioned("sub-1")
    assert (line.status, line.subscription_id) == (LineStatus.PROVISIONED, "sub-1")


def test_a_pending_line_fails_with_its_reason() -> None:
    line = a_line(0).failed("refused")
    assert (line.status, line.error) == (LineStatus.FAILED, "refused")


@pytest.mark.parametrize("status", [LineStatus.PROVISIONED, LineStatus.FAILED])
def test_a_settled_line_cannot_change(status: LineStatus) -> None:
    line = replace(a_line(0), status=status)
    for change in (lambda: line.provisioned("sub"), lambda: line.failed("no"), lambda: line.ordered("pc-1")):
        with pytest.raises(IllegalTransition):
            change()


# The table ------------------------------------------------------------------------------------------------------


def test_terminal_states_are_those_with_no_way_out() -> None:
    assert {
        OrderStatus.REJECTED,
        OrderStatus.COMPLETED,
        OrderStatus.PARTIALLY_COMPLETED,
        OrderStatus.FAILED,
    } == TERMINAL
    assert set(TRANSITIONS) == set(OrderStatus)


TRANSITION_NAMES = ("approved", "rejected", "started", "carted", "checked_out", "completed_pc", "failed_lines",
                    "retried", "settled", "abandoned")  # fmt: skip


def apply(order: Order, name: str) -> Order:
    pc = PcOrder("pc-1", (Item("A:1:X", 5, "sub-a"), Item("B:1:X", 2, "sub-b")))
    changes = {
        "approved": lambda: order.approved("u", T1),
        "rejected": lambda: order.rejected("u", T1, "no"),
        "started": lambda: order.provisioning_started(T1),
        "carted": lambda: order.cart_requested("r", T1).cart_created("cart", "r2", T1),
        "checked_out": lambda: order.checked_out((pc,), None, T1),
        "completed_pc": lambda: order.partner_order_completed(pc, T1),
        "failed_lines": lambda: order.lines_failed("cancelled", T1, partner_center_order_id="pc-1"),
        "retried": lambda: order.retry_scheduled(order.provisioning.attempt + 1, T1, "throttled", T1),
        "settled": lambda: order.settled(T1, "failed"),
        "abandoned": lambda: order.settled(T1, "gave up", abandoned=True),
    }
    return changes[name]()


@given(
    start=st.sampled_from([OrderStatus.PENDING_APPROVAL, OrderStatus.ACCEPTED]),
    steps=st.lists(st.sampled_from(TRANSITION_NAMES), max_size=12),
)
def test_no_sequence_of_transitions_leaves_a_terminal_state_or_breaks_the_table(
    start: OrderStatus, steps: list[str]
) -> None:
    order = an_order(start)
    for name in steps:
        if order.status in TERMINAL:
            with pytest.raises(IllegalTransition):
                apply(order, name)
            continue
        try:
            changed = apply(order, name)
        except IllegalTransition:
            continue
        assert changed.status is order.status or changed.status in TRANSITIONS[order.status]
        assert all(
            after.status is before.status or before.status is LineStatus.PENDING
            for before, after in zip(order.lines, changed.lines, strict=True)
        )
        order = changed
