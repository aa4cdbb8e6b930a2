"""Invoices and reconciliation lines against the sandbox: v1 seek paging, the v2 Graph export, exact money."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest

from shared.partner_center.errors import ExportTimedOut, NotFound
from tests.partner_center.conftest import Control, ProviderClient


def current_period(control: Control) -> str:
    return str(control.call("GET", "/_sandbox/clock")["now"])[:7]


def generate(control: Control, provider: dict[str, Any], kind: str, extra_lines: int, **more: Any) -> dict[str, Any]:
    body = {"providerTenantId": provider["tenantId"], "period": current_period(control), "kind": kind}
    return control.call("POST", "/_sandbox/reconciliation", {**body, "extraLines": extra_lines, **more})


@pytest.fixture
def recon(fresh_client: ProviderClient) -> ProviderClient:
    """A fresh provider whose waits really pass: the sandbox's export runs for a second of real time."""
    fresh_client.on_sleep = time.sleep
    return fresh_client


def total(lines: list[Any]) -> Decimal:
    return sum((line.subtotal for line in lines), Decimal(0))


def test_v1_billed_lines_are_read_across_seek_pages(recon: ProviderClient, control: Control) -> None:
    generated = generate(control, recon.provider, "billed", 25)
    lines = list(
        recon.client.iter_reconciliation_lines(
            kind="billed", invoice_id=generated["invoiceId"], method="v1", page_size=10
        )
    )
    assert len(lines) == generated["count"] == 25
    assert [line.position for line in lines] == list(range(25))
    assert len({line.line_id for line in lines}) == 25
    [(currency, expected)] = generated["totals"].items()
    assert total(lines) == Decimal(expected)
    assert {line.currency for line in lines} == {currency}
    assert all(line.invoice_number == generated["invoiceId"] for line in lines)


def test_v1_lines_strip_org_prefix_and_map_reseller_zero_to_none(recon: ProviderClient, control: Control) -> None:
    generated = generate(control, recon.provider, "billed", 60)
    lines = list(recon.client.iter_reconciliation_lines(kind="billed", invoice_id=generated["invoiceId"], method="v1"))
    assert all(line.customer_tenant_id and not line.customer_tenant_id.startswith("org:") for line in lines)
    assert None in {line.reseller_mpn_id for line in lines}
    assert any(line.reseller_mpn_id and line.reseller_mpn_id.isdigit() for line in lines)
    assert all(line.raw["customerId"].startswith("org:") for line in lines[:3])
    assert all(line.charge_start and line.charge_start.tzinfo for line in lines)
    assert all(isinstance(line.subtotal, Decimal) for line in lines)


def test_v2_billed_export_runs_then_streams_the_gzip_blob(recon: ProviderClient, control: Control) -> None:
    generated = generate(control, recon.provider, "billed", 40)
    lines = list(recon.client.iter_reconciliation_lines(kind="billed", invoice_id=generated["invoiceId"]))
    assert recon.sleeps, "the operation was running at first and its Retry-After was waited out"
    assert len(lines) == 40
    [(_, expected)] = generated["totals"].items()
    assert total(lines) == Decimal(expected)
    assert all(line.catalog_item_id and line.catalog_item_id.count(":") == 2 for line in lines)
    assert "PartnerId" in lines[0].raw  # v2 writes PascalCase; the parser maps it to the same fields


def test_v1_and_v2_read_the_same_charges(recon: ProviderClient, control: Control) -> None:
    generated = generate(control, recon.provider, "billed", 30)
    read = recon.client.iter_reconciliation_lines
    v1 = list(read(kind="billed", invoice_id=generated["invoiceId"], method="v1"))
    v2 = list(read(kind="billed", invoice_id=generated["invoiceId"], method="v2"))

    def key(line: Any) -> tuple[Any, ...]:
        return (line.line_id, line.customer_tenant_id, line.reseller_mpn_id, line.subtotal, line.quantity)

    assert [key(line) for line in v1] == [key(line) for line in v2]


def test_unbilled_current_period_reads_with_both_methods(recon: ProviderClient, control: Control) -> None:
    generated = generate(control, recon.provider, "unbilled", 12)
    [(currency, expected)] = generated["totals"].items()
    for method in ("v1", "v2"):
        lines = list(recon.client.iter_reconciliation_lines(kind="unbilled", currency=currency, method=method))
        assert total(lines) == Decimal(expected), method


def test_v2_export_without_data_is_an_empty_iterator(recon: ProviderClient) -> None:
    assert list(recon.client.iter_reconciliation_lines(kind="unbilled", currency="EUR", period="last")) == []


def test_v2_export_still_running_past_the_wait_budget_is_export_timed_out(
    recon: ProviderClient, control: Control
) -> None:
    generated = generate(control, recon.provider, "billed", 5)
    with pytest.raises(ExportTimedOut) as raised:
        list(recon.client.iter_reconciliation_lines(kind="billed", invoice_id=generated["invoiceId"], max_wait=0))
    assert raised.value.operation_url


def test_arguments_are_checked_before_any_request(recon: ProviderClient) -> None:
    read = recon.client.iter_reconciliation_lines
    with pytest.raises(ValueError):
        read(kind="billed")
    with pytest.raises(ValueError):
        read(kind="unbilled")
    with pytest.raises(ValueError):
        read(kind="billed", invoice_id="G1", method="v3")
    with pytest.raises(ValueError):
        read(kind="billed", invoice_id="G1", method="v1", page_size=2001)


def test_invoices_list_and_read_one(recon: ProviderClient, control: Control) -> None:
    generated = generate(control, recon.provider, "billed", 3)
    invoices = recon.client.list_invoices()
    assert generated["invoiceId"] in {invoice.id for invoice in invoices}
    invoice = recon.client.get_invoice(generated["invoiceId"])
    [(_, expected)] = generated["totals"].items()
    assert invoice.total_charges == Decimal(expected)
    with pytest.raises(NotFound):
        recon.client.get_invoice("G999999999")
