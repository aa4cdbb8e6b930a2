"""Storage Queues adapter (Azurite locally): a publisher, and a receiver that behaves like the Functions host."""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from azure.core.exceptions import AzureError, HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueClient
from azure.storage.queue import QueueMessage as StoredMessage

from shared.messaging.envelope import Delivery, InvalidMessage, QueueMessage, decode_delivery
from shared.messaging.port import (
    Handler,
    PublishError,
    poison_queue_name,
    validate_delay,
    validate_queue_name,
)

log = logging.getLogger(__name__)

# A Storage queue message holds at most 64 KiB as stored, i.e. after Base64 (about 48 KiB of JSON).
MAX_ENCODED_BYTES = 64 * 1024
# -1 keeps a message until it is handled: an accepted message must not expire silently.
NEVER_EXPIRES = -1
DEFAULT_MAX_ATTEMPTS = 5  # the Functions host's maxDequeueCount
DEFAULT_VISIBILITY_TIMEOUT = timedelta(seconds=30)
_POISON_MARKER = "poisoned"


def encode_body(body: bytes) -> str:
    """Base64 text, as the Functions queue trigger expects by default (messageEncoding base64)."""
    return base64.b64encode(body).decode("ascii")


def decode_body(content: str | bytes) -> bytes:
    """The JSON bytes inside a stored message; anything that is not strict Base64 is invalid."""
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidMessage("message body is not Base64") from error


def encode_message(message: QueueMessage) -> str:
    """The stored form of a message, refused when over the 64 KiB limit."""
    return encode_body(message.to_checked_bytes())


def _whole_seconds(value: timedelta) -> int:
    return max(1, math.ceil(value.total_seconds()))


class _Clients:
    """QueueClients per queue name, made on first use (construction does no I/O)."""

    def __init__(self, connection_string: str | None, account_url: str | None, credential: Any | None) -> None:
        if bool(connection_string) == bool(account_url):
            raise ValueError("give exactly one of connection_string or account_url")
        self._connection_string = connection_string
        self._account_url = account_url
        self._credential = credential
        self._clients: dict[str, QueueClient] = {}
        self._lock = threading.Lock()

    def get(self, queue: str) -> QueueClient:
        with self._lock:
            client = self._clients.get(queue)
            if client is None:
                client = self._make(queue)
                self._clients[queue] = client
            return client

    def _make(self, queue: str) -> QueueClient:
        if self._connection_string:
            return QueueClient.from_connection_string(self._connection_string, queue)
        if self._credential is None:
            from azure.identity import DefaultAzureCredential

            self._credential = DefaultAzureCredential()
        assert self._account_url is not None
        return QueueClient(self._account_url, queue, credential=self._credential)

    def ensure_queue(self, queue: str) -> None:
        with contextlib.suppress(ResourceExistsError):
            self.get(queue).create_queue()

    def send(self, queue: str, content: str, *, visibility_timeout: int | None = None) -> None:
        """Sends, creating the queue when it does not exist yet (one call in the usual case)."""
        client = self.get(queue)
        try:
            client.send_message(content, visibility_timeout=visibility_timeout, time_to_live=NEVER_EXPIRES)
        except ResourceNotFoundError:
            self.ensure_queue(queue)
            client.send_message(content, visibility_timeout=visibility_timeout, time_to_live=NEVER_EXPIRES)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


class StorageQueuePublisher:
    """Sends envelopes to Storage queues; a delay is the message's initial visibility timeout."""

    def __init__(
        self,
        connection_string: str | None = None,
        *,
        account_url: str | None = None,
        credential: Any | None = None,
    ) -> None:
        self._clients = _Clients(connection_string, account_url, credential)

    def send(self, queue: str, message: QueueMessage, *, delay: timedelta | None = None) -> None:
        self._send_encoded(validate_queue_name(queue), message, encode_message(message), validate_delay(delay))

    def send_many(self, queue: str, messages: Iterable[QueueMessage], *, delay: timedelta | None = None) -> None:
        """Storage queues have no batch send: all messages are checked first, then sent one by one in order."""
        queue = validate_queue_name(queue)
        delay = validate_delay(delay)
        encoded = [(message, encode_message(message)) for message in messages]
        for message, content in encoded:
            self._send_encoded(queue, message, content, delay)

    def _send_encoded(self, queue: str, message: QueueMessage, content: str, delay: timedelta | None) -> None:
        visibility = _whole_seconds(delay) if delay else None
        try:
            self._clients.send(queue, content, visibility_timeout=visibility)
        except AzureError as error:
            raise PublishError(f"could not send {message.message_id} to queue {queue}: {error}") from error
        log.debug("sent %s to %s (delay %ss)", message.message_id, queue, visibility or 0)

    def close(self) -> None:
        self._clients.close()

    def __enter__(self) -> StorageQueuePublisher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@dataclass(frozen=True)
class PoisonRecord:
    """A dead letter: the original stored body and why it was given up."""

    body: str
    reason: str | None
    source_queue: str | None
    dequeue_count: int | None
    poisoned_at: str | None

    def message(self) -> QueueMessage:
        """The original envelope (raises InvalidMessage when the original was not one)."""
        return QueueMessage.from_json(decode_body(self.body))

    @classmethod
    def from_content(cls, content: str) -> PoisonRecord:
        """Reads a poison message; one written without a reason (too large to wrap) is the bare original."""
        try:
            data = orjson.loads(decode_body(content))
        except (InvalidMessage, orjson.JSONDecodeError):
            data = None
        if not isinstance(data, dict) or not isinstance(data.get(_POISON_MARKER), dict):
            return cls(content, None, None, None, None)
        info = data[_POISON_MARKER]
        return cls(
            body=str(data.get("body", "")),
            reason=info.get("reason"),
            source_queue=info.get("queue"),
            dequeue_count=info.get("dequeueCount"),
            poisoned_at=info.get("poisonedAt"),
        )


class StorageQueueReceiver:
    """Receives from one queue the way the Functions queue trigger does, calling a handler per message."""

    def __init__(
        self,
        connection_string: str | None,
        queue: str,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        visibility_timeout: timedelta = DEFAULT_VISIBILITY_TIMEOUT,
        account_url: str | None = None,
        credential: Any | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not timedelta(seconds=1) <= visibility_timeout <= timedelta(days=7):
            raise ValueError("visibility_timeout must be between 1 second and 7 days")
        self.queue = validate_queue_name(queue)
        self.poison_queue = poison_queue_name(queue)
        self.max_attempts = max_attempts
        self.visibility_timeout = visibility_timeout
        self._clients = _Clients(connection_string, account_url, credential)

    def receive_batch(
        self, handler: Handler, max_messages: int = 16, *, stop_event: threading.Event | None = None
    ) -> int:
        """Handles up to max_messages (1-32) and returns how many were taken off the queue; 0 means it was empty.

        Success deletes the message; a failure leaves it to come back after the visibility timeout; the last
        failed attempt, a message dequeued too often or one that is not an envelope goes to `<queue>-poison`.
        """
        if not 1 <= max_messages <= 32:
            raise ValueError("max_messages must be between 1 and 32")
        client = self._clients.get(self.queue)
        try:
            received = list(
                client.receive_messages(
                    messages_per_page=max_messages,
                    max_messages=max_messages,
                    visibility_timeout=_whole_seconds(self.visibility_timeout),
                )
            )
        except ResourceNotFoundError:
            self._clients.ensure_queue(self.queue)
            return 0
        for index, stored in enumerate(received):
            if stop_event is not None and stop_event.is_set():
                self._release(received[index:])
                return index
            self._handle(stored, handler)
        return len(received)

    def _handle(self, stored: StoredMessage, handler: Handler) -> None:
        dequeue_count = int(stored.dequeue_count or 1)
        if dequeue_count > self.max_attempts:
            self._poison(stored, f"dequeued {dequeue_count} times, more than the {self.max_attempts} attempts allowed")
            return
        try:
            delivery = self._decode(stored, dequeue_count)
        except InvalidMessage as error:
            self._poison(stored, f"not a valid message: {error}")
            return
        try:
            handler(delivery)
        except Exception as error:  # noqa: BLE001 - any handler failure is a failed attempt
            if dequeue_count >= self.max_attempts:
                self._poison(stored, f"attempt {dequeue_count} of {self.max_attempts} failed: {_describe(error)}")
            else:
                log.warning(
                    "%s on %s failed (attempt %d of %d), it comes back after %s: %s",
                    delivery.message.message_id,
                    self.queue,
                    dequeue_count,
                    self.max_attempts,
                    self.visibility_timeout,
                    _describe(error),
                    exc_info=error,
                )
            return
        self._delete(stored)

    def _decode(self, stored: StoredMessage, dequeue_count: int) -> Delivery:
        return decode_delivery(
            decode_body(stored.content or ""),
            dequeue_count,
            enqueued_at=stored.inserted_on,
            max_deliveries=self.max_attempts,
        )

    def _poison(self, stored: StoredMessage, reason: str) -> None:
        """Copies the message to the poison queue with the reason, then deletes it from the source."""
        original = str(stored.content or "")
        record = {
            _POISON_MARKER: {
                "reason": reason,
                "queue": self.queue,
                "storageMessageId": stored.id,
                "dequeueCount": stored.dequeue_count,
                "insertedOn": stored.inserted_on.isoformat() if stored.inserted_on else None,
                "poisonedAt": datetime.now(UTC).isoformat(),
            },
            "body": original,
        }
        content = encode_body(orjson.dumps(record))
        if len(content) > MAX_ENCODED_BYTES:
            # Too large to wrap: keep the original unchanged (as the Functions host does) and log the reason.
            content = original
        log.error("message %s on %s moved to %s: %s", stored.id, self.queue, self.poison_queue, reason)
        self._clients.send(self.poison_queue, content)
        self._delete(stored)

    def _delete(self, stored: StoredMessage) -> None:
        try:
            self._clients.get(self.queue).delete_message(stored)
        except HttpResponseError as error:
            if (
                not isinstance(error, ResourceNotFoundError)
                and getattr(error, "error_code", None) != "PopReceiptMismatch"
            ):
                raise
            # The visibility timeout ran out and another receiver took the message: it will be handled again.
            log.warning("message %s on %s was taken by another receiver before it was deleted", stored.id, self.queue)

    def _release(self, unhandled: list[StoredMessage]) -> None:
        """Makes messages received but not handled visible again at once, so a stop does not delay them."""
        client = self._clients.get(self.queue)
        for stored in unhandled:
            try:
                client.update_message(stored, visibility_timeout=0)
            except AzureError:
                log.warning("could not release message %s on %s", stored.id, self.queue)

    def read_poison(self, max_messages: int = 32) -> list[PoisonRecord]:
        """The dead letters of this queue, without removing them (for tools and tests)."""
        try:
            peeked = self._clients.get(self.poison_queue).peek_messages(max_messages=max_messages)
        except ResourceNotFoundError:
            return []
        return [PoisonRecord.from_content(str(stored.content or "")) for stored in peeked]

    def close(self) -> None:
        self._clients.close()


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def run_forever(
    connection_string: str | None,
    stop_event: threading.Event,
    handlers_by_queue: Mapping[str, Handler],
    *,
    poll_interval: float = 0.5,
    max_poll_interval: float = 5.0,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    visibility_timeout: timedelta = DEFAULT_VISIBILITY_TIMEOUT,
    batch_size: int = 16,
    account_url: str | None = None,
    credential: Any | None = None,
) -> int:
    """The local worker's loop: polls every queue, backs off while all are empty, returns promptly on stop_event."""
    receivers = {
        queue: StorageQueueReceiver(
            connection_string,
            queue,
            max_attempts=max_attempts,
            visibility_timeout=visibility_timeout,
            account_url=account_url,
            credential=credential,
        )
        for queue in handlers_by_queue
    }
    total = 0
    wait = poll_interval
    try:
        while not stop_event.is_set():
            taken = 0
            for queue, receiver in receivers.items():
                if stop_event.is_set():
                    break
                try:
                    taken += receiver.receive_batch(handlers_by_queue[queue], batch_size, stop_event=stop_event)
                except AzureError as error:
                    log.warning("receiving from %s failed, trying again later: %s", queue, error)
            total += taken
            if taken:
                wait = poll_interval
                continue
            stop_event.wait(wait)
            wait = min(wait * 2, max_poll_interval)
    finally:
        for receiver in receivers.values():
            receiver.close()
    return total
