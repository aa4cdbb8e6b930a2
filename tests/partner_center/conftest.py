"""Fixtures for testing the Partner Center client against the sandbox over HTTPS (nothing mocked)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from shared.partner_center import (
    PartnerCenterClient,
    PartnerCenterCredentials,
    PartnerCenterEndpoints,
    RetryPolicy,
    client_for_provider,
)
from shared.partner_center.auth import MsalTokenProvider, token_http_session
from shared.secrets import LocalSecretStore


class Control:
    """The sandbox's control routes (the other parties: resellers, customers, faults, clock)."""

    def __init__(self, http_url: str) -> None:
        self.base = http_url.rstrip("/")
        self.session = requests.Session()
        self.session.trust_env = False

    def call(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        response = self.session.request(method, self.base + path, json=body, params=params or None, timeout=30)
        assert response.status_code < 400, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def faults(self, **settings: Any) -> None:
        self.call("PUT", "/_sandbox/faults", settings)

    def clear_faults(self) -> None:
        self.call("PUT", "/_sandbox/faults", {})

    def new_provider(self) -> dict[str, Any]:
        return self.call("POST", "/_sandbox/providers", {"name": f"Provider {uuid.uuid4().hex[:8]}"})

    def accept_reseller(self, provider: dict[str, Any], name: str = "Fabrikam IT") -> str:
        partner_id = str(uuid.uuid4().int % 9_000_000 + 1_000_000)
        self.call(
            "POST",
            "/_sandbox/resellers/accept",
            {"providerTenantId": provider["tenantId"], "partnerId": partner_id, "name": name},
        )
        return partner_id

    def accept_customer(self, provider: dict[str, Any], reseller_partner_id: str, company: str) -> str:
        answer = self.call(
            "POST",
            "/_sandbox/customers/accept",
            {
                "providerTenantId": provider["tenantId"],
                "resellerPartnerId": reseller_partner_id,
                "companyName": company,
                "domain": f"{company.lower().replace(' ', '')}{uuid.uuid4().hex[:6]}.onmicrosoft.com",
            },
        )
        return str(answer["tenantId"])


@pytest.fixture(scope="session")
def control(sandbox: Any) -> Control:
    return Control(sandbox.http_url)


@pytest.fixture
def faults(control: Control) -> Iterator[Control]:
    """Fault injection that is always switched off again, whatever the test did."""
    control.clear_faults()
    try:
        yield control
    finally:
        control.clear_faults()


@pytest.fixture(scope="session")
def dev_provider(control: Control) -> dict[str, Any]:
    return control.call("GET", "/_sandbox/provider")


def endpoints_for(sandbox: Any, provider: dict[str, Any], **overrides: Any) -> PartnerCenterEndpoints:
    """The sandbox as Partner Center and as the Entra authority, its development CA trusted explicitly."""
    values: dict[str, Any] = {
        "partner_center_url": provider.get("partnerCenterUrl") or sandbox.https_url,
        "authority_host": sandbox.https_url,
        "graph_url": sandbox.https_url,
        "price_sheet_url": sandbox.https_url,
        "ca_bundle": str(sandbox.ca_cert_path),
        "timeout": 10.0,
    }
    values.update(overrides)
    return PartnerCenterEndpoints(**values)


@dataclass
class ProviderClient:
    """A client for one sandbox provider plus what tests observe: token requests, sleeps, the secret store."""

    client: PartnerCenterClient
    provider: dict[str, Any]
    store: LocalSecretStore
    credentials: PartnerCenterCredentials
    endpoints: PartnerCenterEndpoints
    token_requests: list[str] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    on_sleep: Callable[[float], None] | None = None

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.on_sleep is not None:
            self.on_sleep(seconds)


def build_client(
    sandbox: Any,
    provider: dict[str, Any],
    secrets_dir: Path,
    *,
    with_refresh_token: bool = True,
    client_secret: str | None = None,
    tenant_id: str | None = None,
    retry: RetryPolicy | None = None,
    clock: Callable[[], float] | None = None,
    **endpoint_overrides: Any,
) -> ProviderClient:
    """A client wired like production (client_for_provider), its secrets in a store of the test's own."""
    store = LocalSecretStore(secrets_dir)
    store.set("pc-client-secret", client_secret if client_secret is not None else provider["clientSecret"])
    if with_refresh_token:
        store.set("pc-refresh-token", provider["refreshToken"])
    credentials = PartnerCenterCredentials(
        tenant_id=tenant_id or provider["tenantId"],
        client_id=provider["clientId"],
        client_secret_ref="pc-client-secret",
        refresh_token_ref="pc-refresh-token" if with_refresh_token else None,
    )
    endpoints = endpoints_for(sandbox, provider, **endpoint_overrides)
    token_session = token_http_session(endpoints)
    holder = ProviderClient(None, provider, store, credentials, endpoints)  # type: ignore[arg-type]

    def count_token_requests(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        sent = response.request
        if "/oauth2/" in (sent.url or "") and sent.method == "POST":
            body = sent.body
            holder.token_requests.append(body.decode() if isinstance(body, bytes) else str(body or ""))

    token_session.hooks["response"].append(count_token_requests)
    tokens_kwargs: dict[str, Any] = {"http_session": token_session}
    if clock is not None:
        tokens_kwargs["clock"] = clock
    tokens = MsalTokenProvider(credentials, endpoints, store, **tokens_kwargs)
    holder.client = client_for_provider(
        credentials,
        endpoints,
        store,
        tokens=tokens,
        retry=retry or RetryPolicy(backoff_base=0.01, backoff_max=0.05),
        sleep=holder.sleep,
    )
    return holder


@pytest.fixture
def dev_client(sandbox: Any, dev_provider: dict[str, Any], tmp_path: Path) -> Iterator[ProviderClient]:
    built = build_client(sandbox, dev_provider, tmp_path / "secrets")
    yield built
    built.client.close()


@pytest.fixture
def fresh_provider(control: Control) -> dict[str, Any]:
    """A provider of the test's own, so its customers and resellers are not shared with other tests."""
    return control.new_provider()


@pytest.fixture
def fresh_client(sandbox: Any, fresh_provider: dict[str, Any], tmp_path: Path) -> Iterator[ProviderClient]:
    built = build_client(sandbox, fresh_provider, tmp_path / "secrets")
    yield built
    built.client.close()
