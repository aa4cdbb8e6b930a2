"""Storage Queues on a real Azurite: the contract the local worker and the Functions host rely on."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueClient, TextBase64DecodePolicy

from local.azurite import AzuriteProcess
from shared.messaging import MAX_BODY_BYTES, Delivery, MessageTooLarge, QueueMessage
from shared.messaging.storage_queues import StorageQueuePublisher, StorageQueueReceiver, run_forever
from tests.conftest import unique_id

WAIT_SECONDS = 15.0


@pytest.fixture()
def connection(azurite: AzuriteProcess) -> str:
    return azurite.connection_string


@pytest.fixture()
def publisher(connection: str) -> Iterator[StorageQueuePublisher]:
    with StorageQueuePublisher(connection) as made:
        yield made


def new_queue() -> str:
    return unique_id("q")


def raw_client(connection: str, queue: str, **kwargs: object) -> QueueClient:
    return QueueClient.from_connection_string(connection, queue, **kwargs)  # type: ignore[arg-type]


def queue_length(connection: str, queue: str) -> int:
    """Visible and invisible messages alike, so a message hidden by a visibility timeout still counts."""
    try:
        return raw_client(connection, queue).get_queue_properties().approximate_message_count or 0
    except ResourceNotFoundError:
        return 0


class Recorder:
    """A handler that records deliveries and fails as many times as told."""

    def __init__(self, failures: int = 0, error: Exception | None = None) -> None:
        self.deliveries: list[Delivery] = []
        self.failures = failures
        self.error = error or RuntimeError("partner center said no")

    def __call__(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        if len(self.deliveries) <= self.failures:
            raise self.error


def receive_until(
    receiver: StorageQueueReceiver, handler: Callable[[Delivery], None], done: Callable[[], bool]
) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not done():
        assert time.monotonic() < deadline, "the expected message never arrived"
        receiver.receive_batch(handler)
        time.sleep(0.1)


def test_sent_message_is_delivered_and_deleted_after_the_handler_succeeds(
    connection: str, publisher: StorageQueuePublisher
) -> None:
    queue = new_queue()
    message = QueueMessage("provision-order", "ord-1", 1, {"cartId": "c-1"}, "corr-1")
    publisher.send(queue, message)
    receiver = StorageQueueReceiver(connection, queue, max_attempts=3, visibility_timeout=timedelta(seconds=1))
    handler = Recorder()

    assert receiver.receive_batch(handler, 10) == 1

    [delivery] = handler.deliveries
    assert delivery.message == message
    assert delivery.delivery_count == 1
    assert delivery.enqueued_at is not None
    assert delivery.max_deliveries == 3
    assert queue_length(connection, queue) == 0


def test_body_on_the_queue_is_base64_json_as_the_functions_trigger_expects(
    connection: str, publisher: StorageQueuePublisher
) -> None:
    queue = new_queue()
    message = QueueMessage("check-relationship", "res-1")
    publisher.send(queue, message)

    [peeked] = raw_client(connection, queue, message_decode_policy=TextBase64DecodePolicy()).peek_messages()

    assert QueueMessage.from_json(peeked.content) == message


def test_sent_message_never_expires_while_it_waits(connection: str, publisher: StorageQueuePublisher) -> None:
    queue = new_queue()
    publisher.send(queue, QueueMessage("t", "e"))

    [peeked] = raw_client(connection, queue).peek_messages()

    assert peeked.expires_on is not None and peeked.expires_on.year == 9999


def test_delayed_message_is_invisible_until_its_delay_has_passed(
    connection: str, publisher: StorageQueuePublisher
) -> None:
    queue = new_queue()
    receiver = StorageQueueReceiver(connection, queue, visibility_timeout=timedelta(seconds=5))
    handler = Recorder()
    sent_at = time.monotonic()
    publisher.send(queue, QueueMessage("retry-checkout", "ord-2", 2), delay=timedelta(seconds=2))

    assert receiver.receive_batch(handler) == 0
    assert queue_length(connection, queue) == 1
    receive_until(receiver, handler, lambda: bool(handler.deliveries))

    assert time.monotonic() - sent_at >= 1.5
    assert handler.deliveries[0].message.attempt == 2


def test_failed_handler_gets_the_message_again_after_the_visibility_timeout(
    connection: str, publisher: StorageQueuePublisher
) -> None:
    queue = new_queue()
    receiver = StorageQueueReceiver(connection, queue, max_attempts=3, visibility_timeout=timedelta(seconds=1))
    handler = Recorder(failures=1)
    publisher.send(queue, QueueMessage("provision-order", "ord-3"))

    assert receiver.receive_batch(handler) == 1
    assert receiver.receive_batch(handler) == 0, "a failed message must stay hidden until its visibility timeout"
    receive_until(receiver, handler, lambda: len(handler.deliveries) == 2)

    assert [d.delivery_count for d in handler.deliveries] == [1, 2]
    assert handler.deliveries[1].message == handler.deliveries[0].message
    assert queue_length(connection, queue) == 0
    assert receiver.read_poison() == []


def test_message_goes_to_poison_with_the_reason_after_its_last_attempt(
    connection: str, publisher: StorageQueuePublisher
) -> None:
    queue = new_queue()
    receiver = StorageQueueReceiver(connection, queue, max_attempts=2, visibility_timeout=timedelta(seconds=1))
    handler = Recorder(failures=100)
    message = QueueMessage("provision-order", "ord-4", 1, {"cartId": "c-4"})
    publisher.send(queue, message)

    receive_until(receiver, handler, lambda: len(handler.deliveries) == 2)

    [record] = receiver.read_poison()
    assert receiver.poison_queue == f"{queue}-poison"
    assert record.reason is not None
    assert "attempt 2 of 2" in record.reason
    assert "partner center said no" in record.reason
    assert record.source_queue == queue
    assert record.message() == message
    time.sleep(1.5)
    assert queue_length(connection, queue) == 0
    assert receiver.receive_batch(handler) == 0
    assert len(handler.deliveries) == 2


def test_message_dequeued_more_often_than_allowed_is_poisoned_without_calling_the_handler(
    connection: str, publisher: StorageQueuePublisher
) -> None:
    queue = new_queue()
    generous = StorageQueueReceiver(connection, queue, max_attempts=5, visibility_timeout=timedelta(seconds=1))
    strict = StorageQueueReceiver(connection, queue, max_attempts=1, visibility_timeout=timedelta(seconds=1))
    first, second = Recorder(failures=1), Recorder()
    publisher.send(queue, QueueMessage("t", "e-5"))
    assert generous.receive_batch(first) == 1

    deadline = time.monotonic() + WAIT_SECONDS
    while not strict.read_poison():
        assert time.monotonic() < deadline, "the message was never poisoned"
        strict.receive_batch(second)
        time.sleep(0.1)

    assert second.deliveries == []
    [record] = strict.read_poison()
    assert record.reason is not None and "dequeued 2 times" in record.reason
    assert queue_length(connection, queue) == 0


def test_body_that_is_not_base64_goes_to_poison_without_calling_the_handler(connection: str) -> None:
    queue = new_queue()
    client = raw_client(connection, queue)
    client.create_queue()
    client.send_message('{"type": "t", "entityId": "plain-json"}')
    receiver = StorageQueueReceiver(connection, queue)
    handler = Recorder()

    assert receiver.receive_batch(handler) == 1

    assert handler.deliveries == []
    [record] = receiver.read_poison()
    assert record.reason is not None and "Base64" in record.reason
    assert record.body == '{"type": "t", "entityId": "plain-json"}'
    assert queue_length(connection, queue) == 0


def test_base64_body_that_is_not_an_envelope_goes_to_poison(connection: str) -> None:
    queue = new_queue()
    client = raw_client(connection, queue)
    client.create_queue()
    client.send_message(base64.b64encode(b'{"type": "t"}').decode("ascii"))
    receiver = StorageQueueReceiver(connection, queue)
    handler = Recorder()

    assert receiver.receive_batch(handler) == 1

    assert handler.deliveries == []
    [record] = receiver.read_poison()
    assert record.reason is not None and "entityId" in record.reason


def test_oversized_message_is_refused_at_send_and_nothing_is_queued(
    connection: str, publisher: StorageQueuePublisher
) -> None:
    queue = new_queue()
    with pytest.raises(MessageTooLarge, match="at most"):
        publisher.send(queue, QueueMessage("t", "big", payload={"blob": "x" * MAX_BODY_BYTES}))
    assert queue_length(connection, queue) == 0


def test_message_at_the_size_limit_is_accepted_by_the_queue(connection: str, publisher: StorageQueuePublisher) -> None:
    queue = new_queue()
    empty = len(QueueMessage("t", "edge", payload={"p": ""}).to_bytes())
    message = QueueMessage("t", "edge", payload={"p": "x" * (MAX_BODY_BYTES - empty)})
    publisher.send(queue, message)
    handler = Recorder()

    assert StorageQueueReceiver(connection, queue).receive_batch(handler) == 1
    assert handler.deliveries[0].message == message


def test_send_many_checks_every_message_before_sending_any(connection: str, publisher: StorageQueuePublisher) -> None:
    queue = new_queue()
    good = [QueueMessage("t", f"e-{n}") for n in range(3)]
    too_big = QueueMessage("t", "big", payload={"p": "x" * MAX_BODY_BYTES})
    with pytest.raises(MessageTooLarge):
        publisher.send_many(queue, [*good, too_big])
    assert queue_length(connection, queue) == 0

    publisher.send_many(queue, good)
    handler = Recorder()
    assert StorageQueueReceiver(connection, queue).receive_batch(handler, 32) == 3
    assert {d.message for d in handler.deliveries} == set(good)


def test_stop_during_a_batch_makes_the_unhandled_messages_visible_at_once(
    connection: str, publisher: StorageQueuePublisher
) -> None:
    queue = new_queue()
    publisher.send_many(queue, [QueueMessage("t", f"e-{n}") for n in range(3)])
    receiver = StorageQueueReceiver(connection, queue, visibility_timeout=timedelta(minutes=5))
    stop = threading.Event()
    handled: list[Delivery] = []

    def handle_then_stop(delivery: Delivery) -> None:
        handled.append(delivery)
        stop.set()

    assert receiver.receive_batch(handle_then_stop, 10, stop_event=stop) == 1
    rest = Recorder()
    assert receiver.receive_batch(rest, 10) == 2
    assert len(handled) + len(rest.deliveries) == 3


def test_worker_loop_sends_each_queue_to_its_handler_and_stops_promptly(
    connection: str, publisher: StorageQueuePublisher
) -> None:
    first_queue, second_queue = new_queue(), new_queue()
    first, second = Recorder(), Recorder()
    stop = threading.Event()
    worker = threading.Thread(
        target=run_forever,
        args=(connection, stop, {first_queue: first, second_queue: second}),
        kwargs={"poll_interval": 0.05, "max_poll_interval": 0.5},
        daemon=True,
    )
    worker.start()
    try:
        publisher.send(first_queue, QueueMessage("a", "1"))
        publisher.send(second_queue, QueueMessage("b", "2"))
        publisher.send(second_queue, QueueMessage("b", "3"))
        deadline = time.monotonic() + WAIT_SECONDS
        while len(first.deliveries) + len(second.deliveries) < 3:
            assert time.monotonic() < deadline, "the worker did not handle every message"
            time.sleep(0.05)
    finally:
        stop.set()
        stopped_at = time.monotonic()
        worker.join(timeout=5)

    assert not worker.is_alive()
    assert time.monotonic() - stopped_at < 2
    assert [d.message.type for d in first.deliveries] == ["a"]
    assert sorted(d.message.entity_id for d in second.deliveries) == ["2", "3"]
