"""Co-terming and add-ons (docs/business.md#co-terming-and-add-ons): the first cycle of a line that ends with an
existing subscription is prorated by day, an add-on is sold only with its base, and billing takes a co-termed first
charge without a false discrepancy."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from shared.domain.billing import KnownCustomer, KnownReseller, KnownSubscription, Lookups, Reconciler, UnitPrices
from shared.domain.coterm import addon_refusal, coterm_refusal, first_cycle_end, first_cycle_fraction
from shared.domain.money import EXACT
from shared.domain.orders import line_total, prorated_unit
from shared.domain.subscriptions import Subscription
from shared.partner_center.models import CustomTermEndDate
from shared.partner_center.reconciliation import LineParser
from shared.services.errors import Invalid
from shared.services.orders import LineRequest
from tests.unit.fake_platform import CUSTOMER_TENANT, PROVIDER_ID, FakePlatform, catalog_item, provider_staff
from tests.unit.fakes import FakeTierPricing

D = Decimal
PRICES = (D("10"), D("11"), D("12.10"))


# The rules ------------------------------------------------------------------------------------------------------


def test_a_monthly_first_cycle_runs_to_the_first_boundary_counted_back_from_the_end() -> None:
    # bought 7 Dec, ending with a subscription whose last day is 31 Jul: cycles start on the 1st, the first is 7-31 Dec
    assert first_cycle_end(date(2026, 12, 7), date(2027, 7, 31), "monthly") == date(2027, 1, 1)
    assert first_cycle_fraction(date(2026, 12, 7), date(2027, 7, 31), "monthly") == EXACT.divide(D(25), D(31))


def test_an_annual_first_cycle_is_the_whole_shortened_term() -> None:
    fraction = first_cycle_fraction(date(2026, 12, 7), date(2027, 7, 31), "annual")
    whole = (date(2027, 8, 1) - date(2026, 8, 1)).days
    assert fraction == EXACT.divide(D((date(2027, 8, 1) - date(2026, 12, 7)).days), D(whole)) and fraction < 1


def test_a_whole_first_cycle_is_not_prorated_and_an_end_before_the_purchase_is_refused() -> None:
    assert first_cycle_fraction(date(2026, 12, 7), date(2027, 1, 6), "monthly") == 1
    with pytest.raises(ValueError):
        first_cycle_fraction(date(2026, 12, 7), date(2026, 12, 1), "monthly")


def test_an_add_on_needs_one_of_its_bases_held_or_ordered() -> None:
    bases = ["CFQ7TTC0LH16:0001"]
    titles = {"CFQ7TTC0LH16:0001": "Exchange Online (Plan 1)"}
    refusal = addon_refusal(bases, ["CFQ7TTC0LH18:0001:CFQ7TTC0K971"], [], titles)
    assert refusal is not None and "Exchange Online (Plan 1) (CFQ7TTC0LH16:0001)" in refusal
    assert addon_refusal(bases, ["cfq7ttc0lh16:0001:CFQ7TTC0K97F"], [], titles) is None
    assert addon_refusal(bases, [], ["CFQ7TTC0LH16:0001:CFQ7TTC0K97F:P1Y:monthly"], titles) is None
    assert addon_refusal([], [], [], {}) is None


def test_a_line_ends_only_with_an_active_subscription_of_the_customer() -> None:
    assert coterm_refusal("active", of_customer=True) is None
    assert coterm_refusal(None, of_customer=False) == "not a subscription of this customer"
    assert "suspended" in (coterm_refusal("suspended", of_customer=True) or "")


# Through the order service ---------------------------------------------------------------------------------------

BASE = catalog_item(
    "base-0001", offer_id="BASE:0001:AVAIL", product_id="BASE", sku_id="0001", title="Base plan", sku_title="Base plan"
)
ADDON = catalog_item("addon-0001", is_addon=True, prerequisite_skus=("BASE:0001",), title="Archiving")
MONTHLY = catalog_item("sku-a")


def _shop() -> tuple[FakePlatform, object]:
    platform = FakePlatform(pricing=FakeTierPricing({i: PRICES for i in ("base-0001", "addon-0001", "sku-a")}))
    platform.catalog.items.extend([BASE, ADDON, MONTHLY])
    reseller = platform.add_reseller()
    return platform, platform.add_customer(reseller)


def _hold(platform: FakePlatform, customer: object, offer_id: str, *, status: str = "active", ends: date) -> str:
    sub_id = f"sub-{len(platform.subscriptions.rows) + 1}"
    now = datetime.now(UTC)
    held = Subscription(
        id=sub_id, provider_id=PROVIDER_ID, reseller_id=customer.reseller_id, customer_id=customer.id,  # type: ignore[attr-defined]
        customer_tenant_id=CUSTOMER_TENANT, catalog_item_id=None, offer_id=offer_id, name="held", quantity=1,
        status=status, auto_renew=True, term_duration="P1Y", billing_cycle="monthly", term_start_date=now,
        term_end_date=datetime.combine(ends, datetime.min.time(), tzinfo=UTC), cancellation_window_ends_at=None,
        partner_id="2222222", order_id=None,
    )  # fmt: skip
    platform.subscriptions.write(customer.id, sub_id, lambda _: held)  # type: ignore[attr-defined]
    return sub_id


def _refusal(platform: FakePlatform, customer: object, *lines: LineRequest) -> dict[str, str]:
    with pytest.raises(Invalid) as refused:
        platform.order_service().place(provider_staff(), customer.id, list(lines))  # type: ignore[attr-defined]
    assert platform.orders.rows == {}
    return {e.field: e.message for e in refused.value.errors}


def test_an_add_on_without_its_base_is_422_on_its_catalog_item_naming_the_base() -> None:
    platform, customer = _shop()
    errors = _refusal(platform, customer, LineRequest("addon-0001", 1, "P1Y", "monthly"))
    assert "Base plan (BASE:0001)" in errors["lines.0.catalogItemId"]


def test_an_add_on_is_sold_with_its_base_in_the_same_order_or_to_a_holder_of_one() -> None:
    platform, customer = _shop()
    service = platform.order_service()
    both = [LineRequest("addon-0001", 1, "P1Y", "monthly"), LineRequest("base-0001", 1, "P1Y", "monthly")]
    assert len(service.place(provider_staff(), customer.id, both).lines) == 2  # type: ignore[attr-defined]
    _hold(platform, customer, "BASE:0001:AVAIL", ends=date.today() + timedelta(days=200))
    order = service.place(provider_staff(), customer.id, [LineRequest("addon-0001", 2, "P1Y", "monthly")])  # type: ignore[attr-defined]
    assert order.lines[0].catalog_item_id == "addon-0001"


def test_a_suspended_base_does_not_count() -> None:
    platform, customer = _shop()
    _hold(platform, customer, "BASE:0001:AVAIL", status="suspended", ends=date.today() + timedelta(days=200))
    assert "lines.0.catalogItemId" in _refusal(platform, customer, LineRequest("addon-0001", 1, "P1Y", "monthly"))


def test_a_co_termed_line_stores_its_end_date_and_prices_its_first_cycle_prorated() -> None:
    platform, customer = _shop()
    ends = date.today() + timedelta(days=100)
    target = _hold(platform, customer, "BASE:0001:AVAIL", ends=ends)
    platform.partner_center.custom_term_end_dates[target] = [CustomTermEndDate(ends, "subscriptionAligned", (target,))]
    order = platform.order_service().place(
        provider_staff(),
        customer.id,
        [LineRequest("sku-a", 3, "P1Y", "monthly", coterminate_with=target)],  # type: ignore[attr-defined]
    )
    [line] = order.lines
    fraction = first_cycle_fraction(date.today(), ends, "monthly")
    assert (line.coterminate_with, line.custom_term_end_date, line.first_cycle_fraction) == (target, ends, fraction)
    assert prorated_unit(line, "customer_price") == D("12.10") * fraction
    assert line_total(line, "customer_price") == (D("36.30") * fraction).quantize(D("0.01"), "ROUND_HALF_UP")
    assert platform.orders.get(customer.id, order.id).lines[0].custom_term_end_date == ends  # type: ignore[attr-defined]
    platform.provisioning_service().provision(customer.id, order.id, 1)  # type: ignore[attr-defined]
    assert [cart_line.custom_term_end_date for cart_line in platform.partner_center.cart_lines] == [ends]


def test_co_terming_with_a_subscription_not_the_customers_or_not_active_or_unaligned_is_422() -> None:
    platform, customer = _shop()
    other = platform.add_customer(
        platform.add_reseller(partner_id="3333333"), domain="other.onmicrosoft.com", tenant_id="customer-tenant-2"
    )
    theirs = _hold(platform, other, "BASE:0001:AVAIL", ends=date.today() + timedelta(days=90))
    suspended = _hold(platform, customer, "BASE:0001:AVAIL", status="suspended", ends=date.today() + timedelta(days=90))
    unaligned = _hold(platform, customer, "BASE:0001:AVAIL", ends=date.today() + timedelta(days=900))
    for target, says in ((theirs, "not a subscription of this customer"), ("nope", "not a subscription"),
                         (suspended, "suspended"), (unaligned, "no end date aligns")):  # fmt: skip
        errors = _refusal(platform, customer, LineRequest("sku-a", 1, "P1Y", "monthly", coterminate_with=target))
        assert says in errors["lines.0.coterminateWith"]


# Billing ---------------------------------------------------------------------------------------------------------


def test_a_co_termed_first_charge_bills_every_tier_prorated_without_a_discrepancy() -> None:
    sub, tenant = "c0c0c0c0-1111-2222-3333-444444444444", "f81d98dd-c2f4-499e-a194-5619e260344e"
    prices = UnitPrices("CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:monthly", "USD", D("6.00"), D("6.60"), D("7.26"))
    bought = datetime(2026, 10, 7, tzinfo=UTC)
    fraction = first_cycle_fraction(bought.date(), date(2027, 6, 30), "monthly")  # the first cycle: 7-31 Oct
    known = Lookups.build(
        [KnownSubscription(sub, "cust-1", "res-1", prices.catalog_item_id, 4, "active", "P1Y", "monthly", bought)],
        [KnownCustomer("cust-1", "res-1", tenant, "active")], [KnownReseller("res-1", "4847383")],
        {sub: {"USD": prices}},
    )  # fmt: skip
    effective = (D("6.00") * fraction).quantize(D("1E-14"), "ROUND_HALF_UP")
    line = LineParser().from_mapping({
        "customerId": f"org:{tenant}", "invoiceNumber": "G1", "resellerMpnId": 4847383, "orderId": "o-1",
        "productId": "CFQ7TTC0LH18", "skuId": "0001", "availabilityId": "CFQ7TTC0K971", "chargeType": "new",
        "unitPrice": D("6.00"), "effectiveUnitPrice": effective, "quantity": 4,
        "subtotal": (effective * 4).quantize(D("0.01"), "ROUND_HALF_UP"), "currency": "USD", "pricingCurrency": "USD",
        "pcToBCExchangeRate": 1, "subscriptionId": sub, "chargeStartDate": "2026-10-07T00:00:00Z",
        "chargeEndDate": "2026-10-31T00:00:00Z", "billingFrequency": "Monthly",
    })  # fmt: skip
    reconciler = Reconciler(known, datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    priced, found = reconciler.add(line)
    found.extend(reconciler.finish())
    assert found == []
    assert priced.customer_charge == (D("7.26") * 4 * fraction).quantize(D("0.01"), "ROUND_HALF_UP")
    assert priced.reseller_charge == (D("6.60") * 4 * fraction).quantize(D("0.01"), "ROUND_HALF_UP")
