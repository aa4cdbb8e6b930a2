"""Partner Center's events: verified on arrival, queued durably, then handled by reading the current
state from Partner Center and converging (docs/api-guide.md#partner-center-webhooks)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shared.domain.relationships import Provider, ProviderStatus, RelationshipStatus
from shared.messaging import MessagePublisher, QueueMessage, QueueNames
from shared.partner_center import PartnerCenterClient, PartnerCenterError
from shared.partner_center.webhooks import InvalidSignature, WebhookEvent, WebhookVerifier
from shared.services.errors import NotFound
from shared.services.errors import Unavailable as ServiceUnavailable
from shared.services.relationships import RelationshipService
from shared.services.subscriptions import SubscriptionService
from shared.storage.audit import AuditLog
from shared.storage.relationships import CustomerRepository, ProviderRepository
from shared.storage.webhook_events import KEPT_FOR, ReceivedEvents, event_identity

log = logging.getLogger(__name__)

EVENT = "partnercenter.event"
WEBHOOK_PATH = "/api/webhooks/partner-center"
SUBSCRIBED_EVENTS = (
    "subscription-updated",
    "reseller-relationship-accepted-by-customer",
    "indirect-reseller-relationship-accepted-by-customer",
    "invoice-ready",
    "test-created",
)


HINT_WINDOW = timedelta(minutes=1)


def _is_relationship_acceptance(event_name: str) -> bool:
    return event_name.lower().endswith("relationship-accepted-by-customer")


@dataclass(frozen=True)
class Received:
    event: WebhookEvent
    duplicate: bool


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


class EventService:
    def __init__(
        self,
        *,
        providers: ProviderRepository,
        customers: CustomerRepository,
        relationships: RelationshipService,
        subscriptions: SubscriptionService,
        publisher: MessagePublisher,
        verifier: Callable[[], WebhookVerifier],
        client_for: Callable[[Provider], PartnerCenterClient],
        public_base_url: str,
        received: ReceivedEvents,
        audit: AuditLog,
    ) -> None:
        self._received = received
        self._audit = audit
        self._providers = providers
        self._customers = customers
        self._relationships = relationships
        self._subscriptions = subscriptions
        self._publisher = publisher
        self._verifier = verifier
        self._client_for = client_for
        self._public_base_url = public_base_url.rstrip("/")

    def webhook_url(self, provider: Provider) -> str:
        return f"{self._public_base_url}{WEBHOOK_PATH}?provider={provider.id}"

    def receive(self, provider_id: str, raw_body: bytes, headers: dict[str, str]) -> Received:
        """Verifies the signature (raises InvalidSignature: 401), binds the event to the provider, then queues it
        once: an event received in the last week is answered again but not queued again."""
        event = self._verifier().verify(raw_body, headers)
        provider = self._providers.get(provider_id)
        if provider is None:
            raise NotFound(f"provider {provider_id} was not found")
        identity = event_identity(
            event.event_name, event.resource_uri, _str_or_none(event.raw.get("ResourceChangeUtcDate")), event.dedupe_key
        )
        try:
            self._check_bound(provider, event)
        except InvalidSignature as refused:
            self._audit_refusal(provider, event, identity, refused)
            raise
        claim = self._received.claim(provider.id, identity, event.event_name)
        if claim == "queued":
            log.info("event %s for provider %s was received before: not queued again", event.event_name, provider.id)
            return Received(event, duplicate=True)
        if claim == "busy":
            # Another delivery of the same event is queueing it right now: Partner Center retries this one, and
            # by then it is a replay (or, should that delivery have died, this one takes the claim over).
            raise ServiceUnavailable("the same event is being received right now; deliver it again shortly")
        message = QueueMessage(
            type=EVENT,
            entity_id=identity[:40],
            attempt=1,
            payload={
                "providerId": provider_id,
                "eventName": event.event_name,
                "resourceUri": event.resource_uri,
                "customerId": event.customer_id,
                "subscriptionId": event.subscription_id,
            },
        )
        self._publisher.send(QueueNames.PARTNER_CENTER_EVENTS, message)
        self._received.record(provider.id, identity, event.event_name)
        return Received(event, duplicate=False)

    def _check_bound(self, provider: Provider, event: WebhookEvent) -> None:
        """Microsoft signs every partner's events with one certificate, so the signature alone does not say whose
        event it is. An event about a customer of another provider is refused; one about a tenant this provider
        does not have is refused too, except a relationship acceptance (the customer may be one this provider
        invited by domain, whose tenant it learns from the check): that one is only a hint (see `handle`)."""
        tenant = event.customer_id
        if not tenant or self._customers.id_of_tenant(provider.id, tenant):
            return
        for other in self._providers.all():
            if other.id != provider.id and self._customers.id_of_tenant(other.id, tenant):
                raise InvalidSignature("wrong_provider", "the event is about a customer of another provider")
        if not _is_relationship_acceptance(event.event_name):
            raise InvalidSignature("unknown_customer", "the event is about a customer this provider does not have")

    def _audit_refusal(self, provider: Provider, event: WebhookEvent, identity: str, refused: InvalidSignature) -> None:
        """A genuinely signed event refused for its binding is worth a row in the provider's trail: it is someone
        replaying Microsoft's events at this provider's URL, or a customer moved between providers. (An event whose
        signature fails is only logged: anyone can post one, and a trail row each would let them fill it.) A replay
        of the same refused event is not written again within the week its record is kept."""
        log.warning("event %s refused for provider %s: %s", event.event_name, provider.id, refused)
        if not self._received.hint_due(provider.id, f"refused|{identity}", KEPT_FOR):
            return
        self._audit.record(
            actor="partner-center-webhook",
            action="webhook.refused",
            entity_type="webhookEvent",
            entity_id=identity,
            org=provider.org,
            before=None,
            after={"eventName": event.event_name, "resourceUri": event.resource_uri,
                   "customerTenantId": event.customer_id, "reason": refused.reason},
        )  # fmt: skip

    def handle(self, payload: dict[str, Any]) -> str:
        """Converges on Partner Center's current state; a replayed event changes nothing."""
        provider = self._providers.get(str(payload.get("providerId")))
        if provider is None:
            return "unknown provider"
        if provider.status is ProviderStatus.DISABLED:
            return "provider disabled"
        name = str(payload.get("eventName", "")).lower()
        if name == "subscription-updated" and payload.get("subscriptionId"):
            found = self._subscriptions.sync_subscription(
                provider, str(payload.get("customerId") or ""), str(payload["subscriptionId"])
            )
            if not found:
                return self._sync_customer_by_tenant(provider, str(payload.get("customerId") or ""))
            return "synced"
        if _is_relationship_acceptance(name):
            # A hint whose whole effect is a check of this provider's own invited customers in its own Partner
            # Center: one at most per HINT_WINDOW per provider, however many such events arrive.
            if not self._received.hint_due(provider.id, "relationship-acceptance", HINT_WINDOW):
                return "coalesced with a check run moments ago"
            checked = 0
            for customer in self._customers.iter(provider.id, status=RelationshipStatus.INVITED.value):
                self._relationships.request_customer_check_system(customer)
                checked += 1
            return f"checked {checked} invited customers"
        return "ignored"

    def _sync_customer_by_tenant(self, provider: Provider, tenant_id: str) -> str:
        for customer in self._customers.iter(provider.id, status=RelationshipStatus.ACTIVE.value):
            if (customer.tenant_id or "").lower() == tenant_id.lower():
                self._subscriptions.sync_customer(provider, customer.id)
                return "customer synced"
        return "unknown subscription"

    def ensure_registrations(self) -> dict[str, int]:
        """Registers the webhook with each enrolled provider's Partner Center (PUT when one exists)."""
        counts = {"registered": 0, "unchanged": 0, "failed": 0}
        for provider in self._providers.all():
            if provider.status is not ProviderStatus.ENROLLED:
                continue
            try:
                counts[self.ensure_registration(provider)] += 1
            except PartnerCenterError as error:
                counts["failed"] += 1
                log.warning("webhook registration of provider %s failed: %s", provider.id, error)
        return counts

    def ensure_registration(self, provider: Provider) -> str:
        client = self._client_for(provider)
        url = self.webhook_url(provider)
        current = client.get_webhook_registration()
        if current is not None and current.webhook_url == url and set(SUBSCRIBED_EVENTS) <= set(current.webhook_events):
            return "unchanged"
        client.register_webhook(url, SUBSCRIBED_EVENTS)
        return "registered"
