"""The queue port services depend on; Service Bus and Storage Queues are its adapters."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Final, Protocol, runtime_checkable

from shared.messaging.envelope import Delivery, MessagingError, QueueMessage

POISON_SUFFIX: Final = "-poison"
# Storage queue names: 3-63 chars, lower-case letters, digits, single hyphens; the poison suffix must still fit.
MAX_QUEUE_NAME_LENGTH: Final = 63 - len(POISON_SUFFIX)
_QUEUE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,}$")
# Storage queues delay delivery by at most 7 days (their visibility timeout limit).
MAX_DELAY: Final = timedelta(days=7)


class QueueNames:
    """Every queue the platform uses; each name is valid on both backends and leaves room for `-poison`."""

    PROVISIONING: Final = "provisioning"
    RELATIONSHIP_CHECKS: Final = "relationship-checks"
    PARTNER_CENTER_EVENTS: Final = "partner-center-events"
    SUBSCRIPTION_CHANGES: Final = "subscription-changes"
    BILLING_RUNS: Final = "billing-runs"
    CATALOG_SYNCS: Final = "catalog-syncs"
    NOTIFICATIONS: Final = "notifications"  # outbound events: fan-out and webhook deliveries

    ALL: Final = (
        PROVISIONING, RELATIONSHIP_CHECKS, PARTNER_CENTER_EVENTS, SUBSCRIPTION_CHANGES, BILLING_RUNS, CATALOG_SYNCS,
        NOTIFICATIONS,
    )  # fmt: skip


class InvalidQueueName(MessagingError, ValueError):
    """A queue name one of the backends would refuse."""


class PublishError(MessagingError):
    """The backend did not accept a message; the caller keeps its outbox row and tries later."""


Handler = Callable[[Delivery], None]


def validate_queue_name(name: str) -> str:
    """Checks a name against the stricter of the two backends' rules (Storage Queues')."""
    if not isinstance(name, str) or len(name) > MAX_QUEUE_NAME_LENGTH or not _QUEUE_NAME.match(name):
        raise InvalidQueueName(
            f"queue name {name!r} must be 3-{MAX_QUEUE_NAME_LENGTH} lower-case letters, digits or single hyphens, "
            "starting and ending with a letter or digit"
        )
    return name


def poison_queue_name(queue: str) -> str:
    """Where a Storage queue's dead letters go, named as the Functions host names them."""
    return validate_queue_name(queue) + POISON_SUFFIX


def validate_delay(delay: timedelta | None) -> timedelta | None:
    """None or zero means now; a negative delay or one beyond a week is a caller's mistake."""
    if delay is None or delay == timedelta(0):
        return None
    if delay < timedelta(0):
        raise ValueError(f"delay must not be negative, got {delay}")
    if delay > MAX_DELAY:
        raise ValueError(f"delay must be at most {MAX_DELAY}, got {delay}")
    return delay


@runtime_checkable
class MessagePublisher(Protocol):
    """Sends messages; in Azure the Functions host receives, locally the worker does."""

    def send(self, queue: str, message: QueueMessage, *, delay: timedelta | None = None) -> None:
        """Sends one message, delivered after `delay` when given (the back-off of a retry)."""
        ...

    def send_many(self, queue: str, messages: Iterable[QueueMessage], *, delay: timedelta | None = None) -> None:
        """Sends several messages to one queue, in order."""
        ...

    def close(self) -> None:
        """Releases connections; the publisher may not be used afterwards."""
        ...
