"""The subscription mirror and changes under new-commerce rules (docs/business.md#the-subscription-mirror).
Partner Center stays the source of truth: changes go through the queue, and every read converges."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.domain.backoff import Backoff
from shared.domain.catalog import catalog_item_id_of_offer
from shared.domain.notifications import subscription_change_failed
from shared.domain.orders import Order, OrderLine, line_that_bought
from shared.domain.relationships import Provider, ProviderStatus, RelationshipStatus, is_purchase
from shared.domain.scope import OrgRef, OrgType, Principal, can_see, may_change_subscription
from shared.domain.subscriptions import (
    ChangeKind,
    ChangeRefused,
    ChangeStatus,
    PendingChange,
    SeatLot,
    Subscription,
    SubscriptionStatus,
    check_cancellation,
    check_quantity_change,
    check_status_change,
)
from shared.messaging import MessagePublisher, QueueMessage, QueueNames
from shared.partner_center import (
    NotFound as PartnerCenterNotFound,
)
from shared.partner_center import (
    PartnerCenterError,
    Throttled,
    Unavailable,
)
from shared.partner_center import Subscription as PartnerCenterSubscription
from shared.partner_center.errors import AuthenticationFailed
from shared.services.errors import Conflict, NotFound, require
from shared.services.errors import Unavailable as ServiceUnavailable
from shared.services.notifications import publish_event
from shared.services.ports import Audit, Catalog, Customers, Orders, Providers, SubscriptionPartnerCenter, Subscriptions

log = logging.getLogger(__name__)

CHANGE = "subscription.change"
SYNC = "subscription.sync"
SYSTEM = "subscription-sync"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class SubscriptionService:
    def __init__(
        self,
        *,
        subscriptions: Subscriptions,
        customers: Customers,
        providers: Providers,
        audit: Audit,
        publisher: MessagePublisher,
        client_for: Callable[[Provider], SubscriptionPartnerCenter],
        orders: Orders | None = None,
        catalog: Catalog | None = None,
        retry_first_delay: timedelta = timedelta(seconds=2),
        retry_max_delay: timedelta = timedelta(minutes=5),
        max_attempts: int = 10,
    ) -> None:
        self._subscriptions = subscriptions
        self._customers = customers
        self._providers = providers
        self._audit = audit
        self._publisher = publisher
        self._client_for = client_for
        self._orders = orders
        self._catalog = catalog
        self._backoff = Backoff(retry_first_delay, retry_max_delay)
        self._max_attempts = max_attempts

    # Mirror ------------------------------------------------------------------------------------------------

    def mirror(
        self,
        *,
        provider_id: str,
        reseller_id: str,
        customer_id: str,
        customer_tenant_id: str,
        pc: Any,
        catalog_item_id: str | None = None,
        adopt: bool = False,
        claimed: bool = False,
        applied: PendingChange | None = None,
    ) -> Subscription:
        """Writes Partner Center's state of one subscription into the mirror, keeping a pending change until the
        state reflects it: `applied` is the change Partner Center has just accepted, and any pending change that
        the state already shows is done too; either is cleared in the same write (`pendingChange` turns null) and
        audited as `subscription.change.applied`.

        Whichever writer comes first (provisioning, an event, a sync), the subscription gets its catalog item: the
        caller's (the order line's), else the one already mirrored, else the line of our order that bought it,
        else the item of the customer's market that the offer, term and cycle name; a later writer never erases it.
        With `adopt`, one we have no record of and no order of ours bought is taken in flagged "adopted" and
        audited; `claimed` (provisioning) clears that flag, since an order did buy it. The write is conditional
        (insert-if-absent or If-Match), so concurrent writers never overwrite each other."""
        now = _now()
        lots = tuple(
            SeatLot(d.quantity, d.allowed_until if d.allowed_until.tzinfo else d.allowed_until.replace(tzinfo=UTC))
            for d in pc.refundable_details
            if d.allowed_until is not None
        )
        term_duration = pc.term_duration or ""
        billing_cycle = (pc.billing_cycle or "").lower()

        @functools.cache
        def origin() -> tuple[str | None, bool]:
            """(catalog item, bought by our order) for a subscription not yet mirrored: read once per call."""
            line = self._line_that_bought(customer_id, pc, term_duration, billing_cycle)
            if line is not None:
                return line.catalog_item_id, True
            return self._market_item(provider_id, customer_id, pc.offer_id, term_duration, billing_cycle), False

        def build(existing: Subscription | None) -> Subscription | None:
            item = catalog_item_id or (existing.catalog_item_id if existing else None)
            ours = claimed
            if item is None or (existing is None and adopt and not claimed):
                found_item, bought_by_us = origin()
                item = item or found_item
                ours = claimed or bought_by_us
            if existing is None:
                flag = "adopted" if adopt and not ours else None
            elif claimed and existing.flag == "adopted":
                flag = None
            else:
                flag = existing.flag
            mirrored = Subscription(
                id=pc.id,
                provider_id=provider_id,
                reseller_id=reseller_id,
                customer_id=customer_id,
                customer_tenant_id=customer_tenant_id,
                catalog_item_id=item,
                offer_id=pc.offer_id,
                name=pc.friendly_name or pc.offer_name or pc.offer_id,
                quantity=pc.quantity,
                status=(pc.status or "").lower(),
                auto_renew=bool(pc.auto_renew_enabled),
                term_duration=term_duration,
                billing_cycle=billing_cycle,
                term_start_date=_aware(pc.effective_start_date),
                term_end_date=_aware(pc.commitment_end_date),
                cancellation_window_ends_at=_aware(pc.cancellation_allowed_until),
                partner_id=pc.partner_id or "",
                order_id=pc.order_id,
                lots=lots,
                change=None if existing is None or _done(existing.change, pc, applied) else existing.change,
                updated_at=now,
                synced_at=now,
                flag=flag,
            )
            if existing is not None and _same_state(existing, mirrored):
                return replace(existing, synced_at=now, change=mirrored.change)
            return mirrored

        existing, mirrored = self._subscriptions.write(customer_id, pc.id, build)
        assert mirrored is not None
        pending = existing.change if existing is not None else None
        if pending is not None and pending.status == ChangeStatus.PENDING and mirrored.change is None:
            done = replace(pending, status=ChangeStatus.APPLIED, error=None)
            self._audit.record(
                actor=SYSTEM,
                action="subscription.change.applied",
                entity_type="subscription",
                entity_id=pc.id,
                org=_org(mirrored),
                before={"change": pending},
                after={**_state(mirrored), "change": done},
            )
        if existing is not None and _same_state(existing, mirrored):
            return mirrored
        if existing is None and mirrored.flag == "adopted":
            log.warning("adopted subscription %s of customer %s: Partner Center has it, we had no record", pc.id,
                        customer_id)  # fmt: skip
            self._audit.record(
                actor=SYSTEM,
                action="subscription.adopted",
                entity_type="subscription",
                entity_id=pc.id,
                org=_org(mirrored),
                before=None,
                after=_state(mirrored),
            )
        if existing is not None:
            self._audit.record(
                actor=SYSTEM,
                action="subscription.synced",
                entity_type="subscription",
                entity_id=pc.id,
                org=_org(mirrored),
                before=_state(existing),
                after=_state(mirrored),
            )
        return mirrored

    def _line_that_bought(self, customer_id: str, pc: Any, term_duration: str, billing_cycle: str) -> OrderLine | None:
        if self._orders is None:
            return None
        return line_that_bought(
            (line for order in self._orders.for_customer(customer_id) for line in order.lines),
            subscription_id=pc.id,
            partner_center_order_id=pc.order_id,
            offer_id=pc.offer_id or "",
            term_duration=term_duration,
            billing_cycle=billing_cycle,
        )

    def _market_item(
        self, provider_id: str, customer_id: str, offer_id: str, term_duration: str, billing_cycle: str
    ) -> str | None:
        """The catalog item of the customer's market that the offer, term and cycle name (None while the market
        is unknown or its catalog does not hold the item: a later writer resolves it then)."""
        if self._catalog is None:
            return None
        candidate = catalog_item_id_of_offer(offer_id, term_duration, billing_cycle)
        customer = self._customers.get(provider_id, customer_id)
        if candidate is None or customer is None or not customer.country:
            return None
        item = self._catalog.get(provider_id, customer.country, candidate)
        return item.catalog_item_id if item is not None else None

    def mirror_from_order(self, order: Order, line: OrderLine, subscription_id: str) -> None:
        """Provisioning calls this once a line's subscription exists in Partner Center. An event or a sync may
        have mirrored it first: the order's line still claims it (its catalog item, no "adopted" flag)."""
        provider = self._providers.get(order.provider_id)
        if provider is None:
            return
        existing = self._subscriptions.get(order.customer_id, subscription_id)
        if existing is not None and existing.catalog_item_id == line.catalog_item_id and existing.flag != "adopted":
            return
        pc = self._client_for(provider).get_subscription(order.customer_tenant_id, subscription_id)
        self.mirror(
            provider_id=order.provider_id,
            reseller_id=order.reseller_id,
            customer_id=order.customer_id,
            customer_tenant_id=order.customer_tenant_id,
            pc=pc,
            catalog_item_id=line.catalog_item_id,
            claimed=True,
        )

    def sync_customer(self, provider: Provider, customer_id: str) -> int:
        """Converges the mirror on every subscription Partner Center holds for the customer."""
        customer = self._customers.get(provider.id, customer_id)
        if customer is None or not customer.tenant_id:
            return 0
        count = 0
        for pc in self._client_for(provider).list_subscriptions(customer.tenant_id):
            self.mirror(
                provider_id=provider.id,
                reseller_id=customer.reseller_id,
                customer_id=customer.id,
                customer_tenant_id=customer.tenant_id,
                pc=pc,
                adopt=True,
            )
            count += 1
        return count

    def adopt_orphans(self, customer_ids: Iterable[tuple[str, str]]) -> int:
        """The sweep's quick look, for customers who ordered lately: what Partner Center holds that we do not
        (an order whose record was lost after checkout) is adopted within minutes, not at the next full sync. One
        that an order of ours bought (provisioning not done yet, or its mirror row lost) is mirrored under its
        order instead; the count is of those adopted."""
        adopted = 0
        for provider_id, customer_id in customer_ids:
            provider = self._providers.get(provider_id)
            customer = self._customers.get(provider_id, customer_id)
            if provider is None or customer is None or not customer.tenant_id:
                continue
            known = {s.id.lower() for s in self._subscriptions.for_customer(customer_id)}
            try:
                found = self._client_for(provider).list_subscriptions(customer.tenant_id)
            except PartnerCenterError as error:
                log.warning("looking for orphans of customer %s failed: %s", customer_id, error)
                continue
            for pc in found:
                if pc.id.lower() in known:
                    continue
                mirrored = self.mirror(provider_id=provider.id, reseller_id=customer.reseller_id,
                                       customer_id=customer.id, customer_tenant_id=customer.tenant_id, pc=pc,
                                       adopt=True)  # fmt: skip
                adopted += mirrored.flag == "adopted"  # one an order of ours bought is mirrored, not adopted
        return adopted

    def sync_subscription(self, provider: Provider, customer_tenant_id: str, subscription_id: str) -> bool:
        """An event said this subscription changed: read it and converge (a replayed event changes nothing)."""
        located = self._subscriptions.locate(subscription_id)
        if located is None:
            return False
        provider_id, customer_id = located
        if provider_id != provider.id:
            return False
        existing = self._subscriptions.get(customer_id, subscription_id)
        if existing is None:
            return False
        try:
            pc = self._client_for(provider).get_subscription(existing.customer_tenant_id, subscription_id)
        except PartnerCenterNotFound:
            return False
        self.mirror(
            provider_id=provider_id,
            reseller_id=existing.reseller_id,
            customer_id=customer_id,
            customer_tenant_id=existing.customer_tenant_id,
            pc=pc,
        )
        return True

    def sync_all(self) -> dict[str, int]:
        counts = {"customers": 0, "subscriptions": 0, "failed": 0}
        for provider in self._providers.all():
            if provider.status is ProviderStatus.DISABLED:
                continue
            for customer in self._customers.iter(provider.id, status=RelationshipStatus.ACTIVE.value):
                try:
                    counts["subscriptions"] += self.sync_customer(provider, customer.id)
                    counts["customers"] += 1
                except PartnerCenterError as error:
                    counts["failed"] += 1
                    log.warning("subscription sync of customer %s failed: %s", customer.id, error)
        return counts

    # Reading -----------------------------------------------------------------------------------------------

    def get(self, principal: Principal, subscription_id: str) -> Subscription:
        located = self._subscriptions.locate(subscription_id)
        sub = self._subscriptions.get(located[1], subscription_id) if located else None
        if sub is None or not can_see(principal, _org(sub)):
            raise NotFound(f"subscription {subscription_id} was not found")
        return sub

    # Changing ----------------------------------------------------------------------------------------------

    def request_change(
        self,
        principal: Principal,
        subscription_id: str,
        *,
        quantity: int | None = None,
        auto_renew: bool | None = None,
        status: str | None = None,
        cancel: bool = False,
        allow_decrease: bool = True,
        now: datetime | None = None,
    ) -> Subscription:
        """Refuses up front what new commerce does not allow (409 with the reason); otherwise records the
        change and queues it (202)."""
        sub = self.get(principal, subscription_id)
        require(may_change_subscription(principal, _org(sub)))
        now = now or _now()
        if sub.change is not None and sub.change.status == ChangeStatus.PENDING:
            raise Conflict("a change to this subscription is still being applied; try again when it is done")
        kind: ChangeKind
        value: bool | int | str
        try:
            if cancel:
                check_cancellation(
                    status=sub.status, cancellation_allowed_until=sub.cancellation_window_ends_at, now=now
                )
                kind, value = ChangeKind.CANCEL, True
            elif quantity is not None:
                if quantity < sub.quantity and not allow_decrease:
                    raise ChangeRefused("removing seats is not allowed for this customer")
                check_quantity_change(
                    current=sub.quantity, requested=quantity, lots=sub.lots, status=sub.status, now=now
                )
                kind, value = ChangeKind.QUANTITY, quantity
            elif status is not None:
                check_status_change(current=sub.status, requested=status)
                kind, value = ChangeKind.STATUS, status
            elif auto_renew is not None:
                if sub.status in (SubscriptionStatus.DELETED, SubscriptionStatus.EXPIRED):
                    raise ChangeRefused(f"a {sub.status} subscription cannot be changed")
                kind, value = ChangeKind.AUTO_RENEW, auto_renew
            else:
                raise ChangeRefused("nothing to change")
        except ChangeRefused as refused:
            raise Conflict(refused.reason) from refused
        if is_purchase(kind, value, sub.quantity):
            self._refuse_offboarded(sub)  # an offboarded customer is wound down, not sold more
        change = PendingChange(
            id=str(uuid.uuid4()), kind=kind, value=value, requested_by=principal.user_id, requested_at=now
        )
        before = _state(sub)
        updated = self._subscriptions.update(
            sub.customer_id,
            sub.id,
            lambda s: (
                None if s.change is not None and s.change.status == ChangeStatus.PENDING else replace(s, change=change)
            ),
        )
        if updated.change is None or updated.change.id != change.id:
            raise Conflict("a change to this subscription is still being applied; try again when it is done")
        self._audit.record(
            actor=principal,
            action=f"subscription.change.{kind}",
            entity_type="subscription",
            entity_id=sub.id,
            org=_org(sub),
            before=before,
            after={**_state(updated), "change": change},
        )
        self._send_change(updated, change)
        return updated

    def _refuse_offboarded(self, sub: Subscription) -> None:
        customer = self._customers.get(sub.provider_id, sub.customer_id)
        if customer is not None and customer.offboarded:
            raise Conflict(
                f"customer {customer.id} is offboarded: seats can be removed, subscriptions suspended or cancelled, "
                "and renewal switched off, but nothing more is bought"
            )

    def _send_change(self, sub: Subscription, change: PendingChange, delay: timedelta | None = None) -> None:
        message = QueueMessage(
            type=CHANGE,
            entity_id=sub.id,
            attempt=change.attempt,
            payload={"customerId": sub.customer_id, "changeId": change.id},
        )
        self._publisher.send(QueueNames.SUBSCRIPTION_CHANGES, message, delay=delay)

    def resend_stalled_changes(self, now: datetime | None = None) -> int:
        """A pending change whose message was lost is sent again (same id: duplicates are dropped)."""
        now = now or _now()
        resent = 0
        for sub in self._subscriptions.with_pending_changes():
            if sub.change is not None and _stalled(sub, now):
                self._send_change(sub, sub.change)
                resent += 1
        return resent

    def apply_change(self, customer_id: str, subscription_id: str, change_id: str, attempt: int) -> Subscription | None:
        """Applies a recorded change in Partner Center; a refusal marks it failed with Partner Center's reason."""
        sub = self._subscriptions.get(customer_id, subscription_id)
        if sub is None or sub.change is None or sub.change.id != change_id or sub.change.status != ChangeStatus.PENDING:
            return sub
        if attempt != sub.change.attempt:
            return sub
        provider = self._providers.get(sub.provider_id)
        if provider is None:
            return self._settle_change(sub, ChangeStatus.FAILED, "the provider no longer exists")
        client = self._client_for(provider)
        change = sub.change
        try:
            current = client.get_subscription(sub.customer_tenant_id, sub.id)
            if _already_applied(current, change):
                pc = current
            elif change.kind == ChangeKind.QUANTITY:
                pc = client.update_subscription(sub.customer_tenant_id, current, quantity=int(change.value))
            elif change.kind == ChangeKind.AUTO_RENEW:
                pc = client.update_subscription(sub.customer_tenant_id, current, auto_renew=bool(change.value))
            elif change.kind == ChangeKind.STATUS:
                pc = (
                    client.suspend_subscription(sub.customer_tenant_id, current)
                    if change.value == "suspended"
                    else client.reactivate_subscription(sub.customer_tenant_id, current)
                )
            else:
                pc = client.cancel_subscription(sub.customer_tenant_id, current)
        except (Throttled, Unavailable, AuthenticationFailed) as error:
            return self._retry_change(sub, error)
        except PartnerCenterError as error:  # a refusal (BusinessRuleViolation and the rest)
            # What we offered was wrong (e.g. seats no longer removable): the mirror is re-read, so it stops
            # offering what Partner Center will refuse again.
            refreshed = self._reread(client, sub) or sub
            return self._settle_change(
                refreshed, ChangeStatus.FAILED, f"Partner Center refused ({error.code}): {error.description}"
            )
        # Partner Center's answer into the mirror, and the change cleared in the same write.
        return self.mirror(
            provider_id=sub.provider_id,
            reseller_id=sub.reseller_id,
            customer_id=sub.customer_id,
            customer_tenant_id=sub.customer_tenant_id,
            pc=pc,
            applied=change,
        )

    def _reread(self, client: SubscriptionPartnerCenter, sub: Subscription) -> Subscription | None:
        """Partner Center's current state into the mirror (None when it could not be read just now)."""
        try:
            pc = client.get_subscription(sub.customer_tenant_id, sub.id)
        except PartnerCenterError as error:
            log.warning("re-reading subscription %s after a refusal failed: %s", sub.id, error)
            return None
        return self.mirror(provider_id=sub.provider_id, reseller_id=sub.reseller_id, customer_id=sub.customer_id,
                           customer_tenant_id=sub.customer_tenant_id, pc=pc)  # fmt: skip

    def resync(self, principal: Principal, subscription_id: str) -> Subscription:
        """On demand: the subscription read from Partner Center now (staff in scope; 503 when it does not answer)."""
        sub = self.get(principal, subscription_id)
        provider = self._providers.get(sub.provider_id)
        if provider is None:
            raise NotFound(f"subscription {subscription_id} was not found")
        try:
            pc = self._client_for(provider).get_subscription(sub.customer_tenant_id, sub.id)
        except PartnerCenterNotFound as error:
            raise Conflict(f"Partner Center no longer has subscription {subscription_id}") from error
        except PartnerCenterError as error:
            raise ServiceUnavailable(f"Partner Center did not answer: {type(error).__name__}") from error
        return self.mirror(provider_id=sub.provider_id, reseller_id=sub.reseller_id, customer_id=sub.customer_id,
                           customer_tenant_id=sub.customer_tenant_id, pc=pc)  # fmt: skip

    def resync_customer(self, provider: Provider, customer_id: str) -> int:
        """On demand: every subscription of the customer read from Partner Center now (new ones adopted)."""
        try:
            return self.sync_customer(provider, customer_id)
        except PartnerCenterError as error:
            raise ServiceUnavailable(f"Partner Center did not answer: {type(error).__name__}") from error

    def _retry_change(self, sub: Subscription, error: Exception) -> Subscription:
        assert sub.change is not None
        attempt = sub.change.attempt + 1
        if attempt > self._max_attempts:
            return self._settle_change(
                sub, ChangeStatus.FAILED, f"gave up after {sub.change.attempt} attempts: {error}"
            )
        delay = self._backoff.delay_after(attempt)
        retry_after = getattr(error, "retry_after", None)
        if retry_after:
            delay = max(delay, timedelta(seconds=float(retry_after)))
        change = replace(sub.change, attempt=attempt)
        updated = self._subscriptions.update(
            sub.customer_id,
            sub.id,
            lambda s: replace(s, change=change) if s.change and s.change.id == change.id else None,
        )
        self._send_change(updated, change, delay)
        return updated

    def _settle_change(self, sub: Subscription, status: ChangeStatus, error: str | None) -> Subscription:
        assert sub.change is not None
        done = replace(sub.change, status=status, error=error)
        updated = self._subscriptions.update(
            sub.customer_id, sub.id, lambda s: replace(s, change=done) if s.change and s.change.id == done.id else None
        )
        self._audit.record(
            actor=SYSTEM,
            action=f"subscription.change.{status}",
            entity_type="subscription",
            entity_id=sub.id,
            org=_org(sub),
            before={"change": sub.change},
            after={**_state(updated), "change": done},
        )
        if status == ChangeStatus.FAILED:
            publish_event(self._publisher, subscription_change_failed(updated, done, _now()))
        return updated


def _done(change: PendingChange | None, pc: PartnerCenterSubscription, applied: PendingChange | None) -> bool:
    """Whether the mirrored change is over once Partner Center's state is written: the one just applied, or a
    pending one that state already shows (a failed one stays, with its reason, until the next change)."""
    if change is None or change.status == ChangeStatus.FAILED:
        return False
    if change.status == ChangeStatus.APPLIED:  # written before applied changes were cleared
        return True
    if applied is not None and applied.id == change.id:
        return True
    return _already_applied(pc, change)


def _already_applied(pc: PartnerCenterSubscription, change: PendingChange) -> bool:
    """After a lost answer the change may already be in Partner Center: then it is not sent again."""
    if change.kind == ChangeKind.QUANTITY:
        return bool(pc.quantity == int(change.value))
    if change.kind == ChangeKind.AUTO_RENEW:
        return bool(pc.auto_renew_enabled) == bool(change.value)
    if change.kind == ChangeKind.STATUS:
        return bool((pc.status or "").lower() == change.value)
    return (pc.status or "").lower() == SubscriptionStatus.DELETED


def _state(sub: Subscription) -> dict[str, Any]:
    return {
        "quantity": sub.quantity,
        "status": sub.status,
        "autoRenew": sub.auto_renew,
        "partnerIdOnRecord": sub.partner_id,
        "catalogItemId": sub.catalog_item_id,
        "flag": sub.flag,
    }


def _same_state(a: Subscription, b: Subscription) -> bool:
    keys = ("quantity", "status", "auto_renew", "term_end_date", "cancellation_window_ends_at", "lots", "partner_id",
            "catalog_item_id", "flag")  # fmt: skip
    return all(getattr(a, k) == getattr(b, k) for k in keys)


def _org(sub: Subscription) -> OrgRef:
    return OrgRef(OrgType.CUSTOMER, sub.customer_id, provider_id=sub.provider_id, reseller_id=sub.reseller_id)


def _stalled(sub: Subscription, now: datetime) -> bool:
    return sub.change is not None and sub.change.requested_at + timedelta(minutes=10) < now
