"""The claim of a received Partner Center event, on Azurite: one delivery queues it; a delivery that died between
claiming and queueing leaves a claim another takes over once stale, so the event is never lost."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from shared.bootstrap import Container
from shared.storage.webhook_events import CLAIM_STALE_AFTER, ReceivedEvents


def test_a_claim_is_taken_once_then_busy_then_taken_over_when_its_claimer_died(container: Container) -> None:
    events = ReceivedEvents(container.tables)
    provider, identity, now = f"p-{uuid.uuid4()}", uuid.uuid4().hex, datetime.now(UTC)
    assert events.claim(provider, identity, "subscription-updated", now) == "claimed"
    assert events.claim(provider, identity, "subscription-updated", now + timedelta(seconds=5)) == "busy"
    later = now + CLAIM_STALE_AFTER + timedelta(seconds=1)  # the first claimer never queued it
    assert events.claim(provider, identity, "subscription-updated", later) == "claimed"
    events.record(provider, identity, "subscription-updated", later)
    assert events.claim(provider, identity, "subscription-updated", later + timedelta(hours=1)) == "queued"
    assert events.seen(provider, identity, later + timedelta(hours=1))


def test_a_record_older_than_a_week_is_received_afresh(container: Container) -> None:
    events = ReceivedEvents(container.tables)
    provider, identity, now = f"p-{uuid.uuid4()}", uuid.uuid4().hex, datetime.now(UTC)
    assert events.claim(provider, identity, "invoice-ready", now) == "claimed"
    events.record(provider, identity, "invoice-ready", now)
    assert events.claim(provider, identity, "invoice-ready", now + timedelta(days=8)) == "claimed"
