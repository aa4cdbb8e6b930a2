"""Both token grants against the sandbox's Entra endpoints: caching, rotation, typed refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.partner_center import AppOnlyNotSupported, AuthenticationFailed, ConsentRequired, NotFound
from tests.partner_center.conftest import ProviderClient, build_client


def grant_types(requests_sent: list[str]) -> list[str]:
    return [next(p.split("=", 1)[1] for p in body.split("&") if p.startswith("grant_type=")) for body in requests_sent]


def test_app_only_token_is_requested_once_and_reused(dev_client: ProviderClient) -> None:
    profile = dev_client.client.get_legal_business_profile()
    dev_client.client.get_legal_business_profile()
    list(dev_client.client.iter_customers(page_size=5))
    assert profile.company_name
    assert grant_types(dev_client.token_requests) == ["client_credentials"]


def test_app_user_operation_redeems_the_refresh_token_once(dev_client: ProviderClient) -> None:
    first = dev_client.client.get_mpn_profile()
    second = dev_client.client.get_mpn_profile()
    organization = dev_client.client.get_organization_profile()
    assert first.mpn_id == second.mpn_id == dev_client.provider["partnerId"]
    assert organization.tenant_id == dev_client.provider["tenantId"]
    assert grant_types(dev_client.token_requests) == ["refresh_token"]


def test_each_operation_uses_the_grant_partner_center_requires(dev_client: ProviderClient) -> None:
    dev_client.client.get_legal_business_profile()
    dev_client.client.list_indirect_resellers()
    dev_client.client.get_legal_business_profile()
    dev_client.client.get_mpn_profile()
    assert sorted(grant_types(dev_client.token_requests)) == ["client_credentials", "refresh_token"]


def test_rotated_refresh_token_is_written_back_to_the_secret_store(dev_client: ProviderClient) -> None:
    before = dev_client.store.get("pc-refresh-token")
    dev_client.client.get_mpn_profile()
    after = dev_client.store.get("pc-refresh-token")
    assert after and after != before


def test_token_is_renewed_five_minutes_before_it_expires(
    sandbox: Any, dev_provider: dict[str, Any], tmp_path: Path
) -> None:
    now = [1_000_000.0]
    built = build_client(sandbox, dev_provider, tmp_path, clock=lambda: now[0])
    built.client.get_legal_business_profile()
    built.client.get_mpn_profile()
    assert len(built.token_requests) == 2
    now[0] += 3600 - 301  # the sandbox issues one-hour tokens: still usable
    built.client.get_legal_business_profile()
    built.client.get_mpn_profile()
    assert len(built.token_requests) == 2
    now[0] += 2  # inside the five-minute margin
    built.client.get_legal_business_profile()
    built.client.get_mpn_profile()
    assert sorted(grant_types(built.token_requests[2:])) == ["client_credentials", "refresh_token"]


def test_app_only_token_on_an_app_user_operation_is_refused_with_900329(
    sandbox: Any, dev_provider: dict[str, Any], tmp_path: Path
) -> None:
    built = build_client(sandbox, dev_provider, tmp_path, with_refresh_token=False)
    assert built.client.get_legal_business_profile().company_name
    with pytest.raises(AppOnlyNotSupported) as raised:
        built.client.get_mpn_profile()
    assert raised.value.status == 403
    assert raised.value.code == 900329
    assert raised.value.request_id


def test_wrong_client_secret_is_authentication_failed_with_the_aadsts_code(
    sandbox: Any, dev_provider: dict[str, Any], tmp_path: Path
) -> None:
    built = build_client(sandbox, dev_provider, tmp_path, client_secret="not-the-secret")
    with pytest.raises(AuthenticationFailed) as raised:
        built.client.get_legal_business_profile()
    assert raised.value.error == "invalid_client"
    assert raised.value.aadsts_code == 7000215


def test_unknown_tenant_is_authentication_failed(sandbox: Any, dev_provider: dict[str, Any], tmp_path: Path) -> None:
    built = build_client(sandbox, dev_provider, tmp_path, tenant_id="00000000-0000-4000-8000-000000000001")
    with pytest.raises(AuthenticationFailed):
        built.client.get_legal_business_profile()


def test_refresh_token_missing_from_the_store_is_consent_required(dev_client: ProviderClient) -> None:
    (dev_client.store.directory / "pc-refresh-token").unlink()
    with pytest.raises(ConsentRequired):
        dev_client.client.get_mpn_profile()


def test_unknown_mpn_id_is_not_found(dev_client: ProviderClient) -> None:
    with pytest.raises(NotFound):
        dev_client.client.get_mpn_profile("7777777")
