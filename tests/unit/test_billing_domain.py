"""Billing rules (docs/business.md#pricing-each-line): proration, tier pricing per line, rounding once per
line, and each discrepancy kind, on lines parsed by the real reconciliation line parser."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from shared.domain.billing import (
    DiscrepancyKind,
    KnownCustomer,
    KnownReseller,
    KnownSubscription,
    Lookups,
    Reconciler,
    UnitPrices,
    expects_charge,
    proration_factor,
)
from shared.partner_center.reconciliation import LineParser

D = Decimal
OCT = datetime(2026, 10, 1, tzinfo=UTC)
NOV = datetime(2026, 11, 1, tzinfo=UTC)
TENANT = "f81d98dd-c2f4-499e-a194-5619e260344e"
SUB = "a4c1340d-6911-4758-bba3-0c4c6007d161"


def wire(**fields: Any) -> dict[str, Any]:
    """A v1 line item as Partner Center sends it (amounts already exact, as the client's parser makes them)."""
    line = {
        "customerId": f"org:{TENANT}", "invoiceNumber": "G000024135", "resellerMpnId": 4847383,
        "orderId": "order-1", "productId": "CFQ7TTC0LH18", "skuId": "0001", "availabilityId": "CFQ7TTC0K971",
        "chargeType": "new", "unitPrice": D("6.00"), "effectiveUnitPrice": D("6.00"), "quantity": 10,
        "subtotal": D("60.00"), "currency": "USD", "pricingCurrency": "USD", "pcToBCExchangeRate": 1,
        "subscriptionId": SUB, "chargeStartDate": "2026-10-05T00:00:00Z", "chargeEndDate": "2026-11-04T00:00:00Z",
        "billingFrequency": "Monthly",
    }  # fmt: skip
    line.update(fields)
    return line


def lookups(
    *,
    quantity: int = 10,
    prices: UnitPrices | None = None,
    customer_status: str = "active",
    ended_at: datetime | None = None,
    billing_cycle: str = "monthly",
    term: str = "P1Y",
    term_start: datetime = datetime(2026, 10, 5, tzinfo=UTC),
    status: str = "active",
) -> Lookups:
    prices = prices or UnitPrices("CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:monthly", "USD", D("6.00"), D("6.60"),
                                  D("7.26"))  # fmt: skip
    return Lookups.build(
        [KnownSubscription(SUB, "cust-1", "res-1", prices.catalog_item_id, quantity, status, term, billing_cycle,
                           term_start)],
        [KnownCustomer("cust-1", "res-1", TENANT, customer_status, ended_at)],
        [KnownReseller("res-1", "4847383")],
        {SUB: {prices.currency: prices}},
    )  # fmt: skip


def reconcile(known: Lookups, *lines: dict[str, Any]) -> tuple[Reconciler, list[Any], list[Any]]:
    parser = LineParser()
    reconciler = Reconciler(known, OCT, NOV)
    priced, found = [], []
    for line in lines:
        one, flagged = reconciler.add(parser.from_mapping(line))
        priced.append(one)
        found.extend(flagged)
    found.extend(reconciler.finish())
    return reconciler, priced, found


def test_a_full_month_is_priced_at_each_tier_and_matches_without_discrepancies() -> None:
    reconciler, [line], found = reconcile(lookups(), wire())
    assert (line.provider_cost, line.reseller_charge, line.customer_charge) == (D("60.00"), D("66.00"), D("72.60"))
    assert found == []
    assert reconciler.totals.resellers == {("res-1", "USD"): D("66.00")}
    assert reconciler.totals.customers == {("cust-1", "res-1", "USD"): D("72.60")}
    assert line.line_item_id and line.line_item_id.endswith(":0")


def test_a_mid_month_seat_addition_is_prorated_as_microsoft_prorated_it() -> None:
    # 5 seats added on 2026-10-21: 15 of the cycle's 31 days (10-05 .. 11-05) remain
    fraction = D(15) / D(31)
    effective = (D("6.00") * fraction).quantize(D("1E-14"))
    added = wire(
        chargeType="addQuantity",
        quantity=5,
        effectiveUnitPrice=effective,
        subtotal=(D("6.00") * fraction * 5).quantize(D("0.01")),
        chargeStartDate="2026-10-21T00:00:00Z",
    )
    reconciler, [_, line], found = reconcile(lookups(quantity=15), wire(), added)
    assert line.proration == effective / D("6.00")
    assert line.reseller_charge == (D("6.60") * 5 * effective / D("6.00")).quantize(D("0.01"))
    assert line.reseller_charge == D("15.97")  # 6.60 x 5 x 15/31 = 15.9677...
    assert line.customer_charge == D("17.56")  # 7.26 x 5 x 15/31 = 17.5645...
    assert found == []  # 10 charged for the cycle plus 5 added: the 15 we hold
    assert reconciler.totals.resellers[("res-1", "USD")] == D("66.00") + D("15.97")


def test_a_cancellation_inside_the_window_is_a_credit_line_at_every_tier() -> None:
    fraction = D(29) / D(31)
    effective = -(D("6.00") * fraction).quantize(D("1E-14"))
    credit = wire(
        chargeType="cancel",
        quantity=10,
        effectiveUnitPrice=effective,
        subtotal=(-D("6.00") * fraction * 10).quantize(D("0.01")),
        chargeStartDate="2026-10-07T00:00:00Z",
    )
    reconciler, [_, line], found = reconcile(lookups(status="deleted"), wire(), credit)
    assert line.provider_cost == D("-56.13")
    assert line.reseller_charge == D("-61.74")  # -6.60 x 10 x 29/31 = -61.7419...
    assert line.customer_charge == D("-67.92")  # -7.26 x 10 x 29/31 = -67.9161...
    assert found == []
    assert reconciler.totals.resellers[("res-1", "USD")] == D("66.00") - D("61.74")


def test_an_annual_term_billed_monthly_charges_one_month_per_cycle_and_is_expected_every_month() -> None:
    monthly = UnitPrices("CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:monthly", "USD", D("7.20"), D("7.92"), D("8.50"))
    line = wire(chargeType="cycleCharge", unitPrice=D("7.20"), effectiveUnitPrice=D("7.20"), subtotal=D("72.00"))
    _, [priced], found = reconcile(lookups(prices=monthly), line)
    assert (priced.reseller_charge, priced.customer_charge) == (D("79.20"), D("85.00"))
    assert found == []
    known = lookups(term_start=datetime(2026, 3, 5, tzinfo=UTC)).subscriptions[SUB]
    assert expects_charge(known, OCT, NOV)


def test_an_annual_billing_cycle_is_expected_only_in_its_anniversary_month() -> None:
    known = lookups(billing_cycle="annual", term_start=datetime(2026, 3, 5, tzinfo=UTC)).subscriptions[SUB]
    assert not expects_charge(known, OCT, NOV)
    assert expects_charge(known, datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))


def test_a_currency_other_than_usd_rounds_at_its_own_minor_unit() -> None:
    yen = UnitPrices("CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:monthly", "JPY", D("900"), D("1000.5"), D("1100.45"))
    line = wire(
        currency="JPY",
        pricingCurrency="JPY",
        unitPrice=D("900"),
        effectiveUnitPrice=D("900"),
        quantity=1,
        subtotal=D("900"),
    )
    _, [priced], found = reconcile(lookups(prices=yen, quantity=1), line)
    assert (priced.reseller_charge, priced.customer_charge) == (D("1001"), D("1100"))
    euro = UnitPrices("CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:monthly", "EUR", D("5.60"), D("6.16"), D("6.776"))
    line = wire(
        currency="EUR", pricingCurrency="EUR", unitPrice=D("5.60"), effectiveUnitPrice=D("5.60"), subtotal=D("56.00")
    )
    reconciler, [priced], found = reconcile(lookups(prices=euro), line)
    # 6.776 is shown as 6.78: ten seats are billed 67.80
    assert (priced.currency, priced.reseller_charge, priced.customer_charge) == ("EUR", D("61.60"), D("67.80"))
    assert reconciler.totals.customers == {("cust-1", "res-1", "EUR"): D("67.80")}
    assert found == []


def test_each_line_is_rounded_once_and_totals_are_sums_of_rounded_lines() -> None:
    cheap = UnitPrices("x", "USD", D("0.005"), D("0.005"), D("0.005"))
    lines = [wire(unitPrice=D("0.005"), effectiveUnitPrice=D("0.005"), quantity=1, subtotal=D("0.01"),
                  chargeStartDate=f"2026-10-0{day}T00:00:00Z") for day in (5, 6)]  # fmt: skip
    reconciler, priced, _ = reconcile(lookups(prices=cheap, quantity=1), *lines)
    assert [p.reseller_charge for p in priced] == [D("0.01"), D("0.01")]
    assert reconciler.totals.resellers[("res-1", "USD")] == D("0.02")  # not round(0.005 + 0.005) = 0.01


def test_proration_falls_back_to_charged_days_when_microsoft_gives_no_unit_price() -> None:
    line = LineParser().from_mapping(wire(unitPrice=None, effectiveUnitPrice=None, subtotal=None,
                                          chargeStartDate="2026-10-20T00:00:00Z",
                                          chargeEndDate="2026-10-31T00:00:00Z"))  # fmt: skip
    assert proration_factor(line) == D(12) / D(31)


def test_a_charge_for_a_subscription_we_do_not_know_is_flagged_and_billed_to_nobody() -> None:
    reconciler, [priced], found = reconcile(lookups(), wire(subscriptionId="0e5b2c0a-0000-4000-a000-000000000001"))
    kinds = [d.kind for d in found]
    assert DiscrepancyKind.UNKNOWN_SUBSCRIPTION in kinds
    unknown = next(d for d in found if d.kind is DiscrepancyKind.UNKNOWN_SUBSCRIPTION)
    assert (unknown.amount, unknown.customer_id, unknown.line_item_ids) == (
        D("60.00"),
        "cust-1",
        (priced.line_item_id,),
    )
    assert priced.reseller_charge is None and not priced.billable
    assert reconciler.totals.resellers == {}
    assert DiscrepancyKind.MISSING_CHARGE in kinds  # and ours was not charged at all


def test_a_price_other_than_our_catalog_cost_is_flagged_with_the_unit_difference_at_stake() -> None:
    line = wire(unitPrice=D("6.50"), effectiveUnitPrice=D("6.50"), subtotal=D("65.00"))
    _, _, found = reconcile(lookups(), line)
    [mismatch] = found
    assert (mismatch.kind, mismatch.amount) == (DiscrepancyKind.PRICE_MISMATCH, D("5.00"))


def test_a_charge_without_a_reseller_or_customer_price_is_an_unpriced_charge_with_its_cost() -> None:
    unpriced = UnitPrices("CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:monthly", "USD", D("6.00"), D("6.60"), None)
    reconciler, [priced], found = reconcile(lookups(prices=unpriced), wire())
    [flagged] = found
    assert (flagged.kind, flagged.amount, flagged.currency) == (DiscrepancyKind.UNPRICED_CHARGE, D("60.00"), "USD")
    assert "customer price" in flagged.detail and "reseller" not in flagged.detail
    assert priced.customer_charge is None and reconciler.totals.unpriced_lines == 1


def test_a_line_is_billed_at_the_unit_price_as_shown_times_the_quantity() -> None:
    """A reseller checks its bill by hand: the customer's unit price shown (29.7575 -> 29.76) x 4 seats = 119.04,
    not the unrounded 119.03."""
    shown = UnitPrices("CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:monthly", "USD", D("6.00"), D("24.7979"), D("29.7575"))
    _, [priced], _ = reconcile(lookups(prices=shown, quantity=4), wire(quantity=4, subtotal=D("24.00")))
    assert (priced.reseller_charge, priced.customer_charge) == (D("99.20"), D("119.04"))


def test_more_seats_charged_than_we_hold_is_a_quantity_mismatch() -> None:
    line = wire(quantity=12, subtotal=D("72.00"))
    _, [priced], found = reconcile(lookups(), line)
    [mismatch] = found
    assert (mismatch.kind, mismatch.amount, mismatch.line_item_ids) == (
        DiscrepancyKind.QUANTITY_MISMATCH,
        D("12.00"),
        (priced.line_item_id,),
    )


def test_an_active_subscription_without_a_charge_is_a_missing_charge() -> None:
    _, _, found = reconcile(lookups())
    [missing] = found
    assert (missing.kind, missing.subscription_id, missing.amount) == (DiscrepancyKind.MISSING_CHARGE, SUB, D("60.00"))


def test_a_charge_can_only_be_missing_from_a_currency_whose_lines_were_read() -> None:
    known = lookups()  # the subscription is priced (and its customer billed) in USD
    read_euros_only = Reconciler(known, OCT, NOV, currencies_read=["EUR"])
    assert read_euros_only.finish() == []
    read_dollars = Reconciler(known, OCT, NOV, currencies_read=["EUR", "USD"])
    [missing] = read_dollars.finish()
    assert (missing.kind, missing.currency) == (DiscrepancyKind.MISSING_CHARGE, "USD")


def test_a_missing_charge_is_priced_in_the_currency_the_customer_is_billed_in() -> None:
    euros = UnitPrices("CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:monthly", "EUR", D("5.50"), None, None)
    dollars = UnitPrices(euros.catalog_item_id, "USD", D("6.00"), None, None)
    known = Lookups.build(
        [KnownSubscription(SUB, "cust-1", "res-1", euros.catalog_item_id, 10, "active", "P1Y", "monthly",
                           datetime(2026, 10, 5, tzinfo=UTC))],
        [KnownCustomer("cust-1", "res-1", TENANT, "active", None, currency="USD")],
        [KnownReseller("res-1", "4847383")],
        {SUB: {"EUR": euros, "USD": dollars}},
    )  # fmt: skip
    [missing] = Reconciler(known, OCT, NOV, currencies_read=["EUR", "USD"]).finish()
    assert (missing.currency, missing.amount) == ("USD", D("60.00"))
    assert Reconciler(known, OCT, NOV, currencies_read=["EUR"]).finish() == []


def test_a_charge_after_the_relationship_ended_is_flagged_but_not_one_before() -> None:
    ended = datetime(2026, 10, 20, tzinfo=UTC)
    _, _, found = reconcile(lookups(customer_status="ended", ended_at=ended), wire())
    assert [d.kind for d in found] == [DiscrepancyKind.ENDED_RELATIONSHIP]
    before = wire(chargeStartDate="2026-10-01T00:00:00Z", chargeEndDate="2026-10-10T00:00:00Z")
    _, _, found = reconcile(lookups(customer_status="ended", ended_at=ended), before)
    assert found == []


def test_a_missing_or_foreign_partner_of_record_is_flagged() -> None:
    for mpn in (0, 1234567):
        _, _, found = reconcile(lookups(), wire(resellerMpnId=mpn))
        assert [d.kind for d in found] == [DiscrepancyKind.PARTNER_OF_RECORD_MISMATCH]
        assert found[0].amount == D("60.00")


def test_each_charge_is_priced_with_the_pricing_in_force_on_its_date() -> None:
    """The reseller raised its margin on 2026-10-21: the cycle charge of 10-05 keeps the old prices, the seats
    added on 10-21 take the new ones (a change during a day applies to charges starting that day)."""
    item = "CFQ7TTC0LH18:0001:CFQ7TTC0K971:P1Y:monthly"
    before = UnitPrices(item, "USD", D("6.00"), D("6.60"), D("7.26"))
    after = UnitPrices(item, "USD", D("6.00"), D("7.20"), D("7.92"))
    known = lookups(quantity=15)
    scheduled = Lookups.build(
        list(known.subscriptions.values()),
        list(known.customers.values()),
        list(known.resellers.values()),
        {SUB: {"USD": after}},
        {SUB: {"USD": ((None, before), (datetime(2026, 10, 21, 9, 30, tzinfo=UTC), after))}},
    )
    added = wire(
        chargeType="addQuantity",
        quantity=5,
        effectiveUnitPrice=D("6.00"),
        subtotal=D("30.00"),
        chargeStartDate="2026-10-21T00:00:00Z",
    )
    _, [cycle, seats], _ = reconcile(scheduled, wire(), added)
    assert (cycle.reseller_charge, cycle.customer_charge) == (D("66.00"), D("72.60"))
    assert (seats.reseller_charge, seats.customer_charge) == (D("36.00"), D("39.60"))


def test_without_recorded_changes_the_current_prices_apply() -> None:
    _, [line], _ = reconcile(lookups(), wire())
    assert line.reseller_charge == D("66.00")


def test_amounts_are_written_at_the_currencys_minor_unit_and_quantities_whole() -> None:
    from shared.domain.billing import amount_text, whole_quantity

    assert [amount_text(v, "EUR") for v in (D("23.0"), D("23"), D("23.00"), D("7.745"), D("-0.001"))] == [
        "23.00", "23.00", "23.00", "7.75", "0.00"]  # fmt: skip
    assert [amount_text(v, "JPY") for v in (D("2300"), D("2300.0"), D("2300.5"), D("2.3E+3"))] == [
        "2300", "2300", "2301", "2300"]  # fmt: skip
    assert amount_text("1.5", "KWD") == "1.500" and amount_text(None, "EUR") is None
    assert [whole_quantity(v) for v in (D("10"), D("10.0"), "10", 10, None)] == [10, 10, 10, 10, 0]


def test_the_charge_type_keeps_microsofts_spelling_from_either_wire_format() -> None:
    parser = LineParser()
    v1 = parser.from_mapping(wire(chargeType="cycleCharge"))
    v2 = parser.from_bytes(b'{"SubscriptionId":"s","ChargeType":"addQuantity","Quantity":5}')
    spaced = parser.from_bytes(b'{"SubscriptionId": "s", "chargeType" : "Remove\\u0051uantity"}')
    assert (v1.charge_type, v2.charge_type, spaced.charge_type) == ("cyclecharge", "addquantity", "removequantity")
    assert [line.charge_type_as_sent for line in (v1, v2, spaced)] == ["cycleCharge", "addQuantity", "RemoveQuantity"]
    _, [priced], _ = reconcile(lookups(), wire(chargeType="cycleCharge"))
    record = priced.to_record()
    assert record["chargeType"] == "cycleCharge" and record["quantity"] == 10
    assert (record["unitPrice"], record["providerCost"], record["customerCharge"]) == ("6.00", "60.00", "72.60")


def test_a_line_stored_before_the_answer_rules_is_answered_by_them() -> None:
    from shared.domain.billing import shown_line, visible_fields

    stored = {"lineItemIds": ["a:0"], "quantity": "10", "currency": "JPY", "unitPrice": "2300.0",
              "providerCost": "23000", "resellerCharge": "25300.0", "customerCharge": None,
              "chargeType": "new"}  # fmt: skip
    shown = shown_line(stored, visible_fields("reseller"))
    assert set(shown) == set(visible_fields("reseller")) and "unitPrice" not in shown
    assert (shown["quantity"], shown["resellerCharge"], shown["customerCharge"]) == (10, "25300", None)
    assert shown_line(stored, visible_fields("provider"))["unitPrice"] == "2300"


def test_each_reseller_and_customer_counts_the_lines_it_may_read_per_currency() -> None:
    unknown = wire(subscriptionId="9d2bbf5e-05a3-4c8b-a5a2-2f4f3f1b8f70", customerId="org:someone-else")
    reconciler, _, _ = reconcile(lookups(), wire(), wire(chargeType="addQuantity", quantity=2), unknown)
    assert reconciler.totals.reseller_lines == {("res-1", "USD"): 2}
    assert reconciler.totals.customer_lines == {("cust-1", "res-1", "USD"): 2}
