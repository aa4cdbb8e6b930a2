"""Settings of one sandbox process: where it keeps state, where it listens, how its rules are tuned."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

# The platform's own Entra tenant locally: users' sign-in tokens name it (issuer and tid).
PLATFORM_TENANT_ID = "c2a7e0d4-5b1f-4e8a-9f36-7d0b1a2c3e45"

# The web console's app registration in the platform's tenant: a public client (SPA, PKCE, no secret) that asks
# the platform's API for `api://csp-platform/access_as_user` on behalf of the person signing in.
CONSOLE_CLIENT_ID = "7b3c9e21-4d5a-4f8b-a6c2-9e1d3f5b7a80"
PLATFORM_API_AUDIENCE = "api://csp-platform"
PLATFORM_API_SCOPE = "access_as_user"

# The development provider: fixed values that the repository's local settings carry.
DEV_PROVIDER_TENANT_ID = "3f0c6a52-8d4e-4b9a-9c71-2a5d8e6b4f10"
DEV_PROVIDER_CLIENT_ID = "8a1d5c3e-6f2b-4e7a-9d0c-5b3e7f1a2c64"
DEV_PROVIDER_PARTNER_ID = "6543210"
DEV_PROVIDER_NAME = "Contoso Distribution"
DEV_PROVIDER_SECRET_REF = "pc-dev-client-secret"
DEV_PROVIDER_REFRESH_TOKEN_REF = "pc-dev-refresh-token"

# Audiences Partner Center accepts: its resource URI and its first-party application id.
PARTNER_CENTER_RESOURCE = "https://api.partnercenter.microsoft.com"
PARTNER_CENTER_APP_ID = "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd"
PRICE_SHEET_RESOURCE = "https://api.partner.microsoft.com"
GRAPH_RESOURCE = "https://graph.microsoft.com"


@dataclass(frozen=True)
class SandboxConfig:
    """Everything a sandbox app needs to know; time-dependent rules read the sandbox clock, not these."""

    state_dir: Path
    secrets_dir: Path
    host: str = "127.0.0.1"
    http_port: int = 7072
    https_port: int = 7073
    cancellation_window_hours: int = 168
    order_completion_seconds: float = 1.0
    checkout_processing_seconds: float = 0.3
    cart_lifetime_days: int = 7
    access_token_lifetime_seconds: int = 3600
    refresh_token_lifetime_days: int = 90
    graph_export_seconds: float = 1.0
    webhook_retry_initial_seconds: float = 0.2
    webhook_retry_max_seconds: float = 1.0
    webhook_timeout_seconds: float = 5.0
    # Extended Service Term: the premium over the one-month price a subscription pays each month it rolls on after
    # its term with auto-renew off (unconfirmed: Microsoft announced EST without publishing the rate).
    est_premium_rate: Decimal = Decimal("0.20")
    # Where the console's sign-in page reads the people one may sign in as (the platform's list); None: type an oid.
    people_url: str | None = None

    @property
    def https_url(self) -> str:
        """The base every issuer, authority and link names (MSAL requires HTTPS authorities)."""
        return f"https://{self.host}:{self.https_port}"

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    @property
    def partner_center_audiences(self) -> frozenset[str]:
        """Token audiences the Partner Center routes accept (with or without a trailing slash)."""
        bases = {PARTNER_CENTER_RESOURCE, PARTNER_CENTER_APP_ID, self.https_url, PRICE_SHEET_RESOURCE}
        return frozenset(bases | {f"{base}/" for base in bases})
