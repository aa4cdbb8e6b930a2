"""An in-memory publisher for unit tests of services: it records what was sent, in order."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from shared.messaging.envelope import QueueMessage
from shared.messaging.port import validate_delay, validate_queue_name


@dataclass(frozen=True)
class SentMessage:
    """One send as a fake records it."""

    queue: str
    message: QueueMessage
    delay: timedelta | None


class InMemoryPublisher:
    """Applies the same checks as the real publishers (queue name, delay, size) and keeps the messages."""

    def __init__(self) -> None:
        self.sent: list[SentMessage] = []
        self._lock = threading.Lock()

    def send(self, queue: str, message: QueueMessage, *, delay: timedelta | None = None) -> None:
        self.send_many(queue, [message], delay=delay)

    def send_many(self, queue: str, messages: Iterable[QueueMessage], *, delay: timedelta | None = None) -> None:
        queue = validate_queue_name(queue)
        delay = validate_delay(delay)
        checked = [message for message in messages if message.to_checked_bytes()]
        with self._lock:
            self.sent.extend(SentMessage(queue, message, delay) for message in checked)

    def messages(self, queue: str) -> list[QueueMessage]:
        """What was sent to one queue, oldest first."""
        with self._lock:
            return [sent.message for sent in self.sent if sent.queue == queue]

    def close(self) -> None:
        """Nothing to release."""
