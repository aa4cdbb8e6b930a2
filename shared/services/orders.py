"""Accepting orders: validated against the catalog and the customer, priced at every tier, and stored
together with the intent to provision them (docs/business.md#orders)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from shared.domain.agreements import order_refusal
from shared.domain.catalog import CatalogItem, ItemStatus
from shared.domain.coterm import addon_refusal, coterm_refusal, first_cycle_fraction
from shared.domain.markets import item_market_error
from shared.domain.money import TERM_MONTHS
from shared.domain.notifications import Event, order_pending_approval
from shared.domain.orders import LinePrices, Order, OrderLine, OrderStatus, lines_total, opening_status
from shared.domain.promotions import find_promotion, promotion_refusal
from shared.domain.relationships import (
    Customer,
    OffboardingRefused,
    Provider,
    RelationshipStatus,
    Reseller,
    check_buying,
    partner_of_record_refusal,
    selling_refusal,
)
from shared.domain.scope import OrgType, Principal, can_see, may_decide_order, may_place_staff_order
from shared.domain.subscriptions import Subscription
from shared.messaging import MessagePublisher, QueueNames
from shared.partner_center.errors import NotFound as PartnerCenterNotFound
from shared.services.agreements import AgreementMissing
from shared.services.errors import Conflict, FieldError, Invalid, NotFound, require
from shared.services.ports import (
    Audit,
    Catalog,
    CotermPartnerCenter,
    Customers,
    OrderLookup,
    Orders,
    PromotionCheck,
    PromotionEligibility,
    Providers,
    Resellers,
    Subscriptions,
    TierPricing,
)
from shared.services.pricing import CatalogViewer
from shared.storage.orders import outbox_message, provision_outbox

log = logging.getLogger(__name__)

MAX_LINES = 50


@dataclass(frozen=True)
class LineRequest:
    catalog_item_id: str
    quantity: int
    term_duration: str
    billing_cycle: str
    promotion_id: str | None = None
    coterminate_with: str | None = None  # our id of a subscription of the customer the line should end with


class OrderService:
    def __init__(
        self,
        *,
        orders: Orders,
        index: OrderLookup,
        providers: Providers,
        resellers: Resellers,
        customers: Customers,
        catalog: Catalog,
        pricing: TierPricing,
        audit: Audit,
        publisher: MessagePublisher,
        notify: Callable[[Event], object] = lambda event: None,
        eligibility: PromotionEligibility | None = None,
        subscriptions: Subscriptions | None = None,
        coterm_client_for: Callable[[Provider], CotermPartnerCenter] | None = None,
    ) -> None:
        self._orders = orders
        self._index = index
        self._providers = providers
        self._resellers = resellers
        self._customers = customers
        self._catalog = catalog
        self._pricing = pricing
        self._audit = audit
        self._publisher = publisher
        self._notify = notify  # outbound events (shared/services/notifications.py); never raises
        self._eligibility = eligibility  # Partner Center's promotion eligibility (None: promotions are refused)
        self._subscriptions = subscriptions  # the customer's subscriptions: add-on bases, co-terming targets
        self._coterm_client_for = coterm_client_for  # Partner Center's allowed custom term end dates

    # Placing -----------------------------------------------------------------------------------------------

    def _visible_customer(self, principal: Principal, customer_id: str) -> Customer:
        customer = self._customers.visible_to(principal, customer_id)
        if customer is None:
            raise NotFound(f"customer {customer_id} was not found")
        return customer

    def _orderable_customer(self, principal: Principal, customer_id: str) -> Customer:
        customer = self._visible_customer(principal, customer_id)
        provider = self._providers.get(customer.provider_id)
        if provider is None:
            raise NotFound(f"provider {customer.provider_id} was not found")
        refusal = selling_refusal(provider)
        if refusal:
            raise Conflict(refusal)
        if customer.status is not RelationshipStatus.ACTIVE or not customer.tenant_id:
            raise Conflict(f"customer {customer_id} is {customer.status.value}: orders need an active relationship")
        reseller = self._resellers.get(customer.provider_id, customer.reseller_id)
        if reseller is None or reseller.status is not RelationshipStatus.ACTIVE:
            raise Conflict("the customer's reseller relationship is not active: orders need an active relationship")
        _refuse_offboarded(customer, reseller)  # no new orders (docs/business.md#offboarding)
        _refuse_unverified_partner(reseller)  # docs/business.md#reseller-verification
        if order_refusal(customer.agreement):  # Partner Center would refuse the checkout (13605)
            raise AgreementMissing()
        return customer

    def _item(self, customer: Customer, catalog_item_id: str) -> tuple[CatalogItem | None, str | None]:
        """The item in the customer's own market, or why it cannot be sold to it (None, None: unknown item)."""
        items = self._catalog.find_everywhere(customer.provider_id, catalog_item_id)
        if not items:
            return None, None
        mine = [i for i in items if customer.country and i.country.upper() == customer.country.upper()]
        if not mine:
            return None, item_market_error(items[0].country, customer.country)
        active = [i for i in mine if i.status is ItemStatus.ACTIVE]
        return (active or mine)[0], None

    def price_lines(
        self,
        customer: Customer,
        lines: list[LineRequest],
        *,
        allowed_items: frozenset[str] | None = None,
        max_term_months: int | None = None,
    ) -> tuple[OrderLine, ...]:
        """Each line checked against the catalog (sellable, term and cycle offered, quantity within the SKU's
        limits) and priced at every tier; every problem is reported at once with its field."""
        if not lines:
            raise Invalid("an order needs at least one line", [FieldError("lines", "at least one line")])
        if len(lines) > MAX_LINES:
            raise Invalid(f"an order has at most {MAX_LINES} lines", [FieldError("lines", f"at most {MAX_LINES}")])
        errors: list[FieldError] = []
        priced: list[OrderLine] = []
        now = datetime.now(UTC)
        viewer = CatalogViewer(customer.provider_id, reseller_id=customer.reseller_id, customer_id=customer.id)
        held = _Lazy(lambda: self._held(customer))
        for number, line in enumerate(lines):
            field = f"lines.{number}"
            item, wrong_market = self._item(customer, line.catalog_item_id)
            if wrong_market is not None:
                errors.append(FieldError(f"{field}.catalogItemId", wrong_market))
                continue
            if item is None or (allowed_items is not None and line.catalog_item_id not in allowed_items):
                errors.append(FieldError(f"{field}.catalogItemId", "unknown catalog item"))
                continue
            if item.status is not ItemStatus.ACTIVE or not item.sellable:
                errors.append(FieldError(f"{field}.catalogItemId", "this item is not sellable"))
                continue
            if item.is_addon:
                others = [found.offer_id for i, other in enumerate(lines) if i != number
                          and (found := self._item(customer, other.catalog_item_id)[0]) is not None]  # fmt: skip
                refusal = addon_refusal(item.prerequisite_skus, [s.offer_id for s in held() if s.status == "active"],
                                        others, self._base_titles(customer, item))  # fmt: skip
                if refusal is not None:
                    errors.append(FieldError(f"{field}.catalogItemId", refusal))
                    continue
            coterm = self._coterm(customer, line, held, f"{field}.coterminateWith", errors)
            if line.term_duration.upper() != item.term_duration.upper():
                errors.append(FieldError(f"{field}.termDuration", f"this item is offered for {item.term_duration}"))
            elif max_term_months is not None and _months(item.term_duration) > max_term_months:
                errors.append(
                    FieldError(f"{field}.termDuration", f"terms longer than {max_term_months} months are not allowed")
                )
            if line.billing_cycle.lower() != item.billing_cycle.lower():
                errors.append(FieldError(f"{field}.billingCycle", f"this item is billed {item.billing_cycle}"))
            low, high = item.min_quantity or 1, item.max_quantity
            if line.quantity < low or (high is not None and line.quantity > high):
                errors.append(
                    FieldError(
                        f"{field}.quantity", f"must be between {low} and {high}" if high else f"must be at least {low}"
                    )
                )
            promotion_id = (line.promotion_id or "").strip() or None
            prices = self._pricing.tier_prices(viewer, item)
            if promotion_id is not None:
                promotion = find_promotion(self._catalog.promotions(customer.provider_id, item.country), promotion_id)
                refusal = promotion_refusal(promotion, item, line.quantity, country=customer.country, now=now)
                if refusal is not None or promotion is None:
                    errors.append(FieldError(f"{field}.promotionId", refusal or "unknown promotion"))
                else:
                    promotion_id = promotion.id
                    prices = self._pricing.promoted_tier_prices(viewer, item, promotion)
            if prices.customer.amount is None:
                errors.append(FieldError(f"{field}.catalogItemId", "this item has no price yet"))
            priced.append(
                OrderLine(
                    number=number,
                    catalog_item_id=item.catalog_item_id,
                    offer_id=item.offer_id,
                    title=item.title if item.title == item.sku_title else f"{item.title} ({item.sku_title})",
                    quantity=line.quantity,
                    term_duration=item.term_duration,
                    billing_cycle=item.billing_cycle,
                    promotion_id=promotion_id,
                    prices=LinePrices(
                        currency=item.currency,
                        provider_cost=prices.cost.amount,
                        reseller_price=prices.reseller.amount,
                        customer_price=prices.customer.amount,
                    ),
                    coterminate_with=coterm[0] if coterm else None,
                    custom_term_end_date=coterm[1] if coterm else None,
                    first_cycle_fraction=(
                        first_cycle_fraction(_today(), coterm[1], item.billing_cycle) if coterm else None
                    ),
                )
            )
        if not errors:
            errors = self._ineligible_promotions(customer, priced)
        if errors:
            raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
        return tuple(priced)

    def _ineligible_promotions(self, customer: Customer, lines: list[OrderLine]) -> list[FieldError]:
        """Partner Center's own eligibility check of the promoted lines, before the order is accepted (so before
        any cart): an ineligible line is refused with Microsoft's reason."""
        checks = [
            PromotionCheck(line.number, line.offer_id, line.quantity, line.term_duration, line.billing_cycle,
                           line.promotion_id)
            for line in lines if line.promotion_id
        ]  # fmt: skip
        if not checks:
            return []
        if self._eligibility is None or not customer.tenant_id:
            return [FieldError(f"lines.{c.line_number}.promotionId", "promotions cannot be checked") for c in checks]
        refusals = self._eligibility.refusals(customer.provider_id, customer.tenant_id, checks)
        return [FieldError(f"lines.{number}.promotionId", reason) for number, reason in sorted(refusals.items())]

    def _held(self, customer: Customer) -> list[Subscription]:
        """The customer's subscriptions (read only when a line needs them: an add-on or a co-terming line)."""
        if self._subscriptions is None:
            return []
        return list(self._subscriptions.for_customer(customer.id))

    def _base_titles(self, customer: Customer, item: CatalogItem) -> dict[str, str]:
        """How the catalog names each base SKU of an add-on ("product:sku" -> title), for the refusal."""
        titles: dict[str, str] = {}
        for sku in item.prerequisite_skus:
            product_id, _, sku_id = sku.partition(":")
            found = self._catalog.find_sku(customer.provider_id, customer.country or item.country, product_id, sku_id)
            if found is not None:
                titles[sku.upper()] = found.sku_title or found.title
        return titles

    def _coterm(
        self, customer: Customer, line: LineRequest, held: _Lazy, field: str, errors: list[FieldError]
    ) -> tuple[str, date] | None:
        """The subscription a line ends with and the end date Partner Center allows for it; a field error (and
        None) when it is not the customer's, not active, or no date aligns."""
        if not line.coterminate_with:
            return None
        wanted = line.coterminate_with.lower()
        target = next((s for s in held() if s.id.lower() == wanted), None)
        refusal = coterm_refusal(target.status if target else None, of_customer=target is not None)
        if refusal is not None or target is None:
            errors.append(FieldError(field, refusal or "not a subscription of this customer"))
            return None
        provider = self._providers.get(customer.provider_id)
        if provider is None or self._coterm_client_for is None:
            errors.append(FieldError(field, "co-terming is not available for this provider"))
            return None
        try:
            dates = self._coterm_client_for(provider).get_custom_term_end_dates(
                customer.tenant_id or "", line.term_duration.upper(), target_subscription_id=target.id
            )
        except PartnerCenterNotFound:
            errors.append(FieldError(field, "not a subscription of this customer"))
            return None
        if not dates:
            ends = target.term_end_date.date().isoformat() if target.term_end_date else "an unknown date"
            errors.append(FieldError(field, f"no end date aligns: the subscription ends {ends}, outside a "
                                            f"{line.term_duration.upper()} term bought today"))  # fmt: skip
            return None
        return target.id, dates[0].end_date

    def place(
        self,
        principal: Principal,
        customer_id: str,
        lines: list[LineRequest],
        *,
        source: str = "staff",
        approval_threshold: Decimal | None = None,
        allowed_items: frozenset[str] | None = None,
        max_term_months: int | None = None,
    ) -> Order:
        if source == "staff":
            require(may_place_staff_order(principal))
        customer = self._orderable_customer(principal, customer_id)
        reseller = self._resellers.get(customer.provider_id, customer.reseller_id)
        assert reseller is not None
        priced = self.price_lines(customer, lines, allowed_items=allowed_items, max_term_months=max_term_months)
        now = datetime.now(UTC)
        order = Order(
            id=f"ord-{uuid.uuid4().hex}",
            provider_id=customer.provider_id,
            reseller_id=customer.reseller_id,
            customer_id=customer.id,
            customer_tenant_id=customer.tenant_id or "",
            reseller_partner_id=reseller.partner_id,
            lines=priced,
            status=opening_status(lines_total(priced, "customer_price"), approval_threshold),
            source=source,
            created_by=principal.user_id,
            created_at=now,
            updated_at=now,
        )
        self._index.add(order)
        outbox = provision_outbox(order) if order.status is OrderStatus.ACCEPTED else None
        self._orders.add(order, outbox=outbox)
        self._audit.record(
            actor=principal,
            action=f"order.{order.status.value}",
            entity_type="order",
            entity_id=order.id,
            org=customer.org,
            before=None,
            after=order,
        )
        if outbox is not None:
            self._send_accepted(order, outbox)
        else:
            self._notify(order_pending_approval(order, now))
        return order

    # Reading -----------------------------------------------------------------------------------------------

    def get(self, principal: Principal, order_id: str) -> Order:
        customer_id = self._index.customer_of(order_id)
        order = self._orders.get(customer_id, order_id) if customer_id else None
        if order is None or not can_see(principal, _org(order)):
            raise NotFound(f"order {order_id} was not found")
        return order

    # Approval ----------------------------------------------------------------------------------------------

    def decide(self, principal: Principal, order_id: str, *, approve: bool, reason: str | None = None) -> Order:
        """A storefront order above its customer's threshold waits: approval starts provisioning."""
        order = self.get(principal, order_id)
        require(may_decide_order(principal, _org(order)))
        if order.status is not OrderStatus.PENDING_APPROVAL:
            raise Conflict(f"order {order_id} is {order.status.value}, not waiting for approval")
        now = datetime.now(UTC)
        before = order
        if approve:
            customer = self._visible_customer(principal, order.customer_id)
            reseller = self._resellers.get(customer.provider_id, customer.reseller_id)
            _refuse_offboarded(customer, reseller)
            if reseller is not None:
                _refuse_unverified_partner(reseller)
            approved = order.approved(principal.user_id, now)
            outbox = provision_outbox(approved)
            updated = self._orders.update(
                order, lambda o: approved if o.status is OrderStatus.PENDING_APPROVAL else None, outbox=outbox
            )
            if updated.status is not OrderStatus.ACCEPTED or updated.decided_by != principal.user_id:
                raise Conflict(f"order {order_id} was decided meanwhile")
            self._audit.record(
                actor=principal,
                action="order.approved",
                entity_type="order",
                entity_id=order.id,
                org=_org(order),
                before=before,
                after=updated,
            )
            self._send_accepted(updated, outbox)
            return updated
        rejected = order.rejected(principal.user_id, now, reason)
        updated = self._orders.update(order, lambda o: rejected if o.status is OrderStatus.PENDING_APPROVAL else None)
        if updated.status is not OrderStatus.REJECTED:
            raise Conflict(f"order {order_id} was decided meanwhile")
        self._audit.record(
            actor=principal,
            action="order.rejected",
            entity_type="order",
            entity_id=order.id,
            org=_org(order),
            before=before,
            after=updated,
        )
        return updated

    def _send_accepted(self, order: Order, outbox: dict[str, Any]) -> None:
        """Right after the commit: send the message and clear its outbox row (the sweep covers a crash here)."""
        try:
            self._publisher.send(QueueNames.PROVISIONING, outbox_message(outbox))
        except Exception:  # noqa: BLE001 - the outbox row stays; the sweep sends it
            log.warning("could not send the provisioning message of order %s now; the outbox sweep will", order.id)
            return
        self._orders.remove_outbox(outbox)


class PartnerCenterPromotionEligibility:
    """PromotionEligibility through the provider's Partner Center client (Verify promotion eligibility)."""

    def __init__(self, providers: Providers, client_for: Callable[[Any], Any]) -> None:
        self._providers = providers
        self._client_for = client_for

    def refusals(self, provider_id: str, customer_tenant_id: str, checks: list[PromotionCheck]) -> dict[int, str]:
        from shared.partner_center import PromotionEligibilityRequest
        from shared.partner_center.errors import PartnerCenterError

        provider = self._providers.get(provider_id)
        if provider is None:
            raise NotFound(f"provider {provider_id} was not found")
        requests = [
            PromotionEligibilityRequest(c.offer_id, c.quantity, c.term_duration, c.billing_cycle, c.promotion_id)
            for c in checks
        ]
        try:
            answers = self._client_for(provider).check_promotion_eligibility(customer_tenant_id, requests)
        except PartnerCenterError as error:
            # Nothing is bought on an unconfirmed promotion: the line is refused, the caller may retry or drop it.
            reason = f"Partner Center could not confirm the promotion now ({type(error).__name__}); try again"
            return {c.line_number: reason for c in checks}
        refusals: dict[int, str] = {}
        for index, check in enumerate(checks):
            mine = [a for a in answers if a.item_id == index and a.promotion_id.lower() == check.promotion_id.lower()]
            if not mine:
                refusals[check.line_number] = "Partner Center did not confirm the promotion for this line"
            elif not mine[0].is_eligible:
                refusals[check.line_number] = mine[0].reason
        return refusals


def _refuse_offboarded(customer: Customer, reseller: Any) -> None:
    """An offboarded customer, or one of an offboarded reseller, buys nothing new: 409 with the reason."""
    try:
        check_buying(customer, reseller)
    except OffboardingRefused as refused:
        raise Conflict(refused.reason) from refused


def _refuse_unverified_partner(reseller: Reseller) -> None:
    """A reseller Partner Center would refuse as partner of record (no Partner Agreement) gets no order: 409."""
    refusal = partner_of_record_refusal(reseller)
    if refusal:
        raise Conflict(refusal)


class _Lazy:
    """The customer's subscriptions, read once, on first need."""

    def __init__(self, read: Callable[[], list[Subscription]]) -> None:
        self._read = read
        self._value: list[Subscription] | None = None

    def __call__(self) -> list[Subscription]:
        if self._value is None:
            self._value = self._read()
        return self._value


def _today() -> date:
    return datetime.now(UTC).date()


def _months(term: str) -> int:
    return TERM_MONTHS.get(term.upper(), 0)


def _org(order: Order) -> Any:
    from shared.domain.scope import OrgRef

    return OrgRef(OrgType.CUSTOMER, order.customer_id, provider_id=order.provider_id, reseller_id=order.reseller_id)
