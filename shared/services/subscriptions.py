"""The subscription mirror and changes under new-commerce rules (docs/business.md#the-subscription-mirror).
Partner Center stays the source of truth: changes go through the queue, and every read converges."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.domain.backoff import Backoff
from shared.domain.catalog import CatalogItem, catalog_item_id_of_offer
from shared.domain.notifications import subscription_change_failed
from shared.domain.orders import Order, OrderLine, line_that_bought
from shared.domain.relationships import Provider, ProviderStatus, RelationshipStatus, is_purchase
from shared.domain.renewals import (
    EndOfTerm,
    ExtendedTerm,
    ScheduledChanges,
    WipeNotConfirmed,
    check_wipe,
    scheduled_refusal,
    scheduled_snapshot,
)
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
    check_end_of_term,
    check_quantity_change,
    check_status_change,
)
from shared.messaging import MessagePublisher, QueueMessage, QueueNames
from shared.partner_center import (
    NotFound as PartnerCenterNotFound,
)
from shared.partner_center import (
    PartnerCenterError,
    ScheduledNextTerm,
    Throttled,
    Transition,
    TransitionEligibility,
    Unavailable,
)
from shared.partner_center import Subscription as PartnerCenterSubscription
from shared.partner_center.errors import AuthenticationFailed
from shared.services.errors import (
    Conflict,
    FieldError,
    Invalid,
    NotFound,
    ScheduledChangesWouldBeWiped,
    require,
)
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
        upgraded_from: str | None = None,
        upgraded_to: str | None = None,
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
                is_trial=bool(getattr(pc, "is_trial", False)),
                scheduled=scheduled_of(getattr(pc, "scheduled_next_term", None)),
                cancel_at_end_of_term=bool(getattr(pc, "cancel_at_end_of_term", False)),
                extended_term=extended_of(getattr(pc, "extended_service_term", None)),
                upgraded_from=upgraded_from or (existing.upgraded_from if existing else None),
                upgraded_to=upgraded_to or (existing.upgraded_to if existing else None),
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
        end_of_term: str | None = None,
        confirm_wipe: bool = False,
        allow_decrease: bool = True,
        now: datetime | None = None,
    ) -> Subscription:
        """Refuses up front what new commerce does not allow (409 with the reason); otherwise records the
        change and queues it (202). `autoRenew: false` means cancel at the end of the term (never EST); EST only
        when `end_of_term` asks for it. A mid-term quantity change would clear the changes scheduled for the next
        term: it needs `confirm_wipe`."""
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
                _check_wipe(sub, confirm_wipe)
                kind, value = ChangeKind.QUANTITY, quantity
            elif status is not None:
                check_status_change(current=sub.status, requested=status)
                kind, value = ChangeKind.STATUS, status
            elif auto_renew is not None:
                if sub.status in (SubscriptionStatus.DELETED, SubscriptionStatus.EXPIRED):
                    raise ChangeRefused(f"a {sub.status} subscription cannot be changed")
                kind, value = ChangeKind.AUTO_RENEW, auto_renew
            elif end_of_term is not None:
                check_end_of_term(status=sub.status, is_trial=sub.is_trial, requested=end_of_term)
                kind, value = ChangeKind.END_OF_TERM, end_of_term
            else:
                raise ChangeRefused("nothing to change")
        except ChangeRefused as refused:
            raise Conflict(refused.reason) from refused
        if is_purchase(kind, value, sub.quantity) or (kind == ChangeKind.END_OF_TERM and value != "cancel"):
            self._refuse_offboarded(sub)  # an offboarded customer is wound down, not sold more
        return self._queue(principal, sub, kind, value, now)

    def _queue(
        self, principal: Principal, sub: Subscription, kind: ChangeKind, value: Any, now: datetime
    ) -> Subscription:
        """Records the change on the subscription (none may be pending), audits it and sends it to the queue."""
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

    def request_renewal(
        self,
        principal: Principal,
        subscription_id: str,
        *,
        clear: bool = False,
        quantity: int | None = None,
        catalog_item_id: str | None = None,
        term_duration: str | None = None,
        billing_cycle: str | None = None,
        custom_term_end_date: date | None = None,
        now: datetime | None = None,
    ) -> Subscription:
        """Schedules changes for the next term (or clears them, `clear`): queued, applied with auto-renew on. The
        target is the subscription's own offer (another quantity, term or cycle) or one of its `scheduled` transition
        eligibilities; a target that is not, a quantity outside the offer's limits or a bad date is 422 naming the
        field; a subscription that is not active, or has a change pending, is 409."""
        sub = self.get(principal, subscription_id)
        require(may_change_subscription(principal, _org(sub)))
        now = now or _now()
        if sub.change is not None and sub.change.status == ChangeStatus.PENDING:
            raise Conflict("a change to this subscription is still being applied; try again when it is done")
        if sub.status != SubscriptionStatus.ACTIVE:
            raise Conflict(f"a {sub.status} subscription's next term cannot be changed")
        if clear:
            return self._queue(principal, sub, ChangeKind.RENEWAL, None, now)
        target = self._renewal_target(sub, catalog_item_id, term_duration, billing_cycle)
        wanted = quantity if quantity is not None else sub.quantity
        eligible: frozenset[str] = frozenset()
        if target.offer_id.upper() != sub.offer_id.upper():
            eligible = frozenset(e.catalog_item_id for e in self.eligibilities(sub, "scheduled") if e.eligible)
        refusal = scheduled_refusal(quantity=wanted, minimum=target.min_quantity or 1, maximum=target.max_quantity,
                                    target_offer_id=target.offer_id, own_offer_id=sub.offer_id,
                                    eligible_offer_ids=eligible, custom_term_end_date=custom_term_end_date,
                                    term_end=sub.term_end_date)  # fmt: skip
        if refusal is not None:
            raise Invalid(refusal[1], [FieldError(*refusal)])
        self._refuse_offboarded(sub)
        value = {"offerId": target.offer_id, "quantity": wanted, "termDuration": target.term_duration,
                 "billingCycle": target.billing_cycle,
                 "customTermEndDate": custom_term_end_date.isoformat() if custom_term_end_date else None}  # fmt: skip
        return self._queue(principal, sub, ChangeKind.RENEWAL, value, now)

    def _renewal_target(
        self, sub: Subscription, catalog_item_id: str | None, term_duration: str | None, billing_cycle: str | None
    ) -> CatalogItem:
        """The catalog item of the customer's market the next term would be (422 when there is none)."""
        offer = sub.offer_id
        term, cycle = (term_duration or sub.term_duration).upper(), (billing_cycle or sub.billing_cycle).lower()
        field_name = "termDuration" if term_duration else "billingCycle" if billing_cycle else "catalogItemId"
        if catalog_item_id:
            parts = catalog_item_id.split(":")
            if len(parts) not in (3, 5):
                raise Invalid("not a catalog item id", [FieldError("catalogItemId", "is not a catalog item id")])
            offer = ":".join(parts[:3])
            if len(parts) == 5:
                term, cycle = (term_duration or parts[3]).upper(), (billing_cycle or parts[4]).lower()
            field_name = "catalogItemId"
        item = self.market_item(sub, f"{offer}:{term}:{cycle}")
        if item is None:
            message = "no item of the customer's market has this offer, term and billing cycle"
            raise Invalid(message, [FieldError(field_name, message)])
        return item

    def market_item(self, sub: Subscription, catalog_item_id: str) -> CatalogItem | None:
        """One item of the subscription's customer's market (None when the market or the item is unknown)."""
        if self._catalog is None:
            return None
        customer = self._customers.get(sub.provider_id, sub.customer_id)
        if customer is None or not customer.country:
            return None
        return self._catalog.get(sub.provider_id, customer.country, catalog_item_id)

    def eligibilities(self, sub: Subscription, eligibility_type: str) -> list[TransitionEligibility]:
        """What Partner Center says the subscription may move to (now: `immediate`; at renewal: `scheduled`)."""
        provider = self._providers.get(sub.provider_id)
        if provider is None:
            raise NotFound(f"subscription {sub.id} was not found")
        try:
            return self._client_for(provider).get_transition_eligibilities(
                sub.customer_tenant_id, sub.id, eligibility_type
            )
        except PartnerCenterError as error:
            raise ServiceUnavailable(f"Partner Center did not answer: {type(error).__name__}") from error

    def request_upgrade(
        self,
        principal: Principal,
        subscription_id: str,
        *,
        to_catalog_item_id: str,
        quantity: int,
        transition_type: str,
        confirm_wipe: bool = False,
        now: datetime | None = None,
    ) -> Subscription:
        """Moves seats to another offer now (an upgrade, or a trial converted to its paid offer), through the queue
        exactly once. Eligibility is read from Partner Center first: a target it refuses is 422 with its reasons.
        An upgrade clears the changes scheduled for the next term: it needs `confirm_wipe` then (409)."""
        sub = self.get(principal, subscription_id)
        require(may_change_subscription(principal, _org(sub)))
        now = now or _now()
        if sub.change is not None and sub.change.status == ChangeStatus.PENDING:
            raise Conflict("a change to this subscription is still being applied; try again when it is done")
        if sub.status != SubscriptionStatus.ACTIVE:
            raise Conflict(f"a {sub.status} subscription cannot be upgraded")
        _check_wipe(sub, confirm_wipe)
        if quantity < 1 or quantity > sub.quantity:
            message = f"between 1 and the subscription's {sub.quantity} seat(s)"
            raise Invalid(f"quantity: {message}", [FieldError("quantity", message)])
        parts = to_catalog_item_id.split(":")
        if len(parts) != 5:
            message = "is a catalog item id (product:sku:availability:term:cycle)"
            raise Invalid(f"toCatalogItemId {message}", [FieldError("toCatalogItemId", message)])
        offer = ":".join(parts[:3])
        found = [e for e in self.eligibilities(sub, "immediate") if e.catalog_item_id.upper() == offer.upper()]
        if not found or not found[0].eligible:
            reasons = "; ".join(f"{code}: {text}" for code, text in found[0].errors) if found else ""
            message = reasons or "the subscription cannot be upgraded to this item"
            raise Invalid(message, [FieldError("toCatalogItemId", message)])
        wire_type = "transition_only" if transition_type == "transitionOnly" else "transition_with_license_transfer"
        if wire_type not in found[0].transition_types and found[0].transition_types:
            message = f"Partner Center allows only {', '.join(found[0].transition_types)} for this item"
            raise Invalid(message, [FieldError("transitionType", message)])
        item = self.market_item(sub, to_catalog_item_id)
        if item is None:
            message = "no item of the customer's market has this offer, term and billing cycle"
            raise Invalid(message, [FieldError("toCatalogItemId", message)])
        self._refuse_offboarded(sub)
        value = {"toCatalogItemId": item.catalog_item_id, "toOfferId": item.offer_id, "quantity": quantity,
                 "transitionType": wire_type, "termDuration": item.term_duration, "billingCycle": item.billing_cycle,
                 "requestId": str(uuid.uuid4()), "progress": "requested", "transitionId": None,
                 "toSubscriptionId": None}  # fmt: skip
        return self._queue(principal, sub, ChangeKind.UPGRADE, value, now)

    def _apply_upgrade(
        self, client: SubscriptionPartnerCenter, sub: Subscription, change: PendingChange, current: Any
    ) -> Subscription:
        """The transition exactly once: progress ("posting") is recorded on the change before Partner Center is
        called; a retry after that reads the subscription's transitions first and, when none is there, posts again
        with the same MS-RequestId (Partner Center replays it). Then the new subscription is mirrored with
        `upgradedFrom` and the source with `upgradedTo`."""
        value = dict(change.value)
        transition: Transition | None = None
        if value.get("progress") == "posting":
            transition = next((t for t in client.list_transitions(sub.customer_tenant_id, sub.id)
                               if _is_ours(t, value, change.requested_at)), None)  # fmt: skip
        else:
            value["progress"] = "posting"
            change = replace(change, value=value)
            self._subscriptions.update(sub.customer_id, sub.id,
                                       lambda s: replace(s, change=change) if s.change and s.change.id == change.id
                                       else None)  # fmt: skip
        if transition is None:
            transition = client.create_transition(
                sub.customer_tenant_id, sub.id, to_catalog_item_id=value["toOfferId"], quantity=int(value["quantity"]),
                transition_type=value["transitionType"], term_duration=value["termDuration"],
                billing_cycle=value["billingCycle"], request_id=value["requestId"],
            )  # fmt: skip
        value.update(
            progress="transitioned", transitionId=transition.id, toSubscriptionId=transition.to_subscription_id
        )
        change = replace(change, value=value)
        if transition.to_subscription_id:
            target = client.get_subscription(sub.customer_tenant_id, transition.to_subscription_id)
            self.mirror(provider_id=sub.provider_id, reseller_id=sub.reseller_id, customer_id=sub.customer_id,
                        customer_tenant_id=sub.customer_tenant_id, pc=target, catalog_item_id=value["toCatalogItemId"],
                        claimed=True, upgraded_from=sub.id)  # fmt: skip
        source = client.get_subscription(sub.customer_tenant_id, sub.id)
        self._subscriptions.update(sub.customer_id, sub.id,
                                   lambda s: replace(s, change=change) if s.change and s.change.id == change.id
                                   else None)  # fmt: skip
        return self.mirror(provider_id=sub.provider_id, reseller_id=sub.reseller_id, customer_id=sub.customer_id,
                           customer_tenant_id=sub.customer_tenant_id, pc=source, applied=change,
                           upgraded_to=transition.to_subscription_id)  # fmt: skip

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
            elif change.kind == ChangeKind.AUTO_RENEW and change.value:
                pc = client.update_subscription(sub.customer_tenant_id, current, auto_renew=True,
                                                cancel_at_end_of_term=False)  # fmt: skip
            elif change.kind == ChangeKind.AUTO_RENEW:  # off: cancel at the end of the term, never EST
                pc = client.update_subscription(sub.customer_tenant_id, current, cancel_at_end_of_term=True)
            elif change.kind == ChangeKind.END_OF_TERM:
                fields = _end_of_term_fields(str(change.value))
                pc = client.update_subscription(sub.customer_tenant_id, current, auto_renew=fields["auto_renew"],
                                                cancel_at_end_of_term=fields["cancel_at_end_of_term"])  # fmt: skip
            elif change.kind == ChangeKind.RENEWAL:
                pc = client.update_subscription(sub.customer_tenant_id, current,
                                                scheduled_next_term=_next_term_of(change.value))  # fmt: skip
            elif change.kind == ChangeKind.UPGRADE:
                return self._apply_upgrade(client, sub, change, current)
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
        change_id = sub.change.id

        def next_attempt(s: Subscription) -> Subscription | None:
            # From the stored change: progress recorded during this attempt (an upgrade's) is kept.
            return (
                replace(s, change=replace(s.change, attempt=attempt)) if s.change and s.change.id == change_id else None
            )

        updated = self._subscriptions.update(sub.customer_id, sub.id, next_attempt)
        assert updated.change is not None
        self._send_change(updated, updated.change, delay)
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
        if change.value:
            return bool(pc.auto_renew_enabled) and not pc.cancel_at_end_of_term
        return not pc.auto_renew_enabled and bool(pc.cancel_at_end_of_term)
    if change.kind == ChangeKind.END_OF_TERM:
        wanted = _end_of_term_fields(str(change.value))
        return bool(pc.auto_renew_enabled) == wanted["auto_renew"] and bool(pc.cancel_at_end_of_term) == bool(
            wanted["cancel_at_end_of_term"]
        )
    if change.kind == ChangeKind.RENEWAL:
        if change.value is None:
            return pc.scheduled_next_term is None
        return scheduled_of(pc.scheduled_next_term) == _scheduled_value(change.value) and bool(pc.auto_renew_enabled)
    if change.kind == ChangeKind.UPGRADE:
        return False  # settled by _apply_upgrade from the transitions Partner Center lists
    if change.kind == ChangeKind.STATUS:
        return bool((pc.status or "").lower() == change.value)
    return (pc.status or "").lower() == SubscriptionStatus.DELETED


def _is_ours(transition: Transition, value: dict[str, Any], requested_at: datetime) -> bool:
    """The transition a lost answer left behind: to the same offer, with the same seats, made after the request."""
    made = _aware(transition.creation_date)
    return (
        transition.to_catalog_item_id.upper() == str(value["toOfferId"]).upper()
        and transition.quantity == int(value["quantity"])
        and (made is None or made >= requested_at - timedelta(minutes=5))
    )


def _check_wipe(sub: Subscription, confirmed: bool) -> None:
    try:
        check_wipe(sub.scheduled, confirmed=confirmed)
    except WipeNotConfirmed as wipe:
        raise ScheduledChangesWouldBeWiped(wipe.warning, scheduled_snapshot(wipe.scheduled)) from wipe


def _end_of_term_fields(end: str) -> dict[str, bool]:
    """The Partner Center fields an end of term sets: renew (auto-renew on), cancel (expires at the term end), EST
    (auto-renew off without cancel: the subscription rolls into Extended Service Term)."""
    if end == EndOfTerm.RENEW:
        return {"auto_renew": True, "cancel_at_end_of_term": False}
    if end == EndOfTerm.CANCEL:
        return {"auto_renew": False, "cancel_at_end_of_term": True}
    return {"auto_renew": False, "cancel_at_end_of_term": False}


def _scheduled_value(value: dict[str, Any]) -> ScheduledChanges:
    end = value.get("customTermEndDate")
    return ScheduledChanges(offer_id=value["offerId"], quantity=int(value["quantity"]),
                            term_duration=value["termDuration"], billing_cycle=value["billingCycle"],
                            custom_term_end_date=date.fromisoformat(end) if end else None)  # fmt: skip


def _next_term_of(value: dict[str, Any] | None) -> ScheduledNextTerm | None:
    if value is None:
        return None
    scheduled = _scheduled_value(value)
    return ScheduledNextTerm.of(scheduled.offer_id, quantity=scheduled.quantity,
                                term_duration=scheduled.term_duration, billing_cycle=scheduled.billing_cycle,
                                custom_term_end_date=scheduled.custom_term_end_date)  # fmt: skip


def scheduled_of(scheduled: Any) -> ScheduledChanges | None:
    """The client's ScheduledNextTerm as the mirror keeps it."""
    if scheduled is None:
        return None
    return ScheduledChanges(offer_id=scheduled.catalog_item_id, quantity=int(scheduled.quantity),
                            term_duration=(scheduled.term_duration or "").upper(),
                            billing_cycle=(scheduled.billing_cycle or "").lower(),
                            custom_term_end_date=scheduled.custom_term_end_date,
                            promotion_id=scheduled.promotion_id)  # fmt: skip


def extended_of(extended: Any) -> ExtendedTerm | None:
    if extended is None:
        return None
    return ExtendedTerm(start=_aware(extended.start) or extended.start, end=_aware(extended.end) or extended.end,
                        premium_rate=extended.premium_rate)  # fmt: skip


def _state(sub: Subscription) -> dict[str, Any]:
    return {
        "quantity": sub.quantity,
        "status": sub.status,
        "autoRenew": sub.auto_renew,
        "endOfTerm": sub.end_of_term.value,
        "scheduledChanges": scheduled_snapshot(sub.scheduled),
        "upgradedFrom": sub.upgraded_from,
        "upgradedTo": sub.upgraded_to,
        "partnerIdOnRecord": sub.partner_id,
        "catalogItemId": sub.catalog_item_id,
        "flag": sub.flag,
    }


def _same_state(a: Subscription, b: Subscription) -> bool:
    keys = ("quantity", "status", "auto_renew", "term_end_date", "cancellation_window_ends_at", "lots", "partner_id",
            "catalog_item_id", "flag", "is_trial", "scheduled", "cancel_at_end_of_term", "extended_term",
            "upgraded_from", "upgraded_to", "term_start_date", "term_duration", "billing_cycle",
            "offer_id")  # fmt: skip
    return all(getattr(a, k) == getattr(b, k) for k in keys)


def _org(sub: Subscription) -> OrgRef:
    return OrgRef(OrgType.CUSTOMER, sub.customer_id, provider_id=sub.provider_id, reseller_id=sub.reseller_id)


def _stalled(sub: Subscription, now: datetime) -> bool:
    return sub.change is not None and sub.change.requested_at + timedelta(minutes=10) < now
