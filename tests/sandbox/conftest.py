"""Helpers for the sandbox conformance tests: sessions that trust the dev CA, tokens, fresh providers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msal
import pytest
import requests

from tests.support.sandbox import RunningSandbox

PC_SCOPE = "https://api.partnercenter.microsoft.com/.default"


def https_session(sandbox: RunningSandbox) -> requests.Session:
    """A session that trusts exactly the sandbox's development CA (never verify=False)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(sandbox.ca_cert_path)
    return session


@dataclass
class Provider:
    """A sandbox provider with ready tokens and a session for Partner Center calls."""

    sandbox: RunningSandbox
    info: dict[str, Any]
    session: requests.Session
    app_token: str
    user_token: str

    @property
    def tenant_id(self) -> str:
        return str(self.info["tenantId"])

    @property
    def base(self) -> str:
        return f"{self.sandbox.https_url}/v1"

    def msal_app(self) -> msal.ConfidentialClientApplication:
        return msal.ConfidentialClientApplication(
            self.info["clientId"],
            authority=self.info["authority"],
            client_credential=self.info["clientSecret"],
            validate_authority=False,
            instance_discovery=False,
            http_client=self.session,
        )

    def call(self, method: str, path: str, *, user: bool = True, **kwargs: Any) -> requests.Response:
        """A Partner Center call with the app+user token (or the app-only one)."""
        headers = {
            "Authorization": f"Bearer {self.user_token if user else self.app_token}",
            "Accept": "application/json",
            **kwargs.pop("headers", {}),
        }
        return self.session.request(method, f"{self.base}{path}", headers=headers, timeout=30, **kwargs)

    def control(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.sandbox.https_url}/_sandbox{path}", timeout=30, **kwargs)

    def accept_reseller(self, partner_id: str | None = None, name: str = "Fabrikam IT Services") -> dict[str, Any]:
        partner_id = partner_id or str(uuid.uuid4().int % 9_000_000 + 1_000_000)
        response = self.control(
            "POST",
            "/resellers/accept",
            json={"providerTenantId": self.tenant_id, "partnerId": partner_id, "name": name},
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def accept_customer(self, reseller_partner_id: str | None, **extra: Any) -> str:
        body = {"providerTenantId": self.tenant_id, "resellerPartnerId": reseller_partner_id, **extra}
        response = self.control("POST", "/customers/accept", json=body)
        assert response.status_code == 200, response.text
        return str(response.json()["tenantId"])


def make_provider(sandbox: RunningSandbox, name: str) -> Provider:
    session = https_session(sandbox)
    created = session.post(f"{sandbox.https_url}/_sandbox/providers", json={"name": name}, timeout=30)
    assert created.status_code == 201, created.text
    info = created.json()
    app = msal.ConfidentialClientApplication(
        info["clientId"],
        authority=info["authority"],
        client_credential=info["clientSecret"],
        validate_authority=False,
        instance_discovery=False,
        http_client=session,
    )
    app_only = app.acquire_token_for_client(scopes=[PC_SCOPE])
    assert "access_token" in app_only, app_only
    user = app.acquire_token_by_refresh_token(info["refreshToken"], scopes=[PC_SCOPE])
    assert "access_token" in user, user
    return Provider(sandbox, info, session, app_only["access_token"], user["access_token"])


@pytest.fixture
def provider(sandbox: RunningSandbox) -> Provider:
    """A provider of its own, so a test's resellers, customers and carts never meet another test's."""
    return make_provider(sandbox, f"Provider {uuid.uuid4().hex[:6]}")


@pytest.fixture
def new_provider(sandbox: RunningSandbox) -> Callable[[str], Provider]:
    return lambda name: make_provider(sandbox, name)


@pytest.fixture(autouse=True)
def _no_faults_left_behind(sandbox: RunningSandbox) -> Any:
    """Every test starts and ends without injected faults, and leaves the clock where it found it (a test that
    advances the sandbox's clock would otherwise age every later test's data)."""
    session = https_session(sandbox)
    clock = f"{sandbox.https_url}/_sandbox/clock"
    offset = float(session.get(clock, timeout=30).json()["offsetSeconds"])
    yield
    session.put(f"{sandbox.https_url}/_sandbox/faults", json={}, timeout=30)
    if float(session.get(clock, timeout=30).json()["offsetSeconds"]) != offset:
        back = (datetime.now(UTC) + timedelta(seconds=offset)).isoformat().replace("+00:00", "Z")
        session.post(clock, json={"set": back}, timeout=30).raise_for_status()


def pytest_configure(config: pytest.Config) -> None:
    """Registers the marker of tests that take tens of seconds (e.g. a million reconciliation lines)."""
    config.addinivalue_line("markers", "slow: takes tens of seconds; deselect with -m 'not slow'")
