"""Every queued message type and the use case that handles it (importing this registers them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.messaging import Delivery, QueueNames
from shared.services.dispatch import dispatcher
from shared.services.relationships import CUSTOMER_CHECK, CUSTOMER_CREATE, RESELLER_CHECK

if TYPE_CHECKING:
    from shared.bootstrap import Container


@dispatcher.register(QueueNames.RELATIONSHIP_CHECKS, RESELLER_CHECK)
def reseller_check(container: Container, delivery: Delivery) -> None:
    message = delivery.message
    container.relationships.check_reseller(str(message.payload["providerId"]), message.entity_id, message.attempt)


@dispatcher.register(QueueNames.RELATIONSHIP_CHECKS, CUSTOMER_CHECK)
def customer_check(container: Container, delivery: Delivery) -> None:
    message = delivery.message
    container.relationships.check_customer(str(message.payload["providerId"]), message.entity_id, message.attempt)


@dispatcher.register(QueueNames.RELATIONSHIP_CHECKS, CUSTOMER_CREATE)
def customer_create(container: Container, delivery: Delivery) -> None:
    message = delivery.message
    container.relationships.create_tenant(str(message.payload["providerId"]), message.entity_id, message.attempt)


__all__ = ["dispatcher"]
