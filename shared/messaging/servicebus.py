"""Service Bus adapter (Azure): sends only; the Functions host receives with peek-lock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.messaging.envelope import QueueMessage
from shared.messaging.port import PublishError, validate_delay, validate_queue_name

if TYPE_CHECKING:
    from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusSender

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/json"
_NAMESPACE_SUFFIX = ".servicebus.windows.net"


def fully_qualified(namespace: str) -> str:
    """Accepts `name`, `name.servicebus.windows.net` or an `sb://` URL, as the setting may hold any of them."""
    host = namespace.strip().removeprefix("sb://").removeprefix("https://").rstrip("/")
    return host if "." in host else host + _NAMESPACE_SUFFIX


def build_servicebus_message(
    message: QueueMessage, delay: timedelta | None = None, now: datetime | None = None
) -> ServiceBusMessage:
    """The Service Bus message for an envelope; pure, so its fields are testable without a broker.

    The message id is the envelope's deterministic id, so duplicate detection drops a resend; a delay becomes
    a scheduled enqueue time, the back-off that peek-lock redelivery (immediate) cannot give.
    """
    from azure.servicebus import ServiceBusMessage

    delay = validate_delay(delay)
    scheduled: datetime | None = None
    if delay is not None:
        now = datetime.now(UTC) if now is None else now
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        scheduled = (now + delay).astimezone(UTC)
    properties: dict[str | bytes, Any] = {
        "type": message.type,
        "entityId": message.entity_id,
        "attempt": message.attempt,
    }
    return ServiceBusMessage(
        message.to_checked_bytes(),
        message_id=message.message_id,
        content_type=CONTENT_TYPE,
        subject=message.type,
        correlation_id=message.correlation_id,
        scheduled_enqueue_time_utc=scheduled,
        application_properties=properties,
    )


class ServiceBusPublisher:
    """Sends envelopes to Service Bus queues; the client and one sender per queue are made on first send."""

    def __init__(
        self,
        fully_qualified_namespace: str | None = None,
        connection_string: str | None = None,
        credential: Any | None = None,
        *,
        retry_total: int = 3,
    ) -> None:
        if bool(fully_qualified_namespace) == bool(connection_string):
            raise ValueError("give exactly one of fully_qualified_namespace or connection_string")
        self._namespace = fully_qualified(fully_qualified_namespace) if fully_qualified_namespace else None
        self._connection_string = connection_string
        self._credential = credential
        self._retry_total = retry_total
        self._client: ServiceBusClient | None = None
        self._senders: dict[str, ServiceBusSender] = {}
        self._lock = threading.Lock()
        self._closed = False

    def _sender(self, queue: str) -> ServiceBusSender:
        """The queue's cached sender; making it opens no connection (the first send does)."""
        with self._lock:
            if self._closed:
                raise PublishError("the publisher is closed")
            sender = self._senders.get(queue)
            if sender is None:
                sender = self._get_client().get_queue_sender(queue_name=queue)
                self._senders[queue] = sender
            return sender

    def _get_client(self) -> ServiceBusClient:
        if self._client is None:
            from azure.servicebus import ServiceBusClient

            if self._connection_string:
                self._client = ServiceBusClient.from_connection_string(
                    self._connection_string, retry_total=self._retry_total
                )
            else:
                if self._credential is None:
                    from azure.identity import DefaultAzureCredential

                    self._credential = DefaultAzureCredential()
                assert self._namespace is not None
                self._client = ServiceBusClient(self._namespace, self._credential, retry_total=self._retry_total)
        return self._client

    def send(self, queue: str, message: QueueMessage, *, delay: timedelta | None = None) -> None:
        queue = validate_queue_name(queue)
        built = build_servicebus_message(message, delay)
        self._send(queue, [built], describe=message.message_id)

    def send_many(self, queue: str, messages: Iterable[QueueMessage], *, delay: timedelta | None = None) -> None:
        """Builds (and so checks) every message first, then sends them in as few batches as fit."""
        queue = validate_queue_name(queue)
        now = datetime.now(UTC)
        built = [build_servicebus_message(message, delay, now) for message in messages]
        if built:
            self._send(queue, built, describe=f"{len(built)} messages")

    def _send(self, queue: str, messages: list[ServiceBusMessage], *, describe: str) -> None:
        from azure.servicebus.exceptions import MessageSizeExceededError, ServiceBusError

        sender = self._sender(queue)
        try:
            if len(messages) == 1:
                sender.send_messages(messages[0])
                return
            batch = sender.create_message_batch()
            for built in messages:
                try:
                    batch.add_message(built)
                except MessageSizeExceededError:
                    sender.send_messages(batch)
                    batch = sender.create_message_batch()
                    batch.add_message(built)
            sender.send_messages(batch)
        except ServiceBusError as error:
            raise PublishError(f"could not send {describe} to queue {queue}: {error}") from error
        log.debug("sent %s to %s", describe, queue)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            senders, self._senders = list(self._senders.values()), {}
            client, self._client = self._client, None
        for sender in senders:
            sender.close()
        if client is not None:
            client.close()

    def __enter__(self) -> ServiceBusPublisher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
