"""Typed settings read from the environment (names as in local.settings.sample.json)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache
from ipaddress import ip_address
from typing import Final, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Settings only the local stack uses; Azure never sets them (infra/ leaves them out, tests check that).
LOCAL_ONLY_SETTINGS: Final = frozenset(
    {
        "LOCAL_SECRETS_DIR",
        "AUTH_CA_BUNDLE",
        "PARTNER_CENTER_CA_BUNDLE",
        "WEBHOOK_TRUSTED_ROOTS",
        "STORAGE_CONNECTION_STRING",
        "SERVICEBUS_CONNECTION_STRING",
        "DEV_PROVIDER_TENANT_ID",
        "DEV_PROVIDER_CLIENT_ID",
        "DEV_PROVIDER_CLIENT_SECRET_REF",
        "DEV_PROVIDER_REFRESH_TOKEN_REF",
        "LOCAL_OPERATOR_ID",
        "DEV_SIGN_IN_KEY_DIR",
        "PARTNER_CENTER_CONSENT_SIGN_IN_HOST",
        "EVENT_WEBHOOKS_ALLOW_LOOPBACK",
    }
)
# Settings holding URLs the platform calls or trusts: https (and not loopback) in production.
URL_SETTINGS: Final = (
    "AUTH_ISSUER",
    "AUTH_JWKS_URL",
    "PARTNER_CENTER_URL",
    "PARTNER_CENTER_AUTHORITY_HOST",
    "GRAPH_URL",
    "PRICE_SHEET_URL",
    "KEY_VAULT_URL",
    "PUBLIC_BASE_URL",
    "WEBHOOK_BASE_URL",
    "AUTH_AUTHORITY",
    "PARTNER_CENTER_CONSENT_SIGN_IN_HOST",
)
PRODUCTION_SIGNING_SECRET_MIN_LENGTH: Final = 32
# The value local.settings.sample.json carries; published, so never acceptable in Azure.
SAMPLE_SIGNING_SECRET: Final = "local-development-signing-secret-not-for-production"


class Settings(BaseSettings):
    """Every setting the code reads; the environment variable is the field name in upper case."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    # Storage: a connection string locally (Azurite), an account name with managed identity in Azure.
    storage_connection_string: str | None = None
    storage_account_name: str | None = None

    # Queues: Storage Queues on Azurite locally, Service Bus in Azure.
    queue_backend: Literal["storage", "servicebus"] = "storage"
    servicebus_namespace: str | None = None
    servicebus_connection_string: str | None = None
    queue_max_attempts: int = Field(default=8, ge=1, le=100)

    # Sign-in: bearer tokens from Entra ID (the sandbox locally).
    auth_issuer: str
    auth_audience: str
    auth_jwks_url: str
    auth_ca_bundle: str | None = None
    auth_clock_skew_seconds: int = Field(default=60, ge=0, le=600)
    # The web console signs people in with MSAL.js: its app registration (a SPA), the authority it signs in at
    # (default: the issuer without /v2.0) and the API scope it asks for (default: AUTH_AUDIENCE/access_as_user).
    auth_client_id: str = ""
    auth_authority: str | None = None
    auth_api_scope: str | None = None
    # Local only: a development sign-in on the console's origin that mints tokens with the sandbox's user key
    # (a person's browser trusts neither the sandbox's CA nor an http authority). Unset: off.
    dev_sign_in_key_dir: str | None = None

    @property
    def console_authority(self) -> str:
        return (self.auth_authority or self.auth_issuer.removesuffix("/").removesuffix("/v2.0")).rstrip("/")

    @property
    def console_scopes(self) -> list[str]:
        return [self.auth_api_scope or f"{self.auth_audience.rstrip('/')}/access_as_user"]

    # The Entra tenants whose users may sign in (comma-separated ids); empty: the issuer's own tenant only.
    auth_allowed_tenants: str = ""

    @property
    def auth_allowed_tenant_ids(self) -> frozenset[str]:
        named = {t.strip().lower() for t in self.auth_allowed_tenants.split(",") if t.strip()}
        return frozenset(named) if named else frozenset(filter(None, [issuer_tenant_id(self.auth_issuer)]))

    # Partner Center and Microsoft Graph: Microsoft's hosts in Azure, the sandbox locally.
    partner_center_url: str = "https://api.partnercenter.microsoft.com"
    partner_center_authority_host: str = "https://login.microsoftonline.com"
    # Where a partner admin's browser goes to consent; unset: the authority host. Locally the sandbox's plain-http
    # port, since a person's browser does not trust the sandbox's development CA (the code is still redeemed over
    # https at the authority host).
    partner_center_consent_sign_in_host: str | None = None
    partner_center_scope: str = "https://api.partnercenter.microsoft.com/.default"
    partner_center_user_scope: str = "https://api.partnercenter.microsoft.com/user_impersonation"
    graph_url: str = "https://graph.microsoft.com"
    graph_scope: str = "https://graph.microsoft.com/.default"
    price_sheet_url: str = "https://api.partner.microsoft.com"
    partner_center_ca_bundle: str | None = None
    partner_center_timeout_seconds: float = Field(default=30.0, gt=0, le=300)

    # Secrets (provider client secrets, refresh tokens): Key Vault in Azure, a folder locally.
    secret_store: Literal["local", "keyvault"] = "local"
    key_vault_url: str | None = None
    local_secrets_dir: str | None = None

    # Signs continuation tokens and consent state; a Key Vault reference in Azure.
    signing_secret: str = Field(min_length=16)

    # HTTP behaviour.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Browser origins (comma-separated, scheme://host[:port]) allowed to call the API from another origin; empty: none,
    # since the console is served on the API's own origin. "*" is refused: answers carry the caller's credentials.
    cors_allowed_origins: str = ""

    @property
    def cors_allowed_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_allowed_origins.split(",") if o.strip()]

    idempotency_ttl_hours: int = Field(default=72, ge=72)

    # Timer schedules (NCRONTAB, six fields, UTC); the Functions host reads them by %NAME%.
    idempotency_sweep_schedule: str = "0 15 3 * * *"
    relationship_sweep_schedule: str = "0 */30 * * * *"
    provisioning_sweep_schedule: str = "0 * * * * *"
    subscription_sync_schedule: str = "0 0 */6 * * *"
    catalog_sync_schedule: str = "0 0 2 * * *"
    billing_unbilled_schedule: str = "0 0 5 * * *"  # the current period's unbilled run, daily
    billing_billed_schedule: str = "0 30 5 * * *"  # last month's billed run, once its invoice is out
    # Outbound events: lost webhook deliveries re-queued, expiring subscriptions announced.
    notification_sweep_schedule: str = "0 */5 * * * *"
    catalog_markets: str = "US,NL,DE"  # the markets (countries) whose catalog and prices are synced

    @property
    def catalog_markets_list(self) -> list[str]:
        return [m.strip().upper() for m in self.catalog_markets.split(",") if m.strip()]

    # Partner Center webhooks: the certificate URL's allowed hosts and the roots its chain must end in.
    # (unconfirmed) Microsoft documents neither; its example certificate lives on 3psostorageacct.
    webhook_trusted_cert_hosts: str = "3psostorageacct.blob.core.windows.net"
    webhook_trusted_roots: str | None = None  # a PEM bundle; unset: the public roots (certifi)
    price_sheet_scope: str = "https://api.partner.microsoft.com/.default"

    # Provisioning and subscription changes: back-off of the scheduled retries, and when to give up.
    provisioning_retry_first_delay_seconds: float = Field(default=2, gt=0)
    provisioning_retry_max_delay_seconds: float = Field(default=300, gt=0, le=7 * 24 * 3600)
    provisioning_max_attempts: int = Field(default=10, ge=1, le=100)

    # Onboarding: where the consent redirect comes back to, and how pending relationships are checked.
    public_base_url: str = "http://127.0.0.1:7071"
    # Where Partner Center's webhook is registered (empty: PUBLIC_BASE_URL). In Azure the Function App's own host:
    # its signature travels in the Authorization header, which a front door in between must not touch.
    webhook_base_url: str = ""
    consent_state_ttl_minutes: int = Field(default=15, ge=1, le=120)
    relationship_invitation_expiry_days: float = Field(default=30, gt=0, le=365)
    relationship_check_first_delay_seconds: float = Field(default=30, gt=0)
    relationship_check_max_delay_seconds: float = Field(default=3600, gt=0, le=7 * 24 * 3600)
    # (unconfirmed) Partner Center documents no invitation link for indirect resellers; this template is
    # what the provider sends, with {providerPartnerId} and {resellerPartnerId} filled in.
    reseller_invitation_url_template: str = (
        "https://partner.microsoft.com/dashboard/account/v3/invitations/indirectreseller"
        "?providerPartnerId={providerPartnerId}&resellerPartnerId={resellerPartnerId}"
    )

    # Outbound event webhooks go to https URLs on public addresses only; the local stack allows http to loopback
    # (its sandbox receivers). Local only: refused in Azure.
    event_webhooks_allow_loopback: bool = False

    # Telemetry: logs and traces go to Application Insights when a connection string is set.
    applicationinsights_connection_string: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # The user-assigned managed identity DefaultAzureCredential signs in as (Azure only).
    azure_client_id: str | None = None

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value


_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def issuer_tenant_id(issuer: str) -> str | None:
    """The tenant an Entra issuer names (`https://login.microsoftonline.com/<tenant>/v2.0`), if it names one."""
    for part in urlsplit(issuer).path.split("/"):
        if _GUID.match(part.lower()):
            return part.lower()
    return None


class SettingsError(ValueError):
    """Settings the app cannot run with; the message names every setting at fault, so start-up says what to fix."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("invalid settings: " + "; ".join(f"{name}: {why}" for name, why in self.problems.items()))


def running_under_functions_host(environ: Mapping[str, str] | None = None) -> bool:
    """True inside the Functions host's worker (Core Tools or Azure), where settings are checked at import."""
    env = os.environ if environ is None else environ
    return bool(env.get("FUNCTIONS_WORKER_RUNTIME") or env.get("WEBSITE_SITE_NAME"))


def is_production(environ: Mapping[str, str] | None = None) -> bool:
    """True on an Azure Function App that is not marked Development (Core Tools marks itself so)."""
    env = os.environ if environ is None else environ
    return bool(env.get("WEBSITE_SITE_NAME")) and env.get("AZURE_FUNCTIONS_ENVIRONMENT", "").lower() != "development"


def load_settings() -> Settings:
    """Reads the environment; a missing or malformed setting is a SettingsError naming its variable."""
    try:
        return Settings()  # type: ignore[call-arg]
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "SETTINGS"
            problems.setdefault(name, "is required" if error["type"] == "missing" else error["msg"])
        raise SettingsError(problems) from None


def settings_problems(settings: Settings, *, production: bool) -> dict[str, str]:
    """What is wrong with settings that each parse on their own: missing partners, insecure values in production."""
    problems: dict[str, str] = {}
    if not (settings.storage_connection_string or settings.storage_account_name):
        problems["STORAGE_ACCOUNT_NAME"] = "set STORAGE_ACCOUNT_NAME (Azure) or STORAGE_CONNECTION_STRING (local)"
    if settings.queue_backend == "servicebus" and not (
        settings.servicebus_namespace or settings.servicebus_connection_string
    ):
        problems["SERVICEBUS_NAMESPACE"] = "QUEUE_BACKEND=servicebus needs SERVICEBUS_NAMESPACE"
    if settings.secret_store == "keyvault" and not settings.key_vault_url:
        problems["KEY_VAULT_URL"] = "SECRET_STORE=keyvault needs KEY_VAULT_URL"
    if not settings.auth_allowed_tenant_ids:
        problems["AUTH_ALLOWED_TENANTS"] = "name the tenants whose users may sign in (the issuer names none)"
    elif any(not _GUID.match(t) for t in settings.auth_allowed_tenant_ids):
        problems["AUTH_ALLOWED_TENANTS"] = "must be tenant ids (GUIDs), comma-separated"
    for origin in settings.cors_allowed_origin_list:
        if not _ORIGIN.match(origin):
            problems["CORS_ALLOWED_ORIGINS"] = (
                "must be origins (scheme://host[:port]), comma-separated; * is not allowed"
            )
        elif production and not origin.startswith("https://"):
            problems["CORS_ALLOWED_ORIGINS"] = "origins must be https in Azure"
    for name in URL_SETTINGS:
        value = getattr(settings, name.lower(), None)
        if value:
            why = _url_problem(value, production=production)
            if why:
                problems[name] = why
    for name in Settings.model_fields:
        if name.endswith("_schedule") and len(str(getattr(settings, name)).split()) != 6:
            problems[name.upper()] = "must be NCRONTAB with six fields (seconds first, UTC)"
    if production:
        if len(settings.signing_secret) < PRODUCTION_SIGNING_SECRET_MIN_LENGTH:
            problems["SIGNING_SECRET"] = f"must be at least {PRODUCTION_SIGNING_SECRET_MIN_LENGTH} characters"
        elif settings.signing_secret == SAMPLE_SIGNING_SECRET:
            problems["SIGNING_SECRET"] = "is the published local sample value"
        if settings.secret_store != "keyvault":
            problems["SECRET_STORE"] = "must be keyvault in Azure (a local folder does not outlive an instance)"
        for name in ("AUTH_CA_BUNDLE", "PARTNER_CENTER_CA_BUNDLE", "WEBHOOK_TRUSTED_ROOTS"):
            if getattr(settings, name.lower(), None):
                problems[name] = "is local-only: Azure trusts the public CAs"
        if settings.dev_sign_in_key_dir:
            problems["DEV_SIGN_IN_KEY_DIR"] = "is local-only: in Azure people sign in with Entra ID alone"
        if settings.partner_center_consent_sign_in_host:
            problems["PARTNER_CENTER_CONSENT_SIGN_IN_HOST"] = "is local-only: in Azure consent happens at the authority"
        if settings.event_webhooks_allow_loopback:
            problems["EVENT_WEBHOOKS_ALLOW_LOOPBACK"] = "is local-only: in Azure webhooks go to public https URLs"
    return problems


def _url_problem(value: str, *, production: bool) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "must be an absolute http(s) URL"
    if not production:
        return None
    if parts.scheme != "https":
        return "must be https in production"
    if _is_loopback(parts.hostname):
        return "must not be a loopback address in production"
    return None


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def validate_settings(settings: Settings | None = None, *, production: bool | None = None) -> Settings:
    """The settings (read from the environment unless given), or a SettingsError naming every setting at fault."""
    settings = load_settings() if settings is None else settings
    problems = settings_problems(settings, production=is_production() if production is None else production)
    if problems:
        raise SettingsError(problems)
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read and validated once on first use (never at import)."""
    return validate_settings()
