"""Housekeeping the timers run."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.bootstrap import Container

log = logging.getLogger(__name__)


def purge_expired_idempotency_keys(container: Container) -> int:
    """Idempotency records are kept at least IDEMPOTENCY_TTL_HOURS (>= 72), then removed."""
    removed = container.idempotency.purge_expired()
    events = container.received_events.purge_expired()
    deliveries = container.notification_service.purge_settled()
    log.info("purged %d expired idempotency records, %d received-event records and %d settled event deliveries",
             removed, events, deliveries)  # fmt: skip
    return removed


def sweep_relationships(container: Container) -> dict[str, int]:
    """Resellers and customers can end relationships in Partner Center at any time: re-check them."""
    counts = container.relationship_service.sweep()
    counts.update({f"webhook{k.title()}": v for k, v in container.event_service.ensure_registrations().items()})
    log.info("relationship sweep: %s", counts)
    return counts


def sweep_provisioning(container: Container) -> dict[str, int]:
    """Nothing accepted is lost: outbox rows left behind are sent, stalled orders and changes re-sent."""
    counts = {
        "outbox": container.provisioning_service.dispatch_outbox(),
        "stalledOrders": container.provisioning_service.resend_stalled(),
        "stalledChanges": container.subscription_service.resend_stalled_changes(),
        "adopted": adopt_recent_orphans(container),
        "listed": repair_lists(container),
    }
    log.info("provisioning sweep: %s", counts)
    return counts


def repair_lists(container: Container) -> int:
    """Orders and subscriptions whose writer stopped before listing them are listed now (shared/storage/listings.py);
    on a deployment that had none, every existing one is listed once."""
    count = 0
    for lists in (container.orders.lists, container.subscriptions.lists):
        count += lists.repair() + lists.backfill()
    return count


ORPHAN_LOOKBACK = timedelta(hours=2)


def adopt_recent_orphans(container: Container, now: datetime | None = None) -> int:
    """Customers who ordered in the last two hours: a subscription Partner Center holds for them that we have no
    record of (an order whose record was lost after checkout) is adopted now; the full sync adopts the rest."""
    since = (now or datetime.now(UTC)) - ORPHAN_LOOKBACK
    customers = sorted({(order.provider_id, order.customer_id) for order in container.orders.updated_since(since)})
    return int(container.subscription_service.adopt_orphans(customers))


def sync_subscriptions(container: Container) -> dict[str, int]:
    """Partner Center stays the source of truth: the mirror converges on it periodically."""
    counts = container.subscription_service.sync_all()
    log.info("subscription sync: %s", counts)
    return counts


def sync_catalogs(container: Container) -> dict[str, int]:
    """Every enrolled provider's catalog and costs, per market it sells in (its customers' markets too)."""

    from shared.domain.relationships import ProviderStatus

    counts = {"markets": 0, "failed": 0}
    for provider in container.providers.all():
        if provider.status is not ProviderStatus.ENROLLED:
            continue
        for country in container.markets_of(provider.id):  # CATALOG_MARKETS and the markets customers brought
            try:
                container.catalog_sync_for(provider).sync(provider.id, country, now=datetime.now(UTC))
                counts["markets"] += 1
            except Exception:  # noqa: BLE001 - one market failing must not stop the others
                counts["failed"] += 1
                log.exception("catalog sync of provider %s market %s failed", provider.id, country)
    return counts


def run_unbilled_billing(container: Container) -> dict[str, int]:
    """The current period's unbilled charges are reconciled daily (runs stalled on a lost worker are re-sent)."""
    counts = {
        "requested": container.billing_service.schedule_unbilled(),
        "resent": container.billing_service.resend_stalled(),
    }
    log.info("unbilled billing runs: %s", counts)
    return counts


def run_billed_billing(container: Container) -> dict[str, int]:
    """Last month's invoice is reconciled once Partner Center has issued it."""
    counts = {
        "requested": container.billing_service.schedule_billed(),
        "resent": container.billing_service.resend_stalled(),
    }
    log.info("billed billing runs: %s", counts)
    return counts


def sweep_notifications(container: Container) -> dict[str, int]:
    """Webhook deliveries whose message was lost are queued again; subscriptions ending within 7 days without
    renewing are announced (once per term end)."""
    from shared.domain.notifications import EXPIRY_NOTICE
    from shared.domain.relationships import ProviderStatus

    enrolled = [p.id for p in container.providers.all() if p.status is ProviderStatus.ENROLLED]
    now = datetime.now(UTC)

    def ending_soon(provider_id: str) -> Any:
        """From the provider's list partition: only what ends within the notice, not every subscription."""
        return container.subscriptions.ending_between(provider_id, now, now + EXPIRY_NOTICE)

    counts = {
        "requeued": container.notification_service.requeue_due(),
        "expiring": container.notification_service.announce_expiring(enrolled, ending_soon),
    }
    log.info("notification sweep: %s", counts)
    return counts


# Every timer: its name, the setting holding its NCRONTAB schedule, and what it runs.
TIMERS = {
    "idempotency_sweep": ("IDEMPOTENCY_SWEEP_SCHEDULE", purge_expired_idempotency_keys),
    "relationship_sweep": ("RELATIONSHIP_SWEEP_SCHEDULE", sweep_relationships),
    "provisioning_sweep": ("PROVISIONING_SWEEP_SCHEDULE", sweep_provisioning),
    "subscription_sync": ("SUBSCRIPTION_SYNC_SCHEDULE", sync_subscriptions),
    "catalog_sync": ("CATALOG_SYNC_SCHEDULE", sync_catalogs),
    "billing_unbilled": ("BILLING_UNBILLED_SCHEDULE", run_unbilled_billing),
    "billing_billed": ("BILLING_BILLED_SCHEDULE", run_billed_billing),
    "notification_sweep": ("NOTIFICATION_SWEEP_SCHEDULE", sweep_notifications),
}
