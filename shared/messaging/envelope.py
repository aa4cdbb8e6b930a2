"""The queue message envelope: one JSON shape for Service Bus and Storage Queues alike."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

MAX_MESSAGE_ID_LENGTH = 128
# A Storage queue message holds 64 KiB after Base64, i.e. 48 KiB of JSON. Service Bus allows more, but one limit
# for both backends means a message that works locally also works in Azure, and the other way round.
MAX_BODY_BYTES = 48 * 1024
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]+$")


class MessagingError(Exception):
    """Base of every error the messaging port raises, so callers can catch one type."""


class InvalidMessage(MessagingError, ValueError):
    """A body that is not a valid envelope: retrying it can never succeed, so it goes to poison."""


class MessageTooLarge(MessagingError, ValueError):
    """A body over the backend's size limit: queues carry ids, not documents."""


def _reject_constant(name: str) -> Any:
    raise InvalidMessage(f"JSON constant {name} is not allowed in a message")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # money travels as a string, never as a float
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def message_id_for(type_: str, entity_id: str, attempt: int) -> str:
    """Deterministic id so a resent or replayed message is caught by duplicate detection."""
    raw = f"{type_}:{entity_id}:{attempt}"
    if len(raw) <= MAX_MESSAGE_ID_LENGTH and _SAFE_ID.match(raw):
        return raw
    # Unsafe characters or too long: keep a readable prefix and make it unique with a digest of the raw id.
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]
    readable = re.sub(r"[^A-Za-z0-9._:-]", "_", raw)
    room = MAX_MESSAGE_ID_LENGTH - len(digest) - 1
    return f"{readable[:room]}-{digest}"


@dataclass(frozen=True)
class QueueMessage:
    """What a queue carries: which work (type), for which entity, and which attempt of it."""

    type: str
    entity_id: str
    attempt: int = 1
    payload: Mapping[str, Any] = field(default_factory=dict)
    correlation_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.type, str) or not self.type.strip():
            raise InvalidMessage("message type must be a non-empty string")
        if not isinstance(self.entity_id, str) or not self.entity_id.strip():
            raise InvalidMessage("message entityId must be a non-empty string")
        if isinstance(self.attempt, bool) or not isinstance(self.attempt, int) or self.attempt < 1:
            raise InvalidMessage("message attempt must be an integer of at least 1")
        if not isinstance(self.payload, Mapping):
            raise InvalidMessage("message payload must be a JSON object")
        if self.correlation_id is not None and not isinstance(self.correlation_id, str):
            raise InvalidMessage("message correlationId must be a string or null")
        object.__setattr__(self, "payload", dict(self.payload))

    def __hash__(self) -> int:
        return hash(self.message_id)

    @property
    def message_id(self) -> str:
        """Same type, entity and attempt give the same id; the next attempt gets a new one."""
        return message_id_for(self.type, self.entity_id, self.attempt)

    def next_attempt(self, payload: Mapping[str, Any] | None = None) -> QueueMessage:
        """The follow-up sent as a scheduled back-off, with its own message id."""
        return replace(self, attempt=self.attempt + 1, payload=self.payload if payload is None else payload)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "entityId": self.entity_id,
            "attempt": self.attempt,
            "payload": self.payload,
            "correlationId": self.correlation_id,
        }

    def to_bytes(self) -> bytes:
        """UTF-8 JSON; Decimal values become strings, datetimes RFC 3339."""
        try:
            return orjson.dumps(self.to_dict(), default=_json_default)
        except TypeError as error:
            raise InvalidMessage(f"message payload is not JSON-serialisable: {error}") from error

    def to_json(self) -> str:
        return self.to_bytes().decode("utf-8")

    def to_checked_bytes(self) -> bytes:
        """The body a backend sends, refused when over the size both backends accept."""
        body = self.to_bytes()
        if len(body) > MAX_BODY_BYTES:
            raise MessageTooLarge(
                f"message {self.message_id} is {len(body)} bytes of JSON; a queue message holds at most "
                f"{MAX_BODY_BYTES} bytes (64 KiB as Base64): put ids in the message and the data in storage"
            )
        return body

    @classmethod
    def from_dict(cls, data: Any) -> QueueMessage:
        if not isinstance(data, Mapping):
            raise InvalidMessage("message body must be a JSON object")
        missing = [name for name in ("type", "entityId") if name not in data]
        if missing:
            raise InvalidMessage(f"message lacks {', '.join(missing)}")
        payload = data.get("payload")
        return cls(
            type=data["type"],
            entity_id=data["entityId"],
            attempt=data.get("attempt", 1),
            payload={} if payload is None else payload,
            correlation_id=data.get("correlationId"),
        )

    @classmethod
    def from_json(cls, body: str | bytes | bytearray) -> QueueMessage:
        """Parses a body strictly; JSON numbers with a fraction become Decimal, never float."""
        try:
            text = body.decode("utf-8") if isinstance(body, bytes | bytearray) else body
        except UnicodeDecodeError as error:
            raise InvalidMessage("message body is not UTF-8") from error
        try:
            data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
        except json.JSONDecodeError as error:
            raise InvalidMessage(f"message body is not JSON: {error.msg} at position {error.pos}") from error
        return cls.from_dict(data)


@dataclass(frozen=True)
class Delivery:
    """One arrival of a message at a handler; the same message may arrive more than once."""

    message: QueueMessage
    delivery_count: int = 1
    enqueued_at: datetime | None = None
    max_deliveries: int | None = None

    @property
    def is_last_delivery(self) -> bool:
        """True when a failure now dead-letters the message, so the handler should mark the entity failed."""
        return self.max_deliveries is not None and self.delivery_count >= self.max_deliveries


def decode_delivery(
    body: str | bytes | bytearray,
    delivery_count: int,
    *,
    enqueued_at: datetime | None = None,
    max_deliveries: int | None = None,
) -> Delivery:
    """Turns a raw JSON body (as a Service Bus trigger hands it over) into a Delivery."""
    return Delivery(
        message=QueueMessage.from_json(body),
        delivery_count=delivery_count,
        enqueued_at=enqueued_at,
        max_deliveries=max_deliveries,
    )


def decode_servicebus_delivery(received: Any, *, max_deliveries: int | None = None) -> Delivery:
    """Reads a `func.ServiceBusMessage` (duck-typed, so this module does not import azure.functions)."""
    return decode_delivery(
        received.get_body(),
        int(getattr(received, "delivery_count", None) or 1),
        enqueued_at=getattr(received, "enqueued_time_utc", None),
        max_deliveries=max_deliveries,
    )
