"""Client wiring without a server: nothing happens at construction, settings map to endpoints, grants fall back."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.config import Settings
from shared.partner_center import (
    AuthenticationFailed,
    PartnerCenterCredentials,
    PartnerCenterEndpoints,
    client_for_provider,
)
from shared.partner_center.auth import Grant, MsalTokenProvider, token_http_session
from shared.partner_center.client import PartnerCenterClient
from shared.secrets import LocalSecretStore


def credentials(refresh: str | None = "rt") -> PartnerCenterCredentials:
    return PartnerCenterCredentials("tenant", "client", "secret-ref", refresh)


def test_construction_reads_no_secret_and_opens_no_connection(tmp_path: Path) -> None:
    endpoints = PartnerCenterEndpoints(partner_center_url="https://127.0.0.1:9", authority_host="https://127.0.0.1:9")
    client = client_for_provider(credentials(), endpoints, LocalSecretStore(tmp_path / "missing"))
    assert isinstance(client, PartnerCenterClient)
    with pytest.raises(AuthenticationFailed) as raised:
        client.get_legal_business_profile()
    assert raised.value.error == "client_secret_missing"


def test_endpoints_come_from_settings() -> None:
    settings = Settings(
        auth_issuer="i",
        auth_audience="a",
        auth_jwks_url="j",
        signing_secret="0123456789abcdef",
        partner_center_url="https://127.0.0.1:7073",
        partner_center_authority_host="https://127.0.0.1:7073",
        partner_center_ca_bundle="/tmp/ca.pem",
        partner_center_timeout_seconds=12,
    )  # type: ignore[call-arg]
    endpoints = PartnerCenterEndpoints.from_settings(settings)
    assert endpoints.api_base == "https://127.0.0.1:7073/v1"
    assert endpoints.authority("t-1") == "https://127.0.0.1:7073/t-1"
    assert endpoints.ca_bundle == "/tmp/ca.pem"
    assert endpoints.timeout == 12
    assert not endpoints.authority_is_microsoft
    assert PartnerCenterEndpoints().authority_is_microsoft


def test_token_session_trusts_only_the_configured_ca(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/somewhere/else.pem")
    session = token_http_session(PartnerCenterEndpoints(ca_bundle="/tmp/dev-ca.pem"))
    assert session.trust_env is False
    assert session.verify == "/tmp/dev-ca.pem"
    assert session.merge_environment_settings("https://x", {}, None, None, None)["verify"] == "/tmp/dev-ca.pem"


def test_app_user_operations_fall_back_to_app_only_without_consent(tmp_path: Path) -> None:
    store = LocalSecretStore(tmp_path)
    without = client_for_provider(credentials(None), PartnerCenterEndpoints(), store)
    with_consent = client_for_provider(credentials("rt"), PartnerCenterEndpoints(), store)
    assert without._grant(Grant.APP_USER) is Grant.APP_ONLY
    assert with_consent._grant(Grant.APP_USER) is Grant.APP_USER
    assert with_consent._grant(Grant.APP_ONLY) is Grant.APP_ONLY


def test_customer_filter_field_is_checked_before_any_request(tmp_path: Path) -> None:
    client = client_for_provider(credentials(), PartnerCenterEndpoints(), LocalSecretStore(tmp_path))
    with pytest.raises(ValueError):
        client.iter_customers(page_size=10, filter_field="Nonsense", filter_value="x")
    with pytest.raises(ValueError):
        client.iter_customers(page_size=0)


def test_provider_reports_consent_from_the_refresh_token_reference(tmp_path: Path) -> None:
    store = LocalSecretStore(tmp_path)
    assert MsalTokenProvider(credentials("rt"), PartnerCenterEndpoints(), store).has_user_consent
    assert not MsalTokenProvider(credentials(None), PartnerCenterEndpoints(), store).has_user_consent
