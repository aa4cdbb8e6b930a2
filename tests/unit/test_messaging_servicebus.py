"""Service Bus: the message built for an envelope, and a publisher that does no I/O until it sends."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from local.azurite import free_port
from shared.config import Settings
from shared.messaging import MAX_BODY_BYTES, MessageTooLarge, PublishError, QueueMessage, publisher_from_settings
from shared.messaging.servicebus import ServiceBusPublisher, build_servicebus_message, fully_qualified
from shared.messaging.storage_queues import StorageQueuePublisher

NOW = datetime(2025, 6, 1, 8, 30, tzinfo=UTC)
MESSAGE = QueueMessage("provision-order", "ord-42", 3, {"cartId": "cart-1"}, "corr-42")


def body_bytes(built: object) -> bytes:
    return b"".join(built.body)  # type: ignore[attr-defined]


def test_message_id_is_the_envelope_id_so_duplicate_detection_drops_a_resend() -> None:
    first = build_servicebus_message(MESSAGE, None, NOW)
    again = build_servicebus_message(QueueMessage.from_json(MESSAGE.to_json()), None, NOW + timedelta(hours=1))
    assert first.message_id == again.message_id == "provision-order:ord-42:3"
    assert build_servicebus_message(MESSAGE.next_attempt(), None, NOW).message_id == "provision-order:ord-42:4"


def test_delay_becomes_the_scheduled_enqueue_time() -> None:
    built = build_servicebus_message(MESSAGE, timedelta(seconds=90), NOW)
    assert built.scheduled_enqueue_time_utc == NOW + timedelta(seconds=90)


def test_no_delay_or_zero_delay_is_sent_at_once() -> None:
    assert build_servicebus_message(MESSAGE, None, NOW).scheduled_enqueue_time_utc is None
    assert build_servicebus_message(MESSAGE, timedelta(0), NOW).scheduled_enqueue_time_utc is None


def test_scheduled_time_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC)
    scheduled = build_servicebus_message(MESSAGE, timedelta(minutes=1)).scheduled_enqueue_time_utc
    assert scheduled is not None
    assert before + timedelta(minutes=1) <= scheduled <= datetime.now(UTC) + timedelta(minutes=1)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        build_servicebus_message(MESSAGE, timedelta(seconds=1), datetime(2025, 1, 1))


def test_body_is_the_envelope_json_with_its_content_type() -> None:
    built = build_servicebus_message(MESSAGE, None, NOW)
    assert built.content_type == "application/json"
    assert json.loads(body_bytes(built)) == json.loads(MESSAGE.to_json())
    assert QueueMessage.from_json(body_bytes(built)) == MESSAGE


def test_subject_correlation_and_properties_let_the_portal_filter_without_the_body() -> None:
    built = build_servicebus_message(MESSAGE, None, NOW)
    assert built.subject == "provision-order"
    assert built.correlation_id == "corr-42"
    assert built.application_properties == {"type": "provision-order", "entityId": "ord-42", "attempt": 3}


def test_body_over_the_shared_limit_is_refused_before_sending() -> None:
    big = QueueMessage("t", "e", payload={"p": "x" * MAX_BODY_BYTES})
    with pytest.raises(MessageTooLarge):
        build_servicebus_message(big, None, NOW)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("csp-prod", "csp-prod.servicebus.windows.net"),
        ("csp-prod.servicebus.windows.net", "csp-prod.servicebus.windows.net"),
        ("sb://csp-prod.servicebus.windows.net/", "csp-prod.servicebus.windows.net"),
    ],
)
def test_namespace_setting_may_be_a_short_name_or_a_host(setting: str, expected: str) -> None:
    assert fully_qualified(setting) == expected


def test_publisher_needs_exactly_one_way_to_connect() -> None:
    with pytest.raises(ValueError):
        ServiceBusPublisher()
    with pytest.raises(ValueError):
        ServiceBusPublisher("ns", "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v")


def test_construction_opens_nothing_and_senders_are_cached_per_queue_until_close() -> None:
    publisher = ServiceBusPublisher(fully_qualified_namespace="csp-unreachable", credential=object())
    assert publisher._client is None
    sender = publisher._sender("provisioning")
    assert publisher._sender("provisioning") is sender
    assert publisher._sender("billing-runs") is not sender
    publisher.close()
    with pytest.raises(PublishError, match="closed"):
        publisher.send("provisioning", MESSAGE)


def test_unreachable_broker_raises_publish_error() -> None:
    port = free_port()
    publisher = ServiceBusPublisher(
        connection_string=(
            f"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=RootManageSharedAccessKey;"
            "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;"
        ),
        retry_total=0,
    )
    started = time.monotonic()
    with publisher, pytest.raises(PublishError, match="Connection refused"):
        publisher.send("provisioning", MESSAGE)
    assert time.monotonic() - started < 30


def settings(**values: object) -> Settings:
    """Settings from these values only: connection settings in the environment must not leak in."""
    unset: dict[str, object] = {
        "storage_connection_string": None,
        "storage_account_name": None,
        "servicebus_namespace": None,
        "servicebus_connection_string": None,
    }
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        auth_issuer="https://issuer.test/v2.0",
        auth_audience="api://csp-platform",
        auth_jwks_url="https://issuer.test/keys",
        signing_secret="s" * 32,
        **(unset | values),  # type: ignore[arg-type]
    )


def test_queue_backend_setting_chooses_the_publisher() -> None:
    storage = publisher_from_settings(
        settings(queue_backend="storage", storage_connection_string="UseDevelopmentStorage=true")
    )
    servicebus = publisher_from_settings(settings(queue_backend="servicebus", servicebus_namespace="csp-prod"))
    assert isinstance(storage, StorageQueuePublisher)
    assert isinstance(servicebus, ServiceBusPublisher)
    storage.close()
    servicebus.close()


def test_backend_without_its_connection_settings_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="SERVICEBUS_NAMESPACE"):
        publisher_from_settings(settings(queue_backend="servicebus"))
    with pytest.raises(ValueError, match="STORAGE_CONNECTION_STRING"):
        publisher_from_settings(settings(queue_backend="storage"))
