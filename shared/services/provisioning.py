"""Provisioning an accepted order in Partner Center exactly once
(docs/architecture.md#an-order-from-request-to-partner-center).

Every step records its progress before it calls Partner Center; after an unclear outcome (timeout,
5xx, lost answer) the next attempt reads Partner Center's state before trying again. Retries are
scheduled follow-up messages, so a throttled Partner Center never burns the queue's delivery count."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from shared.domain.notifications import order_failed
from shared.domain.orders import (
    TERMINAL,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    fail_pending_lines,
    settled_status,
)
from shared.domain.relationships import Provider
from shared.messaging import MessagePublisher, QueueMessage, QueueNames
from shared.partner_center import (
    CartAlreadySubmitted,
    CartLine,
    CheckoutResult,
    OrderInProgress,
    PartnerCenterError,
    Throttled,
    Unavailable,
)
from shared.partner_center.errors import AuthenticationFailed
from shared.services.notifications import publish_event
from shared.services.ports import Audit, Orders, Providers, ProvisioningPartnerCenter
from shared.storage.orders import outbox_row, with_provisioning

log = logging.getLogger(__name__)

PROVISION = "order.provision"
SYSTEM = "provisioning"


class ProvisioningAbandoned(Exception):
    """Raised for the message of an order given up on, so the queue dead-letters it (nothing is lost silently)."""


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=5)
    max_attempts: int = 10

    def delay_after(self, attempt: int) -> timedelta:
        return min(self.first_delay * (2 ** min(max(attempt - 1, 0), 20)), self.max_delay)


def _now() -> datetime:
    return datetime.now(UTC)


def provision_message(order: Order) -> QueueMessage:
    return QueueMessage(
        type=PROVISION,
        entity_id=order.id,
        attempt=order.provisioning.attempt,
        payload={"customerId": order.customer_id, "providerId": order.provider_id},
    )


def provision_outbox(order: Order) -> dict[str, Any]:
    return outbox_row(order, QueueNames.PROVISIONING, PROVISION, order.provisioning.attempt)


class ProvisioningService:
    def __init__(
        self,
        *,
        orders: Orders,
        providers: Providers,
        audit: Audit,
        publisher: MessagePublisher,
        client_for: Callable[[Provider], ProvisioningPartnerCenter],
        mirror_subscription: Callable[[Order, OrderLine, str], None],
        policy: RetryPolicy,
    ) -> None:
        self._orders = orders
        self._providers = providers
        self._audit = audit
        self._publisher = publisher
        self._client_for = client_for
        self._mirror = mirror_subscription
        self._policy = policy

    # Dispatch ------------------------------------------------------------------------------------------

    def dispatch_outbox(self) -> int:
        """Sends outbox rows left behind by a crash between an order's commit (or a retry's) and its message."""
        sent = 0
        now = _now()
        for row in self._orders.outbox():
            message = QueueMessage(
                type=row["type"], entity_id=row["entityId"], attempt=int(row["attempt"]), payload=_payload(row)
            )
            not_before = row.get("notBefore")
            delay = not_before - now if isinstance(not_before, datetime) and not_before > now else None
            self._publisher.send(row["queue"], message, delay=delay)
            self._orders.remove_outbox(row)
            sent += 1
        return sent

    def send_accepted(self, order: Order, outbox: dict[str, Any]) -> None:
        """Right after the commit: send the message and clear its outbox row (the sweep covers a crash here)."""
        try:
            self._publisher.send(QueueNames.PROVISIONING, provision_message(order))
        except Exception:  # noqa: BLE001 - the outbox row stays; the sweep sends it
            log.warning("could not send the provisioning message of order %s now; the outbox sweep will", order.id)
            return
        self._orders.remove_outbox(outbox)

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
        except PartnerCenterError as error:
            # Refused as a whole (e.g. the customer has not accepted the Microsoft Customer Agreement).
            return self._finish(replace(order, lines=fail_pending_lines(order, _reason(error))), _reason(error))

    def _advance(self, order: Order, client: ProvisioningPartnerCenter) -> Order:
        if order.status is OrderStatus.ACCEPTED:
            order = self._save(
                order,
                lambda o: (
                    replace(o, status=OrderStatus.PROVISIONING, updated_at=_now())
                    if o.status is OrderStatus.ACCEPTED
                    else None
                ),
            )
        p = order.provisioning
        if not p.checked_out:
            if p.cart_id is None:
                order = self._create_cart(order, client)
            order = self._checkout(order, client)
        return self._collect(order, client)

    def _create_cart(self, order: Order, client: ProvisioningPartnerCenter) -> Order:
        request_id = order.provisioning.cart_request_id or str(uuid.uuid4())
        order = self._save(order, lambda o: with_provisioning(o, cart_request_id=request_id))
        lines = [
            CartLine(
                catalog_item_id=line.offer_id,
                quantity=line.quantity,
                term_duration=line.term_duration,
                billing_cycle=line.billing_cycle,
                reseller_partner_id=order.reseller_partner_id,
                friendly_name=line.title,
            )
            for line in order.lines
            if line.status is LineStatus.PENDING
        ]
        cart = client.create_cart(order.customer_tenant_id, lines, request_id=request_id)
        return self._save(order, lambda o: with_provisioning(o, cart_id=cart.id, checkout_request_id=str(uuid.uuid4())))

    def _checkout(self, order: Order, client: ProvisioningPartnerCenter) -> Order:
        p = order.provisioning
        assert p.cart_id is not None
        try:
            result = client.checkout_cart(order.customer_tenant_id, p.cart_id, request_id=p.checkout_request_id)
        except CartAlreadySubmitted:
            # An earlier checkout went through but its answer was lost: find what it bought.
            result = self._recover_checkout(order, client)
        return self._save(order, lambda o: _apply_checkout(o, result))

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
                order = self._save(
                    order, partial(_fail_lines_of, pc_order_id=pc_order_id, reason="Partner Center cancelled the order")
                )
                continue
            if (pc_order.status or "").lower() != "completed":
                continue
            order = self._save(order, partial(_take_subscriptions, pc_order=pc_order))
        for line in order.lines:
            if line.status is LineStatus.PROVISIONED and line.subscription_id:
                self._mirror(order, line, line.subscription_id)
        if any(line.status is LineStatus.PENDING for line in order.lines):
            waiting = any(line.partner_center_order_id for line in order.lines if line.status is LineStatus.PENDING)
            if not waiting:  # a pending line with no Partner Center order: the checkout did not take it
                order = self._save(
                    order,
                    lambda o: replace(o, lines=fail_pending_lines(o, "Partner Center created no order for this line")),
                )
            else:
                return self._retry(order, "waiting for Partner Center to complete the order", None, counts=False)
        return self._finish(order, None)

    # Outcomes --------------------------------------------------------------------------------------------

    def _save(self, order: Order, change: Callable[[Order], Order | None]) -> Order:
        return self._orders.update(order, lambda current: _stamp(change(current)))

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
        outbox = {**outbox_row(order, QueueNames.PROVISIONING, PROVISION, attempt), "notBefore": now + delay}
        updated = self._orders.update(
            order,
            lambda o: _stamp(
                with_provisioning(o, attempt=attempt, next_at=now + delay, last_error=reason)
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
        failed = replace(order, lines=fail_pending_lines(order, reason))
        finished = self._finish(failed, reason, abandoned=True)
        raise ProvisioningAbandoned(f"order {finished.id}: {reason}")

    def _finish(self, order: Order, reason: str | None, *, abandoned: bool = False) -> Order:
        status = settled_status(order.lines) or OrderStatus.FAILED
        before_status = order.status

        def settle(current: Order) -> Order | None:
            if current.status in TERMINAL:
                return None
            lines = order.lines if settled_status(order.lines) else fail_pending_lines(current, reason or "failed")
            return with_provisioning(
                replace(
                    current,
                    lines=lines,
                    status=status,
                    failure_reason=reason if status is not OrderStatus.COMPLETED else None,
                ),
                last_error="abandoned" if abandoned else current.provisioning.last_error,
                next_at=None,
            )

        updated = self._save(order, settle)
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
            publish_event(self._publisher, order_failed(updated, _now()))  # failed or partly: staff must act
        return updated


def _stamp(order: Order | None) -> Order | None:
    return None if order is None else replace(order, updated_at=_now())


def _payload(row: dict[str, Any]) -> dict[str, Any]:
    import orjson

    return dict(orjson.loads(row.get("payload") or "{}"))


def _reason(error: PartnerCenterError) -> str:
    code = f" ({error.code})" if getattr(error, "code", None) else ""
    return f"Partner Center refused{code}: {error.description or error}"


def _org(order: Order) -> Any:
    from shared.domain.scope import OrgRef, OrgType

    return OrgRef(OrgType.CUSTOMER, order.customer_id, provider_id=order.provider_id, reseller_id=order.reseller_id)


def _apply_checkout(order: Order, result: CheckoutResult) -> Order:
    """Which of our lines each Partner Center order took, and which failed with what."""
    remaining = [line for line in order.lines if line.status is LineStatus.PENDING]
    updated: dict[int, OrderLine] = {}
    for pc_order in result.orders:
        for item in pc_order.line_items:
            match = next(
                (
                    line
                    for line in remaining
                    if line.offer_id.lower() == item.offer_id.lower() and line.quantity == item.quantity
                ),
                None,
            )
            if match is None:
                continue
            remaining.remove(match)
            updated[match.number] = replace(match, partner_center_order_id=pc_order.id)
    if result.order_errors:
        reasons = "; ".join(f"{e.code}: {e.description}" for e in result.order_errors)
        for line in remaining:
            updated[line.number] = replace(line, status=LineStatus.FAILED, error=f"Partner Center refused: {reasons}")
    lines = tuple(updated.get(line.number, line) for line in order.lines)
    ids = tuple(dict.fromkeys(o.id for o in result.orders))
    return with_provisioning(replace(order, lines=lines), checked_out=True, partner_center_order_ids=ids)


def _take_subscriptions(order: Order, pc_order: Any) -> Order:
    items = list(pc_order.line_items)
    lines = []
    for line in order.lines:
        if line.partner_center_order_id != pc_order.id or line.status is not LineStatus.PENDING:
            lines.append(line)
            continue
        item = next(
            (
                i
                for i in items
                if i.offer_id.lower() == line.offer_id.lower() and i.quantity == line.quantity and i.subscription_id
            ),
            None,
        )
        if item is None:
            lines.append(line)
            continue
        items.remove(item)
        lines.append(replace(line, status=LineStatus.PROVISIONED, subscription_id=item.subscription_id))
    return replace(order, lines=tuple(lines))


def _fail_lines_of(order: Order, pc_order_id: str, reason: str) -> Order:
    return replace(
        order,
        lines=tuple(
            replace(line, status=LineStatus.FAILED, error=reason)
            if line.partner_center_order_id == pc_order_id and line.status is LineStatus.PENDING
            else line
            for line in order.lines
        ),
    )
