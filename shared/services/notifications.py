"""Outbound events: endpoints registered by providers and resellers, events fanned out to them through the
`notifications` queue, deliveries signed, retried with back-off for a day, then dead-lettered (docs/architecture.md
#outbound-events).

What is at-least-once and what is best-effort: publishing an event is one queue send after the business state is
committed; if that send fails the event is logged and lost (the business operation never fails for it). Once the
event message is accepted, every matching endpoint gets it at least once: delivery rows are written before their
messages are queued, the sweep re-queues a delivery whose message was lost, and a receiver that answered 2xx but
whose answer was lost with the worker can see the same X-Delivery-Id twice."""

from __future__ import annotations

import logging
import secrets
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import certifi
import orjson
import urllib3

from shared.domain.notifications import (
    DELIVERY_ID_HEADER,
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    SUBSCRIBABLE,
    Attempt,
    DeliveryStatus,
    Endpoint,
    Event,
    EventType,
    WebhookDelivery,
    addresses_problem,
    billing_run_completed,
    delivery_id,
    event_document,
    event_from_document,
    expiring,
    next_attempt_at,
    owner_of,
    ping,
    receives,
    signature_header,
    subscription_expiring,
    url_problem,
)
from shared.domain.scope import Principal, may_manage_event_subscriptions, may_read_event_subscriptions
from shared.messaging import MessagePublisher, QueueMessage, QueueNames
from shared.services.errors import Conflict, FieldError, Invalid, NotFound, require
from shared.storage.audit import AuditLog
from shared.storage.audited import audited_update
from shared.storage.notifications import DeliveryRepository, EndpointRepository, Marks

log = logging.getLogger(__name__)

FAN_OUT = "notifications.event"
DELIVER = "notifications.deliver"
SYSTEM = "system:notifications"
SEND_TIMEOUT_SECONDS = 10.0
# A claimed attempt older than this was left by a worker that stopped: it may be attempted again.
CLAIM_STALE_AFTER = timedelta(minutes=2)
# How late a due attempt may be before the sweep re-queues it (its own message may just be on its way).
REQUEUE_GRACE = timedelta(minutes=2)
MAX_ENDPOINTS_PER_OWNER = 20
# Settled deliveries (delivered, or dead-lettered) are listed, with their attempts, this long; then removed.
DELIVERY_RETENTION = timedelta(days=30)

Resolve = Callable[[str, int], list[str]]
Post = Callable[..., Any]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address a host name resolves to (a literal address resolves to itself)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def pinned_post(url: str, address: str, *, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POSTs to `url` over a connection to `address`, the address just checked, so a host name pointed elsewhere
    between the check and the connection (DNS rebinding) is not followed; TLS still verifies the certificate for the
    URL's host name. No redirect is followed and nothing is retried here (the delivery's schedule retries)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    limit = urllib3.Timeout(connect=timeout, read=timeout)
    pool: urllib3.HTTPConnectionPool
    if secure:
        pool = urllib3.HTTPSConnectionPool(address, port, timeout=limit, retries=False, cert_reqs="CERT_REQUIRED",
                                           ca_certs=certifi.where(), server_hostname=host,
                                           assert_hostname=host)  # fmt: skip
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=limit, retries=False)
    try:
        response = pool.urlopen("POST", path, body=body, headers={**headers, "Host": parts.netloc},
                                redirect=False, retries=False, preload_content=False)  # fmt: skip
        try:
            return int(response.status)
        finally:
            response.release_conn()
    finally:
        pool.close()


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _secret_name(endpoint_id: str) -> str:
    return f"event-endpoint-{endpoint_id}"


def publish_event(publisher: MessagePublisher, event: Event | None) -> bool:
    """Queues an event for fan-out; never raises (a business operation must not fail because its event could not
    be published: it is logged instead)."""
    if event is None:
        return False
    try:
        message = QueueMessage(type=FAN_OUT, entity_id=event.id, payload=event_document(event))
        publisher.send(QueueNames.NOTIFICATIONS, message)
    except Exception:  # noqa: BLE001 - best effort by design (module docstring)
        log.exception("event %s (%s) could not be published", event.id, event.type.value)
        return False
    return True


def run_completed_event(run: Any) -> Event:
    """`billing.runCompleted` for a completed run of shared/storage/billing.py, with its discrepancy count."""
    return billing_run_completed(
        provider_id=run.provider_id, run_id=run.id, period=run.period, kind=run.kind, status=run.status,
        discrepancies=int(run.counts.get("discrepancies") or 0), costs=dict(run.costs),
        completed_at=run.completed_at or datetime.now(UTC),
    )  # fmt: skip


def _deliver_message(endpoint: Endpoint, delivery: WebhookDelivery) -> QueueMessage:
    return QueueMessage(type=DELIVER, entity_id=delivery.id, attempt=delivery.next_attempt_number,
                        payload={"endpointId": endpoint.id, "providerId": endpoint.provider_id,
                                 "resellerId": endpoint.reseller_id})  # fmt: skip


class NotificationService:
    def __init__(
        self,
        *,
        endpoints: EndpointRepository,
        deliveries: DeliveryRepository,
        marks: Marks,
        audit: AuditLog,
        publisher: MessagePublisher,
        secret_store: Any,
        allow_loopback: bool,
        own_base_urls: Iterable[str] = (),
        resolve: Resolve = resolve_host,
        post: Post = pinned_post,
        timeout_seconds: float = SEND_TIMEOUT_SECONDS,
    ) -> None:
        self._endpoints = endpoints
        self._deliveries = deliveries
        self._marks = marks
        self._audit = audit
        self._publisher = publisher
        self._secrets = secret_store
        self._allow_loopback = allow_loopback
        self._own = tuple(u for u in own_base_urls if u)
        self._resolve = resolve
        self._post = post
        self._timeout = timeout_seconds

    # Publishing -----------------------------------------------------------------------------------------------

    def publish(self, event: Event | None) -> bool:
        return publish_event(self._publisher, event)

    # Endpoints ------------------------------------------------------------------------------------------------

    def _owner(self, principal: Principal, *, manage: bool) -> tuple[str, str | None]:
        require(may_manage_event_subscriptions(principal) if manage else may_read_event_subscriptions(principal))
        owner = owner_of(principal.org)
        assert owner is not None  # the rules admit only the members of a provider or a reseller
        return owner

    def _own_endpoint(self, principal: Principal, endpoint_id: str, *, manage: bool) -> Endpoint:
        """The caller's organisation's endpoint: anyone else's (and anything for those who own none) is 404."""
        owner = owner_of(principal.org)
        endpoint = self._endpoints.get(owner[0], owner[1], endpoint_id) if owner else None
        if endpoint is None:
            raise NotFound(f"event subscription {endpoint_id} was not found")
        self._owner(principal, manage=manage)
        return endpoint

    def check_url(self, url: str, field: str = "url") -> None:
        """Invalid (422 at the field, with the reason) for a URL deliveries may not go to."""
        _, problem = self._checked_addresses(url)
        if problem:
            raise Invalid(f"{field} {problem}", [FieldError(field, problem)])

    def _checked_addresses(self, url: str) -> tuple[list[str], str | None]:
        """The addresses the URL's host resolves to now, and why a delivery may not go there (None: it may)."""
        problem = url_problem(url, allow_loopback=self._allow_loopback, own_base_urls=self._own)
        if problem:
            return [], problem
        parts = urlsplit(url)
        try:
            addresses = self._resolve(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
        except (OSError, UnicodeError):
            return [], "does not resolve (its host name is unknown)"
        return addresses, addresses_problem(addresses, allow_loopback=self._allow_loopback)

    @staticmethod
    def _events(names: Iterable[str]) -> frozenset[EventType]:
        chosen = list(names)
        known = {t.value: t for t in SUBSCRIBABLE}
        unknown = [n for n in chosen if n not in known]
        if not chosen or unknown:
            why = "name at least one event" if not chosen else f"unknown event(s): {', '.join(unknown)}"
            raise Invalid(why, [FieldError("events", f"{why}; one of {', '.join(known)}")])
        return frozenset(known[n] for n in chosen)

    def register(
        self, principal: Principal, *, url: str, events: Iterable[str], description: str | None,
        now: datetime | None = None,
    ) -> tuple[Endpoint, str]:  # fmt: skip
        """A new endpoint and its signing secret (returned this once, never again)."""
        provider_id, reseller_id = self._owner(principal, manage=True)
        chosen = self._events(events)
        self.check_url(url)
        existing, _ = self._endpoints.page(provider_id, reseller_id, limit=MAX_ENDPOINTS_PER_OWNER, position=None)
        if len(existing) >= MAX_ENDPOINTS_PER_OWNER:
            raise Conflict(f"an organisation has at most {MAX_ENDPOINTS_PER_OWNER} event subscriptions")
        moment = now or datetime.now(UTC)
        endpoint_id = f"es-{uuid.uuid4().hex}"
        secret = new_secret()
        self._secrets.set(_secret_name(endpoint_id), secret)
        endpoint = Endpoint(id=endpoint_id, provider_id=provider_id, reseller_id=reseller_id, url=url, events=chosen,
                            description=description or None, enabled=True, secret_ref=_secret_name(endpoint_id),
                            created_at=moment, created_by=principal.user_id, updated_at=moment)  # fmt: skip
        self._endpoints.add(endpoint)
        self._record(principal, "eventSubscription.created", endpoint, None, endpoint)
        return endpoint, secret

    def _record(self, actor: Principal | str, action: str, endpoint: Endpoint, before: Any, after: Any) -> None:
        """Audited with the endpoint's fields; the secret is never among them (only its reference)."""
        self._audit.record(actor=actor, action=action, entity_type="eventSubscription", entity_id=endpoint.id,
                           org=endpoint.owner, before=before, after=after)  # fmt: skip

    def get(self, principal: Principal, endpoint_id: str) -> Endpoint:
        return self._own_endpoint(principal, endpoint_id, manage=False)

    def page(
        self, principal: Principal, *, limit: int, position: dict[str, str] | None
    ) -> tuple[list[Endpoint], dict[str, str] | None]:
        provider_id, reseller_id = self._owner(principal, manage=False)
        return self._endpoints.page(provider_id, reseller_id, limit=limit, position=position)

    def change(
        self, principal: Principal, endpoint_id: str, *, url: str | None = None, events: Iterable[str] | None = None,
        enabled: bool | None = None, description: str | None = None, description_given: bool = False,
    ) -> Endpoint:  # fmt: skip
        endpoint = self._own_endpoint(principal, endpoint_id, manage=True)
        chosen = self._events(events) if events is not None else None
        if url is not None:
            self.check_url(url)
        now = datetime.now(UTC)

        def apply(current: Endpoint) -> Endpoint:
            return replace(current, url=url if url is not None else current.url,
                           events=chosen if chosen is not None else current.events,
                           enabled=enabled if enabled is not None else current.enabled,
                           description=(description or None) if description_given else current.description,
                           updated_at=now)  # fmt: skip

        updated = audited_update(
            self._audit,
            partial(self._endpoints.update, endpoint),
            apply,
            actor=principal,
            action="eventSubscription.changed",
            entity_type="eventSubscription",
            entity_id=endpoint.id,
            org=endpoint.owner,
        )
        if updated is None:
            raise NotFound(f"event subscription {endpoint_id} was not found")
        return updated

    def remove(self, principal: Principal, endpoint_id: str) -> None:
        """Deleted at once: its pending deliveries are dead-lettered at their next attempt."""
        endpoint = self._own_endpoint(principal, endpoint_id, manage=True)
        self._endpoints.delete(endpoint)
        self._record(principal, "eventSubscription.deleted", endpoint, endpoint, None)

    def rotate_secret(self, principal: Principal, endpoint_id: str) -> tuple[Endpoint, str]:
        """A new secret, in force from the next attempt on (returned this once)."""
        endpoint = self._own_endpoint(principal, endpoint_id, manage=True)
        secret = new_secret()
        self._secrets.set(endpoint.secret_ref, secret)
        now = datetime.now(UTC)
        updated = self._endpoints.update(endpoint, lambda e: replace(e, secret_rotated_at=now, updated_at=now))
        if updated is None:
            raise NotFound(f"event subscription {endpoint_id} was not found")
        before = {"secretRotatedAt": endpoint.secret_rotated_at}
        self._record(principal, "eventSubscription.secretRotated", updated, before, {"secretRotatedAt": now})
        return updated, secret

    def send_ping(self, principal: Principal, endpoint_id: str, now: datetime | None = None) -> WebhookDelivery:
        """A `ping` event delivered to this endpoint only."""
        endpoint = self._own_endpoint(principal, endpoint_id, manage=True)
        if not endpoint.enabled:
            raise Conflict("the endpoint is disabled: enable it to ping it")
        moment = now or datetime.now(UTC)
        event = ping(endpoint.id, endpoint.provider_id, endpoint.reseller_id, uuid.uuid4().hex, moment)
        delivery = self._start(endpoint, event, moment)
        self._record(principal, "eventSubscription.pinged", endpoint, None, {"deliveryId": delivery.id})
        return delivery

    # Deliveries -----------------------------------------------------------------------------------------------

    def deliveries(
        self, principal: Principal, endpoint_id: str, *, status: str | None, limit: int,
        position: dict[str, str] | None,
    ) -> tuple[list[WebhookDelivery], dict[str, str] | None]:  # fmt: skip
        endpoint = self._own_endpoint(principal, endpoint_id, manage=False)
        return self._deliveries.page(endpoint.id, status=status, limit=limit, position=position)

    def replay(
        self, principal: Principal, endpoint_id: str, delivery_id_: str, now: datetime | None = None
    ) -> WebhookDelivery:
        """A delivered or dead-lettered delivery is attempted again, as a new round of the same delivery (same
        X-Delivery-Id, retried again for a day if it fails); one already pending is 409, so two quick replays
        deliver once."""
        endpoint = self._own_endpoint(principal, endpoint_id, manage=True)
        if not endpoint.enabled:
            raise Conflict("the endpoint is disabled: enable it to replay its deliveries")
        moment = now or datetime.now(UTC)

        def restart(current: WebhookDelivery) -> WebhookDelivery | None:
            if current.status is DeliveryStatus.PENDING:
                return None
            return replace(current, status=DeliveryStatus.PENDING, round=current.round + 1, round_started_at=None,
                           next_attempt_at=moment, claimed_attempt=None, claimed_at=None)  # fmt: skip

        delivery, written = self._deliveries.update(endpoint.id, delivery_id_, restart)
        if delivery is None:
            raise NotFound(f"delivery {delivery_id_} was not found")
        if not written:
            raise Conflict(f"delivery {delivery_id_} is still being delivered")
        self._deliveries.mark_due(delivery, endpoint.provider_id, endpoint.reseller_id)
        self._send(endpoint, delivery)
        self._record(principal, "eventSubscription.deliveryReplayed", endpoint, None,
                     {"deliveryId": delivery.id, "round": delivery.round})  # fmt: skip
        return delivery

    def _send(self, endpoint: Endpoint, delivery: WebhookDelivery, delay: timedelta | None = None) -> None:
        self._publisher.send(QueueNames.NOTIFICATIONS, _deliver_message(endpoint, delivery), delay=delay)

    def _start(self, endpoint: Endpoint, event: Event, now: datetime) -> WebhookDelivery:
        """The delivery of an event to an endpoint, written (once) before its message is queued."""
        fresh = WebhookDelivery(id=delivery_id(event.id, endpoint.id), endpoint_id=endpoint.id, event=event,
                                status=DeliveryStatus.PENDING, created_at=now, next_attempt_at=now)  # fmt: skip
        if self._deliveries.create(fresh, endpoint.provider_id, endpoint.reseller_id):
            self._send(endpoint, fresh)
            return fresh
        existing = self._deliveries.get(endpoint.id, fresh.id) or fresh
        if existing.status is DeliveryStatus.PENDING:
            self._send(endpoint, existing)  # a fan-out cut short before queueing: its attempt checks catch repeats
        else:
            self._deliveries.clear_due(existing.id)
        return existing

    def fan_out(self, event: Event, now: datetime | None = None) -> list[WebhookDelivery]:
        """Every endpoint the event reaches: its provider's, and its reseller's when it is a reseller's event."""
        moment = now or datetime.now(UTC)
        candidates = self._endpoints.of_owner(event.provider_id, None)
        if event.reseller_id:
            candidates += self._endpoints.of_owner(event.provider_id, event.reseller_id)
        return [self._start(e, event, moment) for e in candidates if receives(e, event)]

    def handle_fan_out(self, payload: dict[str, Any]) -> list[WebhookDelivery]:
        return self.fan_out(event_from_document(payload))

    def attempt(
        self, provider_id: str, reseller_id: str | None, endpoint_id: str, delivery_id_: str, number: int,
        now: datetime | None = None,
    ) -> WebhookDelivery | None:  # fmt: skip
        """Attempt `number` of a delivery; a stale or repeated message (that attempt made, or another worker making
        it right now, or the delivery settled) does nothing."""
        moment = now or datetime.now(UTC)

        def claim(current: WebhookDelivery) -> WebhookDelivery | None:
            if current.status is not DeliveryStatus.PENDING or current.next_attempt_number != number:
                return None
            if (
                current.claimed_attempt == number
                and current.claimed_at
                and current.claimed_at > moment - CLAIM_STALE_AFTER
            ):
                return None
            return replace(current, claimed_attempt=number, claimed_at=moment,
                           round_started_at=current.round_started_at or moment)  # fmt: skip

        delivery, claimed = self._deliveries.update(endpoint_id, delivery_id_, claim)
        if delivery is None or not claimed:
            return delivery
        endpoint = self._endpoints.get(provider_id, reseller_id, endpoint_id)
        started = time.monotonic()
        status_code: int | None
        error: str | None
        if endpoint is None:
            status_code, error = None, "the endpoint was deleted"
        elif not endpoint.enabled:
            status_code, error = None, "the endpoint is disabled"
        else:
            status_code, error = self._post_once(endpoint, delivery, number, moment)
        elapsed = int((time.monotonic() - started) * 1000)
        made = Attempt(number=number, at=moment, status_code=status_code, error=error, duration_ms=elapsed,
                       round=delivery.round)  # fmt: skip
        give_up_now = endpoint is None or not endpoint.enabled

        def record(current: WebhookDelivery) -> WebhookDelivery | None:
            if current.claimed_attempt != number or current.next_attempt_number != number:
                return None
            attempts = (*current.attempts, made)
            if made.succeeded:
                return replace(current, attempts=attempts, status=DeliveryStatus.DELIVERED, next_attempt_at=None)
            after = replace(current, attempts=attempts)
            following = None if give_up_now else next_attempt_at(
                current.round_started_at or moment, after.failed_in_round(), moment
            )  # fmt: skip
            if following is None:
                return replace(after, status=DeliveryStatus.FAILED, next_attempt_at=None)
            return replace(after, next_attempt_at=following)

        updated, written = self._deliveries.update(endpoint_id, delivery_id_, record)
        if updated is None or not written:
            return updated
        if updated.status is DeliveryStatus.PENDING and endpoint is not None:
            self._deliveries.mark_due(updated, provider_id, reseller_id)
            wait = (updated.next_attempt_at or moment) - moment
            self._send(endpoint, updated, delay=wait if wait > timedelta(0) else None)
        else:
            self._deliveries.clear_due(updated.id)
        return updated

    def _post_once(
        self, endpoint: Endpoint, delivery: WebhookDelivery, number: int, now: datetime
    ) -> tuple[int | None, str | None]:
        """One signed POST: no redirect followed, the address checked again now (a host may have been pointed at
        an internal address since it was registered)."""
        addresses, problem = self._checked_addresses(endpoint.url)
        if problem or not addresses:
            return None, f"refused: the URL {problem or 'does not resolve'}"
        try:
            secret = self._secrets.get(endpoint.secret_ref)
        except Exception as error:  # noqa: BLE001 - recorded on the attempt and retried
            return None, f"the signing secret could not be read: {type(error).__name__}"
        body = orjson.dumps(event_document(delivery.event))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "csp-platform-events/1",
            SIGNATURE_HEADER: signature_header(secret, int(now.timestamp()), body),
            EVENT_TYPE_HEADER: delivery.event.type.value,
            EVENT_ID_HEADER: delivery.event.id,
            DELIVERY_ID_HEADER: delivery.id,
            "X-Delivery-Attempt": str(number),
        }
        try:
            code = self._post(endpoint.url, addresses[0], body=body, headers=headers, timeout=self._timeout)
        except urllib3.exceptions.TimeoutError:
            return None, f"no answer within {self._timeout:g} s"
        except urllib3.exceptions.HTTPError as error:
            return None, f"{type(error).__name__}: {str(error)[:200]}"
        if 300 <= code < 400:
            return code, "redirects are not followed"
        return code, None if 200 <= code < 300 else f"answered {code}"

    def handle_deliver(self, message: QueueMessage) -> WebhookDelivery | None:
        payload = message.payload
        return self.attempt(str(payload["providerId"]), payload.get("resellerId") or None,
                            str(payload["endpointId"]), message.entity_id, message.attempt)  # fmt: skip

    # The sweep ------------------------------------------------------------------------------------------------

    def due(self, now: datetime) -> list[tuple[str, str | None, str, str, int]]:
        """(provider, reseller, endpoint, delivery, attempt number) of every pending delivery due by `now`."""
        found = []
        for row in self._deliveries.due(now + timedelta(seconds=1)):  # the table compares moments coarsely
            delivery = self._deliveries.get(row["endpointId"], row["RowKey"])
            if delivery is None or delivery.status is not DeliveryStatus.PENDING:
                self._deliveries.clear_due(row["RowKey"])
                continue
            if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
                continue
            found.append(
                (
                    row["providerId"],
                    row.get("resellerId") or None,
                    delivery.endpoint_id,
                    delivery.id,
                    delivery.next_attempt_number,
                )
            )
        return found

    def purge_settled(self, now: datetime | None = None) -> int:
        """Deliveries delivered or dead-lettered more than DELIVERY_RETENTION ago are removed (the purge timer)."""
        return self._deliveries.purge_settled_before((now or datetime.now(UTC)) - DELIVERY_RETENTION)

    def requeue_due(self, now: datetime | None = None) -> int:
        """Deliveries whose next attempt is overdue (their message lost) are queued again."""
        moment = now or datetime.now(UTC)
        count = 0
        for provider_id, reseller_id, endpoint_id, delivery_id_, number in self.due(moment - REQUEUE_GRACE):
            message = QueueMessage(type=DELIVER, entity_id=delivery_id_, attempt=number,
                                   payload={"endpointId": endpoint_id, "providerId": provider_id,
                                            "resellerId": reseller_id})  # fmt: skip
            self._publisher.send(QueueNames.NOTIFICATIONS, message)
            count += 1
        return count

    def announce_expiring(self, providers: Iterable[str], subscriptions_of: Callable[[str], Iterable[Any]],
                          now: datetime | None = None) -> int:  # fmt: skip
        """`subscription.expiring` once per subscription and term end, for terms ending within 7 days that will
        not renew."""
        moment = now or datetime.now(UTC)
        count = 0
        for provider_id in providers:
            for sub in subscriptions_of(provider_id):
                if not expiring(sub, moment):
                    continue
                key = f"{sub.id}|{sub.term_end_date.date().isoformat()}"
                if not self._marks.first("expiring", key, moment):
                    continue
                if self.publish(subscription_expiring(sub, moment)):
                    count += 1
                else:
                    self._marks.forget("expiring", key)  # the next sweep tries again
        return count
