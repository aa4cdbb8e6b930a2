"""A missing or malformed setting stops the app at start-up with its name; Azure's rules are stricter than local's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from local.azurite import free_port
from local.settings import load_values
from shared.config import (
    SAMPLE_SIGNING_SECRET,
    Settings,
    SettingsError,
    get_settings,
    is_production,
    load_settings,
    running_under_functions_host,
    settings_problems,
    validate_settings,
)

REPO = Path(__file__).resolve().parents[2]
CLIENT_ID = "5b1f3c2a-9d8e-4f70-a6b5-3c2d1e0f9a8b"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
# What the Function App's environment holds in Azure: every app setting the template sets (test_infra checks
# the keys match), with Key Vault references already resolved by the platform, as the worker sees them.
PRODUCTION_ENVIRONMENT = {
    "STORAGE_ACCOUNT_NAME": "stabc123",
    "QUEUE_BACKEND": "servicebus",
    "SERVICEBUS_NAMESPACE": "sb-abc123.servicebus.windows.net",
    "QUEUE_MAX_ATTEMPTS": "8",
    "AUTH_ISSUER": f"https://login.microsoftonline.com/{TENANT}/v2.0",
    "AUTH_AUDIENCE": "api://csp-platform",
    "AUTH_JWKS_URL": f"https://login.microsoftonline.com/{TENANT}/discovery/v2.0/keys",
    "AUTH_CLOCK_SKEW_SECONDS": "60",
    "AUTH_CLIENT_ID": "7b3c9e21-4d5a-4f8b-a6c2-9e1d3f5b7a80",
    "AUTH_AUTHORITY": f"https://login.microsoftonline.com/{TENANT}",
    "AUTH_API_SCOPE": "",
    "AUTH_ALLOWED_TENANTS": "",
    "PARTNER_CENTER_URL": "https://api.partnercenter.microsoft.com",
    "PARTNER_CENTER_AUTHORITY_HOST": "https://login.microsoftonline.com",
    "PARTNER_CENTER_SCOPE": "https://api.partnercenter.microsoft.com/.default",
    "PARTNER_CENTER_USER_SCOPE": "https://api.partnercenter.microsoft.com/user_impersonation",
    "GRAPH_URL": "https://graph.microsoft.com",
    "GRAPH_SCOPE": "https://graph.microsoft.com/.default",
    "PRICE_SHEET_URL": "https://api.partner.microsoft.com",
    "PRICE_SHEET_SCOPE": "https://api.partner.microsoft.com/.default",
    "WEBHOOK_TRUSTED_CERT_HOSTS": "3psostorageacct.blob.core.windows.net",
    "PARTNER_CENTER_TIMEOUT_SECONDS": "30",
    "SECRET_STORE": "keyvault",
    "KEY_VAULT_URL": "https://kv-abc123.vault.azure.net/",
    "SIGNING_SECRET": "9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d1f",
    "MAX_BODY_BYTES": "1048576",
    "CORS_ALLOWED_ORIGINS": "",
    "IDEMPOTENCY_TTL_HOURS": "72",
    "IDEMPOTENCY_SWEEP_SCHEDULE": "0 15 3 * * *",
    "RELATIONSHIP_SWEEP_SCHEDULE": "0 */30 * * * *",
    "PROVISIONING_SWEEP_SCHEDULE": "0 * * * * *",
    "SUBSCRIPTION_SYNC_SCHEDULE": "0 0 */6 * * *",
    "CATALOG_SYNC_SCHEDULE": "0 0 2 * * *",
    "CATALOG_MARKETS": "US,NL,DE",
    "BILLING_UNBILLED_SCHEDULE": "0 0 5 * * *",
    "BILLING_BILLED_SCHEDULE": "0 30 5 * * *",
    "NOTIFICATION_SWEEP_SCHEDULE": "0 */5 * * * *",
    "PROVISIONING_RETRY_FIRST_DELAY_SECONDS": "2",
    "PROVISIONING_RETRY_MAX_DELAY_SECONDS": "300",
    "PROVISIONING_MAX_ATTEMPTS": "10",
    "CONSENT_STATE_TTL_MINUTES": "15",
    "RELATIONSHIP_INVITATION_EXPIRY_DAYS": "30",
    "RELATIONSHIP_CHECK_FIRST_DELAY_SECONDS": "30",
    "RELATIONSHIP_CHECK_MAX_DELAY_SECONDS": "3600",
    "RESELLER_INVITATION_URL_TEMPLATE": (
        "https://partner.microsoft.com/dashboard/account/v3/invitations/indirectreseller"
        "?providerPartnerId={providerPartnerId}&resellerPartnerId={resellerPartnerId}"
    ),
    "LOG_LEVEL": "INFO",
    "PUBLIC_BASE_URL": "https://func-api-abc123.azurewebsites.net",
    "WEBHOOK_BASE_URL": "https://func-api-abc123.azurewebsites.net",
    "AzureWebJobsStorage__credential": "managedidentity",
    "AzureWebJobsStorage__clientId": CLIENT_ID,
    "AzureWebJobsStorage__blobServiceUri": "https://stabc123.blob.core.windows.net/",
    "ServiceBusConnection__fullyQualifiedNamespace": "sb-abc123.servicebus.windows.net",
    "ServiceBusConnection__credential": "managedidentity",
    "ServiceBusConnection__clientId": CLIENT_ID,
    "APPLICATIONINSIGHTS_CONNECTION_STRING": "InstrumentationKey=00000000-0000-0000-0000-000000000001",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": f"Authorization=AAD;ClientId={CLIENT_ID}",
    "PYTHON_ENABLE_OPENTELEMETRY": "true",
    "AZURE_CLIENT_ID": CLIENT_ID,
}
# What Azure itself adds to every Function App's environment.
AZURE_PLATFORM = {"WEBSITE_SITE_NAME": "func-api-abc123", "FUNCTIONS_WORKER_RUNTIME": "python"}


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No setting of the Settings model, nor a host marker, leaks in from the shell running the tests."""
    for name in list(os.environ):
        if name.lower() in Settings.model_fields or name in AZURE_PLATFORM or name == "AZURE_FUNCTIONS_ENVIRONMENT":
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def production_settings(**overrides: Any) -> Settings:
    values = {k.lower(): v for k, v in PRODUCTION_ENVIRONMENT.items() if k.lower() in Settings.model_fields}
    values.update(overrides)
    return Settings(**values)


def local_sample_settings() -> Settings:
    values = load_values(include_environment=False)
    return Settings(**{k.lower(): v for k, v in values.items() if k.lower() in Settings.model_fields})


def isolated_environment(values: dict[str, str]) -> dict[str, str]:
    """Only what a process needs to run, plus `values`: no local default can creep in."""
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR") if k in os.environ}
    return {**keep, "PYTHONPATH": str(REPO), **values}


def import_function_app(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Imports function_app in a fresh interpreter, as the Functions worker does, and lists what it indexed."""
    program = (
        "import json, function_app; "
        "print(json.dumps(sorted(f.get_function_name() for f in function_app.app.get_functions())))"
    )
    return subprocess.run(
        [sys.executable, "-c", program],
        cwd=REPO,
        env=isolated_environment(environment),
        capture_output=True,
        text=True,
        timeout=120,
    )


# Reading the environment ------------------------------------------------------------------------------------------


def test_a_missing_setting_is_refused_by_its_name(clean_environment: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION_ENVIRONMENT.items():
        clean_environment.setenv(name, value)
    clean_environment.delenv("AUTH_ISSUER")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert refused.value.problems == {"AUTH_ISSUER": "is required"}
    assert "AUTH_ISSUER" in str(refused.value)


def test_a_malformed_setting_is_refused_by_its_name(clean_environment: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION_ENVIRONMENT.items():
        clean_environment.setenv(name, value)
    clean_environment.setenv("QUEUE_MAX_ATTEMPTS", "eight")
    clean_environment.setenv("QUEUE_BACKEND", "rabbitmq")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert set(refused.value.problems) == {"QUEUE_MAX_ATTEMPTS", "QUEUE_BACKEND"}


def test_get_settings_refuses_settings_that_contradict_each_other(clean_environment: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION_ENVIRONMENT.items():
        clean_environment.setenv(name, value)
    clean_environment.delenv("SERVICEBUS_NAMESPACE")
    with pytest.raises(SettingsError, match="SERVICEBUS_NAMESPACE"):
        get_settings()


# The rules --------------------------------------------------------------------------------------------------------


def test_production_like_settings_pass_in_production() -> None:
    assert settings_problems(production_settings(), production=True) == {}


def test_the_service_bus_backend_needs_a_namespace() -> None:
    problems = settings_problems(production_settings(servicebus_namespace=None), production=False)
    assert problems.keys() == {"SERVICEBUS_NAMESPACE"}
    assert (
        settings_problems(
            production_settings(servicebus_namespace=None, servicebus_connection_string="Endpoint=sb://x/"),
            production=False,
        )
        == {}
    )


def test_the_key_vault_store_needs_its_url() -> None:
    assert settings_problems(production_settings(key_vault_url=None), production=False).keys() == {"KEY_VAULT_URL"}


def test_storage_needs_a_connection_string_or_an_account_name() -> None:
    problems = settings_problems(production_settings(storage_account_name=None), production=False)
    assert problems.keys() == {"STORAGE_ACCOUNT_NAME"}
    connection = "UseDevelopmentStorage=true"
    assert (
        settings_problems(
            production_settings(storage_account_name=None, storage_connection_string=connection), production=False
        )
        == {}
    )


def test_urls_must_be_https_and_not_loopback_in_production() -> None:
    settings = production_settings(
        partner_center_url="http://api.partnercenter.microsoft.com",
        auth_jwks_url="https://127.0.0.1:7073/t/discovery/v2.0/keys",
        graph_url="https://localhost/graph",
    )
    problems = settings_problems(settings, production=True)
    assert problems == {
        "PARTNER_CENTER_URL": "must be https in production",
        "AUTH_JWKS_URL": "must not be a loopback address in production",
        "GRAPH_URL": "must not be a loopback address in production",
    }
    assert settings_problems(settings, production=False) == {}


def test_a_url_must_be_absolute_everywhere() -> None:
    problems = settings_problems(production_settings(auth_issuer="login.microsoftonline.com/t"), production=False)
    assert problems["AUTH_ISSUER"] == "must be an absolute http(s) URL"


def test_the_signing_secret_must_be_long_and_unpublished_in_production() -> None:
    short = settings_problems(production_settings(signing_secret="sixteen-chars-ok"), production=True)
    assert short.keys() == {"SIGNING_SECRET"}
    sample = settings_problems(production_settings(signing_secret=SAMPLE_SIGNING_SECRET), production=True)
    assert sample == {"SIGNING_SECRET": "is the published local sample value"}
    assert settings_problems(production_settings(signing_secret="sixteen-chars-ok"), production=False) == {}


def test_a_schedule_must_have_six_fields() -> None:
    problems = settings_problems(production_settings(idempotency_sweep_schedule="15 3 * * *"), production=False)
    assert problems.keys() == {"IDEMPOTENCY_SWEEP_SCHEDULE"}


def test_the_local_sample_is_valid_locally_and_refused_in_production() -> None:
    sample = local_sample_settings()
    assert validate_settings(sample, production=False) is sample
    with pytest.raises(SettingsError) as refused:
        validate_settings(sample, production=True)
    assert {"SIGNING_SECRET", "SECRET_STORE", "AUTH_CA_BUNDLE", "PARTNER_CENTER_CA_BUNDLE", "AUTH_ISSUER"} <= set(
        refused.value.problems
    )


def test_the_development_sign_in_and_the_sandbox_consent_host_are_refused_in_production() -> None:
    """Minting tokens on the console's origin, or sending a partner admin to a plain-http authority, is for the
    local stack only."""
    problems = settings_problems(
        production_settings(dev_sign_in_key_dir="/keys", partner_center_consent_sign_in_host="http://127.0.0.1:7072"),
        production=True,
    )
    assert {"DEV_SIGN_IN_KEY_DIR", "PARTNER_CENTER_CONSENT_SIGN_IN_HOST"} <= problems.keys()
    assert settings_problems(production_settings(dev_sign_in_key_dir="/keys"), production=False) == {}


def test_azure_is_production_unless_marked_development() -> None:
    assert is_production({"WEBSITE_SITE_NAME": "func-api"})
    assert not is_production({"WEBSITE_SITE_NAME": "func-api", "AZURE_FUNCTIONS_ENVIRONMENT": "Development"})
    assert not is_production({})
    # Flex Consumption refuses FUNCTIONS_WORKER_RUNTIME as an app setting: the site name alone must be enough.
    assert running_under_functions_host({"WEBSITE_SITE_NAME": "func-api"})
    assert running_under_functions_host({"FUNCTIONS_WORKER_RUNTIME": "python"})
    assert not running_under_functions_host({})


# Start-up ---------------------------------------------------------------------------------------------------------


def test_function_app_indexes_under_the_host_with_production_settings_and_no_local_defaults() -> None:
    environment = {k: v for k, v in PRODUCTION_ENVIRONMENT.items() if k != "APPLICATIONINSIGHTS_CONNECTION_STRING"}
    result = import_function_app({**environment, **AZURE_PLATFORM})
    assert result.returncode == 0, result.stderr
    names = set(json.loads(result.stdout))
    assert {"http_app_func", "provisioning", "relationship_checks", "idempotency_sweep"} <= names


def test_function_app_under_the_host_refuses_a_missing_setting_at_import_by_name() -> None:
    environment = {k: v for k, v in PRODUCTION_ENVIRONMENT.items() if k != "AUTH_ISSUER"}
    result = import_function_app({**environment, **AZURE_PLATFORM})
    assert result.returncode != 0
    assert "SettingsError" in result.stderr
    assert "AUTH_ISSUER: is required" in result.stderr


def test_function_app_under_the_host_refuses_insecure_production_settings_at_import() -> None:
    result = import_function_app(
        {**PRODUCTION_ENVIRONMENT, **AZURE_PLATFORM, "SECRET_STORE": "local", "SIGNING_SECRET": SAMPLE_SIGNING_SECRET}
    )
    assert result.returncode != 0
    assert "SECRET_STORE: must be keyvault" in result.stderr
    assert "SIGNING_SECRET: is the published local sample value" in result.stderr


def test_function_app_outside_the_host_imports_with_no_settings_at_all() -> None:
    result = import_function_app({})
    assert result.returncode == 0, result.stderr
    assert "http_app_func" in json.loads(result.stdout)


def test_outside_the_host_the_first_request_refuses_a_missing_setting_by_name() -> None:
    """The local API (uvicorn over create_app) starts without settings; its first request reads and checks them."""
    environment = {k: v for k, v in PRODUCTION_ENVIRONMENT.items() if k != "AUTH_ISSUER" and "__" not in k}
    environment.pop("APPLICATIONINSIGHTS_CONNECTION_STRING")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "local.api", "--port", str(port)],
        cwd=REPO,
        env=isolated_environment(environment),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/api/health", timeout=10)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "the local API did not start"
                time.sleep(0.1)
        assert response.status_code == 500
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=20)
    assert "SettingsError" in errors
    assert "AUTH_ISSUER: is required" in errors


def test_users_of_the_issuers_own_tenant_sign_in_when_no_tenants_are_named() -> None:
    assert production_settings().auth_allowed_tenant_ids == frozenset({TENANT.lower()})


def test_a_multi_tenant_setup_names_its_tenants_and_only_those_sign_in() -> None:
    other = "0b4c7a2e-1d3f-4e5a-8b6c-9d0e1f2a3b4c"
    settings = production_settings(auth_allowed_tenants=f" {TENANT.upper()} , {other}")
    assert settings.auth_allowed_tenant_ids == frozenset({TENANT.lower(), other})


def test_an_issuer_naming_no_tenant_needs_the_allowed_tenants_named() -> None:
    settings = production_settings(auth_issuer="https://login.microsoftonline.com/organizations/v2.0")
    assert "AUTH_ALLOWED_TENANTS" in settings_problems(settings, production=True)
    assert "AUTH_ALLOWED_TENANTS" in settings_problems(
        production_settings(auth_allowed_tenants="not-a-tenant"), production=False
    )
