"""Who the client signs in as (credentials, by secret reference) and where it talks to (endpoints)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from shared.config import Settings

# Entra hosts whose authorities MSAL can validate and discover; any other host (the sandbox) is trusted as given.
MICROSOFT_AUTHORITY_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoft.com",
        "login.windows.net",
        "sts.windows.net",
        "login.microsoftonline.us",
        "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
        "login.microsoftonline.de",
    }
)


# (unconfirmed) the price sheet host's token scope is undocumented; its resource URI with /.default is assumed.
DEFAULT_PRICE_SHEET_SCOPE = "https://api.partner.microsoft.com/.default"


class Service(enum.Enum):
    """The three hosts the client talks to; each has its own base URL and token audience."""

    PARTNER_CENTER = "partner_center"
    GRAPH = "graph"
    PRICE_SHEET = "price_sheet"


@dataclass(frozen=True)
class PartnerCenterCredentials:
    """A provider's Entra app; secrets are named by reference and read from the secret store only when needed."""

    tenant_id: str
    client_id: str
    client_secret_ref: str
    refresh_token_ref: str | None = None


@dataclass(frozen=True)
class PartnerCenterEndpoints:
    """Hosts, scopes and trust: Microsoft's in Azure, the sandbox's locally."""

    partner_center_url: str = "https://api.partnercenter.microsoft.com"
    authority_host: str = "https://login.microsoftonline.com"
    scope: str = "https://api.partnercenter.microsoft.com/.default"
    user_scope: str = "https://api.partnercenter.microsoft.com/user_impersonation"
    graph_url: str = "https://graph.microsoft.com"
    graph_scope: str = "https://graph.microsoft.com/.default"
    price_sheet_url: str = "https://api.partner.microsoft.com"
    price_sheet_scope: str = DEFAULT_PRICE_SHEET_SCOPE
    ca_bundle: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> PartnerCenterEndpoints:
        """The endpoints the environment names (PARTNER_CENTER_URL, ..._AUTHORITY_HOST, ..._CA_BUNDLE, ...)."""
        return cls(
            partner_center_url=settings.partner_center_url,
            authority_host=settings.partner_center_authority_host,
            scope=settings.partner_center_scope,
            user_scope=settings.partner_center_user_scope,
            graph_url=settings.graph_url,
            graph_scope=settings.graph_scope,
            price_sheet_url=settings.price_sheet_url,
            price_sheet_scope=getattr(settings, "price_sheet_scope", None) or DEFAULT_PRICE_SHEET_SCOPE,
            ca_bundle=settings.partner_center_ca_bundle,
            timeout=settings.partner_center_timeout_seconds,
        )

    @property
    def api_base(self) -> str:
        """The REST root every path is relative to (links come without /v1, sometimes with it)."""
        return self.partner_center_url.rstrip("/") + "/v1"

    def base_url(self, service: Service) -> str:
        """The root a service's paths are relative to (Partner Center's without /v1: paths carry it)."""
        if service is Service.GRAPH:
            return self.graph_url.rstrip("/")
        if service is Service.PRICE_SHEET:
            return self.price_sheet_url.rstrip("/")
        return self.partner_center_url.rstrip("/")

    def authority(self, tenant_id: str) -> str:
        """`{authority_host}/{tenant}`: the only authority shape MSAL accepts."""
        return f"{self.authority_host.rstrip('/')}/{tenant_id}"

    @property
    def authority_is_microsoft(self) -> bool:
        """Only Microsoft's own hosts are validated and discovered; a local authority is taken as configured."""
        return (urlsplit(self.authority_host).hostname or "").lower() in MICROSOFT_AUTHORITY_HOSTS
