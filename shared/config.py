"""Typed settings read from the environment (names as in local.settings.sample.json)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    # Partner Center and Microsoft Graph: Microsoft's hosts in Azure, the sandbox locally.
    partner_center_url: str = "https://api.partnercenter.microsoft.com"
    partner_center_authority_host: str = "https://login.microsoftonline.com"
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
    idempotency_ttl_hours: int = Field(default=72, ge=72)

    # Timer schedules (NCRONTAB, six fields, UTC); the Functions host reads them by %NAME%.
    idempotency_sweep_schedule: str = "0 15 3 * * *"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once on first use (never at import)."""
    return Settings()  # type: ignore[call-arg]
