"""Catalog sync into a real Azurite: against the Partner Center sandbox, and against small in-memory listings for the
cases the sandbox cannot stage (price-sheet quirks, changed availability ids, glitches)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests

from local.sandbox import catalog as sandbox_catalog
from shared.domain.catalog import ItemStatus, make_catalog_item_id
from shared.partner_center import (
    Availability,
    PartnerCenterClient,
    PartnerCenterCredentials,
    PartnerCenterEndpoints,
    Product,
    Sku,
    client_for_provider,
)
from shared.partner_center.errors import Unavailable
from shared.secrets import LocalSecretStore
from shared.services.catalog import CatalogSync, PriceSheet
from shared.storage.catalog import CatalogFilter, CatalogRepository
from shared.storage.tables import TableStorage
from tests.conftest import unique_id
from tests.support.sandbox import RunningSandbox, start_sandbox

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
D = Decimal


# -- fixtures ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def repository(azurite: Any) -> CatalogRepository:
    return CatalogRepository(TableStorage(connection_string=azurite.connection_string))


@pytest.fixture(scope="module")
def catalog_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """A sandbox of this module's own: retiring offers and changing prices there never touches other tests."""
    running = start_sandbox(tmp_path_factory.mktemp("catalog-sandbox"))
    yield running
    running.stop()


def control(sandbox: RunningSandbox, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(method, sandbox.http_url + path, json=body, timeout=30)
    assert response.status_code < 400, f"{method} {path}: {response.status_code} {response.text}"
    return response.json() if response.content else None


@pytest.fixture(scope="module")
def pc_client(catalog_sandbox: RunningSandbox) -> Iterator[PartnerCenterClient]:
    """The sandbox's development provider, app and app+user, through the production client."""
    provider = control(catalog_sandbox, "GET", "/_sandbox/provider")
    client = client_for_provider(
        PartnerCenterCredentials(
            tenant_id=provider["tenantId"],
            client_id=provider["clientId"],
            client_secret_ref=provider["clientSecretRef"],
            refresh_token_ref=provider["refreshTokenRef"],
        ),
        PartnerCenterEndpoints(
            partner_center_url=catalog_sandbox.https_url,
            authority_host=catalog_sandbox.https_url,
            price_sheet_url=catalog_sandbox.https_url,
            graph_url=catalog_sandbox.https_url,
            ca_bundle=str(catalog_sandbox.ca_cert_path),
        ),
        LocalSecretStore(catalog_sandbox.secrets_dir),
    )
    yield client
    client.close()


@pytest.fixture
def reset_catalog(catalog_sandbox: RunningSandbox) -> Iterator[RunningSandbox]:
    control(catalog_sandbox, "DELETE", "/_sandbox/catalog/changes")
    yield catalog_sandbox
    control(catalog_sandbox, "DELETE", "/_sandbox/catalog/changes")


def expected_ids(country: str, skus: tuple[sandbox_catalog.Sku, ...] = sandbox_catalog.SKUS) -> set[str]:
    return {
        make_catalog_item_id(sku.product_id, sku.sku_id, sku.availability_id, term.duration, term.billing_cycle)
        for sku in skus
        for term in sku.terms
    }


def needs_price_sheet(client: Any) -> None:
    if not hasattr(client, "iter_price_sheet"):
        pytest.skip("PartnerCenterClient.iter_price_sheet is not there yet; cost matching is proved with fakes below")


# -- against the sandbox ---------------------------------------------------------------------------------------------


def test_sync_stores_one_item_per_term_of_every_offered_sku(
    pc_client: PartnerCenterClient, repository: CatalogRepository, reset_catalog: RunningSandbox
) -> None:
    provider = unique_id("prov-")
    result = CatalogSync(pc_client, repository).sync(provider, "NL", now=NOW)
    stored = list(repository.iter_market(provider, "NL"))
    assert result.added == len(expected_ids("NL")) == len(stored)
    assert {item.catalog_item_id for item in stored} == expected_ids("NL")
    assert all(item.status is ItemStatus.ACTIVE and item.currency == "EUR" for item in stored)
    archiving = [item for item in stored if item.product_id == "CFQ7TTC0LH0R"]
    assert archiving and all(item.is_addon for item in archiving)
    assert {item.cancellation_window for item in stored} == {"P7D"}
    assert {item.offer_id for item in stored} == {sku.catalog_item_id for sku in sandbox_catalog.SKUS}


def test_sync_twice_is_idempotent(
    pc_client: PartnerCenterClient, repository: CatalogRepository, reset_catalog: RunningSandbox
) -> None:
    provider = unique_id("prov-")
    sync = CatalogSync(pc_client, repository)
    first = sync.sync(provider, "US", now=NOW)
    before = {item.catalog_item_id: item for item in repository.iter_market(provider, "US")}
    second = sync.sync(provider, "US", now=NOW + timedelta(hours=6))
    after = {item.catalog_item_id: item for item in repository.iter_market(provider, "US")}
    assert (second.added, second.updated, second.retired, second.unchanged) == (0, 0, 0, first.added)
    assert after.keys() == before.keys()
    for key, item in after.items():
        assert item.same_content(before[key])
        assert (item.sellable, item.status, item.first_seen) == (before[key].sellable, ItemStatus.ACTIVE, NOW)
        assert item.last_seen == NOW + timedelta(hours=6)


def test_costs_come_from_the_price_sheet_per_term_and_billing_cycle(
    pc_client: PartnerCenterClient, repository: CatalogRepository, reset_catalog: RunningSandbox
) -> None:
    needs_price_sheet(pc_client)
    provider = unique_id("prov-")
    result = CatalogSync(pc_client, repository).sync(provider, "NL", now=datetime.now(UTC))
    assert result.price_sheet is PriceSheet.LOADED
    assert result.priced == result.added
    for sku in sandbox_catalog.SKUS:
        for term in sku.terms:
            item_id = make_catalog_item_id(sku.product_id, sku.sku_id, sku.availability_id, term.duration,
                                           term.billing_cycle)  # fmt: skip
            item = repository.get(provider, "NL", item_id)
            assert item is not None
            assert item.cost == sandbox_catalog.unit_price(sku, "NL", term), item_id


def test_a_price_change_in_partner_center_updates_the_cost(
    pc_client: PartnerCenterClient, repository: CatalogRepository, reset_catalog: RunningSandbox
) -> None:
    needs_price_sheet(pc_client)
    provider = unique_id("prov-")
    sync = CatalogSync(pc_client, repository)
    now = datetime.now(UTC)
    sync.sync(provider, "NL", now=now)
    basic = sandbox_catalog.SKUS[0]
    control(reset_catalog, "POST", "/_sandbox/catalog/changes", {"changes": [
        {"catalogItemId": basic.catalog_item_id, "market": "NL", "termDuration": "P1Y", "billingCycle": "Annual",
         "unitPrice": "70.1234"},
    ]})  # fmt: skip
    result = sync.sync(provider, "NL", now=now)
    assert (result.updated, result.added, result.retired) == (1, 0, 0)
    item = repository.get(provider, "NL", f"{basic.catalog_item_id}:P1Y:annual")
    assert item is not None and item.cost == D("70.1234")


def test_a_removed_sku_is_retired_not_deleted_and_comes_back_when_offered_again(
    pc_client: PartnerCenterClient, repository: CatalogRepository, reset_catalog: RunningSandbox
) -> None:
    provider = unique_id("prov-")
    sync = CatalogSync(pc_client, repository)
    sync.sync(provider, "DE", now=NOW)
    e5 = next(sku for sku in sandbox_catalog.SKUS if sku.product_title == "Microsoft 365 E5")
    repository.set_sellable(provider, f"{e5.catalog_item_id}:P1Y:annual", True)

    control(reset_catalog, "POST", "/_sandbox/catalog/changes",
            {"changes": [{"catalogItemId": e5.catalog_item_id, "market": "DE", "retire": True}]})  # fmt: skip
    retired = sync.sync(provider, "DE", now=NOW + timedelta(days=1))
    assert (retired.retired, retired.added) == (len(e5.terms), 0)
    rows = [item for item in repository.iter_market(provider, "DE") if item.offer_id == e5.catalog_item_id]
    assert len(rows) == len(e5.terms)
    assert all(row.status is ItemStatus.RETIRED and row.retired_at == NOW + timedelta(days=1) for row in rows)
    assert sync.sync(provider, "DE", now=NOW + timedelta(days=2)).retired == 0  # retired once, not again

    control(reset_catalog, "DELETE", "/_sandbox/catalog/changes")
    back = sync.sync(provider, "DE", now=NOW + timedelta(days=3))
    assert (back.reactivated, back.added, back.retired) == (len(e5.terms), 0, 0)
    again = repository.get(provider, "DE", f"{e5.catalog_item_id}:P1Y:annual")
    assert again is not None and again.status is ItemStatus.ACTIVE and again.sellable  # the provider's choice kept
    assert again.first_seen == NOW


def test_catalog_pages_cover_every_item_once_with_filters_and_text_search(
    pc_client: PartnerCenterClient, repository: CatalogRepository, reset_catalog: RunningSandbox
) -> None:
    provider = unique_id("prov-")
    CatalogSync(pc_client, repository).sync(provider, "NL", now=NOW)
    seen: list[str] = []
    position = None
    while True:
        page = repository.page(provider, "NL", limit=7, position=position)
        assert len(page.items) <= 7
        seen.extend(item.catalog_item_id for item in page.items)
        position = page.next_position
        if position is None:
            break
    assert sorted(seen) == sorted(expected_ids("NL")) and len(seen) == len(set(seen))

    three_years = repository.page(provider, "NL", filters=CatalogFilter(term_duration="p3y"), limit=500)
    assert three_years.items and {item.term_duration for item in three_years.items} == {"P3Y"}
    exchange: list[str] = []
    position = None
    while True:
        page = repository.page(provider, "NL", filters=CatalogFilter(text="exchange online"), limit=2,
                               position=position)  # fmt: skip
        exchange.extend(item.title for item in page.items)
        position = page.next_position
        if position is None:
            break
    assert len(exchange) == 6 and all("exchange online" in title.lower() for title in exchange)
    assert repository.page(provider, "NL", filters=CatalogFilter(sellable_only=True), limit=50).items == []


# -- against in-memory listings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A price-sheet row as the client yields them (PriceSheetRow's fields the sync reads)."""

    product_id: str
    sku_id: str
    term_duration: str | None
    billing_plan: str | None
    currency: str | None
    unit_price: Decimal
    segment: str | None = "Commercial"
    effective_start: datetime | None = None
    effective_end: datetime | None = None


def term(duration: str, cycle: str) -> dict[str, Any]:
    refund = {"sequenceId": 0, "type": "Full", "expiresAfter": "P7D"}
    return {"duration": duration, "billingCycle": cycle, "cancellationPolicies": [{"refundOptions": [refund]}]}


@dataclass
class FakeCatalog:
    """Partner Center's catalog for one market, editable between syncs; what a test wants the sync to see."""

    offers: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (product, sku) -> availability
    rows: list[Row] | None = None  # None: this client cannot read price sheets
    fail_after_products: bool = False

    def offer(self, product: str, sku: str, availability: str, terms: list[dict[str, Any]], currency: str = "EUR",
              segment: str = "commercial") -> None:  # fmt: skip
        self.offers[(product, sku)] = {
            "id": availability, "productId": product, "skuId": sku, "catalogItemId": f"{product}:{sku}:{availability}",
            "segment": segment, "defaultCurrency": {"code": currency}, "isPurchasable": True, "terms": terms,
        }  # fmt: skip


class FakeClient:
    def __init__(self, fake: FakeCatalog) -> None:
        self.fake = fake

    def iter_products(self, country: str, target_view: str, *, correlation_id: str | None = None) -> list[Product]:
        assert target_view == "OnlineServicesNCE"
        products = sorted({product for product, _ in self.fake.offers})
        return [Product.from_wire({"id": p, "title": f"Product {p}", "productType": {"id": "OnlineServicesNCE"}})
                for p in products]  # fmt: skip

    def list_skus(self, product_id: str, *, country: str, correlation_id: str | None = None) -> list[Sku]:
        if self.fake.fail_after_products:
            raise Unavailable("503 from the catalog")
        return [Sku.from_wire({"id": s, "productId": p, "title": f"Sku {s}", "minimumQuantity": 1,
                               "maximumQuantity": 300}) for p, s in self.fake.offers if p == product_id]  # fmt: skip

    def list_availabilities(
        self, product_id: str, sku_id: str, *, country: str, correlation_id: str | None = None
    ) -> list[Availability]:
        return [Availability.from_wire(self.fake.offers[(product_id, sku_id)])]


class FakeClientWithPriceSheet(FakeClient):
    def iter_price_sheet(self, market: str) -> Iterator[Row]:
        yield from self.fake.rows or []


def client_for(fake: FakeCatalog) -> FakeClient:
    return FakeClient(fake) if fake.rows is None else FakeClientWithPriceSheet(fake)


def sync(fake: FakeCatalog, repository: CatalogRepository, provider: str, now: datetime = NOW) -> Any:
    return CatalogSync(client_for(fake), repository).sync(provider, "NL", now=now)


def cost_of(repository: CatalogRepository, provider: str, item_id: str) -> Decimal | None:
    item = repository.get(provider, "NL", item_id)
    assert item is not None, item_id
    return item.cost


def test_costs_are_matched_per_term_and_billing_plan_case_insensitively(repository: CatalogRepository) -> None:
    provider = unique_id("prov-")
    fake = FakeCatalog(rows=[
        Row("PROD1", "0001", "P1Y", "Annual", "EUR", D("120.00")),
        Row("PROD1", "0001", "P1Y", "Monthly", "EUR", D("10.50")),
        Row("prod1", "0001", "p1m", "monthly", "EUR", D("12.6")),
        Row("PROD1", "0001", "P1Y", "Annual", "EUR", D("99.00"), segment="Education"),
    ])  # fmt: skip
    fake.offer("PROD1", "0001", "AV1", [term("P1M", "Monthly"), term("P1Y", "Monthly"), term("P1Y", "Annual"),
                                        term("P3Y", "Triennial")])  # fmt: skip
    result = sync(fake, repository, provider)
    assert (result.price_sheet, result.added, result.priced) == (PriceSheet.LOADED, 4, 3)
    assert cost_of(repository, provider, "PROD1:0001:AV1:P1Y:annual") == D("120.00")
    assert cost_of(repository, provider, "PROD1:0001:AV1:P1Y:monthly") == D("10.50")
    assert cost_of(repository, provider, "PROD1:0001:AV1:P1M:monthly") == D("12.6")
    assert cost_of(repository, provider, "PROD1:0001:AV1:P3Y:triennial") is None


def test_a_price_sheet_row_in_another_currency_is_not_taken_as_cost(repository: CatalogRepository) -> None:
    provider = unique_id("prov-")
    fake = FakeCatalog(rows=[Row("PROD1", "0001", "P1Y", "Annual", "USD", D("130.00"))])
    fake.offer("PROD1", "0001", "AV1", [term("P1Y", "Annual")], currency="EUR")
    assert sync(fake, repository, provider).priced == 0
    assert cost_of(repository, provider, "PROD1:0001:AV1:P1Y:annual") is None


def test_the_price_in_force_wins_over_an_announced_one(repository: CatalogRepository) -> None:
    provider = unique_id("prov-")
    month = datetime(2026, 11, 1, tzinfo=UTC)
    fake = FakeCatalog(rows=[
        Row("PROD1", "0001", "P1Y", "Annual", "EUR", D("120"), effective_start=month - timedelta(days=31),
            effective_end=month - timedelta(days=1)),
        Row("PROD1", "0001", "P1Y", "Annual", "EUR", D("126"), effective_start=month,
            effective_end=datetime(2026, 11, 30, tzinfo=UTC)),
        Row("PROD1", "0001", "P1Y", "Annual", "EUR", D("131"), effective_start=datetime(2026, 12, 1, tzinfo=UTC)),
    ])  # fmt: skip
    fake.offer("PROD1", "0001", "AV1", [term("P1Y", "Annual")])
    sync(fake, repository, provider, now=datetime(2026, 11, 30, 18, 0, tzinfo=UTC))  # the end date's whole day counts
    assert cost_of(repository, provider, "PROD1:0001:AV1:P1Y:annual") == D("126")


def test_a_sync_without_a_price_sheet_keeps_the_costs_known_before(repository: CatalogRepository) -> None:
    provider = unique_id("prov-")
    fake = FakeCatalog(rows=[Row("PROD1", "0001", "P1Y", "Annual", "EUR", D("120.00"))])
    fake.offer("PROD1", "0001", "AV1", [term("P1Y", "Annual")])
    sync(fake, repository, provider)
    fake.rows = None
    result = sync(fake, repository, provider, now=NOW + timedelta(days=1))
    assert (result.price_sheet, result.unchanged, result.updated) == (PriceSheet.NOT_AVAILABLE, 1, 0)
    assert cost_of(repository, provider, "PROD1:0001:AV1:P1Y:annual") == D("120.00")


def test_a_first_sync_without_a_price_sheet_stores_items_unpriced(repository: CatalogRepository) -> None:
    provider = unique_id("prov-")
    fake = FakeCatalog()
    fake.offer("PROD1", "0001", "AV1", [term("P1Y", "Annual")])
    result = sync(fake, repository, provider)
    assert (result.added, result.priced, result.price_sheet) == (1, 0, PriceSheet.NOT_AVAILABLE)


def test_a_removed_sku_is_retired_by_the_service(repository: CatalogRepository) -> None:
    provider = unique_id("prov-")
    fake = FakeCatalog(rows=[])
    fake.offer("PROD1", "0001", "AV1", [term("P1Y", "Annual"), term("P1M", "Monthly")])
    fake.offer("PROD2", "0001", "AV2", [term("P1Y", "Annual")])
    sync(fake, repository, provider)
    del fake.offers[("PROD1", "0001")]
    result = sync(fake, repository, provider, now=NOW + timedelta(days=1))
    assert (result.retired, result.unchanged) == (2, 1)
    item = repository.get(provider, "NL", "PROD1:0001:AV1:P1Y:annual")
    assert item is not None and item.status is ItemStatus.RETIRED


def test_a_changed_availability_id_retires_the_old_item_and_adds_the_new_one(repository: CatalogRepository) -> None:
    provider = unique_id("prov-")
    fake = FakeCatalog(rows=[])
    fake.offer("PROD1", "0001", "AV1", [term("P1Y", "Annual")])
    sync(fake, repository, provider)
    fake.offer("PROD1", "0001", "AV9", [term("P1Y", "Annual")])
    result = sync(fake, repository, provider, now=NOW + timedelta(days=1))
    assert (result.added, result.retired) == (1, 1)
    old = repository.get(provider, "NL", "PROD1:0001:AV1:P1Y:annual")
    new = repository.get(provider, "NL", "PROD1:0001:AV9:P1Y:annual")
    assert old is not None and old.status is ItemStatus.RETIRED
    assert new is not None and new.status is ItemStatus.ACTIVE and new.offer_id == "PROD1:0001:AV9"


def test_a_term_dropped_from_an_availability_retires_only_that_item(repository: CatalogRepository) -> None:
    provider = unique_id("prov-")
    fake = FakeCatalog(rows=[])
    fake.offer("PROD1", "0001", "AV1", [term("P1Y", "Annual"), term("P3Y", "Triennial")])
    sync(fake, repository, provider)
    fake.offer("PROD1", "0001", "AV1", [term("P1Y", "Annual")])
    assert sync(fake, repository, provider, now=NOW + timedelta(days=1)).retired == 1
    dropped = repository.get(provider, "NL", "PROD1:0001:AV1:P3Y:triennial")
    assert dropped is not None and dropped.status is ItemStatus.RETIRED


def test_new_items_follow_the_provider_setting_and_a_switch_survives_the_next_sync(
    repository: CatalogRepository,
) -> None:
    provider = unique_id("prov-")
    fake = FakeCatalog(rows=[])
    fake.offer("PROD1", "0001", "AV1", [term("P1Y", "Annual")])
    sync(fake, repository, provider)
    assert repository.get(provider, "NL", "PROD1:0001:AV1:P1Y:annual").sellable is False  # type: ignore[union-attr]

    repository.save_settings(provider, new_items_sellable=True)
    fake.offer("PROD2", "0001", "AV2", [term("P1Y", "Annual")])
    repository.set_sellable(provider, "PROD1:0001:AV1:P1Y:annual", True)
    sync(fake, repository, provider, now=NOW + timedelta(days=1))
    assert repository.get(provider, "NL", "PROD2:0001:AV2:P1Y:annual").sellable is True  # type: ignore[union-attr]
    assert repository.get(provider, "NL", "PROD1:0001:AV1:P1Y:annual").sellable is True  # type: ignore[union-attr]

    repository.save_settings(provider, new_items_sellable=False)
    repository.set_sellable(provider, "PROD2:0001:AV2:P1Y:annual", False)
    sync(fake, repository, provider, now=NOW + timedelta(days=2))
    assert repository.get(provider, "NL", "PROD2:0001:AV2:P1Y:annual").sellable is False  # type: ignore[union-attr]


def test_an_empty_listing_never_retires_the_market(repository: CatalogRepository) -> None:
    provider = unique_id("prov-")
    fake = FakeCatalog(rows=[])
    fake.offer("PROD1", "0001", "AV1", [term("P1Y", "Annual")])
    sync(fake, repository, provider)
    fake.offers.clear()
    result = sync(fake, repository, provider, now=NOW + timedelta(days=1))
    assert (result.retired, result.retirement_skipped) == (0, True)
    assert repository.get(provider, "NL", "PROD1:0001:AV1:P1Y:annual").is_active  # type: ignore[union-attr]


def test_a_listing_that_fails_half_way_retires_nothing(repository: CatalogRepository) -> None:
    provider = unique_id("prov-")
    fake = FakeCatalog(rows=[])
    fake.offer("PROD1", "0001", "AV1", [term("P1Y", "Annual")])
    sync(fake, repository, provider)
    fake.fail_after_products = True
    with pytest.raises(Unavailable):
        sync(fake, repository, provider, now=NOW + timedelta(days=1))
    assert repository.get(provider, "NL", "PROD1:0001:AV1:P1Y:annual").is_active  # type: ignore[union-attr]


def test_markets_and_providers_never_share_rows(repository: CatalogRepository) -> None:
    first, second = unique_id("prov-"), unique_id("prov-")
    fake = FakeCatalog(rows=[])
    fake.offer("PROD1", "0001", "AV1", [term("P1Y", "Annual")])
    sync(fake, repository, first)
    CatalogSync(client_for(fake), repository).sync(first + "|x", "NL", now=NOW)
    assert list(repository.iter_market(second, "NL")) == []
    assert len(repository.find_everywhere(first, "PROD1:0001:AV1:P1Y:annual")) == 1
    assert list(repository.iter_market(first, "US")) == []


def test_sync_records_the_outcome_per_market(repository: CatalogRepository) -> None:
    provider = unique_id("prov-")
    fake = FakeCatalog(rows=[])
    fake.offer("PROD1", "0001", "AV1", [term("P1Y", "Annual")])
    sync(fake, repository, provider)
    [record] = repository.sync_records(provider)
    assert (record.country, record.added, record.synced_at, record.price_sheet) == ("NL", 1, NOW, "loaded")


def test_each_cost_the_sync_sets_is_kept_with_when_it_took_effect(
    pc_client: PartnerCenterClient, repository: CatalogRepository, reset_catalog: RunningSandbox
) -> None:
    """Billing prices a charge with the cost in force on its date, so a price change keeps the earlier cost."""
    needs_price_sheet(pc_client)
    sync, provider = CatalogSync(pc_client, repository), unique_id("prov-")
    first_sync = datetime.now(UTC)
    sync.sync(provider, "NL", now=first_sync)
    basic = sandbox_catalog.SKUS[0]
    item_id = f"{basic.catalog_item_id}:P1Y:annual"
    before = repository.get(provider, "NL", item_id)
    control(reset_catalog, "POST", "/_sandbox/catalog/changes", {"changes": [
        {"catalogItemId": basic.catalog_item_id, "market": "NL", "termDuration": "P1Y", "billingCycle": "Annual",
         "unitPrice": "70.1234"},
    ]})  # fmt: skip
    second_sync = first_sync + timedelta(days=3)
    sync.sync(provider, "NL", now=second_sync)
    sync.sync(provider, "NL", now=second_sync + timedelta(days=1))  # unchanged: no new version
    history = repository.cost_history(provider)
    assert before is not None
    assert [(round(a.timestamp()), c) for a, c in history[(item_id, "NL")]] == [
        (round(first_sync.timestamp()), before.cost),
        (round(second_sync.timestamp()), D("70.1234")),
    ]
