"""New-commerce windows through SubscriptionService (docs/business.md#changing-a-subscription): seats come off and a
subscription is cancelled only within the 168-hour windows; what is allowed is queued and applied in Partner
Center, what is not is refused up front (409) and nothing is queued."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.relationships import Customer
from shared.domain.subscriptions import Subscription
from shared.messaging import QueueNames
from shared.partner_center import SeatReductionWindowPassed, Throttled
from shared.services.errors import Conflict
from shared.services.subscriptions import CHANGE
from tests.unit.fake_platform import CUSTOMER_TENANT, FakePlatform, reseller_staff
from tests.unit.fakes import pc_subscription

NOW = datetime.now(UTC)
OPEN = NOW + timedelta(days=3)
CLOSED = NOW - timedelta(hours=1)


def _mirrored(*, seats_until: datetime | None = None, cancellable_until: datetime | None = None, quantity: int = 5):
    platform = FakePlatform()
    reseller = platform.add_reseller()
    customer = platform.add_customer(reseller)
    pc = pc_subscription(
        "sub-1", quantity=quantity, seats_removable_until=seats_until, cancellable_until=cancellable_until
    )
    platform.partner_center.subscriptions[(CUSTOMER_TENANT, pc.id)] = pc
    provider = platform.providers.get(customer.provider_id)
    assert provider is not None
    platform.subscription_service().sync_customer(provider, customer.id)
    return platform, customer, reseller_staff(platform.resellers.get(reseller.provider_id, reseller.id))


def _stored(platform: FakePlatform, customer: Customer) -> Subscription:
    sub = platform.subscriptions.get(customer.id, "sub-1")
    assert sub is not None
    return sub


def _changes_sent(platform: FakePlatform) -> list[tuple[int, timedelta | None]]:
    return [
        (sent.message.attempt, sent.delay)
        for sent in platform.publisher.sent
        if sent.queue == QueueNames.SUBSCRIPTION_CHANGES and sent.message.type == CHANGE
    ]


def _apply(platform: FakePlatform, customer: Customer, attempt: int = 1) -> Subscription:
    change = _stored(platform, customer).change
    assert change is not None
    applied = platform.subscription_service().apply_change(customer.id, "sub-1", change.id, attempt)
    assert applied is not None
    return applied


def test_seats_within_their_window_are_removed_in_partner_center():
    platform, customer, staff = _mirrored(seats_until=OPEN)
    requested = platform.subscription_service().request_change(staff, "sub-1", quantity=3)
    assert requested.change is not None and requested.change.status == "pending"
    assert _changes_sent(platform) == [(1, None)]
    assert platform.audit.actions("sub-1")[-1] == "subscription.change.quantity"

    applied = _apply(platform, customer)
    assert applied.quantity == 3 and applied.change is None
    assert platform.partner_center.subscriptions[(CUSTOMER_TENANT, "sub-1")].quantity == 3
    assert _stored(platform, customer) == applied
    assert platform.audit.actions("sub-1")[-2:] == ["subscription.change.applied", "subscription.synced"]


def test_seats_past_their_window_are_refused_and_nothing_is_queued():
    platform, customer, staff = _mirrored(seats_until=CLOSED)
    with pytest.raises(Conflict):
        platform.subscription_service().request_change(staff, "sub-1", quantity=3)
    assert _stored(platform, customer).change is None
    assert _changes_sent(platform) == []


def test_adding_seats_needs_no_window():
    platform, customer, staff = _mirrored(seats_until=CLOSED)
    platform.subscription_service().request_change(staff, "sub-1", quantity=8)
    assert _apply(platform, customer).quantity == 8


def test_a_cancel_within_the_window_is_queued_and_applied():
    platform, customer, staff = _mirrored(cancellable_until=OPEN)
    platform.subscription_service().request_change(staff, "sub-1", cancel=True)
    assert _changes_sent(platform) == [(1, None)]
    cancelled = _apply(platform, customer)
    assert cancelled.status == "deleted" and cancelled.change is None
    assert platform.partner_center.count("cancel_subscription") == 1


def test_a_cancel_after_the_window_is_refused_with_the_reason():
    platform, customer, staff = _mirrored(cancellable_until=CLOSED)
    with pytest.raises(Conflict, match="168-hour cancellation window has passed"):
        platform.subscription_service().request_change(staff, "sub-1", cancel=True)
    assert _stored(platform, customer).change is None
    assert _changes_sent(platform) == []


def test_a_change_partner_center_refuses_fails_with_its_reason_and_staff_are_told():
    platform, customer, staff = _mirrored(seats_until=OPEN)
    platform.subscription_service().request_change(staff, "sub-1", quantity=3)
    refusal = SeatReductionWindowPassed(status=400, code=900117, description="the seats are past their window")
    platform.partner_center.fail_next("update_subscription", refusal)
    failed = _apply(platform, customer)
    assert failed.quantity == 5
    assert failed.change is not None and failed.change.status == "failed"
    assert failed.change.error == "Partner Center refused (900117): the seats are past their window"
    assert platform.audit.actions("sub-1")[-1] == "subscription.change.failed"
    assert platform.events() == ["subscription.changeFailed"]


def test_a_throttled_change_is_sent_again_later():
    platform, customer, staff = _mirrored(seats_until=OPEN)
    platform.subscription_service().request_change(staff, "sub-1", quantity=3)
    platform.partner_center.fail_next("update_subscription", Throttled(status=429, retry_after=60))
    retried = _apply(platform, customer)
    assert retried.change is not None and retried.change.attempt == 2 and retried.change.status == "pending"
    attempt, delay = _changes_sent(platform)[-1]
    assert attempt == 2 and delay is not None and delay >= timedelta(seconds=60)
    assert _apply(platform, customer, attempt=2).quantity == 3


def test_a_change_already_in_partner_center_after_a_lost_answer_is_not_sent_again():
    platform, customer, staff = _mirrored(seats_until=OPEN)
    platform.subscription_service().request_change(staff, "sub-1", quantity=3)
    platform.partner_center.lose_next_answer("update_subscription", Throttled(status=429, retry_after=1))
    _apply(platform, customer)  # Partner Center took it; its answer was lost
    assert _apply(platform, customer, attempt=2).quantity == 3
    assert platform.partner_center.count("update_subscription") == 1


def test_a_second_change_waits_for_the_pending_one():
    platform, customer, staff = _mirrored(seats_until=OPEN)
    service = platform.subscription_service()
    service.request_change(staff, "sub-1", quantity=4)
    with pytest.raises(Conflict, match="still being applied"):
        service.request_change(staff, "sub-1", quantity=3)
    assert len(_changes_sent(platform)) == 1
