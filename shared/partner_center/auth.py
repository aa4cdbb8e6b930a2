"""Entra ID tokens for Partner Center: app-only (client credentials) and app+user (stored refresh token)."""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import requests

from shared.partner_center.config import PartnerCenterCredentials, PartnerCenterEndpoints
from shared.partner_center.errors import (
    AuthenticationFailed,
    ConsentRequired,
    Throttled,
    Unavailable,
    authentication_failed_from_result,
)
from shared.secrets.port import SecretNotFound, SecretStore

if TYPE_CHECKING:
    import msal

# Tokens are renewed this long before Entra says they expire, so a call never leaves with a dying token.
REFRESH_MARGIN_SECONDS = 300.0


class Grant(enum.Enum):
    """Which token an operation needs (docs/partner-center.md#tokens): the flow and the audience together."""

    APP_ONLY = "app_only"  # client credentials for Partner Center
    APP_USER = "app_user"  # the stored refresh token for Partner Center
    GRAPH = "graph"  # client credentials for Microsoft Graph (PartnerBilling.Read.All is an application permission)
    PRICE_SHEET = "price_sheet"  # the stored refresh token for api.partner.microsoft.com (price sheet download)

    @property
    def is_app_only(self) -> bool:
        return self in (Grant.APP_ONLY, Grant.GRAPH)


class TokenSource(Protocol):
    """What the transport needs from authentication: a bearer token per grant, and a way to drop a refused one."""

    @property
    def has_user_consent(self) -> bool: ...

    def token(self, grant: Grant) -> str: ...

    def invalidate(self, grant: Grant) -> None: ...


@dataclass(frozen=True)
class CachedToken:
    """An access token and when it stops being usable by this client (expiry less the margin)."""

    value: str
    usable_until: float


class TimeoutSession(requests.Session):
    """A Session that applies a default timeout, because MSAL passes none when given its own http_client."""

    def __init__(self, timeout: float | tuple[float, float]) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]


def token_http_session(endpoints: PartnerCenterEndpoints) -> requests.Session:
    """The Session MSAL talks to Entra through: the configured CA only, never REQUESTS_CA_BUNDLE from the env."""
    session = TimeoutSession(endpoints.timeout)
    session.trust_env = False
    if endpoints.ca_bundle:
        session.verify = endpoints.ca_bundle
    return session


class MsalTokenProvider:
    """Acquires and caches both grants for one provider with MSAL's ConfidentialClientApplication."""

    def __init__(
        self,
        credentials: PartnerCenterCredentials,
        endpoints: PartnerCenterEndpoints,
        secret_store: SecretStore,
        *,
        http_session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = REFRESH_MARGIN_SECONDS,
    ) -> None:
        self.credentials = credentials
        self.endpoints = endpoints
        self.secret_store = secret_store
        self._http_session = http_session
        self._clock = clock
        self._refresh_margin = refresh_margin
        self._app: msal.ConfidentialClientApplication | None = None
        self._cache: dict[Grant, CachedToken] = {}
        self._lock = threading.RLock()

    @property
    def has_user_consent(self) -> bool:
        """Whether an app+user token can be attempted at all (a refresh token is referenced)."""
        return self.credentials.refresh_token_ref is not None

    def token(self, grant: Grant) -> str:
        """A bearer token for the grant, from the cache while it is more than the margin away from expiry."""
        with self._lock:
            cached = self._cache.get(grant)
            if cached is not None and self._clock() < cached.usable_until:
                return cached.value
            if cached is not None and grant.is_app_only and self._app is not None:
                self._app.remove_tokens_for_client()  # MSAL's own cache must not hand back the token we retire
            scope = self._scope(grant)
            result = self._acquire_app_only(scope) if grant.is_app_only else self._acquire_app_user(scope)
            expires_in = float(result.get("expires_in") or 0)
            value = str(result["access_token"])
            self._cache[grant] = CachedToken(value, self._clock() + expires_in - self._refresh_margin)
            return value

    def invalidate(self, grant: Grant) -> None:
        """Forgets a token Partner Center refused (401), so the next call asks Entra again."""
        with self._lock:
            self._cache.pop(grant, None)
            if grant.is_app_only and self._app is not None:
                self._app.remove_tokens_for_client()

    def _application(self) -> msal.ConfidentialClientApplication:
        """Built on first use: MSAL reads the authority's metadata in its constructor, which is I/O."""
        if self._app is None:
            import msal

            try:
                secret = self.secret_store.get(self.credentials.client_secret_ref)
            except SecretNotFound as missing:
                raise AuthenticationFailed(
                    error="client_secret_missing",
                    description=f"secret {missing.name!r} is not in the secret store",
                ) from None
            microsoft = self.endpoints.authority_is_microsoft
            session = self._http_session or token_http_session(self.endpoints)
            try:
                self._app = msal.ConfidentialClientApplication(
                    self.credentials.client_id,
                    client_credential=secret,
                    authority=self.endpoints.authority(self.credentials.tenant_id),
                    validate_authority=microsoft,
                    instance_discovery=microsoft,
                    http_client=session,
                )
            except requests.RequestException as exc:
                raise Unavailable(f"authority unreachable: {exc}") from exc
            except ValueError as exc:
                # MSAL raises ValueError when the authority's metadata cannot be read (unknown tenant).
                raise AuthenticationFailed(error="invalid_authority", description=str(exc)) from exc
        return self._app

    def _scope(self, grant: Grant) -> str:
        """The audience each grant is for: Partner Center (app-only or delegated), Graph, or the price sheet host."""
        if grant is Grant.GRAPH:
            return self.endpoints.graph_scope
        if grant is Grant.PRICE_SHEET:
            return self.endpoints.price_sheet_scope
        if grant is Grant.APP_USER:
            return self.endpoints.user_scope
        return self.endpoints.scope

    def _acquire_app_only(self, scope: str) -> dict[str, Any]:
        app = self._application()
        return self._checked(_call_token_endpoint(lambda: app.acquire_token_for_client(scopes=[scope])))

    def _acquire_app_user(self, scope: str) -> dict[str, Any]:
        """Redeems the stored refresh token (Secure Application Model) and stores a rotated one."""
        reference = self.credentials.refresh_token_ref
        if reference is None:
            raise ConsentRequired(error="consent_required", description="no refresh token is referenced")
        try:
            refresh_token = self.secret_store.get(reference)
        except SecretNotFound:
            raise ConsentRequired(
                error="consent_required", description=f"refresh token {reference!r} is not in the secret store"
            ) from None
        app = self._application()
        scopes = [scope]
        checked = self._checked(_call_token_endpoint(lambda: app.acquire_token_by_refresh_token(refresh_token, scopes)))
        rotated = checked.get("refresh_token")
        if rotated and rotated != refresh_token:
            self.secret_store.set(reference, str(rotated))
        return checked

    def redeem_authorization_code(self, code: str, redirect_uri: str) -> dict[str, Any]:
        """The consent callback's code for tokens (the refresh token is what the Secure Application Model keeps)."""
        app = self._application()
        scopes = [self.endpoints.user_scope]
        return self._checked(
            _call_token_endpoint(
                lambda: app.acquire_token_by_authorization_code(code, scopes, redirect_uri=redirect_uri)
            )
        )

    @staticmethod
    def _checked(result: dict[str, Any] | None) -> dict[str, Any]:
        if result and "access_token" in result:
            return result
        if result and "error" not in result and str(result.get("statusCode")) == "429":
            raise Throttled("token endpoint throttled the request", status=429, description=result.get("message"))
        raise authentication_failed_from_result(result or {"error": "no_response"})


def _call_token_endpoint(call: Callable[[], dict[str, Any] | None]) -> dict[str, Any] | None:
    """Runs one MSAL token request; transport trouble and 5xx become Unavailable (retryable), never auth failures."""
    from msal.exceptions import MsalServiceError

    try:
        return call()
    except requests.RequestException as exc:
        raise Unavailable(f"token endpoint unreachable: {exc}") from exc
    except MsalServiceError as exc:
        raise Unavailable(f"token endpoint failed: {exc}") from exc
    except ValueError as exc:
        raise Unavailable(f"token endpoint answered something other than JSON: {exc}") from exc
