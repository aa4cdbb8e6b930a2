"""A customer's storefront policy as the services enforce it (docs/business.md#storefront-policy): only the allowed
items, terms no longer than allowed, orders above the threshold wait for approval, seats come off only if allowed;
a policy names only items of the customer's market. (The policy's own rules: test_storefront_policy.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shared.domain.orders import OrderStatus
from shared.domain.storefront import StorefrontPolicy
from shared.messaging import QueueNames
from shared.services.errors import Conflict, Invalid
from shared.services.orders import LineRequest
from tests.unit.fake_platform import CUSTOMER_TENANT, FakePlatform, catalog_item, customer_admin, reseller_staff
from tests.unit.fakes import FakeTierPricing, pc_subscription

PRICES = (Decimal("10"), Decimal("11"), Decimal("12"))


def _storefront():
    platform = FakePlatform(pricing=FakeTierPricing({"sku-a": PRICES, "sku-b": PRICES, "sku-3y": PRICES}))
    platform.catalog.items += [catalog_item("sku-a"), catalog_item("sku-b"), catalog_item("sku-3y", term="P3Y")]
    reseller = platform.add_reseller()
    customer = platform.add_customer(reseller, storefront_enabled=True)
    return platform, reseller, customer


def _buy(platform: FakePlatform, customer, item: str, quantity: int = 1, term: str = "P1Y", **policy):
    return platform.order_service().place(
        customer_admin(customer), customer.id, [LineRequest(item, quantity, term, "monthly")], source="storefront",
        **policy,
    )  # fmt: skip


def _nothing_ordered(platform: FakePlatform) -> bool:
    return platform.orders.rows == {} and platform.publisher.messages(QueueNames.PROVISIONING) == []


def test_an_item_the_policy_does_not_allow_is_refused_as_unknown():
    platform, _, customer = _storefront()
    with pytest.raises(Invalid) as refused:
        _buy(platform, customer, "sku-b", allowed_items=frozenset({"sku-a"}))
    assert [(e.field, e.message) for e in refused.value.errors] == [("lines.0.catalogItemId", "unknown catalog item")]
    assert _nothing_ordered(platform)


def test_an_allowed_item_is_ordered_and_sent_to_provisioning():
    platform, _, customer = _storefront()
    order = _buy(platform, customer, "sku-a", allowed_items=frozenset({"sku-a"}))
    assert order.status is OrderStatus.ACCEPTED and order.source == "storefront"
    assert [m.entity_id for m in platform.publisher.messages(QueueNames.PROVISIONING)] == [order.id]


def test_a_term_longer_than_the_policy_allows_is_refused():
    platform, _, customer = _storefront()
    with pytest.raises(Invalid) as refused:
        _buy(platform, customer, "sku-3y", term="P3Y", max_term_months=12)
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("lines.0.termDuration", "terms longer than 12 months are not allowed")
    ]
    assert _nothing_ordered(platform)


def test_an_order_above_the_threshold_waits_for_approval_then_provisions_once_approved():
    platform, reseller, customer = _storefront()
    order = _buy(platform, customer, "sku-a", quantity=10, approval_threshold=Decimal("100"))  # 10 x 12 = 120
    assert order.status is OrderStatus.PENDING_APPROVAL
    assert platform.publisher.messages(QueueNames.PROVISIONING) == []
    assert platform.audit.actions(order.id) == ["order.pendingApproval"]

    approved = platform.order_service().decide(reseller_staff(reseller), order.id, approve=True)
    assert approved.status is OrderStatus.ACCEPTED and approved.decided_by == "agent@fabrikam"
    assert platform.stored_order(order) == approved
    assert [m.entity_id for m in platform.publisher.messages(QueueNames.PROVISIONING)] == [order.id]
    assert platform.audit.actions(order.id) == ["order.pendingApproval", "order.approved"]


def test_an_order_at_the_threshold_needs_no_approval():
    platform, _, customer = _storefront()
    order = _buy(platform, customer, "sku-a", quantity=10, approval_threshold=Decimal("120"))
    assert order.status is OrderStatus.ACCEPTED


def test_seats_cannot_be_removed_when_the_policy_forbids_it():
    platform, _, customer = _storefront()
    pc = pc_subscription("sub-1", quantity=5, seats_removable_until=datetime.now(UTC) + timedelta(days=3))
    platform.partner_center.subscriptions[(CUSTOMER_TENANT, pc.id)] = pc
    platform.subscription_service().sync_customer(platform.providers.get(customer.provider_id), customer.id)  # type: ignore[arg-type]
    with pytest.raises(Conflict, match="removing seats is not allowed"):
        platform.subscription_service().request_change(
            customer_admin(customer), "sub-1", quantity=3, allow_decrease=False
        )
    assert platform.subscriptions.get(customer.id, "sub-1").change is None  # type: ignore[union-attr]
    assert platform.publisher.messages(QueueNames.SUBSCRIPTION_CHANGES) == []


def test_a_policy_naming_an_item_outside_the_customers_market_is_refused_by_position():
    platform, reseller, customer = _storefront()
    platform.catalog.items.append(catalog_item("sku-gb", country="GB"))
    policy = StorefrontPolicy(allowed_catalog_item_ids=("sku-a", "sku-gb"))
    with pytest.raises(Invalid) as refused:
        platform.relationship_service().set_storefront_policy(
            reseller_staff(reseller), customer.id, policy, catalog=platform.catalog
        )
    assert [e.field for e in refused.value.errors] == ["storefrontPolicy.allowedCatalogItemIds[1]"]
    assert platform.customers.get(customer.provider_id, customer.id).storefront_policy == StorefrontPolicy()  # type: ignore[union-attr]
    assert platform.audit.entries == []


def test_a_policy_naming_market_items_is_stored_and_audited():
    platform, reseller, customer = _storefront()
    policy = StorefrontPolicy(allowed_catalog_item_ids=("sku-a",), approval_threshold=Decimal("500"))
    updated = platform.relationship_service().set_storefront_policy(
        reseller_staff(reseller), customer.id, policy, catalog=platform.catalog
    )
    assert updated.storefront_policy == policy
    assert platform.customers.get(customer.provider_id, customer.id) == updated
    assert platform.audit.actions(customer.id) == ["customer.storefrontPolicy"]


def test_a_customer_whose_market_is_not_known_yet_cannot_name_items():
    platform, reseller, _ = _storefront()
    unknown = platform.add_customer(reseller, domain="unknown.onmicrosoft.com", tenant_id="t2", country=None)
    with pytest.raises(Conflict, match="market is not known yet"):
        platform.relationship_service().set_storefront_policy(
            reseller_staff(reseller), unknown.id, StorefrontPolicy(allowed_catalog_item_ids=("sku-a",)),
            catalog=platform.catalog,
        )  # fmt: skip
