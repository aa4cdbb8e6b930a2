"""Every queued message type and the use case that handles it (importing this registers them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.messaging import Delivery, QueueNames
from shared.services.billing import BILLING_RUN
from shared.services.catalog import CATALOG_SYNC
from shared.services.dispatch import dispatcher
from shared.services.events import EVENT as PARTNER_CENTER_EVENT
from shared.services.notifications import DELIVER as WEBHOOK_DELIVERY
from shared.services.notifications import FAN_OUT as EVENT_FAN_OUT
from shared.services.provisioning import PROVISION
from shared.services.relationships import CUSTOMER_CHECK, CUSTOMER_CREATE, RESELLER_CHECK
from shared.services.subscriptions import CHANGE as SUBSCRIPTION_CHANGE

if TYPE_CHECKING:
    from shared.bootstrap import Container


@dispatcher.register(QueueNames.RELATIONSHIP_CHECKS, RESELLER_CHECK)
def reseller_check(container: Container, delivery: Delivery) -> None:
    message = delivery.message
    container.relationship_service.check_reseller(
        str(message.payload["providerId"]), message.entity_id, message.attempt
    )


@dispatcher.register(QueueNames.RELATIONSHIP_CHECKS, CUSTOMER_CHECK)
def customer_check(container: Container, delivery: Delivery) -> None:
    message = delivery.message
    container.relationship_service.check_customer(
        str(message.payload["providerId"]), message.entity_id, message.attempt
    )


@dispatcher.register(QueueNames.RELATIONSHIP_CHECKS, CUSTOMER_CREATE)
def customer_create(container: Container, delivery: Delivery) -> None:
    message = delivery.message
    container.relationship_service.create_tenant(str(message.payload["providerId"]), message.entity_id, message.attempt)


@dispatcher.register(QueueNames.PROVISIONING, PROVISION)
def provision_order(container: Container, delivery: Delivery) -> None:
    message = delivery.message
    container.provisioning_service.provision(str(message.payload["customerId"]), message.entity_id, message.attempt)


@dispatcher.register(QueueNames.SUBSCRIPTION_CHANGES, SUBSCRIPTION_CHANGE)
def change_subscription(container: Container, delivery: Delivery) -> None:
    message = delivery.message
    container.subscription_service.apply_change(
        str(message.payload["customerId"]), message.entity_id, str(message.payload["changeId"]), message.attempt
    )


@dispatcher.register(QueueNames.PARTNER_CENTER_EVENTS, PARTNER_CENTER_EVENT)
def partner_center_event(container: Container, delivery: Delivery) -> None:
    container.event_service.handle(dict(delivery.message.payload))


@dispatcher.register(QueueNames.CATALOG_SYNCS, CATALOG_SYNC)
def catalog_sync(container: Container, delivery: Delivery) -> None:
    """A market's catalog and costs, read now (queued when a provider enrols or a customer brings a new market)."""
    from datetime import UTC, datetime

    provider = container.providers.get(str(delivery.message.payload["providerId"]))
    if provider is None:
        return
    container.catalog_sync_for(provider).sync(
        provider.id, str(delivery.message.payload["country"]), now=datetime.now(UTC)
    )


@dispatcher.register(QueueNames.BILLING_RUNS, BILLING_RUN)
def billing_run(container: Container, delivery: Delivery) -> None:
    message = delivery.message
    container.billing_service.execute(str(message.payload["providerId"]), message.entity_id, message.attempt)


@dispatcher.register(QueueNames.NOTIFICATIONS, EVENT_FAN_OUT)
def fan_out_event(container: Container, delivery: Delivery) -> None:
    """An outbound event: one delivery per endpoint it reaches, each written, then queued."""
    container.notification_service.handle_fan_out(dict(delivery.message.payload))


@dispatcher.register(QueueNames.NOTIFICATIONS, WEBHOOK_DELIVERY)
def deliver_webhook(container: Container, delivery: Delivery) -> None:
    container.notification_service.handle_deliver(delivery.message)


__all__ = ["dispatcher"]
