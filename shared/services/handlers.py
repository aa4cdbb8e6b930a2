"""Every queued message type and the use case that handles it (importing this registers them).

Each handler takes the delivery and, by name, the container members it uses (shared/services/dispatch.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from shared.domain.relationships import Provider
from shared.messaging import Delivery, QueueNames
from shared.services.billing import BILLING_RUN, BillingService
from shared.services.catalog import CATALOG_SYNC, CatalogSync
from shared.services.dispatch import dispatcher
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
