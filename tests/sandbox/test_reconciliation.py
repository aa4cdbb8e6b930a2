"""Invoices and v1 reconciliation line items (docs/partner-center.md#reconciliation)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from local.sandbox.clock import add_months
from tests.sandbox.billing import (
    LINE_QUERY,
    all_pages,
    billed_lines,
    buy_lines,
    control_lines,
    generate,
    start_fresh_month,
)
from tests.sandbox.conftest import Provider
from tests.sandbox.test_commerce import BASIC, customer_with_reseller, line
from tests.sandbox.test_pricesheet import price_of, rows

STANDARD = "CFQ7TTC0LDPB:0001:CFQ7TTC0K5QW"
PREMIUM = "CFQ7TTC0LCHC:0002:CFQ7TTC0K5DR"
E1 = "CFQ7TTC0LF8Q:0001:CFQ7TTC0K8P1"
TEAMS = "CFQ7TTC0MBMD:0001:CFQ7TTC0MBKN"


def _day(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT00:00:00Z")


def _prorated(price: Decimal, quantity: int, remaining_days: int, cycle_days: int) -> tuple[Decimal, Decimal]:
    fraction = Decimal(remaining_days) / Decimal(cycle_days)
    effective = (price * fraction).quantize(Decimal("1E-14"), ROUND_HALF_UP)
    return effective, (price * fraction * quantity).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_billed_line_carries_partner_center_fields_for_a_purchase(provider: Provider) -> None:
    period, now = start_fresh_month(provider)
    customer_id, reseller = customer_with_reseller(provider)
    [subscription_id] = buy_lines(provider, customer_id, line(quantity=10, reseller=reseller["partnerId"]))
    generated = generate(provider, period)
    assert generated["count"] == 1 and re.fullmatch(r"G\d{9}", generated["invoiceId"])
    [item] = billed_lines(provider, generated["invoiceId"])
    assert item["customerId"] == f"org:{customer_id}" and item["partnerId"] == provider.tenant_id
    assert item["resellerMpnId"] == int(reseller["partnerId"]) and isinstance(item["resellerMpnId"], int)
    assert item["mpnId"] == provider.info["partnerId"] and item["invoiceNumber"] == generated["invoiceId"]
    assert (item["subscriptionId"], item["chargeType"], item["quantity"]) == (subscription_id, "new", 10)
    assert (item["unitPrice"], item["subtotal"], item["currency"]) == (Decimal("5.60"), Decimal("56.00"), "EUR")
    assert item["chargeStartDate"] == _day(now)
    assert item["chargeEndDate"] == _day(add_months(now, 1) - dt.timedelta(days=1))
    assert item["attributes"] == {"objectType": "OneTimeInvoiceLineItem"}
    assert item["billingProvider"] == "one_time" and item["invoiceLineItemType"] == "billing_line_items"


def test_line_without_a_reseller_has_reseller_mpn_id_zero(provider: Provider) -> None:
    period, _ = start_fresh_month(provider)
    customer_id = provider.accept_customer(None)
    buy_lines(provider, customer_id, line(quantity=2))
    [item] = billed_lines(provider, generate(provider, period)["invoiceId"])
    assert item["resellerMpnId"] == 0


def test_seats_added_mid_cycle_are_prorated_and_a_cancellation_is_a_credit(provider: Provider) -> None:
    period, bought_at = start_fresh_month(provider)
    customer_id, reseller = customer_with_reseller(provider)
    kept, cancelled = buy_lines(provider, customer_id, line(quantity=10, reseller=reseller["partnerId"]),
                                line(STANDARD, quantity=4, reseller=reseller["partnerId"], line_id=1))  # fmt: skip
    provider.control("POST", "/clock", json={"advance": "P5D"})
    grown = provider.call("PATCH", f"/customers/{customer_id}/subscriptions/{kept}", json={"quantity": 15})
    assert grown.status_code == 200, grown.text
    ended = provider.call("PATCH", f"/customers/{customer_id}/subscriptions/{cancelled}", json={"status": "deleted"})
    assert ended.status_code == 200, ended.text
    lines = control_lines(provider, generate(provider, period)["period"], "billed")
    cycle_days = (add_months(bought_at, 1) - bought_at).days
    remaining = cycle_days - 5
    added = next(x for x in lines if x["subscriptionId"] == kept and x["chargeType"] == "addQuantity")
    effective, subtotal = _prorated(Decimal("5.60"), 5, remaining, cycle_days)
    assert (added["quantity"], added["effectiveUnitPrice"], added["subtotal"]) == (5, effective, subtotal)
    assert added["chargeStartDate"] == _day(bought_at + dt.timedelta(days=5))
    credit = next(x for x in lines if x["subscriptionId"] == cancelled and x["chargeType"] == "cancel")
    effective, subtotal = _prorated(Decimal("11.70"), 4, remaining, cycle_days)
    assert credit["subtotal"] == -subtotal and credit["totalForCustomer"] == -subtotal
    assert credit["effectiveUnitPrice"] == -effective and credit["quantity"] == 4
    assert {x["chargeType"] for x in lines if x["subscriptionId"] == cancelled} == {"new", "cancel"}


def test_annual_billing_charges_once_and_annual_terms_billed_monthly_charge_every_month(provider: Provider) -> None:
    period, bought_at = start_fresh_month(provider)
    customer_id, reseller = customer_with_reseller(provider)
    monthly, annual = buy_lines(provider, customer_id, line(quantity=3, reseller=reseller["partnerId"]),
                                line(E1, quantity=2, cycle="annual", reseller=reseller["partnerId"],
                                     line_id=1))  # fmt: skip
    first = control_lines(provider, generate(provider, period)["period"], "billed")
    assert {x["subscriptionId"]: x["subtotal"] for x in first} == {monthly: Decimal("16.80"),
                                                                    annual: Decimal("225.60")}  # fmt: skip
    following = add_months(bought_at, 1)
    next_period = f"{following.year:04d}-{following.month:02d}"
    second = control_lines(provider, generate(provider, next_period)["period"], "billed")
    assert [(x["subscriptionId"], x["chargeType"]) for x in second] == [(monthly, "cycleCharge")]
    assert second[0]["chargeStartDate"] == _day(following)


def test_v1_line_items_page_with_continuation_tokens(provider: Provider) -> None:
    period, _ = start_fresh_month(provider)
    customer_id, reseller = customer_with_reseller(provider)
    buy_lines(provider, customer_id, line(quantity=1, reseller=reseller["partnerId"]))
    generated = generate(provider, period, extraLines=24, seed=7)
    pages = all_pages(provider, f"/invoices/{generated['invoiceId']}/lineitems?{LINE_QUERY}&size=10")
    assert [p["totalCount"] for p in pages] == [10, 10, 5]
    assert all(len(p["items"]) == p["totalCount"] for p in pages)
    first_next = pages[0]["links"]["next"]
    assert "seekOperation=Next" in first_next["uri"] and first_next["method"] == "GET"
    assert first_next["headers"] == [{"key": "MS-ContinuationToken", "value": pages[0]["continuationToken"]}]
    items = [item for page in pages for item in page["items"]]
    assert len({(i["subscriptionId"], i["chargeType"]) for i in items}) == 25
    assert sum(i["subtotal"] for i in items) == Decimal(generated["totals"]["EUR"])
    assert items == control_lines(provider, period, "billed")


def test_same_seed_gives_the_same_lines_and_regenerating_replaces_them(provider: Provider) -> None:
    period, _ = start_fresh_month(provider)
    provider.accept_customer(None)
    first = generate(provider, period, extraLines=5, seed=11)
    lines = control_lines(provider, period, "billed")
    token_page = provider.call("GET", f"/invoices/{first['invoiceId']}/lineitems?{LINE_QUERY}&size=2").json()
    again = generate(provider, period, extraLines=5, seed=11)
    assert again["invoiceId"] == first["invoiceId"] and control_lines(provider, period, "billed") == lines
    generate(provider, period, extraLines=3, seed=12)
    assert len(control_lines(provider, period, "billed")) == 3
    following = token_page["links"]["next"]
    stale = provider.call("GET", following["uri"], headers={"MS-ContinuationToken": following["headers"][0]["value"]})
    assert stale.status_code == 400 and stale.json()["code"] == 2000


def test_each_period_gets_its_own_invoice_and_invoices_are_listed(provider: Provider) -> None:
    period, moment = start_fresh_month(provider)
    provider.accept_customer(None)
    first = generate(provider, period, extraLines=2)
    later = add_months(moment, 1)
    second = generate(provider, f"{later.year:04d}-{later.month:02d}", extraLines=3)
    assert first["invoiceId"] != second["invoiceId"]
    listed = provider.call("GET", "/invoices").json(parse_float=Decimal)
    assert {i["id"] for i in listed["items"]} == {first["invoiceId"], second["invoiceId"]}
    assert listed["attributes"] == {"objectType": "Collection"}
    one = provider.call("GET", f"/invoices/{first['invoiceId']}").json(parse_float=Decimal)
    assert one["totalCharges"] == Decimal(first["totals"]["EUR"]) and one["attributes"]["objectType"] == "Invoice"
    assert one["invoiceDetails"][0]["billingProvider"] == "one_time"
    assert provider.call("GET", "/invoices/G999999999").status_code == 404


def test_unbilled_lines_answer_by_currency_and_period(provider: Provider) -> None:
    period, _ = start_fresh_month(provider)
    customer_id, reseller = customer_with_reseller(provider)
    buy_lines(provider, customer_id, line(quantity=4, reseller=reseller["partnerId"]))
    generated = generate(provider, period, kind="unbilled", extraLines=3)
    assert generated["count"] == 4 and "invoiceId" not in generated
    query = f"/invoices/unbilled/lineitems?{LINE_QUERY}&currencycode=EUR&period=current&size=2000"
    items = [i for p in all_pages(provider, query, user=False) for i in p["items"]]
    assert len(items) == 4 and all(i["invoiceNumber"] == "" for i in items)
    assert all_pages(provider, query.replace("EUR", "USD"))[0]["items"] == []
    assert all_pages(provider, query.replace("current", "previous"))[0]["items"] == []
    assert provider.call("GET", query.replace("&period=current", "")).status_code == 400


def test_page_size_above_2000_is_refused(provider: Provider) -> None:
    period, _ = start_fresh_month(provider)
    provider.accept_customer(None)
    invoice_id = generate(provider, period, extraLines=1)["invoiceId"]
    response = provider.call("GET", f"/invoices/{invoice_id}/lineitems?{LINE_QUERY}&size=2001")
    assert response.status_code == 400 and response.json()["code"] == 2000


def test_deliberate_discrepancies_are_made_and_reported(provider: Provider) -> None:
    period, _ = start_fresh_month(provider)
    customer_id, reseller = customer_with_reseller(provider)
    other = provider.accept_reseller()
    bought = buy_lines(provider, customer_id, *[
        line(item, quantity=5, reseller=reseller["partnerId"], line_id=n)
        for n, item in enumerate((BASIC, STANDARD, PREMIUM, E1, TEAMS))
    ])  # fmt: skip
    leaving = provider.accept_customer(other["partnerId"])
    [ended_subscription] = buy_lines(provider, leaving, line(quantity=2, reseller=other["partnerId"]))
    assert provider.control("POST", "/relationships/end", json={"providerTenantId": provider.tenant_id,
                                                                "tenantId": leaving}).status_code == 200  # fmt: skip
    kinds = ["unknownSubscription", "quantityMismatch", "priceMismatch", "missingCharge", "endedRelationship",
             "partnerOfRecordMismatch"]  # fmt: skip
    generated = generate(provider, period, discrepancies=[{"kind": k, "count": 1} for k in kinds], seed=3)
    report = {d["kind"]: d for d in generated["discrepancies"]}
    assert all(report[k]["count"] == 1 for k in kinds)
    lines = control_lines(provider, period, "billed")
    at = {k: lines[report[k]["lineIndexes"][0]] for k in kinds if k != "missingCharge"}
    held = {s["id"]: s for s in provider.control("GET", "/subscriptions").json()["items"]}
    assert at["unknownSubscription"]["subscriptionId"] not in held
    mismatched = at["quantityMismatch"]
    assert mismatched["quantity"] != held[mismatched["subscriptionId"]]["quantity"]
    priced = at["priceMismatch"]
    sheet = rows(provider, "NL")
    offer = f"{priced['productId']}:{priced['skuId']}:{priced['availabilityId']}"
    assert priced["unitPrice"] != price_of(sheet, offer, "P1Y", "Monthly")
    missing = report["missingCharge"]["subscriptionIds"][0]
    assert missing in bought and all(x["subscriptionId"] != missing for x in lines)
    assert at["endedRelationship"]["customerId"] == f"org:{leaving}"
    assert at["endedRelationship"]["subscriptionId"] == ended_subscription
    assert at["partnerOfRecordMismatch"]["resellerMpnId"] != int(reseller["partnerId"])
    untouched = [x for i, x in enumerate(lines) if i not in {d["lineIndexes"][0] for d in report.values()
                                                             if d["lineIndexes"]}]  # fmt: skip
    assert untouched and all(x["resellerMpnId"] == int(reseller["partnerId"]) for x in untouched)


def test_unknown_discrepancy_kind_and_missing_ended_customer_are_refused(provider: Provider) -> None:
    period, _ = start_fresh_month(provider)
    provider.accept_customer(None)
    body = {"providerTenantId": provider.tenant_id, "period": period, "kind": "billed"}
    wrong = provider.control("POST", "/reconciliation", json={**body, "discrepancies": [{"kind": "typo"}]})
    assert wrong.status_code == 400
    ended = provider.control("POST", "/reconciliation", json={**body, "discrepancies": [{"kind": "endedRelationship"}]})
    assert ended.status_code == 400
