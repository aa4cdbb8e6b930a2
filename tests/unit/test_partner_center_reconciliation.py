"""The reconciliation line parser and the price sheet reader, without a server: exactness, names, formats."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from decimal import Decimal

import pytest

from shared.partner_center.errors import UnexpectedResponse
from shared.partner_center.pricesheet import iter_price_sheet
from shared.partner_center.reconciliation import LineParser, loads_exact

V1 = {
    "partnerId": "0c924e8d-4852-4692-a4d7-7dd0dc09ad80",
    "customerId": "org:f81d98dd-c2f4-499e-a194-5619e260344e",
    "customerName": "Contoso Bikes B.V.",
    "customerDomainName": "contosobikes.onmicrosoft.com",
    "invoiceNumber": "G000024135",
    "mpnId": "6543210",
    "resellerMpnId": 4847383,
    "orderId": "Ia80ZLkXp6eWOqpp35pBQJLhqv9IiGVZ1",
    "productId": "CFQ7TTC0LH18",
    "skuId": "0001",
    "availabilityId": "CFQ7TTC0K971",
    "chargeType": "New",
    "unitPrice": 5.6,
    "effectiveUnitPrice": 5.6,
    "quantity": 10,
    "subtotal": 56.0,
    "taxTotal": 0,
    "totalForCustomer": 56.0,
    "currency": "EUR",
    "subscriptionId": "a4c1340d-6911-4758-bba3-0c4c6007d161",
    "chargeStartDate": "2026-10-05T00:00:00Z",
    "chargeEndDate": "2026-11-04T00:00:00Z",
    "termAndBillingCycle": "One-Year commitment for monthly billing",
    "pricingCurrency": "EUR",
    "pcToBCExchangeRate": 1,
    "billableQuantity": 10,
    "billingFrequency": "Monthly",
}
RENAMED = {"resellerMpnId": "Tier2MpnId", "pcToBCExchangeRate": "PCToBCExchangeRate"}


def v2_of(line: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, value in line.items():
        if name == "customerId":
            value = str(value)[4:]
        out[RENAMED.get(name, name[:1].upper() + name[1:])] = value
    return out


def fields(line: object) -> dict[str, object]:
    skip = {"source", "position"}
    return {name: getattr(line, name) for name in line.__slots__ if name not in skip}  # type: ignore[attr-defined]


def test_v1_camel_case_and_v2_pascal_case_give_the_same_line() -> None:
    v1 = LineParser().from_mapping(loads_exact(json.dumps(V1)))
    v2 = LineParser().from_bytes(json.dumps(v2_of(V1)).encode())
    assert fields(v1) == fields(v2)
    assert v1.line_id == v2.line_id
    assert v1.customer_tenant_id == "f81d98dd-c2f4-499e-a194-5619e260344e"
    assert v1.reseller_mpn_id == "4847383"
    assert v1.charge_type == "new"
    assert v1.catalog_item_id == "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
    assert v1.charge_start is not None and v1.charge_start.utcoffset() is not None


@pytest.mark.parametrize("value", [0, "0", "", None])
def test_no_reseller_is_none(value: object) -> None:
    line = LineParser().from_bytes(json.dumps({**v2_of(V1), "Tier2MpnId": value}).encode())
    assert line.reseller_mpn_id is None


@pytest.mark.parametrize(
    "literal",
    [
        "0.12345678901234567890123",
        "123456789012.3456789012345",
        "-0.00000000000000000000000000001",
        "1e-400",
        "5.6",
        "56.10",
        "1.5E+3",
    ],
)
def test_amounts_are_exact_however_many_decimal_places(literal: str) -> None:
    raw = json.dumps(v2_of(V1)).replace('"Subtotal": 56.0', f'"Subtotal": {literal}').encode()
    line = LineParser().from_bytes(raw)
    assert line.subtotal == Decimal(literal)
    assert line.raw["Subtotal"] == Decimal(literal)


def test_many_place_amounts_sum_exactly_over_a_stream() -> None:
    amounts = [Decimal("0.1000000000000000000001"), Decimal("0.2"), Decimal("1234567.89012345678901")]
    parser = LineParser()
    lines = [
        json.dumps({**v2_of(V1), "Subtotal": "@"}).replace('"@"', format(amount, "f")).encode() for amount in amounts
    ]
    parsed = list(parser.from_lines([*lines, b"", b"  "]))
    assert sum((line.subtotal for line in parsed), Decimal(0)) == sum(amounts, Decimal(0))
    assert [line.position for line in parsed] == [0, 1, 2]


def test_line_ids_are_stable_and_distinct_per_position() -> None:
    raw = json.dumps(v2_of(V1)).encode()
    first = [line.line_id for line in LineParser().from_lines([raw, raw])]
    again = [line.line_id for line in LineParser().from_lines([raw, raw])]
    assert first == again
    assert first[0] != first[1]


def test_a_line_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValueError):
        LineParser().from_bytes(b"[1, 2]")


SHEET = (
    "ProductTitle,ProductId,SkuId,SkuTitle,TermDuration,BillingPlan,Market,Currency,UnitPrice,"
    "EffectiveStartDate,EffectiveEndDate,ERP Price,Segment\r\n"
    'Microsoft 365 Business Basic,CFQ7TTC0LH18,0001,"Basic, yearly",P1Y,Monthly,NL,EUR,5.6000000000001,'
    "11/01/2026,11/30/2026,6.72,Commercial\r\n"
)


def test_price_sheet_csv_with_bom_is_read_by_header_name() -> None:
    [row] = list(iter_price_sheet(io.BytesIO(("\ufeff" + SHEET).encode())))
    assert (row.product_id, row.sku_id, row.term_duration, row.billing_plan) == (
        "CFQ7TTC0LH18",
        "0001",
        "P1Y",
        "monthly",
    )
    assert row.unit_price == Decimal("5.6000000000001")
    assert row.erp_price == Decimal("6.72")
    assert row.sku_title == "Basic, yearly"
    assert row.effective_start is not None and row.effective_start.day == 1 and row.effective_start.tzinfo
    assert row.raw["ProductId"] == "CFQ7TTC0LH18"


def test_price_sheet_column_order_does_not_matter() -> None:
    reordered = "UnitPrice,SkuId,ProductId\r\n7.50,0002,CFQ7TTC0LCHC\r\n"
    [row] = list(iter_price_sheet(io.BytesIO(reordered.encode())))
    assert (row.product_id, row.sku_id, row.unit_price) == ("CFQ7TTC0LCHC", "0002", Decimal("7.50"))


def test_zipped_and_gzipped_price_sheets_are_read() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme.txt", "prices")
        zipped.writestr("updatedlicensebased_NL.csv", SHEET)
    assert [r.product_id for r in iter_price_sheet(io.BytesIO(archive.getvalue()))] == ["CFQ7TTC0LH18"]
    assert [r.product_id for r in iter_price_sheet(io.BytesIO(gzip.compress(SHEET.encode())))] == ["CFQ7TTC0LH18"]


def test_price_sheet_without_a_price_column_is_unexpected() -> None:
    with pytest.raises(UnexpectedResponse):
        list(iter_price_sheet(io.BytesIO(b"ProductId,SkuId\r\nA,B\r\n")))


def test_price_with_a_decimal_comma_is_refused_not_misread() -> None:
    with pytest.raises(UnexpectedResponse):
        list(iter_price_sheet(io.BytesIO(b'ProductId,SkuId,UnitPrice\r\nA,B,"5,60"\r\n')))
