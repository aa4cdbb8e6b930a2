"""Provisioning buys each accepted order exactly once (docs/architecture.md#an-order-from-request-to-partner-center):
progress is recorded before each Partner Center call, an unclear outcome is resolved by reading Partner Center,
and retries are scheduled messages. Against fakes; tests/integration/test_provisioning_faults.py proves the same
against the sandbox."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from shared.domain.orders import LineStatus, Order, OrderStatus
from shared.messaging import QueueNames
from shared.partner_center import BusinessRuleViolation, OrderInProgress, Throttled, Unavailable
from shared.services.orders import LineRequest
from shared.services.provisioning import PROVISION, ProvisioningAbandoned
from tests.unit.fake_platform import FakePlatform, catalog_item, provider_staff
from tests.unit.fakes import FakeTierPricing


def _platform() -> FakePlatform:
    platform = FakePlatform(pricing=FakeTierPricing({"sku-a": (Decimal("10"), Decimal("11"), Decimal("12"))}))
    platform.catalog.items.append(catalog_item("sku-a"))
    return platform


def _accepted(platform: FakePlatform, quantity: int = 3) -> Order:
    reseller = platform.add_reseller()
    customer = platform.add_customer(reseller)
    return platform.order_service().place(
        provider_staff(), customer.id, [LineRequest("sku-a", quantity, "P1Y", "monthly")]
    )


def _provision(platform: FakePlatform, order: Order, attempt: int) -> Order:
    result = platform.provisioning_service().provision(order.customer_id, order.id, attempt)
    assert result is not None
    return result


def _provisioning_messages(platform: FakePlatform) -> list[tuple[int, timedelta | None]]:
    return [
        (sent.message.attempt, sent.delay)
        for sent in platform.publisher.sent
        if sent.queue == QueueNames.PROVISIONING and sent.message.type == PROVISION
    ]


def test_an_accepted_order_is_sent_to_provisioning_and_its_outbox_row_cleared():
    platform = _platform()
    order = _accepted(platform)
    assert order.status is OrderStatus.ACCEPTED
    assert _provisioning_messages(platform) == [(1, None)]
    assert list(platform.orders.outbox()) == []
    assert platform.audit.actions(order.id) == ["order.accepted"]


def test_an_order_is_bought_once_and_completes_with_a_subscription_per_line():
    platform = _platform()
    order = _accepted(platform)
    done = _provision(platform, order, 1)
    assert done.status is OrderStatus.COMPLETED
    assert platform.stored_order(order) == done
    [line] = done.lines
    assert line.status is LineStatus.PROVISIONED and line.subscription_id
    assert platform.partner_center.count("checkout_cart") == 1
    assert platform.audit.actions(order.id) == ["order.accepted", "order.completed"]
    mirrored = platform.subscriptions.get(order.customer_id, line.subscription_id)
    assert mirrored is not None and mirrored.catalog_item_id == "sku-a" and mirrored.flag is None


def test_a_checkout_whose_answer_was_lost_is_recovered_from_partner_centers_orders_never_bought_twice():
    platform = _platform()
    order = _accepted(platform)
    platform.partner_center.lose_next_answer("checkout_cart", Unavailable(status=503, description="answer lost"))
    waiting = _provision(platform, order, 1)
    assert waiting.status is OrderStatus.PROVISIONING and waiting.provisioning.attempt == 2
    assert waiting.provisioning.cart_id and not waiting.provisioning.checked_out

    done = _provision(platform, order, 2)
    assert done.status is OrderStatus.COMPLETED
    assert len(platform.partner_center.orders[order.customer_tenant_id]) == 1  # bought once
    assert platform.partner_center.count("create_cart") == 1
    assert platform.partner_center.count("list_orders") == 1  # the recovery read what the lost checkout bought
    assert done.provisioning.partner_center_order_ids == (
        platform.partner_center.orders[order.customer_tenant_id][0].id,
    )


def test_a_throttled_checkout_is_retried_later_with_the_same_cart():
    platform = _platform()
    order = _accepted(platform)
    platform.partner_center.fail_next("checkout_cart", Throttled(status=429, retry_after=90))
    retried = _provision(platform, order, 1)
    assert retried.status is OrderStatus.PROVISIONING
    assert retried.provisioning.attempt == 2
    assert (retried.provisioning.last_error or "").startswith("Throttled")
    assert _provisioning_messages(platform)[-1][0] == 2
    delay = _provisioning_messages(platform)[-1][1]
    assert delay is not None and delay >= timedelta(seconds=90)  # Retry-After honoured as a scheduled message
    assert list(platform.orders.outbox()) == []  # sent, so its outbox row is gone

    done = _provision(platform, order, 2)
    assert done.status is OrderStatus.COMPLETED
    assert platform.partner_center.count("create_cart") == 1
    assert done.provisioning.cart_id == retried.provisioning.cart_id


def test_an_order_partner_center_is_still_working_on_is_retried():
    platform = _platform()
    order = _accepted(platform)
    platform.partner_center.fail_next("checkout_cart", OrderInProgress(status=409, description="in progress"))
    assert _provision(platform, order, 1).provisioning.attempt == 2
    assert _provision(platform, order, 2).status is OrderStatus.COMPLETED


def test_after_the_last_attempt_the_order_fails_with_the_reason():
    platform = _platform()  # three attempts
    order = _accepted(platform)
    platform.partner_center.fail_next("checkout_cart", *(Unavailable(status=503) for _ in range(3)))
    _provision(platform, order, 1)
    _provision(platform, order, 2)
    with pytest.raises(ProvisioningAbandoned):
        _provision(platform, order, 3)
    failed = platform.stored_order(order)
    assert failed.status is OrderStatus.FAILED
    assert (failed.failure_reason or "").startswith("gave up after 3 attempts: Unavailable")
    assert [line.status for line in failed.lines] == [LineStatus.FAILED]
    assert platform.audit.actions(order.id)[-1] == "order.failed"
    assert platform.events() == ["order.failed"]  # staff are told
    assert platform.partner_center.orders[order.customer_tenant_id] == []  # nothing was bought


def test_the_message_of_an_abandoned_order_is_dead_lettered_when_redelivered():
    platform = _platform()
    order = _accepted(platform)
    platform.partner_center.fail_next("checkout_cart", *(Unavailable(status=503) for _ in range(3)))
    _provision(platform, order, 1)
    _provision(platform, order, 2)
    with pytest.raises(ProvisioningAbandoned):
        _provision(platform, order, 3)
    with pytest.raises(ProvisioningAbandoned):
        _provision(platform, order, 3)


def test_a_refusal_fails_every_line_with_partner_centers_reason():
    platform = _platform()
    order = _accepted(platform)
    refusal = BusinessRuleViolation(status=400, code=800030, description="the customer has not accepted the MCA")
    platform.partner_center.fail_next("checkout_cart", refusal)
    failed = _provision(platform, order, 1)
    assert failed.status is OrderStatus.FAILED
    assert failed.failure_reason == "Partner Center refused (800030): the customer has not accepted the MCA"
    assert failed.lines[0].error == failed.failure_reason
    assert platform.audit.actions(order.id)[-1] == "order.failed"


def test_a_redelivered_message_after_completion_does_nothing():
    platform = _platform()
    order = _accepted(platform)
    done = _provision(platform, order, 1)
    calls, entries, sent = (
        list(platform.partner_center.calls),
        list(platform.audit.entries),
        list(platform.publisher.sent),
    )
    assert _provision(platform, order, 1) == done
    assert platform.partner_center.calls == calls
    assert platform.audit.entries == entries
    assert platform.publisher.sent == sent


def test_a_message_superseded_by_a_newer_attempt_does_nothing():
    platform = _platform()
    order = _accepted(platform)
    platform.partner_center.fail_next("checkout_cart", Throttled(status=429, retry_after=5))
    _provision(platform, order, 1)
    calls = list(platform.partner_center.calls)
    assert _provision(platform, order, 1).provisioning.attempt == 2  # the old message: nothing happens
    assert platform.partner_center.calls == calls


def test_an_outbox_row_left_by_a_crash_is_sent_by_the_dispatcher():
    platform = _platform()
    platform.publisher.send = _refuse  # type: ignore[method-assign]  # the send right after the commit fails
    order = _accepted(platform)
    assert [row["entityId"] for row in platform.orders.outbox()] == [order.id]
    del platform.publisher.send  # the publisher answers again
    assert platform.provisioning_service().dispatch_outbox() == 1
    assert _provisioning_messages(platform) == [(1, None)]
    assert list(platform.orders.outbox()) == []


def _refuse(*args: object, **kwargs: object) -> None:
    raise ConnectionError("the queue did not answer")
