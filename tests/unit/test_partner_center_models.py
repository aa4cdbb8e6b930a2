"""Wire <-> typed models: Decimal money, 7-digit timestamps, casing tolerance, full-resource PATCH bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from shared.partner_center.models import (
    Availability,
    CartLine,
    CheckoutResult,
    Customer,
    Subscription,
    parse_timestamp,
)
from shared.partner_center.transport import parse_json, to_json_bytes


def test_json_numbers_with_fractions_parse_as_decimal_never_float() -> None:
    parsed = parse_json(b'{"unitPrice": 5.6, "quantity": 10, "subtotal": 56.00}')
    assert parsed["unitPrice"] == Decimal("5.6")
    assert isinstance(parsed["unitPrice"], Decimal)
    assert parsed["subtotal"] == Decimal("56.00")
    assert parsed["quantity"] == 10 and isinstance(parsed["quantity"], int)


def test_decimal_is_sent_as_an_exact_json_number() -> None:
    assert to_json_bytes({"price": Decimal("0.10"), "n": 3, "ok": True, "s": None}) == (
        b'{"price":0.10,"n":3,"ok":true,"s":null}'
    )


def test_floats_are_refused_in_request_bodies() -> None:
    with pytest.raises(TypeError):
        to_json_bytes({"price": 0.1})


def test_empty_body_parses_to_none() -> None:
    assert parse_json(b"") is None


def test_timestamps_with_seven_fraction_digits_and_offsets_parse() -> None:
    assert parse_timestamp("2019-02-04T09:22:40.1767993-08:00") == datetime(
        2019, 2, 4, 9, 22, 40, 176799, tzinfo=timezone(-timedelta(hours=8))
    )
    assert parse_timestamp("2026-10-12T09:13:05Z") == datetime(2026, 10, 12, 9, 13, 5, tzinfo=UTC)
    assert parse_timestamp("2026-10-05T09:13:01.76Z") == datetime(2026, 10, 5, 9, 13, 1, 760000, tzinfo=UTC)
    assert parse_timestamp("2026-09-30T23:59:59") == datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)
    assert parse_timestamp(None) is None


def test_customer_reads_tenant_and_keeps_the_admin_password_out_of_repr_and_raw() -> None:
    customer = Customer.from_wire(
        {
            "id": "t-1",
            "companyProfile": {"tenantId": "t-1", "domain": "x.onmicrosoft.com", "companyName": "X"},
            "relationshipToPartner": "Reseller",
            "associatedPartnerId": "r-1",
            "userCredentials": {"userName": "admin", "password": "Xq7!mT2p"},
        }
    )
    assert customer.tenant_id == "t-1"
    assert customer.relationship_to_partner == "reseller"
    assert customer.user_credentials is not None and customer.user_credentials.password == "Xq7!mT2p"
    assert "Xq7!mT2p" not in repr(customer)
    assert "userCredentials" not in customer.raw


def test_pascal_case_fields_are_read_like_camel_case() -> None:
    customer = Customer.from_wire({"Id": "t-2", "CompanyProfile": {"TenantId": "t-2", "Domain": "y.example"}})
    assert customer.id == "t-2"
    assert customer.domain == "y.example"


def test_availability_matches_terms_case_insensitively() -> None:
    availability = Availability.from_wire(
        {
            "id": "AV",
            "productId": "P",
            "skuId": "0001",
            "catalogItemId": "P:0001:AV",
            "defaultCurrency": {"code": "EUR"},
            "terms": [
                {
                    "duration": "P1Y",
                    "billingCycle": "Monthly",
                    "cancellationPolicies": [
                        {"refundOptions": [{"sequenceId": 0, "type": "Full", "expiresAfter": "P1D"}]}
                    ],
                }
            ],
        }
    )
    assert availability.offers("P1Y", "monthly")
    assert not availability.offers("P1M", "monthly")
    assert availability.terms[0].refund_options[0].expires_after == "P1D"
    assert availability.currency == "EUR"


def test_cart_line_names_the_reseller_as_transaction_reseller() -> None:
    wire = CartLine("P:0001:AV", 3, "P1Y", "Monthly", reseller_partner_id="4847383").to_wire(0)
    assert wire["participants"] == [{"key": "transaction_reseller", "value": "4847383"}]
    assert wire["billingCycle"] == "monthly"
    assert wire["id"] == 0


def test_checkout_result_keeps_partial_success() -> None:
    result = CheckoutResult.from_wire(
        {
            "orders": [{"id": "o1", "status": "pending", "lineItems": [{"lineItemNumber": 0, "offerId": "a:b:c"}]}],
            "orderErrors": [{"orderGroupId": "1", "code": "800009", "description": "Error in Cart item(s)"}],
        }
    )
    assert [order.id for order in result.orders] == ["o1"]
    assert result.order_errors[0].code == 800009


def test_subscription_change_sends_the_full_resource_with_only_the_field_changed() -> None:
    raw = {
        "id": "s1",
        "offerId": "a:b:c",
        "quantity": 10,
        "status": "active",
        "autoRenewEnabled": True,
        "billingCycle": "monthly",
        "termDuration": "P1Y",
        "attributes": {"etag": "e1", "objectType": "Subscription"},
    }
    subscription = Subscription.from_wire(raw)
    body = subscription.changed(status="deleted")
    assert body == {**raw, "status": "deleted"}
    assert raw["status"] == "active"
    assert subscription.etag == "e1"
