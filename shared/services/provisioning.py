"""Provisioning an accepted order in Partner Center exactly once
(docs/architecture.md#an-order-from-request-to-partner-center).

Every step records its progress before it calls Partner Center; after an unclear outcome (timeout,
5xx, lost answer) the next attempt reads Partner Center's state before trying again. Retries are
scheduled follow-up messages, so a throttled Partner Center never burns the queue's delivery count."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from shared.domain.agreements import AGREEMENT_MISSING
from shared.domain.backoff import Backoff
from shared.domain.notifications import order_failed
from shared.domain.orders import TERMINAL, LineStatus, Order, OrderLine, OrderStatus, PartnerCenterOrder
from shared.domain.relationships import Provider
from shared.messaging import MessagePublisher, QueueNames
from shared.partner_center import (
    CartAlreadySubmitted,
    CartLine,
    CheckoutResult,
    OrderInProgress,
    PartnerCenterError,
    Throttled,
    Unavailable,
)
from shared.partner_center.errors import AuthenticationFailed, CustomerAgreementMissing
from shared.services.notifications import publish_event
from shared.services.ports import Audit, Orders, Providers, ProvisioningPartnerCenter
from shared.storage.orders import (  # PROVISION: the message type handlers.py registers
    PROVISION,  # noqa: F401
    outbox_message,
    provision_message,
    provision_outbox,
)

log = logging.getLogger(__name__)

SYSTEM = "provisioning"


class ProvisioningAbandoned(Exception):
    """Raised for the message of an order given up on, so the queue dead-letters it (nothing is lost silently)."""


@dataclass(frozen=True)
class RetryPolicy(Backoff):
    first_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=5)
    max_attempts: int = 10


def _now() -> datetime:
    return datetime.now(UTC)


class SubscriptionMirror(Protocol):
    """`SubscriptionService.mirror_from_order` (shared/services/subscriptions.py), wired in shared/bootstrap.py:
    called for each provisioned line, it reads the line's new subscription from Partner Center and writes it into
    the `subscriptions` table with the line's catalog item, claimed by the order (no "adopted" flag)."""

    def __call__(self, order: Order, line: OrderLine, subscription_id: str) -> None: ...


class ProvisioningService:
    def __init__(
        self,
        *,
        orders: Orders,
        providers: Providers,
        audit: Audit,
        publisher: MessagePublisher,
        client_for: Callable[[Provider], ProvisioningPartnerCenter],
        mirror_subscription: SubscriptionMirror,
        policy: RetryPolicy,
        on_agreement_missing: Callable[[str, str], object] | None = None,
    ) -> None:
        self._orders = orders
        self._providers = providers
        self._audit = audit
        self._publisher = publisher
        self._client_for = client_for
        self._mirror = mirror_subscription
        self._policy = policy
        # Called with (provider id, customer id) when a checkout meets 13605: the customer's agreement is re-read.
        self._on_agreement_missing = on_agreement_missing or (lambda provider_id, customer_id: None)

    # Dispatch ------------------------------------------------------------------------------------------

    def dispatch_outbox(self) -> int:
        """Sends outbox rows left behind by a crash between an order's commit (or a retry's) and its message."""
        sent = 0
        now = _now()
        for row in self._orders.outbox():
            message = outbox_message(row)
            not_before = row.get("notBefore")
            delay = not_before - now if isinstance(not_before, datetime) and not_before > now else None
            self._publisher.send(row["queue"], message, delay=delay)
            self._orders.remove_outbox(row)
            sent += 1
        return sent

    def resend_stalled(self, now: datetime | None = None) -> int:
        """An order in progress whose next step is long overdue lost its message: send it again (same id)."""
        now = now or _now()
        resent = 0
        for order in self._orders.in_progress():
            due = order.provisioning.next_at or order.updated_at
            if due + timedelta(minutes=5) < now:
                self._publisher.send(QueueNames.PROVISIONING, provision_message(order))
                resent += 1
        return resent

    # The state machine ------------------------------------------------------------------------------------

    def provision(self, customer_id: str, order_id: str, attempt: int) -> Order | None:
        order = self._orders.get(customer_id, order_id)
        if order is None or order.status is OrderStatus.PENDING_APPROVAL or order.status is OrderStatus.REJECTED:
            return order
        if order.status in TERMINAL:
            if order.provisioning.last_error == "abandoned" and attempt == order.provisioning.attempt:
                raise ProvisioningAbandoned(f"order {order.id} was given up on: {order.failure_reason}")
            return order
        if attempt != order.provisioning.attempt:
            return order  # superseded by a newer message
        provider = self._providers.get(order.provider_id)
        if provider is None:
            return self._give_up(order, "the provider no longer exists")
        client = self._client_for(provider)
        try:
            return self._advance(order, client)
        except (Throttled, Unavailable, OrderInProgress) as error:
            return self._retry(order, f"{type(error).__name__}: {error}", getattr(error, "retry_after", None))
        except AuthenticationFailed as error:
            return self._retry(order, f"Entra ID: {error}", None)
        except CustomerAgreementMissing as error:
            # Our record said accepted but Partner Center has no acceptance: the record is re-read, the order ends.
            self._on_agreement_missing(order.provider_id, order.customer_id)
            return self._finish(order, f"{AGREEMENT_MISSING} ({_reason(error)})")
        except PartnerCenterError as error:
            # Refused as a whole (e.g. the customer has no commerce relationship with the provider).
            return self._finish(order, _reason(error))

    def _advance(self, order: Order, client: ProvisioningPartnerCenter) -> Order:
        if order.status is OrderStatus.ACCEPTED:
            order = self._save(
                order, lambda o: o.provisioning_started(_now()) if o.status is OrderStatus.ACCEPTED else None
            )
        p = order.provisioning
        if not p.checked_out:
            if p.cart_id is None:
                order = self._create_cart(order, client)
            order = self._checkout(order, client)
        return self._collect(order, client)

    def _create_cart(self, order: Order, client: ProvisioningPartnerCenter) -> Order:
        request_id = order.provisioning.cart_request_id or str(uuid.uuid4())
        order = self._save(order, lambda o: o.cart_requested(request_id, _now()))
        lines = [
            CartLine(
                catalog_item_id=line.offer_id,
                quantity=line.quantity,
                term_duration=line.term_duration,
                billing_cycle=line.billing_cycle,
                reseller_partner_id=order.reseller_partner_id,
                friendly_name=line.title,
                promotion_id=line.promotion_id,
                custom_term_end_date=line.custom_term_end_date,
            )
            for line in order.lines
            if line.status is LineStatus.PENDING
        ]
        cart = client.create_cart(order.customer_tenant_id, lines, request_id=request_id)
        return self._save(order, lambda o: o.cart_created(cart.id, str(uuid.uuid4()), _now()))

    def _checkout(self, order: Order, client: ProvisioningPartnerCenter) -> Order:
        p = order.provisioning
        assert p.cart_id is not None
        try:
            result = client.checkout_cart(order.customer_tenant_id, p.cart_id, request_id=p.checkout_request_id)
        except CartAlreadySubmitted:
            # An earlier checkout went through but its answer was lost: find what it bought.
            result = self._recover_checkout(order, client)
        refusal = "; ".join(f"{e.code}: {e.description}" for e in result.order_errors)
        return self._save(
            order,
            lambda o: o.checked_out(result.orders, f"Partner Center refused: {refusal}" if refusal else None, _now()),
        )

    @staticmethod
    def _recover_checkout(order: Order, client: ProvisioningPartnerCenter) -> CheckoutResult:
        """The cart reads Ordered: the orders it made are those created since the cart with our lines."""
        p = order.provisioning
        cart = client.get_cart(order.customer_tenant_id, p.cart_id or "")
        if (cart.status or "").lower() != "ordered":
            raise Unavailable("the cart was refused as submitted but does not read Ordered yet")
        wanted = {(line.offer_id.lower(), line.quantity) for line in order.lines}
        found = tuple(
            candidate
            for candidate in client.list_orders(order.customer_tenant_id)
            if candidate.creation_date is None or candidate.creation_date >= order.created_at - timedelta(minutes=5)
            if any((item.offer_id.lower(), item.quantity) in wanted for item in candidate.line_items)
        )
        return CheckoutResult(orders=found, order_errors=())

    def _collect(self, order: Order, client: ProvisioningPartnerCenter) -> Order:
        """Partner Center completes orders asynchronously: read each until its lines carry subscriptions."""
        pending = {
            line.partner_center_order_id
            for line in order.lines
            if line.status is LineStatus.PENDING and line.partner_center_order_id
        }
        for pc_order_id in sorted(pending):
            pc_order = client.get_order(order.customer_tenant_id, pc_order_id)
            if (pc_order.status or "").lower() == "cancelled":
                order = self._save(order, _cancelled_in_partner_center(pc_order_id))
                continue
            if (pc_order.status or "").lower() != "completed":
                continue
            order = self._save(order, _completed_in_partner_center(pc_order))
        for line in order.lines:
            if line.status is LineStatus.PROVISIONED and line.subscription_id:
                self._mirror(order, line, line.subscription_id)  # SubscriptionService.mirror_from_order
        if any(line.status is LineStatus.PENDING for line in order.lines):
            waiting = any(line.partner_center_order_id for line in order.lines if line.status is LineStatus.PENDING)
            if not waiting:  # a pending line with no Partner Center order: the checkout did not take it
                order = self._save(
                    order, lambda o: o.lines_failed("Partner Center created no order for this line", _now())
                )
            else:
                return self._retry(order, "waiting for Partner Center to complete the order", None, counts=False)
        return self._finish(order, None)

    # Outcomes --------------------------------------------------------------------------------------------

    def _save(self, order: Order, change: Callable[[Order], Order | None]) -> Order:
        return self._orders.update(order, change)

    def _retry(self, order: Order, reason: str, retry_after: float | None, *, counts: bool = True) -> Order:
        attempt = order.provisioning.attempt + 1
        # Failures give up after max_attempts; waiting for Partner Center to complete an order may take longer.
        if attempt > self._policy.max_attempts * (1 if counts else 3):
            return self._give_up(order, f"gave up after {order.provisioning.attempt} attempts: {reason}")
        now = _now()
        delay = self._policy.delay_after(attempt)
        if retry_after:
            delay = max(delay, timedelta(seconds=float(retry_after)))
        # The next attempt and its message's outbox row are written together: killed before the send, the message
        # is not lost (the outbox dispatcher sends it, with what is left of its delay).
        outbox = provision_outbox(order.retry_scheduled(attempt, now + delay, reason, now), not_before=now + delay)
        updated = self._orders.update(
            order,
            lambda o: (
                o.retry_scheduled(attempt, now + delay, reason, _now())
                if o.provisioning.attempt == order.provisioning.attempt
                else None
            ),
            outbox=outbox,
        )
        if updated.provisioning.attempt == attempt:
            self._publisher.send(QueueNames.PROVISIONING, provision_message(updated), delay=delay)
            self._orders.remove_outbox(outbox)
        return updated

    def _give_up(self, order: Order, reason: str) -> Order:
        finished = self._finish(order, reason, abandoned=True)
        raise ProvisioningAbandoned(f"order {finished.id}: {reason}")

    def _finish(self, order: Order, reason: str | None, *, abandoned: bool = False) -> Order:
        """Settles the order from its lines; a line still pending fails with the reason."""
        before_status = order.status
        updated = self._save(
            order, lambda o: None if o.status in TERMINAL else o.settled(_now(), reason, abandoned=abandoned)
        )
        if updated.status in TERMINAL and before_status not in TERMINAL:
            self._audit.record(
                actor=SYSTEM,
                action=f"order.{updated.status.value}",
                entity_type="order",
                entity_id=order.id,
                org=_org(order),
                before={"status": before_status.value},
                after=updated,
            )
            event = order_failed(updated, _now())
            if event is not None:  # failed or partly: staff must act
                publish_event(self._publisher, event)
        return updated


def _reason(error: PartnerCenterError) -> str:
    code = f" ({error.code})" if getattr(error, "code", None) else ""
    return f"Partner Center refused{code}: {error.description or error}"


def _org(order: Order) -> Any:
    from shared.domain.scope import OrgRef, OrgType

    return OrgRef(OrgType.CUSTOMER, order.customer_id, provider_id=order.provider_id, reseller_id=order.reseller_id)


def _cancelled_in_partner_center(pc_order_id: str) -> Callable[[Order], Order]:
    return lambda o: o.lines_failed("Partner Center cancelled the order", _now(), partner_center_order_id=pc_order_id)


def _completed_in_partner_center(pc_order: PartnerCenterOrder) -> Callable[[Order], Order]:
    return lambda o: o.partner_order_completed(pc_order, _now())
