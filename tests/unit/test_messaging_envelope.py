"""The envelope: its JSON shape, its deterministic id and the rejection of anything else."""

from __future__ import annotations

import json
import re
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import azure.functions.servicebus as func_servicebus
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.messaging import (
    MAX_BODY_BYTES,
    InvalidMessage,
    InvalidQueueName,
    MessageTooLarge,
    QueueMessage,
    QueueNames,
    decode_delivery,
    decode_servicebus_delivery,
    poison_queue_name,
    validate_queue_name,
)
from shared.messaging.memory import InMemoryPublisher
from shared.messaging.port import MAX_DELAY, MessagePublisher, validate_delay

SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def test_json_has_exactly_the_agreed_fields() -> None:
    message = QueueMessage("provision-order", "ord-1", 2, {"cartId": "c1"}, "corr-9")
    assert json.loads(message.to_json()) == {
        "type": "provision-order",
        "entityId": "ord-1",
        "attempt": 2,
        "payload": {"cartId": "c1"},
        "correlationId": "corr-9",
    }


def test_message_survives_a_round_trip_through_json() -> None:
    message = QueueMessage("check-relationship", "res-7", 3, {"nested": {"list": [1, "two", None]}}, "c")
    assert QueueMessage.from_json(message.to_json()) == message
    assert QueueMessage.from_json(message.to_bytes()) == message


def test_missing_attempt_payload_and_correlation_take_their_defaults() -> None:
    message = QueueMessage.from_json('{"type": "t", "entityId": "e"}')
    assert (message.attempt, message.payload, message.correlation_id) == (1, {}, None)


def test_message_id_is_deterministic_and_the_next_attempt_gets_a_new_one() -> None:
    first = QueueMessage("provision-order", "ord-1", payload={"a": 1})
    assert first.message_id == "provision-order:ord-1:1"
    assert QueueMessage("provision-order", "ord-1", payload={"other": 2}).message_id == first.message_id
    follow_up = first.next_attempt()
    assert follow_up.attempt == 2
    assert follow_up.message_id == "provision-order:ord-1:2"
    assert follow_up.payload == first.payload


def test_unsafe_entity_ids_give_safe_distinct_message_ids() -> None:
    slash = QueueMessage("t", "cust/ord 1").message_id
    underscore = QueueMessage("t", "cust_ord_1").message_id
    assert SAFE_ID.match(slash)
    assert slash != underscore


def test_long_entity_ids_give_bounded_distinct_message_ids() -> None:
    base = "x" * 300
    first = QueueMessage("t", base + "a").message_id
    second = QueueMessage("t", base + "b").message_id
    assert len(first) <= 128 and len(second) <= 128
    assert first != second


@given(st.text(min_size=1).filter(str.strip), st.text(min_size=1).filter(str.strip), st.integers(1, 10**6))
def test_every_message_id_is_safe_for_both_backends(type_: str, entity_id: str, attempt: int) -> None:
    message = QueueMessage(type_, entity_id, attempt)
    assert SAFE_ID.match(message.message_id)
    assert QueueMessage.from_json(message.to_json()) == message


def test_fractional_json_numbers_are_read_as_decimal_never_float() -> None:
    message = QueueMessage.from_json('{"type": "t", "entityId": "e", "payload": {"amount": 12.10}}')
    assert message.payload["amount"] == Decimal("12.10")
    assert isinstance(message.payload["amount"], Decimal)


def test_decimal_money_is_written_as_an_exact_string() -> None:
    message = QueueMessage("t", "e", payload={"amount": Decimal("0.10")})
    assert json.loads(message.to_json())["payload"]["amount"] == "0.10"


def test_datetimes_in_the_payload_are_written_as_rfc3339() -> None:
    message = QueueMessage("t", "e", payload={"at": datetime(2025, 3, 1, 12, 0, tzinfo=UTC)})
    assert json.loads(message.to_json())["payload"]["at"] == "2025-03-01T12:00:00+00:00"


def test_payload_that_is_not_json_serialisable_is_refused() -> None:
    with pytest.raises(InvalidMessage):
        QueueMessage("t", "e", payload={"s": {1, 2}}).to_json()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        b"\xff\xfe",
        "[]",
        '"text"',
        '{"entityId": "e"}',
        '{"type": "t"}',
        '{"type": "", "entityId": "e"}',
        '{"type": "t", "entityId": "  "}',
        '{"type": 5, "entityId": "e"}',
        '{"type": "t", "entityId": "e", "attempt": 0}',
        '{"type": "t", "entityId": "e", "attempt": "2"}',
        '{"type": "t", "entityId": "e", "attempt": true}',
        '{"type": "t", "entityId": "e", "attempt": 1.5}',
        '{"type": "t", "entityId": "e", "payload": [1]}',
        '{"type": "t", "entityId": "e", "correlationId": 7}',
        '{"type": "t", "entityId": "e", "payload": {"x": NaN}}',
    ],
)
def test_invalid_bodies_raise_invalid_message(body: str | bytes) -> None:
    with pytest.raises(InvalidMessage):
        QueueMessage.from_json(body)


def test_message_is_immutable_hashable_and_does_not_share_its_payload() -> None:
    payload = {"a": 1}
    message = QueueMessage("t", "e", payload=payload)
    payload["a"] = 2
    assert message.payload == {"a": 1}
    with pytest.raises(FrozenInstanceError):
        message.attempt = 2  # type: ignore[misc]
    assert len({message, QueueMessage("t", "e", payload={"a": 1})}) == 1


def test_body_over_the_shared_limit_is_refused_and_one_at_the_limit_is_accepted() -> None:
    empty = len(QueueMessage("t", "e", payload={"p": ""}).to_bytes())
    at_limit = QueueMessage("t", "e", payload={"p": "x" * (MAX_BODY_BYTES - empty)})
    assert len(at_limit.to_checked_bytes()) == MAX_BODY_BYTES
    with pytest.raises(MessageTooLarge, match="at most"):
        QueueMessage("t", "e", payload={"p": "x" * (MAX_BODY_BYTES - empty + 1)}).to_checked_bytes()


def test_decode_delivery_reads_a_raw_body_and_knows_the_last_delivery() -> None:
    message = QueueMessage("t", "e", 1, {"k": "v"})
    delivery = decode_delivery(message.to_bytes(), 3, max_deliveries=3)
    assert delivery.message == message
    assert delivery.delivery_count == 3
    assert delivery.is_last_delivery
    assert not decode_delivery(message.to_json(), 2, max_deliveries=3).is_last_delivery
    assert not decode_delivery(message.to_json(), 99).is_last_delivery


def test_decode_servicebus_delivery_reads_what_the_functions_trigger_gives() -> None:
    message = QueueMessage("handle-event", "evt-1", 1, {"eventName": "test-created"}, "corr")
    enqueued = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    received = func_servicebus.ServiceBusMessage(
        body=message.to_bytes(),
        application_properties={},
        message_id=message.message_id,
        delivery_count=4,
        enqueued_time_utc=enqueued,
        user_properties={},
    )
    delivery = decode_servicebus_delivery(received, max_deliveries=10)
    assert (delivery.message, delivery.delivery_count, delivery.enqueued_at) == (message, 4, enqueued)
    assert delivery.max_deliveries == 10


def test_every_platform_queue_name_and_its_poison_queue_are_valid() -> None:
    assert set(QueueNames.ALL) == {
        "provisioning",
        "relationship-checks",
        "partner-center-events",
        "subscription-changes",
        "billing-runs",
        "catalog-syncs",
        "notifications",
    }
    for name in QueueNames.ALL:
        assert validate_queue_name(name) == name
        assert poison_queue_name(name) == f"{name}-poison"


@pytest.mark.parametrize("name", ["Provisioning", "ab", "a--b", "-abc", "abc-", "a_b_c", "a" * 57, "q.x"])
def test_queue_names_either_backend_would_refuse_are_rejected(name: str) -> None:
    with pytest.raises(InvalidQueueName):
        validate_queue_name(name)


def test_delay_of_zero_means_now_and_negative_or_beyond_a_week_is_refused() -> None:
    assert validate_delay(None) is None
    assert validate_delay(timedelta(0)) is None
    assert validate_delay(timedelta(seconds=2)) == timedelta(seconds=2)
    with pytest.raises(ValueError):
        validate_delay(timedelta(seconds=-1))
    with pytest.raises(ValueError):
        validate_delay(MAX_DELAY + timedelta(seconds=1))


def test_in_memory_publisher_applies_the_real_checks_and_records_in_order() -> None:
    publisher = InMemoryPublisher()
    assert isinstance(publisher, MessagePublisher)
    first, second = QueueMessage("t", "a"), QueueMessage("t", "b")
    publisher.send(QueueNames.PROVISIONING, first, delay=timedelta(seconds=5))
    publisher.send_many(QueueNames.PROVISIONING, [second])
    assert publisher.messages(QueueNames.PROVISIONING) == [first, second]
    assert publisher.sent[0].delay == timedelta(seconds=5)
    with pytest.raises(InvalidQueueName):
        publisher.send("Bad_Name", first)
    with pytest.raises(MessageTooLarge):
        publisher.send(QueueNames.PROVISIONING, QueueMessage("t", "big", payload={"p": "x" * MAX_BODY_BYTES}))
    assert len(publisher.sent) == 2
