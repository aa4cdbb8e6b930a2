"""Every queued message type and the use case that handles it, and the dispatcher that routes a delivery to it; the
same table serves Azure and local (importing this registers them).

A handler is a plain function of the delivery and the services it uses, named as the container names them
(`def provision_order(delivery: Delivery, provisioning_service: ProvisioningService) -> None`); `dispatch` has the
container supply them (as `Container.call` does for sweeps, shared/bootstrap.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from shared.domain.relationships import Provider
from shared.messaging import Delivery, QueueNames
from shared.services.billing import BILLING_RUN, BillingService
from shared.services.catalog import CATALOG_SYNC, CatalogSync
from shared.services.events import EVENT as PARTNER_CENTER_EVENT
from shared.services.events import EventService
from shared.services.notifications import DELIVER as WEBHOOK_DELIVERY
from shared.services.notifications import FAN_OUT as EVENT_FAN_OUT
from shared.services.notifications import NotificationService
from shared.services.provisioning import ProvisioningService
from shared.services.relationships import CUSTOMER_CHECK, CUSTOMER_CREATE, RESELLER_CHECK, RelationshipService
from shared.services.subscriptions import CHANGE as SUBSCRIPTION_CHANGE
from shared.services.subscriptions import SubscriptionService
from shared.storage.orders import PROVISION
from shared.storage.relationships import ProviderRepository

if TYPE_CHECKING:
    from shared.bootstrap import Container

log = logging.getLogger(__name__)

MessageHandler = Callable[..., None]  # (delivery, **the container members its parameters name)


class UnknownMessageType(Exception):
    """No use case handles this type on this queue: the message is dead-lettered, not dropped."""


class Dispatcher:
    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str], MessageHandler] = {}

    def register(self, queue: str, message_type: str) -> Callable[[MessageHandler], MessageHandler]:
        def add(handler: MessageHandler) -> MessageHandler:
            key = (queue, message_type)
            if key in self._handlers and self._handlers[key] is not handler:
                raise ValueError(f"{message_type} on {queue} already has a handler")
            self._handlers[key] = handler
            return handler

        return add

    def handled_types(self, queue: str) -> set[str]:
        return {message_type for q, message_type in self._handlers if q == queue}

    def handler_for(self, queue: str, message_type: str) -> MessageHandler:
        handler = self._handlers.get((queue, message_type))
        if handler is None:
            raise UnknownMessageType(f"no handler for {message_type!r} on queue {queue!r}")
        return handler

    def dispatch(self, container: Container, queue: str, delivery: Delivery) -> None:
        """Calls the type's handler with the delivery and the container members it names, as `Container.call`
        does (the names are read once per handler; each member is built once per container)."""
        from shared.bootstrap import dependencies_of

        handler = self.handler_for(queue, delivery.message.type)
        handler(delivery, **{name: getattr(container, name) for name in dependencies_of(handler, 1)})


dispatcher = Dispatcher()


@dispatcher.register(QueueNames.RELATIONSHIP_CHECKS, RESELLER_CHECK)
def reseller_check(delivery: Delivery, relationship_service: RelationshipService) -> None:
    message = delivery.message
    relationship_service.check_reseller(str(message.payload["providerId"]), message.entity_id, message.attempt)


@dispatcher.register(QueueNames.RELATIONSHIP_CHECKS, CUSTOMER_CHECK)
def customer_check(delivery: Delivery, relationship_service: RelationshipService) -> None:
    message = delivery.message
    relationship_service.check_customer(str(message.payload["providerId"]), message.entity_id, message.attempt)


@dispatcher.register(QueueNames.RELATIONSHIP_CHECKS, CUSTOMER_CREATE)
def customer_create(delivery: Delivery, relationship_service: RelationshipService) -> None:
    message = delivery.message
    relationship_service.create_tenant(str(message.payload["providerId"]), message.entity_id, message.attempt)


@dispatcher.register(QueueNames.PROVISIONING, PROVISION)
def provision_order(delivery: Delivery, provisioning_service: ProvisioningService) -> None:
    message = delivery.message
    provisioning_service.provision(str(message.payload["customerId"]), message.entity_id, message.attempt)


@dispatcher.register(QueueNames.SUBSCRIPTION_CHANGES, SUBSCRIPTION_CHANGE)
def change_subscription(delivery: Delivery, subscription_service: SubscriptionService) -> None:
    message = delivery.message
    subscription_service.apply_change(
        str(message.payload["customerId"]), message.entity_id, str(message.payload["changeId"]), message.attempt
    )


@dispatcher.register(QueueNames.PARTNER_CENTER_EVENTS, PARTNER_CENTER_EVENT)
def partner_center_event(delivery: Delivery, event_service: EventService) -> None:
    event_service.handle(dict(delivery.message.payload))


@dispatcher.register(QueueNames.CATALOG_SYNCS, CATALOG_SYNC)
def catalog_sync(
    delivery: Delivery, providers: ProviderRepository, catalog_sync_for: Callable[[Provider], CatalogSync]
) -> None:
    """A market's catalog and costs, read now (queued when a provider enrols or a customer brings a new market)."""
    provider = providers.get(str(delivery.message.payload["providerId"]))
    if provider is None:
        return
    catalog_sync_for(provider).sync(provider.id, str(delivery.message.payload["country"]), now=datetime.now(UTC))


@dispatcher.register(QueueNames.BILLING_RUNS, BILLING_RUN)
def billing_run(delivery: Delivery, billing_service: BillingService) -> None:
    message = delivery.message
    billing_service.execute(str(message.payload["providerId"]), message.entity_id, message.attempt)


@dispatcher.register(QueueNames.NOTIFICATIONS, EVENT_FAN_OUT)
def fan_out_event(delivery: Delivery, notification_service: NotificationService) -> None:
    """An outbound event: one delivery per endpoint it reaches, each written, then queued."""
    notification_service.handle_fan_out(dict(delivery.message.payload))


@dispatcher.register(QueueNames.NOTIFICATIONS, WEBHOOK_DELIVERY)
def deliver_webhook(delivery: Delivery, notification_service: NotificationService) -> None:
    notification_service.handle_deliver(delivery.message)


__all__ = ["dispatcher"]
