"""Pricing in a real Azurite: stored exactly, ETag-guarded, validated, audited, and shown to each viewer at its own
tier only."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from functions.http.catalog import CatalogItemOut
from shared.domain.catalog import CatalogItem, ItemStatus
from shared.domain.pricing import InvalidPricing, OverrideKey, PriceRule
from shared.services.errors import Invalid
from shared.services.pricing import CatalogViewer, PreconditionFailed, PricedItem, PricingService
from shared.storage.audit import AuditLog
from shared.storage.catalog import CatalogRepository
from shared.storage.pricing import PricingChanged, PricingRepository
from shared.storage.tables import TableStorage
from tests.conftest import unique_id

D = Decimal
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BASIC = "CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:annual"
STANDARD = "CFQ7TTC0LDPB:0001:CFQ7TTC0K5QW:P1M:monthly"
HIDDEN = "CFQ7TTC0LF8Q:0001:CFQ7TTC0K8P1:P1Y:monthly"
GONE = "CFQ7TTC0LH16:0001:CFQ7TTC0K97F:P1Y:annual"


def shown(priced: PricedItem) -> dict[str, Any]:
    """The item as the API answers it to the viewer."""
    return CatalogItemOut.of(priced).model_dump(exclude_unset=True)


@pytest.fixture(scope="module")
def storage(azurite: Any) -> TableStorage:
    return TableStorage(connection_string=azurite.connection_string)


@pytest.fixture(scope="module")
def catalog(storage: TableStorage) -> CatalogRepository:
    return CatalogRepository(storage)


@pytest.fixture(scope="module")
def pricing(storage: TableStorage) -> PricingRepository:
    return PricingRepository(storage)


@pytest.fixture(scope="module")
def audit(storage: TableStorage) -> AuditLog:
    return AuditLog(storage)


@pytest.fixture(scope="module")
def service(catalog: CatalogRepository, pricing: PricingRepository, audit: AuditLog) -> PricingService:
    ticks = itertools.count()
    return PricingService(catalog, pricing, audit, clock=lambda: NOW + timedelta(seconds=next(ticks)))


def item(item_id: str, cost: str | None, *, country: str = "NL", currency: str = "EUR", sellable: bool = True,
         status: ItemStatus = ItemStatus.ACTIVE) -> CatalogItem:  # fmt: skip
    product, sku, availability, term, cycle = item_id.split(":")
    return CatalogItem(
        catalog_item_id=item_id, offer_id=f"{product}:{sku}:{availability}", product_id=product, sku_id=sku,
        availability_id=availability, title=f"Title {product}", sku_title=f"Sku {product}",
        product_family="OnlineServicesNCE", product_type="OnlineServicesNCE", country=country, currency=currency,
        term_duration=term, billing_cycle=cycle, min_quantity=1, max_quantity=300,
        cost=None if cost is None else D(cost), is_addon=False, status=status, sellable=sellable, first_seen=NOW,
        last_seen=NOW,
    )  # fmt: skip


@pytest.fixture
def provider(catalog: CatalogRepository) -> str:
    """A provider of the test's own with four NL items (one hidden, one retired) and BASIC in the US too."""
    provider_id = unique_id("prov-")
    catalog.write_seen(
        provider_id,
        [
            item(BASIC, "120.00"),
            item(STANDARD, "10.004"),
            item(HIDDEN, "9.40", sellable=False),
            item(GONE, "44.40", status=ItemStatus.RETIRED),
            item(BASIC, "144.00", country="US", currency="USD"),
        ],
        [],
    )
    return provider_id


def by_id(page: Any) -> dict[str, dict[str, Any]]:
    return {priced.item.catalog_item_id: shown(priced) for priced in page.items}


# -- the repository ----------------------------------------------------------------------------------------------------


def test_pricing_is_stored_exactly_as_decimals(pricing: PricingRepository) -> None:
    provider, reseller = unique_id("prov-"), unique_id("res-")
    rule = PriceRule(margin=D("0.125"), overrides={OverrideKey(BASIC, "EUR"): D("7.5049"),
                                                   OverrideKey(BASIC, "USD"): D("8")})  # fmt: skip
    pricing.put_reseller_pricing(provider, reseller, rule, etag=None, actor_id="u1", now=NOW)
    stored = pricing.get_reseller_pricing(provider, reseller)
    assert stored.rule == rule
    assert stored.rule.override_for(BASIC, "EUR") == D("7.5049")
    assert type(stored.rule.margin) is Decimal
    assert (stored.updated_by, stored.updated_at) == ("u1", NOW)


def test_a_write_over_a_changed_row_is_refused(pricing: PricingRepository) -> None:
    provider, reseller = unique_id("prov-"), unique_id("res-")
    first = pricing.put_reseller_pricing(provider, reseller, PriceRule(margin=D("0.1")), etag=None, actor_id="u1",
                                         now=NOW)  # fmt: skip
    with pytest.raises(PricingChanged):  # someone created it meanwhile
        pricing.put_reseller_pricing(provider, reseller, PriceRule(margin=D("0.2")), etag=None, actor_id="u2", now=NOW)
    pricing.put_reseller_pricing(provider, reseller, PriceRule(margin=D("0.3")), etag=first.etag, actor_id="u3",
                                 now=NOW)  # fmt: skip
    with pytest.raises(PricingChanged):  # the etag read first is stale now
        pricing.put_reseller_pricing(provider, reseller, PriceRule(margin=D("0.4")), etag=first.etag, actor_id="u4",
                                     now=NOW)  # fmt: skip
    assert pricing.get_reseller_pricing(provider, reseller).rule.margin == D("0.3")


def test_thousands_of_overrides_fit_in_one_row(pricing: PricingRepository) -> None:
    provider, customer = unique_id("prov-"), unique_id("cus-")
    overrides = {OverrideKey(f"PRODUCT{n:05d}:0001:AVAILABILITY{n:05d}:P1Y:annual", "EUR"): D(f"{n}.99")
                 for n in range(3000)}  # fmt: skip
    rule = PriceRule(margin=None, overrides=overrides)
    pricing.put_customer_pricing(provider, customer, "res-1", rule, etag=None, actor_id="u1", now=NOW)
    stored = pricing.get_customer_pricing(provider, customer)
    assert stored.rule == rule and stored.reseller_id == "res-1"


def test_default_margins_are_kept_per_provider_and_per_reseller(pricing: PricingRepository) -> None:
    provider, other = unique_id("prov-"), unique_id("prov-")
    pricing.put_provider_default(provider, D("0.08"), etag=None, actor_id="u1", now=NOW)
    pricing.put_reseller_default(provider, "res-1", D("0.15"), etag=None, actor_id="u1", now=NOW)
    assert pricing.get_provider_default(provider).margin == D("0.08")
    assert pricing.get_reseller_default(provider, "res-1").margin == D("0.15")
    assert pricing.get_reseller_default(provider, "res-2").margin is None
    assert pricing.get_provider_default(other).margin is None


# -- what each viewer sees -------------------------------------------------------------------------------------------


def test_each_viewer_sees_its_own_buy_price(service: PricingService, provider: str) -> None:
    service.set_provider_default_margin("u-prov", provider, "0.10")
    override = {"catalogItemId": BASIC, "currency": "EUR", "price": "99.00"}
    service.set_reseller_pricing("u-prov", provider, "res-a", {"margin": "0.20", "overrides": [override]})
    service.set_customer_pricing("u-res", provider, "res-a", "cus-1", {"margin": "0.05"})

    staff = by_id(service.catalog_for(CatalogViewer(provider), "NL"))
    reseller_a = by_id(service.catalog_for(CatalogViewer(provider, "res-a"), "NL"))
    reseller_b = by_id(service.catalog_for(CatalogViewer(provider, "res-b"), "NL"))
    customer = by_id(service.catalog_for(CatalogViewer(provider, "res-a", "cus-1"), "NL"))

    assert (staff[BASIC]["price"], staff[STANDARD]["price"]) == ("120.00", "10.00")
    assert (reseller_a[BASIC]["price"], reseller_a[STANDARD]["price"]) == ("99.00", "12.00")  # 10.004 x 1.2 = 12.0048
    assert (reseller_b[BASIC]["price"], reseller_b[STANDARD]["price"]) == ("132.00", "11.00")  # provider default
    assert (customer[BASIC]["price"], customer[STANDARD]["price"]) == ("103.95", "12.61")  # 12.0048 x 1.05 = 12.605
    assert customer[BASIC]["monthlyEquivalent"] == "8.66"  # 103.95 / 12 = 8.6625
    assert all(entry["currency"] == "EUR" for entry in customer.values())


def test_a_reseller_never_sees_the_cost_nor_another_resellers_price(service: PricingService, provider: str) -> None:
    service.set_reseller_pricing("u-prov", provider, "res-a",
                                 {"overrides": [{"catalogItemId": STANDARD, "price": "1.00"}]})  # fmt: skip
    seen_by_b = by_id(service.catalog_for(CatalogViewer(provider, "res-b"), "NL"))
    seen_by_customer = by_id(service.catalog_for(CatalogViewer(provider, "res-b", "cus-9"), "NL"))
    for entry in [*seen_by_b.values(), *seen_by_customer.values()]:
        assert not {"cost", "sellable", "firstSeen", "lastSeen"} & entry.keys()
    assert seen_by_b[STANDARD]["price"] == "10.00"  # res-a's override is res-a's alone
    staff = by_id(service.catalog_for(CatalogViewer(provider), "NL"))
    assert staff[STANDARD]["cost"] == "10.004"


def test_resellers_and_customers_see_only_active_sellable_items(service: PricingService, provider: str) -> None:
    from shared.storage.catalog import CatalogFilter

    reseller = by_id(service.catalog_for(CatalogViewer(provider, "res-a"), "NL",
                                         filters=CatalogFilter(include_retired=True)))  # fmt: skip
    customer = by_id(service.catalog_for(CatalogViewer(provider, "res-a", "cus-1"), "NL"))
    staff = by_id(service.catalog_for(CatalogViewer(provider), "NL", filters=CatalogFilter(include_retired=True)))
    assert set(reseller) == set(customer) == {BASIC, STANDARD}
    assert set(staff) == {BASIC, STANDARD, HIDDEN, GONE}
    assert service.quote(CatalogViewer(provider, "res-a"), "NL", HIDDEN) is None
    assert service.quote(CatalogViewer(provider), "NL", HIDDEN) is not None


def test_a_customers_price_follows_its_resellers_price_not_the_cost(service: PricingService, provider: str) -> None:
    viewer = CatalogViewer(provider, "res-c", "cus-c")
    service.set_customer_pricing("u-res", provider, "res-c", "cus-c", {"margin": "0.10"})
    before = service.quote(viewer, "NL", BASIC)
    service.set_reseller_pricing("u-prov", provider, "res-c", {"margin": "0.50"})
    after = service.quote(viewer, "NL", BASIC)
    assert before is not None and after is not None
    assert (shown(before)["price"], shown(after)["price"]) == ("132.00", "198.00")


def test_an_override_applies_in_its_own_currency_only(service: PricingService, provider: str) -> None:
    body = {"overrides": [{"catalogItemId": BASIC, "currency": "USD", "price": "100.00"}]}
    service.set_reseller_pricing("u-prov", provider, "res-d", body)
    nl = service.quote(CatalogViewer(provider, "res-d"), "NL", BASIC)
    us = service.quote(CatalogViewer(provider, "res-d"), "US", BASIC)
    assert nl is not None and us is not None
    assert (shown(nl)["price"], shown(us)["price"], shown(us)["currency"]) == ("120.00", "100.00", "USD")


def test_reseller_default_margin_prices_customers_without_their_own(service: PricingService, provider: str) -> None:
    service.set_reseller_default_margin("u-res", provider, "res-e", "0.25")
    quoted = service.quote(CatalogViewer(provider, "res-e", "cus-e"), "NL", BASIC)
    assert quoted is not None and shown(quoted)["price"] == "150.00"


def test_tier_prices_give_every_tier_unrounded(
    service: PricingService, provider: str, catalog: CatalogRepository
) -> None:
    service.set_reseller_pricing("u-prov", provider, "res-f", {"margin": "0.2"})
    service.set_customer_pricing("u-res", provider, "res-f", "cus-f", {"margin": "0.05"})
    standard = catalog.get(provider, "NL", STANDARD)
    assert standard is not None
    tiers = service.tier_prices(CatalogViewer(provider, "res-f", "cus-f"), standard)
    assert (tiers.cost.amount, tiers.reseller.amount, tiers.customer.amount) == (D("10.004"), D("12.0048"),
                                                                                 D("12.60504"))  # fmt: skip


# -- writes: validated, guarded, audited -----------------------------------------------------------------------------


def test_pricing_writes_are_refused_with_every_field_error(service: PricingService, provider: str) -> None:
    body = {
        "margin": "12",
        "overrides": [
            {"catalogItemId": "UNKNOWN:0001:X:P1Y:annual", "price": "1.00"},
            {"catalogItemId": BASIC, "price": "1.00"},  # sold in EUR and USD: which one?
            {"catalogItemId": STANDARD, "price": "-1.00"},
            {"catalogItemId": STANDARD, "currency": "USD", "price": "1.00"},
        ],
    }
    with pytest.raises(InvalidPricing) as refused:
        service.set_reseller_pricing("u-prov", provider, "res-g", body)
    assert isinstance(refused.value, Invalid) and refused.value.status == 422
    assert [error.field for error in refused.value.errors] == [
        "margin", "overrides[0].catalogItemId", "overrides[1].currency", "overrides[2].price", "overrides[3].currency",
    ]  # fmt: skip
    assert service.get_reseller_pricing(provider, "res-g").etag is None  # nothing stored


def test_many_overrides_are_validated_in_one_catalog_read(service: PricingService, provider: str) -> None:
    overrides = [{"catalogItemId": STANDARD, "price": f"{n}.00"} for n in range(25)]
    with pytest.raises(InvalidPricing) as refused:  # all known, but the same item 25 times
        service.set_reseller_pricing("u-prov", provider, "res-h", {"overrides": overrides})
    assert len(refused.value.errors) == 24


def test_pricing_writes_are_audited_with_before_and_after(
    service: PricingService, provider: str, audit: AuditLog
) -> None:
    reseller = unique_id("res-")
    service.set_reseller_pricing("u-prov", provider, reseller, {"margin": "0.10"})
    service.set_reseller_pricing("u-prov", provider, reseller, {"margin": "0.12"})
    entries, _ = audit.page_for_entity(reseller, limit=10, position=None)
    assert [entry.action for entry in entries] == ["resellerPricing.replaced"] * 2
    newest, oldest = entries
    assert oldest.before is None and oldest.after["margin"] == "0.10"
    assert (newest.before["margin"], newest.after["margin"]) == ("0.10", "0.12")
    assert (newest.org.org_type.value, newest.org.provider_id, newest.actor_id) == ("reseller", provider, "u-prov")


def test_a_write_naming_a_stale_etag_is_refused(service: PricingService, provider: str) -> None:
    reseller = unique_id("res-")
    first = service.set_reseller_pricing("u-prov", provider, reseller, {"margin": "0.10"})
    service.set_reseller_pricing("u-other", provider, reseller, {"margin": "0.11"})
    with pytest.raises(PreconditionFailed):
        service.set_reseller_pricing("u-prov", provider, reseller, {"margin": "0.12"}, if_match=first.etag)
    assert service.get_reseller_pricing(provider, reseller).rule.margin == D("0.11")


def test_catalog_switches_are_audited(catalog: CatalogRepository, audit: AuditLog, provider: str) -> None:
    from shared.services.catalog import CatalogAdmin

    admin = CatalogAdmin(catalog, audit)
    changed = admin.set_sellable("u-prov", provider, BASIC, False)
    assert {entry.country for entry in changed} == {"NL", "US"} and not any(entry.sellable for entry in changed)
    entries, _ = audit.page_for_entity(BASIC, limit=50, position=None)
    mine = [entry for entry in entries if entry.org.org_id == provider]
    assert mine[0].before == {"NL": True, "US": True} and mine[0].after == {"NL": False, "US": False}
    settings = admin.set_new_items_sellable("u-prov", provider, True)
    assert settings.new_items_sellable and admin.settings(provider).new_items_sellable


@pytest.mark.parametrize("country", ["", "NLD", "N'", "1A"])
def test_a_market_that_is_not_a_country_code_is_refused(service: PricingService, provider: str, country: str) -> None:
    with pytest.raises(Invalid) as refused:
        service.catalog_for(CatalogViewer(provider), country)
    assert [error.field for error in refused.value.errors] == ["country"]


def test_an_item_without_a_known_currency_is_shown_unpriced(
    service: PricingService, catalog: CatalogRepository
) -> None:
    provider_id = unique_id("prov-")
    catalog.write_seen(provider_id, [item(BASIC, "120.00", currency="XXZ")], [])
    [priced] = service.catalog_for(CatalogViewer(provider_id, "res-a", "cus-a"), "NL").items
    assert shown(priced)["price"] is None and shown(priced)["monthlyEquivalent"] is None


# -- pricing over time (billing prices each charge with the rules of its date) ---------------------------------------


def test_every_pricing_write_is_kept_as_a_version(pricing: PricingRepository) -> None:
    provider, reseller = unique_id("prov-"), unique_id("res-")
    first = pricing.put_reseller_pricing(provider, reseller, PriceRule(margin=D("0.1")), etag=None, actor_id="u1",
                                         now=NOW)  # fmt: skip
    pricing.put_reseller_pricing(provider, reseller, PriceRule(margin=D("0.3")), etag=first.etag, actor_id="u2",
                                 now=NOW)  # fmt: skip
    history = pricing.history(provider)
    [(first_at, _), (second_at, _)] = history.versions[f"reseller|{reseller}"]
    assert first_at < second_at
    from shared.storage.pricing import reseller_row

    row = reseller_row(reseller)
    assert history.rule_at(row, first_at - timedelta(seconds=1)) is None  # nothing was in force before the first
    assert history.rule_at(row, first_at).margin == D("0.1")
    assert history.rule_at(row, second_at).margin == D("0.3")
    assert history.rule_at(row, None).margin == D("0.3")
    assert pricing.get_reseller_pricing(provider, reseller).rule.margin == D("0.3")  # the current row is unchanged


def test_a_refused_write_adds_no_version(pricing: PricingRepository) -> None:
    provider, reseller = unique_id("prov-"), unique_id("res-")
    pricing.put_reseller_pricing(provider, reseller, PriceRule(margin=D("0.1")), etag=None, actor_id="u1", now=NOW)
    with pytest.raises(PricingChanged):
        pricing.put_reseller_pricing(provider, reseller, PriceRule(margin=D("0.2")), etag=None, actor_id="u2", now=NOW)
    from shared.storage.pricing import reseller_row

    assert len(pricing.history(provider).versions[reseller_row(reseller)]) == 1


def test_the_tier_price_schedule_follows_the_pricing_over_time(service: PricingService, provider: str) -> None:
    reseller, customer = unique_id("res-"), unique_id("cus-")
    viewer = CatalogViewer(provider, reseller_id=reseller, customer_id=customer)
    basic = item(BASIC, "120.00")
    service.set_reseller_pricing("u1", provider, reseller, {"margin": "0.10", "overrides": []})
    service.set_customer_pricing("u1", provider, reseller, customer, {"margin": "0.20", "overrides": []})
    service.set_reseller_pricing("u1", provider, reseller, {"margin": "0.25", "overrides": []})
    schedule = service.tier_price_schedule(viewer, basic)
    assert [moment is None for moment, _ in schedule] == [True, False, False, False]
    reseller_prices = [prices.reseller.amount for _, prices in schedule]
    customer_prices = [prices.customer.amount for _, prices in schedule]
    assert reseller_prices == [D("120.00"), D("132.000"), D("132.000"), D("150.0000")]
    assert customer_prices == [D("120.00"), D("132.000"), D("158.4000"), D("180.000000")]
    assert schedule[-1][1].customer.amount == service.tier_prices(viewer, basic).customer.amount


def test_the_schedule_follows_the_cost_over_time_too(service: PricingService, provider: str) -> None:
    reseller, customer = unique_id("res-"), unique_id("cus-")
    viewer = CatalogViewer(provider, reseller_id=reseller, customer_id=customer)
    service.set_reseller_pricing("u1", provider, reseller, {"margin": "0.10", "overrides": []})
    margin_set = service.history(provider).changes([f"reseller|{reseller}"])[0]
    raised = margin_set + timedelta(days=10)
    costs = [(margin_set - timedelta(days=30), D("100.00")), (raised, D("120.00"))]
    schedule = service.tier_price_schedule(viewer, item(BASIC, "120.00"), costs=costs)
    by_moment = {moment: prices for moment, prices in schedule}
    assert by_moment[None].reseller.amount == D("100.00")  # before any recorded rule: no margin, the first cost
    assert by_moment[margin_set].reseller.amount == D("110.00")
    assert by_moment[raised].reseller.amount == D("132.00")
    assert by_moment[raised].cost.amount == D("120.00")
