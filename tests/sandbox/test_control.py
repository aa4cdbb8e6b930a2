"""The /_sandbox/ control routes keep their exact shapes (docs/partner-center.md#control-routes)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from local.azurite import free_port
from local.sandbox.config import (
    DEV_PROVIDER_CLIENT_ID,
    DEV_PROVIDER_PARTNER_ID,
    DEV_PROVIDER_REFRESH_TOKEN_REF,
    DEV_PROVIDER_SECRET_REF,
    DEV_PROVIDER_TENANT_ID,
)
from tests.sandbox.conftest import Provider, https_session
from tests.support.sandbox import REPO_ROOT, RunningSandbox, start_sandbox

PROVIDER_KEYS = {
    "tenantId",
    "clientId",
    "clientSecretRef",
    "refreshTokenRef",
    "partnerId",
    "clientSecret",
    "refreshToken",
    "authority",
    "partnerCenterUrl",
    "caCertificatePem",
}


def test_dev_provider_has_the_fixed_values_and_its_secrets_in_the_store(sandbox: RunningSandbox) -> None:
    provider = requests.get(f"{sandbox.http_url}/_sandbox/provider", timeout=10).json()
    assert set(provider) >= PROVIDER_KEYS
    assert (provider["tenantId"], provider["clientId"], provider["partnerId"]) == (
        DEV_PROVIDER_TENANT_ID,
        DEV_PROVIDER_CLIENT_ID,
        DEV_PROVIDER_PARTNER_ID,
    )
    assert (provider["clientSecretRef"], provider["refreshTokenRef"]) == (
        DEV_PROVIDER_SECRET_REF,
        DEV_PROVIDER_REFRESH_TOKEN_REF,
    )
    assert provider["authority"] == f"{sandbox.https_url}/{DEV_PROVIDER_TENANT_ID}"
    assert provider["partnerCenterUrl"] == sandbox.https_url
    assert provider["caCertificatePem"] == sandbox.ca_cert_path.read_text()
    assert (sandbox.secrets_dir / DEV_PROVIDER_SECRET_REF).read_text() == provider["clientSecret"]
    assert (sandbox.secrets_dir / DEV_PROVIDER_REFRESH_TOKEN_REF).read_text() == provider["refreshToken"]


def test_new_provider_gets_fresh_ids_and_unique_secret_references(sandbox: RunningSandbox) -> None:
    session = https_session(sandbox)
    first = session.post(f"{sandbox.https_url}/_sandbox/providers", json={"name": "Northwind"}, timeout=10).json()
    second = session.post(f"{sandbox.https_url}/_sandbox/providers", json={"name": "Northwind"}, timeout=10).json()
    assert set(first) >= PROVIDER_KEYS
    assert first["tenantId"] != second["tenantId"] and first["clientId"] != second["clientId"]
    assert re.fullmatch(r"\d{7}", first["partnerId"]) and first["partnerId"] != second["partnerId"]
    assert first["clientSecretRef"] != second["clientSecretRef"]
    for ref in (first["clientSecretRef"], first["refreshTokenRef"]):
        assert re.fullmatch(r"[A-Za-z0-9-]{1,127}", ref)
    assert (sandbox.secrets_dir / first["clientSecretRef"]).read_text() == first["clientSecret"]


def test_clock_moves_by_advance_and_set(provider: Provider) -> None:
    before = provider.control("GET", "/clock").json()["now"]
    advanced = provider.control("POST", "/clock", json={"advance": "PT1H"}).json()["now"]
    assert advanced > before
    moved = provider.control("POST", "/clock", json={"set": "2030-01-01T00:00:00Z"}).json()["now"]
    assert moved.startswith("2030-01-01T00:00:0")
    assert provider.control("POST", "/clock", json={"advance": "eight days"}).status_code == 400


def test_openapi_documents_the_control_routes(sandbox: RunningSandbox) -> None:
    document = requests.get(f"{sandbox.http_url}/_sandbox/openapi.json", timeout=10).json()
    for path in (
        "/_sandbox/provider",
        "/_sandbox/providers",
        "/_sandbox/resellers/accept",
        "/_sandbox/customers/accept",
        "/_sandbox/relationships/end",
        "/_sandbox/faults",
        "/_sandbox/purchases",
        "/_sandbox/subscriptions",
        "/_sandbox/subscriptions/{subscription_id}/change",
        "/_sandbox/clock",
    ):
        assert path in document["paths"]


def test_customer_accept_answers_the_tenant_id(provider: Provider) -> None:
    reseller = provider.accept_reseller()
    body = {
        "providerTenantId": provider.tenant_id,
        "resellerPartnerId": reseller["partnerId"],
        "domain": "acceptme.onmicrosoft.com",
        "companyName": "Accept Me",
    }
    answer = provider.control("POST", "/customers/accept", json=body).json()
    assert re.fullmatch(r"[0-9a-f-]{36}", answer["tenantId"])
    assert provider.call("HEAD", "/domains/acceptme.onmicrosoft.com").status_code == 200


def test_customer_accept_for_an_unrelated_reseller_is_refused(provider: Provider) -> None:
    body = {"providerTenantId": provider.tenant_id, "resellerPartnerId": "1231231"}
    assert provider.control("POST", "/customers/accept", json=body).status_code == 400


def test_state_survives_a_restart(tmp_path: Path) -> None:
    first = start_sandbox(tmp_path)
    try:
        session = https_session(first)
        created = session.post(f"{first.https_url}/_sandbox/providers", json={"name": "Keep Me"}, timeout=10).json()
        session.post(
            f"{first.https_url}/_sandbox/resellers/accept",
            json={"providerTenantId": created["tenantId"], "partnerId": "5550001"},
            timeout=10,
        )
        dev_secret = session.get(f"{first.https_url}/_sandbox/provider", timeout=10).json()["clientSecret"]
    finally:
        first.stop()
    second = start_sandbox(tmp_path)
    try:
        session = https_session(second)
        assert session.get(f"{second.https_url}/_sandbox/provider", timeout=10).json()["clientSecret"] == dev_secret
        accepted = session.post(
            f"{second.https_url}/_sandbox/resellers/accept",
            json={"providerTenantId": created["tenantId"], "partnerId": "5550001"},
            timeout=10,
        )
        assert accepted.status_code == 200
        token = session.post(
            f"{created['authority']}".replace(first.https_url, second.https_url) + "/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": created["clientId"],
                "client_secret": created["clientSecret"],
                "scope": "https://api.partnercenter.microsoft.com/.default",
            },
            timeout=10,
        )
        assert token.status_code == 200
    finally:
        second.stop()


def test_a_taken_port_is_one_line_and_exit_code_2(sandbox: RunningSandbox, tmp_path: Path) -> None:
    taken = int(sandbox.http_url.rsplit(":", 1)[1])
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "local.sandbox",
            "--state-dir",
            str(tmp_path / "s"),
            "--secrets-dir",
            str(tmp_path / "k"),
            "--http-port",
            str(taken),
            "--https-port",
            str(free_port()),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_signals_stop_the_sandbox_cleanly(tmp_path: Path, signal_name: str) -> None:
    import signal

    running = start_sandbox(tmp_path)
    running.process.send_signal(getattr(signal, signal_name))
    assert running.process.wait(timeout=20) == 0
    assert "Traceback" not in running.log_path.read_text()
