"""Who an order may be placed for (docs/business.md#orders): a customer in the caller's scope, of a provider that may
sell now (enrolled, not disabled), checked before anything is stored or queued."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from shared.domain.relationships import ProviderStatus, selling_refusal
from shared.messaging import QueueNames
from shared.services.errors import Conflict, NotFound
from shared.services.orders import LineRequest
from tests.unit.fake_platform import PROVIDER_ID, FakePlatform, catalog_item, reseller_staff
from tests.unit.fakes import FakeTierPricing

PRICES = (Decimal("10"), Decimal("11"), Decimal("12"))


def _shop() -> tuple[FakePlatform, object, object]:
    platform = FakePlatform(pricing=FakeTierPricing({"sku-a": PRICES}))
    platform.catalog.items.append(catalog_item("sku-a"))
    reseller = platform.add_reseller()
    return platform, reseller, platform.add_customer(reseller)


def _place(platform: FakePlatform, principal, customer_id: str):
    return platform.order_service().place(principal, customer_id, [LineRequest("sku-a", 1, "P1Y", "monthly")])


def _nothing_ordered(platform: FakePlatform) -> bool:
    return platform.orders.rows == {} and platform.publisher.messages(QueueNames.PROVISIONING) == []


def test_an_enrolled_provider_may_sell_and_a_disabled_or_unconsented_one_may_not():
    enrolled = FakePlatform().providers.get(PROVIDER_ID)
    assert enrolled is not None and selling_refusal(enrolled) is None
    assert selling_refusal(replace(enrolled, status=ProviderStatus.DISABLED)) == "the provider is disabled"
    assert "consent" in (selling_refusal(replace(enrolled, status=ProviderStatus.CONSENT_REQUIRED)) or "")


def test_a_reseller_orders_for_its_own_customer():
    platform, reseller, customer = _shop()
    order = _place(platform, reseller_staff(reseller), customer.id)
    assert [m.entity_id for m in platform.publisher.messages(QueueNames.PROVISIONING)] == [order.id]


def test_a_customer_of_another_reseller_is_not_found_and_nothing_is_ordered():
    platform, _, customer = _shop()
    other = platform.add_reseller(partner_id="3333333")
    with pytest.raises(NotFound):
        _place(platform, reseller_staff(other), customer.id)
    assert _nothing_ordered(platform)


def test_a_disabled_provider_sells_nothing():
    platform, reseller, customer = _shop()
    provider = platform.providers.rows[PROVIDER_ID]
    platform.providers.rows[PROVIDER_ID] = replace(provider, status=ProviderStatus.DISABLED)
    with pytest.raises(Conflict) as refused:
        _place(platform, reseller_staff(reseller), customer.id)
    assert refused.value.detail == "the provider is disabled"
    assert _nothing_ordered(platform)
