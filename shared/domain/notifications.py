"""Outbound events and the webhook endpoints that receive them (docs/architecture.md#outbound-events). Pure: which
events exist, which endpoint an event reaches, how a delivery is signed and verified, when it is retried and when it
is given up, and which URLs an endpoint may have."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from shared.domain.money import format_decimal
from shared.domain.orders import Order, OrderStatus
from shared.domain.scope import OrgRef, OrgType
from shared.domain.subscriptions import PendingChange, Subscription


class EventType(StrEnum):
    ORDER_PENDING_APPROVAL = "order.pendingApproval"
    ORDER_FAILED = "order.failed"  # failed, or only partly provisioned
    SUBSCRIPTION_CHANGE_FAILED = "subscription.changeFailed"
    RELATIONSHIP_ENDED = "relationship.ended"
    BILLING_RUN_COMPLETED = "billing.runCompleted"
    SUBSCRIPTION_EXPIRING = "subscription.expiring"
    PING = "ping"  # sent to one endpoint on request, never subscribed to


# The events an endpoint subscribes to (ping is always delivered to the endpoint it was asked for).
SUBSCRIBABLE: tuple[EventType, ...] = tuple(t for t in EventType if t is not EventType.PING)
# A subscription whose term ends this soon without renewing is announced (once per term end).
EXPIRY_NOTICE = timedelta(days=7)


@dataclass(frozen=True)
class Event:
    """Something staff must act on, in the scope of one provider (and one reseller, and one customer, when it is
    theirs). The id is derived from what happened, so the same happening published twice is one event."""

    id: str
    type: EventType
    occurred_at: datetime
    provider_id: str
    reseller_id: str | None
    customer_id: str | None
    data: Mapping[str, Any] = field(default_factory=dict)


def event_id(event_type: EventType, *parts: str) -> str:
    """The same happening always gets the same id."""
    digest = hashlib.sha256("\x00".join([event_type.value, *parts]).encode()).hexdigest()
    return f"evt-{digest[:32]}"


def event_document(event: Event) -> dict[str, Any]:
    """The body a receiver gets, as a JSON object."""
    return {
        "id": event.id,
        "type": event.type.value,
        "occurredAt": event.occurred_at.isoformat(),
        "providerId": event.provider_id,
        "resellerId": event.reseller_id,
        "customerId": event.customer_id,
        "data": dict(event.data),
    }


def event_from_document(document: Mapping[str, Any]) -> Event:
    return Event(
        id=str(document["id"]),
        type=EventType(document["type"]),
        occurred_at=datetime.fromisoformat(str(document["occurredAt"])),
        provider_id=str(document["providerId"]),
        reseller_id=document.get("resellerId") or None,
        customer_id=document.get("customerId") or None,
        data=dict(document.get("data") or {}),
    )


# The events ---------------------------------------------------------------------------------------------------------


def _order_data(order: Order) -> dict[str, Any]:
    total = order.total("customer_price")
    currencies = sorted({line.prices.currency for line in order.lines})
    return {
        "orderId": order.id,
        "status": order.status.value,
        "source": order.source,
        "customerPriceTotal": None if total is None else format_decimal(total),
        "currency": currencies[0] if len(currencies) == 1 else None,
    }


def order_pending_approval(order: Order, now: datetime) -> Event:
    return Event(event_id(EventType.ORDER_PENDING_APPROVAL, order.id), EventType.ORDER_PENDING_APPROVAL, now,
                 order.provider_id, order.reseller_id, order.customer_id, _order_data(order))  # fmt: skip


def order_failed(order: Order, now: datetime) -> Event | None:
    """An order that settled failed or partly completed; None for any other state."""
    if order.status not in (OrderStatus.FAILED, OrderStatus.PARTIALLY_COMPLETED):
        return None
    data = {**_order_data(order), "failureReason": order.failure_reason,
            "failedLines": sum(1 for line in order.lines if line.status.value == "failed")}  # fmt: skip
    return Event(event_id(EventType.ORDER_FAILED, order.id), EventType.ORDER_FAILED, now, order.provider_id,
                 order.reseller_id, order.customer_id, data)  # fmt: skip


def subscription_change_failed(sub: Subscription, change: PendingChange, now: datetime) -> Event:
    data = {"subscriptionId": sub.id, "name": sub.name, "changeId": change.id, "kind": change.kind,
            "value": change.value, "error": change.error}  # fmt: skip
    return Event(event_id(EventType.SUBSCRIPTION_CHANGE_FAILED, sub.id, change.id),
                 EventType.SUBSCRIPTION_CHANGE_FAILED, now, sub.provider_id, sub.reseller_id, sub.customer_id,
                 data)  # fmt: skip


def relationship_ended(org: OrgRef, name: str, ended_at: datetime) -> Event:
    """A reseller's or a customer's relationship with the provider ended in Partner Center."""
    provider_id = org.provider_id or org.org_id
    reseller_id = org.org_id if org.org_type is OrgType.RESELLER else org.reseller_id
    customer_id = org.org_id if org.org_type is OrgType.CUSTOMER else None
    data = {"orgType": org.org_type.value, "orgId": org.org_id, "name": name, "endedAt": ended_at.isoformat()}
    return Event(event_id(EventType.RELATIONSHIP_ENDED, org.key, ended_at.isoformat()), EventType.RELATIONSHIP_ENDED,
                 ended_at, provider_id, reseller_id, customer_id, data)  # fmt: skip


def billing_run_completed(
    *, provider_id: str, run_id: str, period: str, kind: str, status: str, discrepancies: int,
    costs: Mapping[str, str], completed_at: datetime,
) -> Event:  # fmt: skip
    """A provider's billing run finished: its discrepancy count says whether someone must look."""
    data = {"runId": run_id, "period": period, "kind": kind, "status": status, "discrepancyCount": discrepancies,
            "costs": dict(costs)}  # fmt: skip
    return Event(event_id(EventType.BILLING_RUN_COMPLETED, run_id), EventType.BILLING_RUN_COMPLETED, completed_at,
                 provider_id, None, None, data)  # fmt: skip


def expiring(sub: Subscription, now: datetime) -> bool:
    """Active, not renewing, and its term ends within EXPIRY_NOTICE."""
    end = sub.term_end_date
    if end is None or sub.auto_renew or sub.status != "active":
        return False
    return now <= end <= now + EXPIRY_NOTICE


def subscription_expiring(sub: Subscription, now: datetime) -> Event:
    assert sub.term_end_date is not None
    data = {"subscriptionId": sub.id, "name": sub.name, "quantity": sub.quantity,
            "termEndDate": sub.term_end_date.isoformat(), "autoRenew": sub.auto_renew}  # fmt: skip
    return Event(event_id(EventType.SUBSCRIPTION_EXPIRING, sub.id, sub.term_end_date.date().isoformat()),
                 EventType.SUBSCRIPTION_EXPIRING, now, sub.provider_id, sub.reseller_id, sub.customer_id,
                 data)  # fmt: skip


def ping(endpoint_id: str, provider_id: str, reseller_id: str | None, nonce: str, now: datetime) -> Event:
    return Event(event_id(EventType.PING, endpoint_id, nonce), EventType.PING, now, provider_id, reseller_id, None,
                 {"endpointId": endpoint_id})  # fmt: skip


# Endpoints and who receives what -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """Where a provider or a reseller receives events: its URL, the events it asked for, and the reference of its
    signing secret (the secret itself lives in the secret store)."""

    id: str
    provider_id: str
    reseller_id: str | None  # None: the provider's own endpoint
    url: str
    events: frozenset[EventType]
    description: str | None
    enabled: bool
    secret_ref: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    secret_rotated_at: datetime | None = None

    @property
    def owner(self) -> OrgRef:
        if self.reseller_id is None:
            return OrgRef(OrgType.PROVIDER, self.provider_id)
        return OrgRef(OrgType.RESELLER, self.reseller_id, provider_id=self.provider_id)


def owner_of(org: OrgRef) -> tuple[str, str | None] | None:
    """(provider id, reseller id) of an organisation that may own endpoints; None for customers and the operator."""
    if org.org_type is OrgType.PROVIDER:
        return org.org_id, None
    if org.org_type is OrgType.RESELLER and org.provider_id:
        return org.provider_id, org.org_id
    return None


def in_scope(provider_id: str, reseller_id: str | None, event: Event) -> bool:
    """A provider's endpoint sees every event of its provider; a reseller's only those of its own reseller; nobody
    another provider's."""
    if event.provider_id != provider_id:
        return False
    return reseller_id is None or event.reseller_id == reseller_id


def receives(endpoint: Endpoint, event: Event) -> bool:
    """Whether an event is fanned out to this endpoint (a ping is addressed to one endpoint, never fanned out)."""
    return (
        endpoint.enabled
        and event.type is not EventType.PING
        and event.type in endpoint.events
        and in_scope(endpoint.provider_id, endpoint.reseller_id, event)
    )


def delivery_id(event_id_: str, endpoint_id: str) -> str:
    """One delivery per event and endpoint: an event fanned out twice is delivered once."""
    return "dl-" + hashlib.sha256(f"{event_id_}\x00{endpoint_id}".encode()).hexdigest()[:32]


# Signatures --------------------------------------------------------------------------------------------------------

SIGNATURE_HEADER = "X-Signature"
EVENT_TYPE_HEADER = "X-Event-Type"
EVENT_ID_HEADER = "X-Event-Id"
DELIVERY_ID_HEADER = "X-Delivery-Id"
SIGNATURE_TOLERANCE = timedelta(seconds=300)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 with the endpoint's secret over `<timestamp>.<raw body>`."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix seconds>,v1=<hex signature>`: the timestamp is signed with the body, so a captured delivery cannot
    be replayed later."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify_signature(
    secret: str, header: str, body: bytes, now: float, tolerance: timedelta = SIGNATURE_TOLERANCE
) -> bool:
    """What a receiver does (README.md#receiving-events): the header's timestamp is recent and one of its v1
    signatures is the HMAC of `<t>.<body>`, compared in constant time."""
    parts = [part.strip().split("=", 1) for part in header.split(",")]
    values = [(kv[0], kv[1]) for kv in parts if len(kv) == 2]
    timestamps = [v for k, v in values if k == "t"]
    if len(timestamps) != 1 or not timestamps[0].isdigit():
        return False
    timestamp = int(timestamps[0])
    if abs(now - timestamp) > tolerance.total_seconds():
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, v) for k, v in values if k == "v1")


# Retries -----------------------------------------------------------------------------------------------------------

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)  # then every 6 hours
GIVE_UP_AFTER = timedelta(hours=24)


def retry_delay(failed_attempts: int) -> timedelta:
    """The wait after the n-th failed attempt (1-based) of a delivery."""
    return RETRY_DELAYS[min(max(failed_attempts, 1), len(RETRY_DELAYS)) - 1]


def next_attempt_at(first_attempt_at: datetime, failed_attempts: int, now: datetime) -> datetime | None:
    """When to try again after a failure, or None to give up: the last try is a day after the first, then the
    delivery is dead-lettered."""
    deadline = first_attempt_at + GIVE_UP_AFTER
    if now >= deadline:
        return None
    return min(now + retry_delay(failed_attempts), deadline)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # dead-lettered: retried for a day without a 2xx


@dataclass(frozen=True)
class Attempt:
    number: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    round: int = 0  # 0: the first delivery, n: the n-th replay

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class WebhookDelivery:
    """One event for one endpoint and every attempt at it; a replay starts a new round of attempts."""

    id: str
    endpoint_id: str
    event: Event
    status: DeliveryStatus
    created_at: datetime
    attempts: tuple[Attempt, ...] = ()
    next_attempt_at: datetime | None = None
    round: int = 0
    round_started_at: datetime | None = None
    claimed_attempt: int | None = None
    claimed_at: datetime | None = None

    @property
    def next_attempt_number(self) -> int:
        return len(self.attempts) + 1

    def failed_in_round(self) -> int:
        return sum(1 for a in self.attempts if a.round == self.round and not a.succeeded)


# URLs --------------------------------------------------------------------------------------------------------------

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _is_loopback_host(host: str) -> bool:
    address = _literal_address(host)
    return host.lower() in LOOPBACK_NAMES if address is None else address.is_loopback


def _port(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


def url_problem(url: str, *, allow_loopback: bool, own_base_urls: Iterable[str] = ()) -> str | None:
    """What is wrong with an endpoint URL before its host is resolved: https only (http only to a loopback host,
    and only where loopback is allowed: the local stack), no credentials, not the platform's own host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL"
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        return "must be an absolute https URL"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials (the signature authenticates deliveries)"
    if parts.fragment:
        return "must not have a fragment"
    if parts.scheme == "http" and not (allow_loopback and _is_loopback_host(host)):
        return "must be https"
    for own in own_base_urls:
        mine = urlsplit(own)
        if mine.hostname and mine.hostname.lower() == host.lower():
            # A loopback host is shared by the local stack's services: there the port tells them apart.
            same_port = _port(mine.scheme, mine.port) == _port(parts.scheme, port)
            if same_port or not _is_loopback_host(host):
                return "must not be the platform's own host"
    return None


def address_problem(address: str, *, allow_loopback: bool) -> str | None:
    """Why an address the host resolves to may not be called (None: a public address): never private, loopback
    (unless allowed), link-local, multicast, reserved or unspecified; nothing that is not globally routable."""
    ip = _literal_address(address.split("%", 1)[0])
    if ip is None:
        return "is not an address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if allow_loopback else "resolves to a loopback address"
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        (not ip.is_global, "an address that is not public"),
    )
    for refused, what in checks:
        if refused:
            return f"resolves to {what} ({ip})"
    return None


def addresses_problem(addresses: Iterable[str], *, allow_loopback: bool) -> str | None:
    """Every address a host resolves to must be allowed: one private address among public ones is refused."""
    found = list(addresses)
    if not found:
        return "does not resolve"
    for address in found:
        problem = address_problem(address, allow_loopback=allow_loopback)
        if problem:
            return problem
    return None
