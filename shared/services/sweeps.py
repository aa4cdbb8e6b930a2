"""Housekeeping the timers run.

Each sweep takes, by name, the container members it uses; the timers run it through `Container.call`
(shared/bootstrap.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.domain.relationships import Provider
    from shared.domain.subscriptions import Subscription
    from shared.services.billing import BillingService
    from shared.services.catalog import CatalogSync
    from shared.services.events import EventService
    from shared.services.notifications import NotificationService
    from shared.services.provisioning import ProvisioningService
    from shared.services.relationships import RelationshipService
    from shared.services.subscriptions import SubscriptionService
    from shared.storage.idempotency import IdempotencyStore
    from shared.storage.orders import OrderRepository
    from shared.storage.relationships import ProviderRepository
    from shared.storage.subscriptions import SubscriptionRepository
    from shared.storage.webhook_events import ReceivedEvents

log = logging.getLogger(__name__)


def purge_expired_idempotency_keys(
    idempotency: IdempotencyStore, received_events: ReceivedEvents, notification_service: NotificationService
) -> int:
    """Idempotency records are kept at least IDEMPOTENCY_TTL_HOURS (>= 72), then removed."""
    removed = idempotency.purge_expired()
    events = received_events.purge_expired()
    deliveries = notification_service.purge_settled()
    log.info("purged %d expired idempotency records, %d received-event records and %d settled event deliveries",
             removed, events, deliveries)  # fmt: skip
    return removed


def sweep_relationships(relationship_service: RelationshipService, event_service: EventService) -> dict[str, int]:
    """Resellers and customers can end relationships in Partner Center at any time: re-check them."""
    counts = relationship_service.sweep()
    counts.update({f"webhook{k.title()}": v for k, v in event_service.ensure_registrations().items()})
    log.info("relationship sweep: %s", counts)
    return counts


def sweep_provisioning(
    provisioning_service: ProvisioningService,
    subscription_service: SubscriptionService,
    orders: OrderRepository,
    subscriptions: SubscriptionRepository,
) -> dict[str, int]:
    """Nothing accepted is lost: outbox rows left behind are sent, stalled orders and changes re-sent."""
    counts = {
        "outbox": provisioning_service.dispatch_outbox(),
        "stalledOrders": provisioning_service.resend_stalled(),
        "stalledChanges": subscription_service.resend_stalled_changes(),
        "adopted": adopt_recent_orphans(orders, subscription_service),
        "listed": repair_lists(orders, subscriptions),
    }
    log.info("provisioning sweep: %s", counts)
    return counts


def repair_lists(orders: OrderRepository, subscriptions: SubscriptionRepository) -> int:
    """Orders and subscriptions whose writer stopped before listing them are listed now (shared/storage/listings.py);
    on a deployment that had none, every existing one is listed once."""
    count = 0
    for lists in (orders.lists, subscriptions.lists):
        count += lists.repair() + lists.backfill()
    return count


ORPHAN_LOOKBACK = timedelta(hours=2)


def adopt_recent_orphans(
    orders: OrderRepository, subscription_service: SubscriptionService, now: datetime | None = None
) -> int:
    """Customers who ordered in the last two hours: a subscription Partner Center holds for them that we have no
    record of (an order whose record was lost after checkout) is adopted now; the full sync adopts the rest."""
    since = (now or datetime.now(UTC)) - ORPHAN_LOOKBACK
    customers = sorted({(order.provider_id, order.customer_id) for order in orders.updated_since(since)})
    return subscription_service.adopt_orphans(customers)


def sync_subscriptions(subscription_service: SubscriptionService) -> dict[str, int]:
    """Partner Center stays the source of truth: the mirror converges on it periodically."""
    counts = subscription_service.sync_all()
    log.info("subscription sync: %s", counts)
    return counts


def sync_catalogs(
    providers: ProviderRepository,
    markets_of: Callable[[str], list[str]],
    catalog_sync_for: Callable[[Provider], CatalogSync],
) -> dict[str, int]:
    """Every enrolled provider's catalog and costs, per market it sells in (its customers' markets too)."""

    from shared.domain.relationships import ProviderStatus

    counts = {"markets": 0, "failed": 0}
    for provider in providers.all():
        if provider.status is not ProviderStatus.ENROLLED:
            continue
        for country in markets_of(provider.id):  # CATALOG_MARKETS and the markets customers brought
            try:
                catalog_sync_for(provider).sync(provider.id, country, now=datetime.now(UTC))
                counts["markets"] += 1
            except Exception:  # noqa: BLE001 - one market failing must not stop the others
                counts["failed"] += 1
                log.exception("catalog sync of provider %s market %s failed", provider.id, country)
    return counts


def run_unbilled_billing(billing_service: BillingService) -> dict[str, int]:
    """The current period's unbilled charges are reconciled daily (runs stalled on a lost worker are re-sent)."""
    counts = {
        "requested": billing_service.schedule_unbilled(),
        "resent": billing_service.resend_stalled(),
    }
    log.info("unbilled billing runs: %s", counts)
    return counts


def run_billed_billing(billing_service: BillingService) -> dict[str, int]:
    """Last month's invoice is reconciled once Partner Center has issued it."""
    counts = {
        "requested": billing_service.schedule_billed(),
        "resent": billing_service.resend_stalled(),
    }
    log.info("billed billing runs: %s", counts)
    return counts


def sweep_notifications(
    providers: ProviderRepository, subscriptions: SubscriptionRepository, notification_service: NotificationService
) -> dict[str, int]:
    """Webhook deliveries whose message was lost are queued again; subscriptions ending within 7 days without
    renewing are announced (once per term end)."""
    from shared.domain.notifications import EXPIRY_NOTICE
    from shared.domain.relationships import ProviderStatus

    enrolled = [p.id for p in providers.all() if p.status is ProviderStatus.ENROLLED]
    now = datetime.now(UTC)

    def ending_soon(provider_id: str) -> Iterator[Subscription]:
        """From the provider's list partition: only what ends within the notice, not every subscription."""
        return subscriptions.ending_between(provider_id, now, now + EXPIRY_NOTICE)

    counts = {
        "requeued": notification_service.requeue_due(),
        "expiring": notification_service.announce_expiring(enrolled, ending_soon),
    }
    log.info("notification sweep: %s", counts)
    return counts


# Every timer: its name, the setting holding its NCRONTAB schedule, and what it runs.
TIMERS: dict[str, tuple[str, Callable[..., object]]] = {
    "idempotency_sweep": ("IDEMPOTENCY_SWEEP_SCHEDULE", purge_expired_idempotency_keys),
    "relationship_sweep": ("RELATIONSHIP_SWEEP_SCHEDULE", sweep_relationships),
    "provisioning_sweep": ("PROVISIONING_SWEEP_SCHEDULE", sweep_provisioning),
    "subscription_sync": ("SUBSCRIPTION_SYNC_SCHEDULE", sync_subscriptions),
    "catalog_sync": ("CATALOG_SYNC_SCHEDULE", sync_catalogs),
    "billing_unbilled": ("BILLING_UNBILLED_SCHEDULE", run_unbilled_billing),
    "billing_billed": ("BILLING_BILLED_SCHEDULE", run_billed_billing),
    "notification_sweep": ("NOTIFICATION_SWEEP_SCHEDULE", sweep_notifications),
}
