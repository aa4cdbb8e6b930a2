"""The queue port: envelopes, publishers for Service Bus (Azure) and Storage Queues (Azurite), a local receiver."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.messaging.envelope import (
    MAX_BODY_BYTES,
    Delivery,
    InvalidMessage,
    MessageTooLarge,
    MessagingError,
    QueueMessage,
    decode_delivery,
    decode_servicebus_delivery,
)
from shared.messaging.port import (
    Handler,
    InvalidQueueName,
    MessagePublisher,
    PublishError,
    QueueNames,
    poison_queue_name,
    validate_queue_name,
)

if TYPE_CHECKING:
    from shared.config import Settings

__all__ = [
    "MAX_BODY_BYTES",
    "Delivery",
    "Handler",
    "InvalidMessage",
    "InvalidQueueName",
    "MessagePublisher",
    "MessageTooLarge",
    "MessagingError",
    "PublishError",
    "QueueMessage",
    "QueueNames",
    "decode_delivery",
    "decode_servicebus_delivery",
    "poison_queue_name",
    "publisher_from_settings",
    "validate_queue_name",
]


def publisher_from_settings(settings: Settings) -> MessagePublisher:
    """The publisher QUEUE_BACKEND names; builds clients only, so no I/O happens until the first send."""
    if settings.queue_backend == "servicebus":
        from shared.messaging.servicebus import ServiceBusPublisher

        if settings.servicebus_connection_string:
            return ServiceBusPublisher(connection_string=settings.servicebus_connection_string)
        if settings.servicebus_namespace:
            return ServiceBusPublisher(fully_qualified_namespace=settings.servicebus_namespace)
        raise ValueError("QUEUE_BACKEND=servicebus needs SERVICEBUS_NAMESPACE or SERVICEBUS_CONNECTION_STRING")
    if settings.queue_backend == "storage":
        from shared.messaging.storage_queues import StorageQueuePublisher

        if settings.storage_connection_string:
            return StorageQueuePublisher(settings.storage_connection_string)
        if settings.storage_account_name:
            return StorageQueuePublisher(account_url=f"https://{settings.storage_account_name}.queue.core.windows.net")
        raise ValueError("QUEUE_BACKEND=storage needs STORAGE_CONNECTION_STRING or STORAGE_ACCOUNT_NAME")
    raise ValueError(f"unknown QUEUE_BACKEND {settings.queue_backend!r}")
