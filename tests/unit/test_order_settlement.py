"""How an order settles once Partner Center has answered for every line (docs/business.md#orders): all lines
provisioned → completed, some failed → partiallyCompleted, none → failed; staff are told of the last two."""

from __future__ import annotations

from decimal import Decimal

from shared.domain.orders import LineStatus, Order, OrderStatus
from shared.services.orders import LineRequest
from tests.unit.fake_platform import FakePlatform, catalog_item, provider_staff
from tests.unit.fakes import FakeTierPricing

PRICES = (Decimal("10"), Decimal("11"), Decimal("12"))


def _platform() -> FakePlatform:
    platform = FakePlatform(pricing=FakeTierPricing({"sku-a": PRICES, "sku-b": PRICES}))
    platform.catalog.items += [catalog_item("sku-a"), catalog_item("sku-b")]
    return platform


def _provisioned(platform: FakePlatform, *items: str) -> Order:
    reseller = platform.add_reseller()
    customer = platform.add_customer(reseller)
    order = platform.order_service().place(
        provider_staff(), customer.id, [LineRequest(item, 2, "P1Y", "monthly") for item in items]
    )
    platform.provisioning_service().provision(order.customer_id, order.id, 1)
    return platform.stored_order(order)


def _offer(item: str) -> str:
    return catalog_item(item).offer_id


def test_an_order_whose_lines_all_got_subscriptions_is_completed():
    platform = _platform()
    order = _provisioned(platform, "sku-a", "sku-b")
    assert order.status is OrderStatus.COMPLETED
    assert [line.status for line in order.lines] == [LineStatus.PROVISIONED, LineStatus.PROVISIONED]
    assert order.failure_reason is None
    assert platform.audit.actions(order.id)[-1] == "order.completed"
    assert platform.events() == []  # nothing for staff to act on


def test_an_order_with_some_lines_refused_is_partially_completed_and_staff_are_told():
    platform = _platform()
    platform.partner_center.refused_offers[_offer("sku-b")] = "not available in this market"
    order = _provisioned(platform, "sku-a", "sku-b")
    assert order.status is OrderStatus.PARTIALLY_COMPLETED
    provisioned, refused = order.lines
    assert provisioned.status is LineStatus.PROVISIONED and provisioned.subscription_id
    assert refused.status is LineStatus.FAILED
    assert refused.error == "Partner Center refused: 800001: not available in this market"
    assert platform.audit.actions(order.id)[-1] == "order.partiallyCompleted"
    assert platform.events() == ["order.failed"]


def test_an_order_with_every_line_refused_is_failed():
    platform = _platform()
    platform.partner_center.refused_offers[_offer("sku-a")] = "no"
    order = _provisioned(platform, "sku-a")
    assert order.status is OrderStatus.FAILED
    assert [line.status for line in order.lines] == [LineStatus.FAILED]
    assert platform.audit.actions(order.id)[-1] == "order.failed"
    assert platform.events() == ["order.failed"]


def test_an_order_partner_center_has_not_completed_yet_waits_without_using_up_its_attempts():
    platform = _platform()
    platform.partner_center.completes = False
    order = _provisioned(platform, "sku-a")
    assert order.status is OrderStatus.PROVISIONING
    assert order.provisioning.checked_out and order.provisioning.attempt == 2
    assert order.provisioning.last_error == "waiting for Partner Center to complete the order"
    [pc_order] = platform.partner_center.orders[order.customer_tenant_id]
    platform.partner_center.complete(order.customer_tenant_id, pc_order.id)
    done = platform.provisioning_service().provision(order.customer_id, order.id, 2)
    assert done is not None and done.status is OrderStatus.COMPLETED
    assert platform.partner_center.count("checkout_cart") == 1


def test_lines_of_an_order_partner_center_cancelled_fail():
    platform = _platform()
    platform.partner_center.completes = False
    order = _provisioned(platform, "sku-a")
    [pc_order] = platform.partner_center.orders[order.customer_tenant_id]
    platform.partner_center.cancel(order.customer_tenant_id, pc_order.id)
    failed = platform.provisioning_service().provision(order.customer_id, order.id, 2)
    assert failed is not None and failed.status is OrderStatus.FAILED
    assert failed.lines[0].error == "Partner Center cancelled the order"
