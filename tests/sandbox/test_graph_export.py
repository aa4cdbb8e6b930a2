"""The v2 reconciliation export through Microsoft Graph and its SAS-protected blobs
(docs/partner-center.md#reconciliation)."""

from __future__ import annotations

import json
import time
import zlib
from decimal import Decimal
from typing import Any

import jwt
import pytest
import requests

from tests.sandbox.billing import buy_lines, control_lines, generate, start_fresh_month
from tests.sandbox.conftest import Provider
from tests.sandbox.test_commerce import customer_with_reseller, line

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
EXPORTS = "/v1.0/reports/partners/billing/reconciliation"


def graph_token(provider: Provider) -> str:
    result = provider.msal_app().acquire_token_for_client(scopes=[GRAPH_SCOPE])
    assert "access_token" in result, result
    return str(result["access_token"])


def graph(provider: Provider, method: str, url: str, token: str, **kwargs: Any) -> requests.Response:
    full = url if url.startswith("https://") else f"{provider.sandbox.https_url}{url}"
    return provider.session.request(method, full, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs)


def finished_operation(provider: Provider, location: str, token: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        response = graph(provider, "GET", location, token)
        assert response.status_code == 200, response.text
        body = response.json()
        if body["status"] != "running":
            return dict(body)
        assert int(response.headers["Retry-After"]) >= 1
        time.sleep(0.3)
    raise AssertionError("the export did not finish")


def export(provider: Provider, token: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    started = graph(provider, "POST", f"{EXPORTS}/{kind}/export", token, json=body)
    assert started.status_code == 202 and started.content == b""
    location = started.headers["Location"]
    assert location.startswith(f"{provider.sandbox.https_url}/v1.0/reports/partners/billing/operations/")
    return finished_operation(provider, location, token)


def download(provider: Provider, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every line of every blob: GET {rootDirectory}/{name}?{sasToken}, no bearer token, gunzip, JSON lines."""
    lines: list[dict[str, Any]] = []
    for blob in manifest["blobs"]:
        response = provider.session.get(f"{manifest['rootDirectory']}/{blob['name']}?{manifest['sasToken']}",
                                        timeout=60)  # fmt: skip
        assert response.status_code == 200, response.text
        text = zlib.decompress(response.content, 31).decode("utf-8")
        lines.extend(json.loads(row, parse_float=Decimal) for row in text.splitlines())
    return lines


def test_token_endpoint_issues_graph_tokens_and_each_api_wants_its_own(provider: Provider) -> None:
    token = graph_token(provider)
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == "https://graph.microsoft.com"
    refused = graph(provider, "POST", f"{EXPORTS}/unbilled/export", provider.app_token,
                    json={"currencyCode": "EUR", "billingPeriod": "current"})  # fmt: skip
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "InvalidAuthenticationToken"
    partner_center = provider.session.get(f"{provider.base}/invoices", headers={"Authorization": f"Bearer {token}"},
                                          timeout=30)  # fmt: skip
    assert partner_center.status_code == 401


def test_billed_export_runs_then_serves_gzip_json_lines_in_pascal_case(provider: Provider) -> None:
    period, _ = start_fresh_month(provider)
    customer_id, reseller = customer_with_reseller(provider)
    buy_lines(provider, customer_id, line(quantity=7, reseller=reseller["partnerId"]))
    provider.control("POST", "/clock", json={"advance": "P3D"})
    subscriptions = provider.control("GET", f"/subscriptions?customerTenantId={customer_id}").json()["items"]
    provider.call("PATCH", f"/customers/{customer_id}/subscriptions/{subscriptions[0]['id']}", json={"quantity": 9})
    generated = generate(provider, period, extraLines=1500, seed=5)
    token = graph_token(provider)
    started = graph(provider, "POST", f"{EXPORTS}/billed/export", token,
                    json={"invoiceId": generated["invoiceId"], "attributeSet": "full"})  # fmt: skip
    first = graph(provider, "GET", started.headers["Location"], token)
    assert first.json()["status"] == "running" and first.headers["Retry-After"] == "1"
    assert first.json()["@odata.type"] == "#microsoft.graph.partners.billing.runningOperation"
    done = finished_operation(provider, started.headers["Location"], token)
    assert done["status"] == "succeeded"
    manifest = graph(provider, "GET", done["resourceLocation@odata.navigationLink"], token).json()
    assert {"rootDirectory", "sasToken", "blobs", "blobCount", "dataFormat", "partnerTenantId", "eTag"} <= set(manifest)
    assert manifest["partnerTenantId"] == provider.tenant_id and manifest["blobCount"] == len(manifest["blobs"])
    assert manifest["dataFormat"] == "compressedJSONLines"
    lines = download(provider, manifest)
    expected = control_lines(provider, period, "billed")
    assert len(lines) == generated["count"] == len(expected)
    assert sum(row["Subtotal"] for row in lines) == Decimal(generated["totals"]["EUR"])
    real = [row for row in lines if row["CustomerId"] == customer_id]
    assert {row["ChargeType"] for row in real} == {"new", "addQuantity"}
    prorated = next(row for row in real if row["ChargeType"] == "addQuantity")
    v1 = next(x for x in expected if x["chargeType"] == "addQuantity")
    assert prorated["EffectiveUnitPrice"] == v1["effectiveUnitPrice"] and len(str(v1["effectiveUnitPrice"])) > 12
    assert prorated["Tier2MpnId"] == int(reseller["partnerId"]) and prorated["InvoiceNumber"] == generated["invoiceId"]
    assert "attributes" not in prorated and "PCToBCExchangeRate" in prorated


def test_basic_attribute_set_has_fewer_columns(provider: Provider) -> None:
    period, _ = start_fresh_month(provider)
    provider.accept_customer(None)
    invoice_id = generate(provider, period, extraLines=3)["invoiceId"]
    token = graph_token(provider)
    full = download(provider, graph(provider, "GET", export(provider, token, "billed", {"invoiceId": invoice_id})[
        "resourceLocation@odata.navigationLink"], token).json())  # fmt: skip
    basic_done = export(provider, token, "billed", {"invoiceId": invoice_id, "attributeSet": "basic"})
    basic = download(
        provider, graph(provider, "GET", basic_done["resourceLocation@odata.navigationLink"], token).json()
    )
    assert set(basic[0]) < set(full[0]) and {"SubscriptionId", "Subtotal", "Tier2MpnId"} <= set(basic[0])


def test_unbilled_export_and_export_without_data_fails_with_5000(provider: Provider) -> None:
    period, _ = start_fresh_month(provider)
    provider.accept_customer(None)
    token = graph_token(provider)
    empty = export(provider, token, "unbilled", {"currencyCode": "EUR", "billingPeriod": "current"})
    assert empty["status"] == "failed" and empty["error"]["code"] == "5000"
    generate(provider, period, kind="unbilled", extraLines=4)
    done = export(provider, token, "unbilled", {"currencyCode": "EUR", "billingPeriod": "current"})
    assert done["status"] == "succeeded"
    assert len(download(provider, graph(provider, "GET", done["resourceLocation@odata.navigationLink"],
                                        token).json())) == 4  # fmt: skip
    assert (
        export(provider, token, "unbilled", {"currencyCode": "USD", "billingPeriod": "current"})["status"] == "failed"
    )
    assert export(provider, token, "billed", {"invoiceId": "G000000001"})["status"] == "failed"


def test_blob_download_needs_a_valid_unexpired_sas(provider: Provider) -> None:
    period, _ = start_fresh_month(provider)
    provider.accept_customer(None)
    invoice_id = generate(provider, period, extraLines=2)["invoiceId"]
    token = graph_token(provider)
    done = export(provider, token, "billed", {"invoiceId": invoice_id})
    manifest = graph(provider, "GET", done["resourceLocation@odata.navigationLink"], token).json()
    url = f"{manifest['rootDirectory']}/{manifest['blobs'][0]['name']}"
    for attempt in (url, f"{url}?{manifest['sasToken'].replace('sig=', 'sig=A')}"):
        refused = provider.session.get(attempt, timeout=30)
        assert refused.status_code == 403 and b"<Code>AuthenticationFailed</Code>" in refused.content
        assert refused.headers["content-type"].startswith("application/xml")
    assert provider.session.get(f"{url}?{manifest['sasToken']}", timeout=30).status_code == 200
    provider.control("POST", "/clock", json={"advance": "P1D"})
    expired = provider.session.get(f"{url}?{manifest['sasToken']}", timeout=30)
    assert expired.status_code == 403 and b"AuthenticationFailed" in expired.content


@pytest.mark.slow
def test_a_million_lines_stream_without_the_sandbox_holding_them(provider: Provider) -> None:
    """1,000,000 lines (about 1.4 GB of JSON) pass through while the sandbox's peak memory stays small."""
    period, _ = start_fresh_month(provider)
    provider.accept_customer(None)
    generated = generate(provider, period, extraLines=1_000_000, seed=1)
    token = graph_token(provider)
    done = export(provider, token, "billed", {"invoiceId": generated["invoiceId"]})
    manifest = graph(provider, "GET", done["resourceLocation@odata.navigationLink"], token).json()
    status = f"/proc/{provider.sandbox.process.pid}/status"

    def kib(name: str) -> int:
        with open(status) as handle:
            return int(next(row for row in handle if row.startswith(name)).split()[1])

    rss_before, peak_before = kib("VmRSS:"), kib("VmHWM:")
    started, lines, raw = time.monotonic(), 0, 0
    for blob in manifest["blobs"]:
        url = f"{manifest['rootDirectory']}/{blob['name']}?{manifest['sasToken']}"
        with provider.session.get(url, stream=True, timeout=120) as response:
            assert response.status_code == 200
            inflate = zlib.decompressobj(31)
            for chunk in response.iter_content(1 << 20):
                data = inflate.decompress(chunk)
                raw += len(data)
                lines += data.count(b"\n")
    elapsed = time.monotonic() - started
    assert lines == 1_000_000 and raw > 1_000_000_000
    grown = max(kib("VmHWM:"), peak_before) - rss_before
    assert grown < 150_000, f"the sandbox grew by {grown} KiB while streaming"
    print(f"{lines / elapsed:,.0f} lines/s, sandbox peak growth {grown} KiB")
