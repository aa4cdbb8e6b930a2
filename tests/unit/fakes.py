"""In-memory fakes of the ports in shared/services/ports.py, so use cases are unit-tested in milliseconds.

Each fake implements only what its protocol says, dict-backed, and keeps the behaviour the services rely on:
read-modify-writes that re-read when someone wrote in between (a version per record, the ETag's stand-in),
ResourceNotFoundError for an update of nothing, AlreadyExists for a second partner ID or domain, and a Partner
Center whose answers and failures a test scripts. The real adapters are proven against Azurite and the sandbox in
tests/integration."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

import orjson
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

from shared.domain.audit import AuditEntry
from shared.domain.catalog import CatalogItem
from shared.domain.orders import Order, OrderStatus
from shared.domain.pricing import Basis, Price, Tier
from shared.domain.relationships import Customer, Provider, Reseller
from shared.domain.scope import OrgRef, OrgType, Principal, can_see
from shared.domain.subscriptions import Subscription
from shared.partner_center import (
    AgreementContact,
    AgreementStatus,
    AgreementTemplate,
    BillingProfile,
    Cart,
    CartAlreadySubmitted,
    CartLine,
    CartLineItem,
    CheckoutResult,
    MpnProfile,
    OrderError,
    OrderLineItem,
    PartnerRelationship,
    StaleEtag,
)
from shared.partner_center import Customer as PartnerCenterCustomer
from shared.partner_center import CustomerAgreement as PartnerCenterAgreement
from shared.partner_center import NotFound as PartnerCenterNotFound
from shared.partner_center import Order as PartnerCenterOrder
from shared.partner_center import Subscription as PartnerCenterSubscription
from shared.partner_center.models import (
    UNSET,
    CustomTermEndDate,
    RefundableQuantity,
    Transition,
    TransitionEligibility,
    Unset,
)
from shared.secrets.port import SecretNotFound
from shared.services.pricing import CatalogViewer, TierPrices
from shared.storage.relationships import AlreadyExists
from shared.storage.snapshot import snapshot

ATTEMPTS = 10  # as the repositories: a record that keeps changing under a writer is given up on after this many


class _Versioned:
    """Records under a key with a version each; `write` re-reads while someone else wrote in between."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], tuple[Any, int]] = {}

    def _change(self, key: tuple[str, str], change: Callable[[Any], Any | None]) -> Any:
        for _ in range(ATTEMPTS):
            if key not in self.rows:
                raise ResourceNotFoundError(f"{key} is not stored")
            current, version = self.rows[key]
            changed = change(current)
            if changed is None:
                return current
            if self.rows[key][1] != version:
                continue  # written meanwhile (a stale ETag): read again and change that
            self.rows[key] = (changed, version + 1)
            return changed
        raise RuntimeError(f"{key} kept changing under us")


# Storage -------------------------------------------------------------------------------------------------------


class FakeOrders(_Versioned):
    """Orders and their outbox rows, as OrderRepository keeps them (one transaction per write)."""

    def __init__(self) -> None:
        super().__init__()
        self.outbox_rows: dict[tuple[str, str], dict[str, Any]] = {}

    def add(self, order: Order, *, outbox: dict[str, Any] | None) -> Order:
        key = (order.customer_id, order.id)
        if key in self.rows:
            raise ResourceExistsError(f"order {order.id} is already stored")
        self.rows[key] = (order, 1)
        self._put_outbox(outbox)
        return order

    def get(self, customer_id: str, order_id: str) -> Order | None:
        row = self.rows.get((customer_id, order_id))
        return None if row is None else row[0]

    def update(
        self, order: Order, change: Callable[[Order], Order | None], *, outbox: dict[str, Any] | None = None
    ) -> Order:
        before = self.rows.get((order.customer_id, order.id))
        updated: Order = self._change((order.customer_id, order.id), change)
        if self.rows.get((order.customer_id, order.id)) != before:
            self._put_outbox(outbox)  # in the same transaction as the order's write, or not at all
        return updated

    def for_customer(self, customer_id: str) -> Iterator[Order]:
        yield from (order for (customer, _), (order, _) in list(self.rows.items()) if customer == customer_id)

    def in_progress(self) -> Iterator[Order]:
        unsettled = (OrderStatus.ACCEPTED, OrderStatus.PROVISIONING)
        yield from (order for order, _ in list(self.rows.values()) if order.status in unsettled)

    def outbox(self) -> Iterator[dict[str, Any]]:
        yield from (dict(row) for row in list(self.outbox_rows.values()))

    def remove_outbox(self, row: dict[str, Any]) -> None:
        self.outbox_rows.pop((row["PartitionKey"], row["RowKey"]), None)

    def _put_outbox(self, outbox: dict[str, Any] | None) -> None:
        if outbox is not None:
            self.outbox_rows[(outbox["PartitionKey"], outbox["RowKey"])] = dict(outbox)


class FakeOrderLookup:
    def __init__(self) -> None:
        self.customers: dict[str, str] = {}

    def add(self, order: Order) -> None:
        self.customers[order.id] = order.customer_id

    def customer_of(self, order_id: str) -> str | None:
        return self.customers.get(order_id)


class FakeProviders:
    def __init__(self, *providers: Provider) -> None:
        self.rows = {provider.id: provider for provider in providers}

    def get(self, provider_id: str) -> Provider | None:
        return self.rows.get(provider_id)

    def all(self) -> Iterator[Provider]:
        yield from list(self.rows.values())


def _column(entity: Any, name: str) -> Any:
    value = getattr(entity, name, None)
    return value.value if isinstance(value, Enum) else value


class _Relationships(_Versioned):
    """Resellers or customers under their provider, with the uniqueness rows of the real repository."""

    def __init__(self) -> None:
        super().__init__()
        self.unique: dict[tuple[str, str], str] = {}  # (provider id, key) → entity id

    def _insert(self, entity: Any, keys: list[str]) -> Any:
        taken = [key for key in keys if (entity.provider_id, key) in self.unique]
        if (entity.provider_id, entity.id) in self.rows or taken:
            raise AlreadyExists(f"{entity.id}: {taken}")
        self.rows[(entity.provider_id, entity.id)] = (entity, 1)
        self.unique.update({(entity.provider_id, key): entity.id for key in keys})
        return entity

    def _claim(self, entity: Any, tenant_id: str) -> bool:
        holder = self.unique.setdefault((entity.provider_id, f"tenant|{tenant_id.lower()}"), entity.id)
        return holder == entity.id

    def get(self, provider_id: str, entity_id: str) -> Any | None:
        row = self.rows.get((provider_id, entity_id))
        return None if row is None else row[0]

    def visible_to(self, principal: Principal, entity_id: str) -> Any | None:
        found = [entity for (_, key), (entity, _) in self.rows.items() if key == entity_id]
        return found[0] if found and can_see(principal, found[0].org) else None

    def update(self, provider_id: str, entity_id: str, change: Callable[[Any], Any | None]) -> Any:
        return self._change((provider_id, entity_id), change)

    def iter(
        self, provider_id: str, *, status: str | None = None, equals: dict[str, str] | None = None
    ) -> Iterator[Any]:
        wanted = {**(equals or {}), **({"status": status} if status else {})}
        for (provider, _), (entity, _) in sorted(self.rows.items()):
            if provider == provider_id and all(_column(entity, k) == v for k, v in wanted.items()):
                yield entity

    def page(
        self,
        provider_id: str,
        *,
        limit: int,
        position: dict[str, str] | None,
        equals: dict[str, str] | None = None,
        offboarded: bool | None = None,
    ) -> tuple[list[Any], dict[str, str] | None]:
        after = (position or {}).get("after", "")
        matching = [
            e
            for e in self.iter(provider_id, equals=equals)
            if e.id > after and (offboarded is None or e.offboarded is offboarded)
        ]
        page = matching[:limit]
        return page, ({"after": page[-1].id} if len(matching) > limit else None)


class FakeResellers(_Relationships):
    def add(self, reseller: Reseller) -> Reseller:
        return self._insert(reseller, [f"mpn|{reseller.partner_id}"])  # type: ignore[no-any-return]

    def claim_tenant(self, reseller: Reseller, tenant_id: str) -> bool:
        return self._claim(reseller, tenant_id)


class FakeCustomers(_Relationships):
    def add(self, customer: Customer) -> Customer:
        keys = [f"domain|{customer.domain.lower()}"] if customer.domain else []
        keys += [f"tenant|{customer.tenant_id.lower()}"] if customer.tenant_id else []
        return self._insert(customer, keys)  # type: ignore[no-any-return]

    def claim_tenant(self, customer: Customer, tenant_id: str) -> bool:
        return self._claim(customer, tenant_id)


class FakeOrganizations:
    def __init__(self) -> None:
        self.rows: dict[tuple[OrgType, str], tuple[OrgRef, str]] = {}

    def get(self, org_type: OrgType, org_id: str) -> OrgRef | None:
        if org_type is OrgType.OPERATOR:
            return OrgRef.operator() if org_id == OrgRef.operator().org_id else None
        row = self.rows.get((org_type, org_id))
        return None if row is None else row[0]

    def add(self, org: OrgRef, *, name: str) -> OrgRef:
        existing = self.rows.setdefault((org.org_type, org.org_id), (org, name))
        if existing[0] != org:
            raise ResourceExistsError(f"organisation {org.org_id} is registered with another lineage")
        return org

    def rename(self, org_type: OrgType, org_id: str, name: str) -> None:
        if (org_type, org_id) in self.rows:
            self.rows[(org_type, org_id)] = (self.rows[(org_type, org_id)][0], name)


class FakeSubscriptions(_Versioned):
    """The mirror: conditional writes (insert-if-absent or If-Match), built again after a race."""

    def __init__(self) -> None:
        super().__init__()
        self.index: dict[str, tuple[str, str]] = {}

    def locate(self, subscription_id: str) -> tuple[str, str] | None:
        return self.index.get(subscription_id)

    def get(self, customer_id: str, subscription_id: str) -> Subscription | None:
        row = self.rows.get((customer_id, subscription_id))
        return None if row is None else row[0]

    def write(
        self, customer_id: str, subscription_id: str, build: Callable[[Subscription | None], Subscription | None]
    ) -> tuple[Subscription | None, Subscription | None]:
        key = (customer_id, subscription_id)
        for _ in range(ATTEMPTS):
            before, version = self.rows.get(key, (None, 0))
            after = build(before)
            if after is None:
                return before, before
            if self.rows.get(key, (None, 0))[1] != version:
                continue
            self.index.setdefault(subscription_id, (after.provider_id, after.customer_id))
            self.rows[key] = (after, version + 1)
            return before, after
        raise RuntimeError(f"subscription {subscription_id} kept changing under us")

    def update(
        self, customer_id: str, subscription_id: str, change: Callable[[Subscription], Subscription | None]
    ) -> Subscription:
        updated: Subscription = self._change((customer_id, subscription_id), change)
        return updated

    def for_customer(self, customer_id: str) -> Iterator[Subscription]:
        yield from (sub for (customer, _), (sub, _) in list(self.rows.items()) if customer == customer_id)

    def with_pending_changes(self) -> Iterator[Subscription]:
        yield from (sub for sub, _ in list(self.rows.values()) if sub.change and sub.change.status == "pending")


class FakeCatalog:
    """Catalog items by market (also the MarketCatalog a storefront policy is checked with)."""

    def __init__(self, provider_id: str, *items: CatalogItem) -> None:
        self.provider_id = provider_id
        self.items = list(items)

    def get(self, provider_id: str, country: str, catalog_item_id: str) -> CatalogItem | None:
        return next(iter(self._where(provider_id, catalog_item_id, country)), None)

    def find_everywhere(self, provider_id: str, catalog_item_id: str) -> list[CatalogItem]:
        return self._where(provider_id, catalog_item_id, None)

    def find_sku(self, provider_id: str, country: str, product_id: str, sku_id: str) -> CatalogItem | None:
        return next((item for item in self.items if provider_id == self.provider_id
                     and item.country.upper() == country.upper() and item.product_id.upper() == product_id.upper()
                     and item.sku_id == sku_id), None)  # fmt: skip

    def iter_market(self, provider_id: str, country: str) -> Iterator[CatalogItem]:
        if provider_id == self.provider_id:
            yield from (item for item in self.items if item.country.upper() == country.upper())

    def _where(self, provider_id: str, catalog_item_id: str, country: str | None) -> list[CatalogItem]:
        if provider_id != self.provider_id:
            return []
        return [
            item
            for item in self.items
            if item.catalog_item_id == catalog_item_id and (country is None or item.country.upper() == country.upper())
        ]


class FakeAudit:
    """Entries as the audit table holds them: before and after recorded as their snapshots."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []
        self._ids = itertools.count(1)

    def record(
        self,
        *,
        actor: Principal | str,
        action: str,
        entity_type: str,
        entity_id: str,
        org: OrgRef,
        before: Any,
        after: Any,
        at: datetime | None = None,
    ) -> AuditEntry:
        entry = AuditEntry(
            entry_id=f"{next(self._ids):08d}",
            at=at or datetime.now(UTC),
            actor_id=actor if isinstance(actor, str) else actor.user_id,
            actor_org="system" if isinstance(actor, str) else actor.org.key,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            org=org,
            before=orjson.loads(orjson.dumps(snapshot(before))),
            after=orjson.loads(orjson.dumps(snapshot(after))),
        )
        self.entries.append(entry)
        return entry

    def actions(self, entity_id: str | None = None) -> list[str]:
        """The actions recorded (for one entity), oldest first."""
        return [e.action for e in self.entries if entity_id is None or e.entity_id == entity_id]


class FakeTierPricing:
    """Every tier's price per catalog item, as the test sets it (PricingService's rules are tested on their own)."""

    def __init__(self, prices: dict[str, tuple[Decimal, Decimal, Decimal]]) -> None:
        self.prices = prices  # catalog item id → (provider cost, reseller price, customer price)

    def tier_prices(self, viewer: CatalogViewer, item: CatalogItem) -> TierPrices:
        cost, reseller, customer = self.prices.get(item.catalog_item_id, (None, None, None))

        def price(amount: Decimal | None, tier: Tier) -> Price:
            return Price(item.catalog_item_id, item.currency, amount, tier, Basis.COST if amount else Basis.UNPRICED)

        return TierPrices(
            cost=price(cost, Tier.COST),
            reseller=price(reseller, Tier.RESELLER),
            customer=price(customer, Tier.CUSTOMER),
        )


class FakeSecretStore:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str:
        if name not in self.values:
            raise SecretNotFound(name)
        return self.values[name]

    def set(self, name: str, value: str) -> None:
        self.values[name] = value


# Partner Center ------------------------------------------------------------------------------------------------

MCA_TEMPLATE_ID = "117a69e3-a2d9-4d8b-93cc-e5b3a4f2ef9c"


class FakePartnerCenter:
    """Partner Center as the use cases see it (the three surfaces of shared/services/ports.py), with state a test
    sets up and failures it scripts: `fail_next("checkout_cart", Throttled(retry_after=30))` raises before the call
    does anything; `lose_next_answer("checkout_cart")` lets the call take effect, then raises as a lost answer
    would. Checkouts make orders whose lines complete with a subscription each, unless `completes` is False (then
    `complete` finishes them). A cart checked out once answers CartAlreadySubmitted ever after."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self._failures: dict[str, list[Exception]] = defaultdict(list)
        self._lost: dict[str, list[Exception]] = defaultdict(list)
        self._ids = itertools.count(1)
        self.completes = True
        self.refused_offers: dict[str, str] = {}  # offer id → why a checkout leaves its line out (an order error)
        self.carts: dict[str, Cart] = {}
        self._cart_by_request: dict[str, str] = {}
        self.orders: dict[str, list[PartnerCenterOrder]] = defaultdict(list)  # by customer tenant
        self.subscriptions: dict[tuple[str, str], PartnerCenterSubscription] = {}
        self.resellers: list[PartnerRelationship] = []
        self.customers: dict[str, PartnerCenterCustomer] = {}
        self.customer_resellers: dict[str, list[str]] = defaultdict(list)  # customer tenant → reseller tenants
        # Every partner ID is a known partner that signed the Microsoft Partner Agreement, unless listed here.
        self.unknown_partners: set[str] = set()
        self.unsigned_partners: set[str] = set()
        self.custom_term_end_dates: dict[str, list[CustomTermEndDate]] = {}  # target subscription id → allowed
        self.agreements: dict[str, list[PartnerCenterAgreement]] = defaultdict(list)  # customer tenant → acceptances
        self.cart_lines: list[CartLine] = []  # every line of every cart created
        # (subscription id, "immediate" | "scheduled") → what it may move to
        self.eligibilities: dict[tuple[str, str], list[TransitionEligibility]] = {}
        self.transitions_by_request: dict[str, Transition] = {}

    # Co-terming ----------------------------------------------------------------------------------------------

    def get_custom_term_end_dates(
        self, customer_id: str, term_duration: str, *, target_subscription_id: str | None = None
    ) -> list[CustomTermEndDate]:
        self._call("get_custom_term_end_dates")
        return list(self.custom_term_end_dates.get((target_subscription_id or "").lower(), []))

    # Scripting -----------------------------------------------------------------------------------------------

    def fail_next(self, method: str, *errors: Exception) -> None:
        self._failures[method].extend(errors)

    def lose_next_answer(self, method: str, error: Exception) -> None:
        self._lost[method].append(error)

    def _call(self, method: str) -> None:
        self.calls.append(method)
        if self._failures[method]:
            raise self._failures[method].pop(0)

    def _answer(self, method: str, answer: Any) -> Any:
        if self._lost[method]:
            raise self._lost[method].pop(0)
        return answer

    def count(self, method: str) -> int:
        return self.calls.count(method)

    def complete(self, customer_id: str, order_id: str) -> None:
        self.orders[customer_id] = [
            self._completed(order) if order.id == order_id else order for order in self.orders[customer_id]
        ]

    def cancel(self, customer_id: str, order_id: str) -> None:
        self.orders[customer_id] = [
            replace(order, status="cancelled") if order.id == order_id else order for order in self.orders[customer_id]
        ]

    def _completed(self, order: PartnerCenterOrder) -> PartnerCenterOrder:
        """Each line's subscription is made (and readable) as the order completes."""
        items = []
        for item in order.line_items:
            sub = pc_subscription(f"sub-{next(self._ids)}", offer_id=item.offer_id, quantity=item.quantity,
                                  order_id=order.id, term=item.term_duration or "P1Y")  # fmt: skip
            self.subscriptions[(order.reference_customer_id or "", sub.id)] = sub
            items.append(replace(item, subscription_id=sub.id))
        return replace(order, status="completed", line_items=tuple(items))

    # Carts and orders ----------------------------------------------------------------------------------------

    def create_cart(self, customer_id: str, lines: Iterable[CartLine], *, request_id: str | None = None) -> Cart:
        self._call("create_cart")
        if request_id in self._cart_by_request:  # the same MS-RequestId is the same call
            return self._answer("create_cart", self.carts[self._cart_by_request[request_id or ""]])
        lines = list(lines)
        self.cart_lines.extend(lines)
        items = tuple(
            CartLineItem(
                id=n,
                catalog_item_id=line.catalog_item_id,
                quantity=line.quantity,
                term_duration=line.term_duration,
                billing_cycle=line.billing_cycle,
                order_group="0",
                currency_code="USD",
                reseller_partner_id=line.reseller_partner_id,
            )
            for n, line in enumerate(lines)
        )
        cart = Cart(id=f"cart-{next(self._ids)}", status="Active", line_items=items, expiration_timestamp=None)
        self.carts[cart.id] = cart
        if request_id:
            self._cart_by_request[request_id] = cart.id
        return self._answer("create_cart", cart)

    def checkout_cart(self, customer_id: str, cart_id: str, *, request_id: str | None = None) -> CheckoutResult:
        self._call("checkout_cart")
        cart = self.carts[cart_id]
        if (cart.status or "").lower() == "ordered":
            raise CartAlreadySubmitted(status=409, code=800002, description="the cart was already submitted")
        refused = [item for item in cart.line_items if item.catalog_item_id in self.refused_offers]
        bought = [item for item in cart.line_items if item not in refused]
        errors = tuple(
            OrderError(order_group_id="0", code=800001, description=self.refused_offers[item.catalog_item_id])
            for item in refused
        )
        self.carts[cart_id] = replace(cart, status="Ordered")
        if not bought:
            return self._answer("checkout_cart", CheckoutResult(orders=(), order_errors=errors))
        order = PartnerCenterOrder(
            id=f"pc-order-{next(self._ids)}",
            status="pending",
            reference_customer_id=customer_id,
            billing_cycle=None,
            currency_code="USD",
            creation_date=datetime.now(UTC),
            line_items=tuple(
                OrderLineItem(
                    line_item_number=item.id,
                    offer_id=item.catalog_item_id,
                    quantity=item.quantity,
                    term_duration=item.term_duration,
                    transaction_type="New",
                    subscription_id=None,
                    partner_id_on_record=item.reseller_partner_id,
                    friendly_name=None,
                )
                for item in bought
            ),
        )
        if self.completes:
            order = self._completed(order)
        self.orders[customer_id].append(order)
        return self._answer("checkout_cart", CheckoutResult(orders=(order,), order_errors=errors))

    def get_cart(self, customer_id: str, cart_id: str) -> Cart:
        self._call("get_cart")
        return self.carts[cart_id]

    def get_order(self, customer_id: str, order_id: str) -> PartnerCenterOrder:
        self._call("get_order")
        found = next((o for o in self.orders[customer_id] if o.id == order_id), None)
        if found is None:
            raise PartnerCenterNotFound(status=404, description=f"order {order_id}")
        return found

    def list_orders(self, customer_id: str) -> list[PartnerCenterOrder]:
        self._call("list_orders")
        return list(self.orders[customer_id])

    # Subscriptions -------------------------------------------------------------------------------------------

    def get_subscription(self, customer_id: str, subscription_id: str) -> PartnerCenterSubscription:
        self._call("get_subscription")
        if (customer_id, subscription_id) not in self.subscriptions:
            raise PartnerCenterNotFound(status=404, description=f"subscription {subscription_id}")
        return self.subscriptions[(customer_id, subscription_id)]

    def list_subscriptions(self, customer_id: str) -> list[PartnerCenterSubscription]:
        self._call("list_subscriptions")
        return [sub for (customer, _), sub in self.subscriptions.items() if customer == customer_id]

    def update_subscription(
        self,
        customer_id: str,
        subscription: PartnerCenterSubscription,
        *,
        quantity: int | None = None,
        auto_renew: bool | None = None,
        scheduled_next_term: Any = UNSET,
        cancel_at_end_of_term: bool | None = None,
    ) -> PartnerCenterSubscription:
        self._call("update_subscription")
        return self._change(customer_id, subscription, quantity=quantity, auto_renew=auto_renew,
                            scheduled_next_term=scheduled_next_term,
                            cancel_at_end_of_term=cancel_at_end_of_term)  # fmt: skip

    # Transitions ---------------------------------------------------------------------------------------------

    def get_transition_eligibilities(
        self, customer_id: str, subscription_id: str, eligibility_type: str = "immediate"
    ) -> list[TransitionEligibility]:
        self._call("get_transition_eligibilities")
        return list(self.eligibilities.get((subscription_id, eligibility_type), []))

    def create_transition(
        self, customer_id: str, subscription_id: str, *, to_catalog_item_id: str, quantity: int,
        transition_type: str, term_duration: str, billing_cycle: str, request_id: str,
    ) -> Transition:  # fmt: skip
        self._call("create_transition")
        made = self.transitions_by_request.get(request_id)
        if made is None:
            source = self.subscriptions[(customer_id, subscription_id)]
            target_id = f"sub-{next(self._ids)}"
            self.subscriptions[(customer_id, target_id)] = replace(
                source, id=target_id, offer_id=to_catalog_item_id, quantity=quantity, term_duration=term_duration,
                billing_cycle=billing_cycle, etag=f"etag-{next(self._ids)}", scheduled_next_term=None)  # fmt: skip
            left = source.quantity - quantity
            self.subscriptions[(customer_id, subscription_id)] = replace(
                source, quantity=left or source.quantity, status="active" if left else "deleted",
                scheduled_next_term=None, etag=f"etag-{next(self._ids)}")  # fmt: skip
            made = Transition(id=f"tr-{next(self._ids)}", from_subscription_id=subscription_id,
                              to_subscription_id=target_id, from_catalog_item_id=source.offer_id,
                              to_catalog_item_id=to_catalog_item_id, quantity=quantity,
                              transition_type=transition_type, status="completed", term_duration=term_duration,
                              billing_cycle=billing_cycle, creation_date=datetime.now(UTC))  # fmt: skip
            self.transitions_by_request[request_id] = made
        return self._answer("create_transition", made)  # type: ignore[no-any-return]

    def list_transitions(self, customer_id: str, subscription_id: str) -> list[Transition]:
        self._call("list_transitions")
        return [t for t in self.transitions_by_request.values() if t.from_subscription_id == subscription_id]

    def suspend_subscription(
        self, customer_id: str, subscription: PartnerCenterSubscription
    ) -> PartnerCenterSubscription:
        self._call("suspend_subscription")
        return self._change(customer_id, subscription, status="suspended")

    def reactivate_subscription(
        self, customer_id: str, subscription: PartnerCenterSubscription
    ) -> PartnerCenterSubscription:
        self._call("reactivate_subscription")
        return self._change(customer_id, subscription, status="active")

    def cancel_subscription(
        self, customer_id: str, subscription: PartnerCenterSubscription
    ) -> PartnerCenterSubscription:
        self._call("cancel_subscription")
        return self._change(customer_id, subscription, status="deleted")

    def _change(self, customer_id: str, read: PartnerCenterSubscription, **changes: Any) -> PartnerCenterSubscription:
        current = self.subscriptions[(customer_id, read.id)]
        if read.etag != current.etag:
            raise StaleEtag(status=412, description="the subscription changed since it was read")
        values = {
            "quantity": changes.get("quantity") if changes.get("quantity") is not None else current.quantity,
            "auto_renew_enabled": (
                changes["auto_renew"] if changes.get("auto_renew") is not None else current.auto_renew_enabled
            ),
            "status": changes.get("status") or current.status,
        }
        scheduled = changes.get("scheduled_next_term", UNSET)
        if not isinstance(scheduled, Unset):
            values["scheduled_next_term"] = scheduled
            if scheduled is not None:
                values["auto_renew_enabled"], values["cancel_at_end_of_term"] = True, False
        if changes.get("cancel_at_end_of_term") is not None:
            values["cancel_at_end_of_term"] = changes["cancel_at_end_of_term"]
            if changes["cancel_at_end_of_term"]:
                values["auto_renew_enabled"] = False
        if changes.get("quantity") is not None:
            values["scheduled_next_term"] = None  # a mid-term change wipes scheduled ones
        changed = replace(current, **values, etag=f"etag-{next(self._ids)}")
        self.subscriptions[(customer_id, read.id)] = changed
        return self._answer(_caller(changes), changed)

    # Relationships -------------------------------------------------------------------------------------------

    def list_indirect_resellers(self) -> list[PartnerRelationship]:
        self._call("list_indirect_resellers")
        return list(self.resellers)

    def find_mpn_profile(self, mpn_id: str) -> MpnProfile | None:
        self._call("find_mpn_profile")
        return None if mpn_id in self.unknown_partners else MpnProfile(mpn_id=mpn_id, partner_name=f"Partner {mpn_id}")

    def get_reseller_agreement_status(
        self, *, mpn_id: str | None = None, tenant_id: str | None = None
    ) -> AgreementStatus:
        self._call("get_reseller_agreement_status")
        if mpn_id in self.unsigned_partners:
            return AgreementStatus(signed=False, code=2203, description=f"{mpn_id} has not signed the MPA")
        return AgreementStatus(signed=True)

    def get_relationship_request_link(self, indirect_reseller_tenant_id: str | None = None) -> str:
        self._call("get_relationship_request_link")
        return f"https://admin.microsoft.test/invite?partner={indirect_reseller_tenant_id or ''}"

    def get_customer(self, tenant_id: str) -> PartnerCenterCustomer:
        self._call("get_customer")
        if tenant_id.lower() not in self.customers:
            raise PartnerCenterNotFound(status=404, description=f"customer {tenant_id}")
        return self.customers[tenant_id.lower()]

    def find_customer_by_domain(self, domain: str) -> PartnerCenterCustomer | None:
        self._call("find_customer_by_domain")
        return next((c for c in self.customers.values() if (c.domain or "").lower() == domain.lower()), None)

    def get_customer_relationships(self, tenant_id: str) -> list[PartnerRelationship]:
        self._call("get_customer_relationships")
        return [_relationship(reseller) for reseller in self.customer_resellers[tenant_id.lower()]]

    def iter_customers(self, *, page_size: int = 100) -> Iterable[PartnerCenterCustomer]:
        self._call("iter_customers")
        return list(self.customers.values())

    def create_customer(
        self,
        *,
        domain: str,
        billing_profile: BillingProfile,
        associated_partner_id: str | None,
        request_id: str | None = None,
    ) -> PartnerCenterCustomer:
        self._call("create_customer")
        customer = partner_center_customer(
            f"tenant-{next(self._ids)}", domain=domain, country=billing_profile.default_address.country
        )
        self.customers[customer.id] = customer
        if associated_partner_id:
            self.customer_resellers[customer.id].append(associated_partner_id)
        return self._answer("create_customer", customer)

    # Agreements ----------------------------------------------------------------------------------------------

    def get_agreement_template(self) -> AgreementTemplate:
        self._call("get_agreement_template")
        return AgreementTemplate(MCA_TEMPLATE_ID, "MicrosoftCustomerAgreement", "https://aka.ms/customeragreement", 0)

    def create_customer_agreement(
        self, customer_id: str, *, contact: AgreementContact, date_agreed: datetime, template_id: str
    ) -> PartnerCenterAgreement:
        self._call("create_customer_agreement")
        agreement = PartnerCenterAgreement("MicrosoftCustomerAgreement", template_id, date_agreed, contact)
        self.agreements[customer_id.lower()].append(agreement)
        return self._answer("create_customer_agreement", agreement)

    def list_customer_agreements(self, customer_id: str) -> list[PartnerCenterAgreement]:
        self._call("list_customer_agreements")
        return list(self.agreements[customer_id.lower()])


def _caller(changes: dict[str, Any]) -> str:
    status = changes.get("status")
    return {"suspended": "suspend_subscription", "active": "reactivate_subscription",
            "deleted": "cancel_subscription"}.get(status or "", "update_subscription")  # fmt: skip


def _relationship(tenant_id: str, *, mpn_id: str | None = None, state: str = "active") -> PartnerRelationship:
    return PartnerRelationship(
        id=tenant_id, name=None, relationship_type="IsIndirectResellerOf", state=state, mpn_id=mpn_id, location=None
    )


def indirect_reseller(tenant_id: str, partner_id: str, *, state: str = "active") -> PartnerRelationship:
    """How Partner Center lists a reseller related to the provider."""
    return _relationship(tenant_id, mpn_id=partner_id, state=state)


def partner_center_customer(tenant_id: str, *, domain: str, country: str | None = "US") -> PartnerCenterCustomer:
    return PartnerCenterCustomer(
        id=tenant_id.lower(),
        tenant_id=tenant_id.lower(),
        domain=domain,
        company_name=domain,
        relationship_to_partner="reseller",
        billing_country=country,
    )


def pc_subscription(
    subscription_id: str,
    *,
    offer_id: str = "SKU:0001:AVAIL",
    quantity: int = 1,
    order_id: str | None = None,
    term: str = "P1Y",
    status: str = "active",
    seats_removable_until: datetime | None = None,
    cancellable_until: datetime | None = None,
) -> PartnerCenterSubscription:
    """A subscription as Partner Center answers it; its seats (all one lot) removable until the given moment."""
    now = datetime.now(UTC)
    lots = () if seats_removable_until is None else (RefundableQuantity(quantity, seats_removable_until),)
    return PartnerCenterSubscription(
        id=subscription_id,
        offer_id=offer_id,
        offer_name="Product",
        friendly_name="Product",
        quantity=quantity,
        status=status,
        auto_renew_enabled=True,
        billing_cycle="monthly",
        term_duration=term,
        partner_id="2222222",
        order_id=order_id,
        etag="etag-0",
        creation_date=now,
        effective_start_date=now,
        commitment_end_date=now + timedelta(days=365),
        cancellation_allowed_until=cancellable_until,
        refundable_quantity=quantity if lots else 0,
        refundable_details=lots,
    )
