"""Entra ID's v2.0 endpoints: discovery, keys, authorize, token and logout.

Two kinds of app sign in here. A provider's Partner Center app (confidential, in the provider's tenant) gets its
consent auto-approved for the provider's admin. The platform's web console (a public SPA client in the platform's
tenant, PKCE required) shows a page where one picks the person to sign in as.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from local.sandbox import config as cfg
from local.sandbox import people
from local.sandbox.clock import format_timestamp, parse_timestamp
from local.sandbox.context import Sandbox, get_sandbox
from local.sandbox.keys import public_jwk
from local.sandbox.state import SandboxState, new_refresh_token
from local.sandbox.tokens import sign_for

router = APIRouter(tags=["Entra ID"])
SandboxDep = Annotated[Sandbox, Depends(get_sandbox)]

_OIDC_SCOPES = frozenset({"openid", "profile", "offline_access", "email"})
_NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}
_AUTH_CODE_LIFETIME = dt.timedelta(minutes=10)

# The console (SPA) ------------------------------------------------------------------------------------------------
_TENANT_ALIASES = frozenset({"organizations", "common"})
_CONSOLE_APP_NAME = "CSP platform console"
_CONSOLE_SCOPE = f"{cfg.PLATFORM_API_AUDIENCE}/{cfg.PLATFORM_API_SCOPE}"
_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
# Entra gives refresh tokens issued to SPAs a fixed 24-hour lifetime that redemption does not extend.
_SPA_REFRESH_TOKEN_LIFETIME = dt.timedelta(hours=24)
_CODE_CHALLENGE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_RESPONSE_MODES = frozenset({"query", "fragment", "form_post"})
_SIGN_IN_PAGE_HEADERS = {
    **_NO_STORE,
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
}
_CORS_METHODS = "GET, POST, OPTIONS"
_HEADER_LIST = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~, -]{0,1000}$")


class EntraError(Exception):
    """An OAuth error answered in Entra's JSON shape with its AADSTS code."""

    def __init__(self, status: int, error: str, aadsts: int, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.aadsts, self.message = status, error, aadsts, message

    def response(self, base_url: str) -> JSONResponse:
        trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
        timestamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        body = {
            "error": self.error,
            "error_description": (
                f"AADSTS{self.aadsts}: {self.message} Trace ID: {trace_id} Correlation ID: {correlation_id} "
                f"Timestamp: {timestamp}"
            ),
            "error_codes": [self.aadsts],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"{base_url}/error?code={self.aadsts}",
        }
        return JSONResponse(body, status_code=self.status, headers=_NO_STORE)


def _resolve_tenant(sandbox: Sandbox, tenant: str) -> tuple[str, dict[str, Any] | None]:
    """The tenant's canonical id and its provider (None for the platform's own tenant); unknown is AADSTS90002."""
    if tenant.lower() == cfg.PLATFORM_TENANT_ID:
        return cfg.PLATFORM_TENANT_ID, None
    with sandbox.state.lock:
        provider = sandbox.state.provider_by_tenant(tenant)
    if provider is None:
        raise EntraError(
            400, "invalid_request", 90002,
            f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into "
            "the correct cloud. Check with your subscription administrator, this may happen if there are no active "
            "subscriptions for the tenant.",
        )  # fmt: skip
    return provider["tenantId"], provider


def issuer_for(sandbox: Sandbox, tenant_id: str) -> str:
    return f"{sandbox.config.https_url}/{tenant_id}/v2.0"


def _cors_headers(request: Request) -> dict[str, str]:
    """What Entra answers a browser on the SPA-facing endpoints: the caller's origin echoed, never '*'."""
    headers = {"Vary": "Origin"}
    origin = request.headers.get("origin")
    if origin is None or not people.is_allowed_origin(origin):
        return headers
    headers["Access-Control-Allow-Origin"] = origin
    headers["Access-Control-Allow-Methods"] = _CORS_METHODS
    requested = request.headers.get("access-control-request-headers")
    if requested and _HEADER_LIST.match(requested):
        headers["Access-Control-Allow-Headers"] = requested
    return headers


def _with_headers(response: Response, headers: Mapping[str, str]) -> Response:
    for name, value in headers.items():
        response.headers[name] = value
    return response


def _preflight(request: Request) -> Response:
    """OPTIONS on a CORS path: 204 with the same headers the real request will carry."""
    headers = _cors_headers(request)
    if "Access-Control-Allow-Origin" in headers:
        headers["Access-Control-Max-Age"] = "86400"  # (unconfirmed) how long Entra lets browsers cache a preflight
    return Response(status_code=204, headers=headers)


_CORS_PATHS = (
    "/{tenant}/oauth2/v2.0/token",
    "/{tenant}/v2.0/.well-known/openid-configuration",
    "/{tenant}/discovery/v2.0/keys",
    "/{tenant}/discovery/keys",
    "/{tenant}/discovery/instance",
)
for _path in _CORS_PATHS:
    router.add_api_route(_path, _preflight, methods=["OPTIONS"], include_in_schema=False)


@router.get("/{tenant}/v2.0/.well-known/openid-configuration", summary="OpenID Connect discovery")
def openid_configuration(tenant: str, request: Request, sandbox: SandboxDep) -> Response:
    base = sandbox.config.https_url
    cors = _cors_headers(request)
    if tenant.lower() in _TENANT_ALIASES:
        # As Entra answers for /organizations and /common: endpoints under the alias, issuer templated.
        root, issuer = f"{base}/{tenant.lower()}", f"{base}/{{tenantid}}/v2.0"
    else:
        try:
            tenant_id, _ = _resolve_tenant(sandbox, tenant)
        except EntraError as error:
            return _with_headers(error.response(base), cors)
        root, issuer = f"{base}/{tenant_id}", issuer_for(sandbox, tenant_id)
    return JSONResponse(
        {
            "token_endpoint": f"{root}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{root}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": issuer,
            "request_uri_parameter_supported": False,
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "acr",
                "nonce",
                "preferred_username",
                "name",
                "tid",
                "ver",
                "at_hash",
                "c_hash",
                "email",
            ],  # fmt: skip
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
        },
        headers=cors,
    )


@router.get("/{tenant}/discovery/v2.0/keys", summary="JSON Web Key Set")
@router.get("/{tenant}/discovery/keys", include_in_schema=False)
def jwks(tenant: str, request: Request, sandbox: SandboxDep) -> JSONResponse:
    """Entra publishes the same keys for every tenant; so does the sandbox (token key and user-token key)."""
    return JSONResponse(
        {"keys": [public_jwk(sandbox.service_key), public_jwk(sandbox.user_key)]}, headers=_cors_headers(request)
    )


@router.get("/{tenant}/discovery/instance", summary="Instance discovery (the authority's aliases)")
def instance_discovery(tenant: str, request: Request, sandbox: SandboxDep) -> Response:
    """MSAL.js asks this unless the authority is in knownAuthorities; the sandbox is its own only alias."""
    base = sandbox.config.https_url
    cors = _cors_headers(request)
    host = urlsplit(base).netloc
    endpoint = request.query_params.get("authorization_endpoint", "")
    discovered_tenant = tenant
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.netloc.lower() not in (host, urlsplit(sandbox.config.http_url).netloc):
            error = EntraError(400, "invalid_instance", 50049, "Unknown or invalid instance.")
            return _with_headers(error.response(base), cors)
        segment = parts.path.strip("/").split("/")[0]
        if re.match(r"^[A-Za-z0-9.-]{1,100}$", segment):
            discovered_tenant = segment
    body = {
        "tenant_discovery_endpoint": f"{base}/{discovered_tenant}/v2.0/.well-known/openid-configuration",
        "api-version": request.query_params.get("api-version", "1.1"),
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    }
    return JSONResponse(body, headers=cors)


@router.get("/{tenant}/oauth2/v2.0/authorize", summary="Authorization endpoint")
def authorize(tenant: str, request: Request, sandbox: SandboxDep) -> Response:
    """A provider's app: consent auto-approved for its admin. The console: the page to pick who signs in."""
    params = request.query_params
    if _is_console(params.get("client_id", "")):
        return _console_sign_in_page(sandbox, tenant, request)
    base = sandbox.config.https_url
    try:
        tenant_id, provider = _resolve_tenant(sandbox, tenant)
        client_id = params.get("client_id", "")
        _require_app(tenant_id, provider, client_id)
        assert provider is not None
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri.startswith(("https://", "http://")):
            raise EntraError(400, "invalid_request", 50011, f"The redirect URI '{redirect_uri}' is not valid.")
        if params.get("response_type", "code") != "code":
            raise EntraError(400, "unsupported_response_type", 700054, "response_type 'code' is the only one enabled.")
    except EntraError as error:
        return error.response(base)
    code = _issue_code(
        sandbox,
        tenant_id=tenant_id,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=params.get("scope", ""),
        nonce=params.get("nonce"),
        code_challenge=params.get("code_challenge"),
        code_challenge_method=params.get("code_challenge_method", "plain"),
        oid=provider["adminOid"],
    )
    answer = {"code": code, "session_state": str(uuid.uuid4())}
    if params.get("state") is not None:
        answer["state"] = params["state"]
    return RedirectResponse(_with_query(redirect_uri, answer), status_code=302)


def _issue_code(
    sandbox: Sandbox,
    *,
    tenant_id: str,
    client_id: str,
    redirect_uri: str,
    scope: str,
    nonce: str | None,
    code_challenge: str | None,
    code_challenge_method: str,
    oid: str,
) -> str:
    """Stores a single-use authorization code that the token endpoint redeems within ten minutes."""
    code = "0.A" + secrets.token_urlsafe(48)
    with sandbox.state.lock:
        sandbox.state.data["authCodes"][code] = {
            "tenantId": tenant_id,
            "clientId": client_id,
            "redirectUri": redirect_uri,
            "scope": scope,
            "nonce": nonce,
            "codeChallenge": code_challenge,
            "codeChallengeMethod": code_challenge_method,
            "oid": oid,
            "expiresAt": format_timestamp(sandbox.state.clock.now() + _AUTH_CODE_LIFETIME),
            "redeemed": False,
        }
        sandbox.state.save()
    return code


def _with_query(uri: str, answer: Mapping[str, str]) -> str:
    parts = urlsplit(uri)
    query = f"{parts.query}&{urlencode(answer)}" if parts.query else urlencode(answer)
    return urlunsplit(parts._replace(query=query))


# The console's sign-in ------------------------------------------------------------------------------------------


def _is_console(client_id: str) -> bool:
    return client_id.lower() == cfg.CONSOLE_CLIENT_ID


def _resolve_console_tenant(sandbox: Sandbox, tenant: str) -> str:
    """'organizations' and 'common' mean the platform's tenant for the console (its only home)."""
    if tenant.lower() in _TENANT_ALIASES:
        return cfg.PLATFORM_TENANT_ID
    tenant_id, _ = _resolve_tenant(sandbox, tenant)
    return tenant_id


def _require_console_app(tenant_id: str, client_id: str) -> None:
    """The console is registered in the platform's tenant only; elsewhere it is an unknown app (AADSTS700016)."""
    if tenant_id != cfg.PLATFORM_TENANT_ID or not _is_console(client_id):
        _require_app(tenant_id, None, client_id)


def _first_values(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in pairs:
        values.setdefault(name, value)
    return values


def _check_console_authorize(sandbox: Sandbox, tenant: str, params: Mapping[str, str]) -> str:
    """Entra's checks of the console's authorize request, in Entra's order; the tenant's id when they pass."""
    tenant_id = _resolve_console_tenant(sandbox, tenant)
    client_id = params.get("client_id", "")
    _require_console_app(tenant_id, client_id)
    redirect_uri = params.get("redirect_uri", "")
    if not people.is_console_redirect_uri(redirect_uri):
        raise EntraError(
            400, "invalid_request", 50011,
            f"The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured "
            f"for the application '{cfg.CONSOLE_CLIENT_ID}'. Make sure the redirect URI sent in the request matches "
            "one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError "
            "to learn more about how to fix this.",
        )  # fmt: skip
    response_type = params.get("response_type", "")
    if not response_type:
        raise EntraError(400, "invalid_request", 900144, "The request body must contain the following parameter: "
                         "'response_type'.")  # fmt: skip
    if response_type != "code":
        raise EntraError(400, "unsupported_response_type", 700054, "response_type 'code' is the only one enabled.")
    response_mode = params.get("response_mode") or "query"
    if response_mode not in _RESPONSE_MODES:
        # (unconfirmed) Entra's code and wording for an unknown response_mode.
        raise EntraError(400, "invalid_request", 9002313, f"Invalid request. The response_mode '{response_mode}' "
                         "is not supported.")  # fmt: skip
    challenge = params.get("code_challenge", "")
    if not challenge:
        # (unconfirmed) Entra raises this when an SPA redeems a code without PKCE; the sandbox refuses at authorize.
        raise EntraError(400, "invalid_request", 9002325, "Proof Key for Code Exchange is required for cross-origin "
                         "authorization code redemption.")  # fmt: skip
    method = params.get("code_challenge_method", "")
    if method != "S256":
        # (unconfirmed) Entra accepts 'plain' too; the sandbox holds the console to what MSAL.js sends (S256).
        raise EntraError(400, "invalid_request", 9002313, f"Invalid request. The code_challenge_method "
                         f"'{method or 'plain'}' is not allowed for this application; use 'S256'.")  # fmt: skip
    if not _CODE_CHALLENGE.match(challenge):
        raise EntraError(400, "invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
    if not params.get("scope", "").split():
        raise EntraError(400, "invalid_request", 900144, "The request body must contain the following parameter: "
                         "'scope'.")  # fmt: skip
    _console_scopes(params["scope"])
    return tenant_id


def _console_scopes(scope: str) -> tuple[list[str], list[str]]:
    """The platform API's scopes granted (normalised) and the OpenID ones asked; any other scope is refused."""
    resource_scopes: list[str] = []
    oidc: list[str] = []
    for item in scope.split():
        lowered = item.lower()
        if lowered in _OIDC_SCOPES:
            if lowered not in oidc:
                oidc.append(lowered)
            continue
        resource, _, permission = item.rpartition("/")
        if resource.lower() != cfg.PLATFORM_API_AUDIENCE or permission.lower() not in (
            cfg.PLATFORM_API_SCOPE,
            ".default",
        ):
            # (unconfirmed) Entra may answer a Graph scope with a consent error instead (AADSTS65001).
            raise EntraError(
                400, "invalid_scope", 650053,
                f"The application '{_CONSOLE_APP_NAME}' asked for scope '{permission or item}' that doesn't exist on "
                f"the resource '{resource or _GRAPH_APP_ID}'. Contact the app vendor.",
            )  # fmt: skip
        if _CONSOLE_SCOPE not in resource_scopes:
            resource_scopes.append(_CONSOLE_SCOPE)
    return resource_scopes, oidc


def _sign_in_response(
    request: Request,
    pairs: Sequence[tuple[str, str]],
    listing: people.PeopleList,
    *,
    error: str | None = None,
    typed_oid: str = "",
    status: int = 200,
) -> HTMLResponse:
    page = people.render_sign_in_page(
        action=request.url.path, params=pairs, people=listing, error=error, typed_oid=typed_oid
    )
    return HTMLResponse(page, status_code=status, headers=_SIGN_IN_PAGE_HEADERS)


def _console_sign_in_page(sandbox: Sandbox, tenant: str, request: Request) -> Response:
    """GET authorize for the console: the request checked, then the page (or login_required for prompt=none)."""
    pairs = list(request.query_params.multi_items())
    params = _first_values(pairs)
    try:
        _check_console_authorize(sandbox, tenant, params)
    except EntraError as error:
        return error.response(sandbox.config.https_url)
    if params.get("prompt") == "none":
        # (unconfirmed) The sandbox keeps no sign-in session, so a silent request always needs interaction.
        answer = {
            "error": "login_required",
            "error_description": "AADSTS50058: A silent sign-in request was sent but no user is signed in.",
        }
        if params.get("state") is not None:
            answer["state"] = params["state"]
        return _answer_to_redirect_uri(params["redirect_uri"], params.get("response_mode") or "query", answer)
    listing = people.fetch_people(sandbox.config.people_url)
    hint = params.get("login_hint", "")
    return _sign_in_response(request, pairs, listing, typed_oid=hint if people.is_valid_oid(hint) else "")


@router.post("/{tenant}/oauth2/v2.0/authorize", summary="The console's sign-in page, submitted")
async def authorize_sign_in(tenant: str, request: Request, sandbox: SandboxDep) -> Response:
    """The person picked (or typed): a code for them, sent back to the console's redirect URI."""
    raw = (await request.body()).decode("utf-8", errors="replace")
    pairs = parse_qsl(raw, keep_blank_values=True)
    params = _first_values(pairs)
    if not _is_console(params.get("client_id", "")):
        # Provider apps sign in by GET only, as before this route existed.
        return JSONResponse({"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": "GET"})
    try:
        tenant_id = _check_console_authorize(sandbox, tenant, params)
    except EntraError as error:
        return error.response(sandbox.config.https_url)
    oid = params["oid"] if "oid" in params else params.get("login_hint", "")
    if not people.is_valid_oid(oid):
        listing = await run_in_threadpool(people.fetch_people, sandbox.config.people_url)
        problem = (
            "Enter the user id (oid) to sign in as."
            if not oid
            else f"A user id has 1 to {people.MAX_OID_LENGTH} letters, digits, '.', '_' or '-'."
        )
        return _sign_in_response(
            request, pairs, listing, error=problem, typed_oid=oid[: people.MAX_OID_LENGTH * 2], status=400
        )
    code = _issue_code(
        sandbox,
        tenant_id=tenant_id,
        client_id=cfg.CONSOLE_CLIENT_ID,
        redirect_uri=params["redirect_uri"],
        scope=params["scope"],
        nonce=params.get("nonce"),
        code_challenge=params["code_challenge"],
        code_challenge_method="S256",
        oid=oid,
    )
    answer = {"code": code, "client_info": _client_info(oid, tenant_id)}
    if params.get("state") is not None:
        answer["state"] = params["state"]
    answer["session_state"] = str(uuid.uuid4())
    return _answer_to_redirect_uri(params["redirect_uri"], params.get("response_mode") or "query", answer)


def _answer_to_redirect_uri(redirect_uri: str, response_mode: str, answer: Mapping[str, str]) -> Response:
    """The authorize answer in the query, in the fragment, or as a form posted to the redirect URI."""
    if response_mode == "form_post":
        return HTMLResponse(people.render_form_post_page(redirect_uri, answer), headers=_NO_STORE)
    if response_mode == "fragment":
        location = urlunsplit(urlsplit(redirect_uri)._replace(fragment=urlencode(answer)))
    else:
        location = _with_query(redirect_uri, answer)
    return RedirectResponse(location, status_code=302, headers=_NO_STORE)


def _client_info(oid: str, tenant_id: str) -> str:
    """What MSAL builds the account's home id from: base64url JSON {uid, utid} without padding."""
    raw = json.dumps({"uid": oid, "utid": tenant_id}).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@router.get("/{tenant}/oauth2/v2.0/logout", summary="Sign-out (end session)")
def logout(tenant: str, request: Request) -> Response:
    """Back to the console when it names an allowed URI; otherwise the signed-out page."""
    target = request.query_params.get("post_logout_redirect_uri", "")
    if target and people.is_console_redirect_uri(target):
        state = request.query_params.get("state")
        # (unconfirmed) Entra echoes `state` on the post-logout redirect as OpenID Connect RP-initiated logout says.
        location = _with_query(target, {"state": state}) if state is not None else target
        return RedirectResponse(location, status_code=302, headers=_NO_STORE)
    return HTMLResponse(people.render_signed_out_page(), headers=_SIGN_IN_PAGE_HEADERS)


def _require_app(tenant_id: str, provider: dict[str, Any] | None, client_id: str) -> None:
    if not client_id:
        raise EntraError(400, "invalid_request", 900144, "The request body must contain the following parameter: "
                         "'client_id'.")  # fmt: skip
    if provider is None or provider["clientId"].lower() != client_id.lower():
        raise EntraError(
            400, "unauthorized_client", 700016,
            f"Application with identifier '{client_id}' was not found in the directory '{tenant_id}'. This can happen "
            "if the application has not been installed by the administrator of the tenant or consented to by any "
            "user in the tenant. You may have sent your authentication request to the wrong tenant.",
        )  # fmt: skip


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str | None]:
    """client_id and secret from the form (client_secret_post) or the Basic header (client_secret_basic)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
            return user, password
        except (binascii.Error, UnicodeDecodeError):
            pass
    return form.get("client_id", ""), form.get("client_secret")


def _resource_of(scope: str) -> tuple[str, str]:
    """The audience a scope string asks for and the delegated permission it names ('.default' for all)."""
    for item in scope.split():
        if item.lower() in _OIDC_SCOPES:
            continue
        resource, _, permission = item.rpartition("/")
        if resource and permission:
            return resource, permission
        return item, ".default"
    return "00000003-0000-0000-c000-000000000000", "openid"


@router.post("/{tenant}/oauth2/v2.0/token", summary="Token endpoint")
async def token(tenant: str, request: Request, sandbox: SandboxDep) -> Response:
    raw = (await request.body()).decode("utf-8", errors="replace")
    form = {key: values[0] for key, values in parse_qs(raw, keep_blank_values=True).items()}
    cors = _cors_headers(request)
    try:
        return JSONResponse(_token(sandbox, tenant, request, form), headers={**_NO_STORE, **cors})
    except EntraError as error:
        return _with_headers(error.response(sandbox.config.https_url), cors)


def _token(sandbox: Sandbox, tenant: str, request: Request, form: dict[str, str]) -> dict[str, Any]:
    client_id, secret = _client_credentials(request, form)
    if _is_console(client_id):
        return _console_token(sandbox, tenant, form, client_id, secret)
    tenant_id, provider = _resolve_tenant(sandbox, tenant)
    _require_app(tenant_id, provider, client_id)
    assert provider is not None
    if not secret:
        raise EntraError(401, "invalid_client", 7000218, "The request body must contain the following parameter: "
                         "'client_assertion' or 'client_secret'.")  # fmt: skip
    if not secrets.compare_digest(secret.encode(), provider["clientSecret"].encode()):
        raise EntraError(
            401, "invalid_client", 7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "
            f"not the client secret ID, for a secret added to app '{client_id}'.",
        )  # fmt: skip
    grant = form.get("grant_type", "")
    if grant == "client_credentials":
        return _app_only_token(sandbox, provider, form.get("scope", ""))
    if grant == "authorization_code":
        return _redeem_code(sandbox, provider, form)
    if grant == "refresh_token":
        return _redeem_refresh_token(sandbox, provider, form)
    if not grant:
        raise EntraError(400, "invalid_request", 900144, "The request body must contain the following parameter: "
                         "'grant_type'.")  # fmt: skip
    raise EntraError(400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant}'.")


def _app_only_token(sandbox: Sandbox, provider: dict[str, Any], scope: str) -> dict[str, Any]:
    scopes = scope.split()
    if len(scopes) != 1 or not scopes[0].endswith("/.default"):
        raise EntraError(
            400, "invalid_scope", 1002012,
            f"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with "
            "/.default suffixed to the resource identifier (application ID URI).",
        )  # fmt: skip
    resource = scopes[0][: -len("/.default")]
    lifetime = sandbox.config.access_token_lifetime_seconds
    access_token = sign_for(
        sandbox.service_key,
        {
            "aud": resource,
            "iss": f"https://sts.windows.net/{provider['tenantId']}/",
            "tid": provider["tenantId"],
            "appid": provider["clientId"],
            "azp": provider["clientId"],
            "appidacr": "1",
            "idtyp": "app",
            "oid": provider["servicePrincipalOid"],
            "sub": provider["servicePrincipalOid"],
            "ver": "1.0",
            "uti": secrets.token_urlsafe(16),
        },
        lifetime_seconds=lifetime,
    )
    return {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": access_token}


def _redeem_code(sandbox: Sandbox, provider: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
    state = sandbox.state
    with state.lock:
        record = _redeemable_code(state, form, provider["tenantId"], provider["clientId"])
        record["redeemed"] = True
        scope = form.get("scope") or record["scope"]
        answer = _user_tokens(sandbox, provider, record["oid"], scope, record.get("nonce"))
        state.save()
    return answer


def _redeemable_code(state: SandboxState, form: Mapping[str, str], tenant_id: str, client_id: str) -> dict[str, Any]:
    """The code's record once every rule holds (known, this app's, unused, unexpired, same redirect URI, PKCE)."""
    record: dict[str, Any] | None = state.data["authCodes"].get(form.get("code", ""))
    if record is None:
        raise EntraError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
    if record["clientId"].lower() != client_id.lower() or record["tenantId"] != tenant_id:
        raise EntraError(400, "invalid_grant", 70000, "The provided value for the 'code' parameter is not valid.")
    if record["redeemed"]:
        raise EntraError(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please "
                         "retry with a new valid code or use an existing refresh token.")  # fmt: skip
    if parse_timestamp(record["expiresAt"]) < state.clock.now():
        raise EntraError(400, "invalid_grant", 70008, "The provided authorization code or refresh token has "
                         "expired due to inactivity. Send a new interactive authorization request for this user "
                         "and resource.")  # fmt: skip
    if form.get("redirect_uri", "") != record["redirectUri"]:
        raise EntraError(400, "invalid_grant", 70000, "The provided value for the 'redirect_uri' is not valid. "
                         "It must match the redirect URI used to obtain the authorization code.")  # fmt: skip
    _check_pkce(record, form.get("code_verifier"))
    return record


def _check_pkce(record: dict[str, Any], verifier: str | None) -> None:
    challenge = record.get("codeChallenge")
    if not challenge:
        return
    if not verifier:
        raise EntraError(400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied "
                         "in the authorization request.")  # fmt: skip
    if record.get("codeChallengeMethod", "plain").upper() == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    else:
        computed = verifier
    if computed != challenge:
        raise EntraError(400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied "
                         "in the authorization request.")  # fmt: skip


def _redeem_refresh_token(sandbox: Sandbox, provider: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
    state = sandbox.state
    with state.lock:
        record = _known_refresh_token(state, form, provider["tenantId"], provider["clientId"])
        if record["expiresAt"] is not None and parse_timestamp(record["expiresAt"]) <= state.clock.now():
            raise EntraError(
                400, "invalid_grant", 700082,
                f"The refresh token has expired due to inactivity. The token was issued on {record['issuedAt']} and "
                f"was inactive for {sandbox.config.refresh_token_lifetime_days}.00:00:00.",
            )  # fmt: skip
        # Rotation as Entra does it: a new token on every redemption; the presented one stays valid until it expires.
        record["supersededAt"] = record.get("supersededAt") or state.now_text()
        scope = form.get("scope") or record["scope"]
        answer = _user_tokens(sandbox, provider, record["oid"], scope, None)
        state.save()
    return answer


def _known_refresh_token(
    state: SandboxState, form: Mapping[str, str], tenant_id: str, client_id: str
) -> dict[str, Any]:
    """The presented refresh token's record, when it exists and was issued to this app in this tenant."""
    record: dict[str, Any] | None = state.data["refreshTokens"].get(form.get("refresh_token", ""))
    if record is None:
        raise EntraError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
    if record["clientId"].lower() != client_id.lower() or record["tenantId"] != tenant_id:
        raise EntraError(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.")
    return record


def _user_tokens(sandbox: Sandbox, provider: dict[str, Any], oid: str, scope: str, nonce: str | None) -> dict[str, Any]:
    """Access, refresh and ID tokens for the provider's admin (app+user); the caller holds the state lock."""
    state, config = sandbox.state, sandbox.config
    resource, permission = _resource_of(scope)
    lifetime = config.access_token_lifetime_seconds
    tenant_id = provider["tenantId"]
    username = f"admin@{provider['domain']}"
    access_token = sign_for(
        sandbox.service_key,
        {
            "aud": resource,
            "iss": f"https://sts.windows.net/{tenant_id}/",
            "tid": tenant_id,
            "appid": provider["clientId"],
            "azp": provider["clientId"],
            "appidacr": "1",
            "oid": oid,
            "sub": hashlib.sha256(f"{oid}:{provider['clientId']}".encode()).hexdigest()[:43],
            "scp": "user_impersonation" if permission in (".default", "openid") else permission,
            "amr": ["pwd", "mfa"],
            "name": provider["adminName"],
            "upn": username,
            "unique_name": username,
            "ver": "1.0",
            "uti": secrets.token_urlsafe(16),
        },
        lifetime_seconds=lifetime,
    )
    refresh_token = new_refresh_token()
    state.data["refreshTokens"][refresh_token] = {
        "tenantId": tenant_id,
        "clientId": provider["clientId"],
        "oid": oid,
        "scope": scope,
        "issuedAt": state.now_text(),
        "expiresAt": format_timestamp(state.clock.now() + dt.timedelta(days=config.refresh_token_lifetime_days)),
        "supersededAt": None,
    }
    id_claims: dict[str, Any] = {
        "aud": provider["clientId"],
        "iss": issuer_for(sandbox, tenant_id),
        "tid": tenant_id,
        "oid": oid,
        "sub": hashlib.sha256(f"{oid}:{provider['clientId']}".encode()).hexdigest()[:43],
        "name": provider["adminName"],
        "preferred_username": username,
        "ver": "2.0",
    }
    if nonce:
        id_claims["nonce"] = nonce
    client_info = base64.urlsafe_b64encode(json.dumps({"uid": oid, "utid": tenant_id}).encode()).rstrip(b"=")
    granted = " ".join(s for s in scope.split() if s.lower() not in ("offline_access", "openid", "profile", "email"))
    return {
        "token_type": "Bearer",
        "scope": granted or f"{resource}/{permission}",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
        "refresh_token": refresh_token,
        "id_token": sign_for(sandbox.service_key, id_claims, lifetime_seconds=lifetime),
        "client_info": client_info.decode("ascii"),
    }


# The console's tokens -------------------------------------------------------------------------------------------


def _console_token(
    sandbox: Sandbox, tenant: str, form: Mapping[str, str], client_id: str, secret: str | None
) -> dict[str, Any]:
    """The console is a public client: no secret, PKCE on codes, SPA refresh tokens."""
    tenant_id = _resolve_console_tenant(sandbox, tenant)
    _require_console_app(tenant_id, client_id)
    if secret or form.get("client_assertion"):
        # (unconfirmed) the HTTP status Entra pairs with AADSTS700025.
        raise EntraError(401, "invalid_client", 700025, "Client is public so neither 'client_assertion' nor "
                         "'client_secret' should be presented.")  # fmt: skip
    grant = form.get("grant_type", "")
    if grant == "authorization_code":
        return _redeem_console_code(sandbox, form)
    if grant == "refresh_token":
        return _redeem_console_refresh_token(sandbox, form)
    if grant == "client_credentials":
        raise EntraError(401, "invalid_client", 7000218, "The request body must contain the following parameter: "
                         "'client_assertion' or 'client_secret'.")  # fmt: skip
    if not grant:
        raise EntraError(400, "invalid_request", 900144, "The request body must contain the following parameter: "
                         "'grant_type'.")  # fmt: skip
    raise EntraError(400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant}'.")


def _redeem_console_code(sandbox: Sandbox, form: Mapping[str, str]) -> dict[str, Any]:
    state = sandbox.state
    with state.lock:
        record = _redeemable_code(state, form, cfg.PLATFORM_TENANT_ID, cfg.CONSOLE_CLIENT_ID)
        if not record.get("codeChallenge"):
            raise EntraError(400, "invalid_request", 9002325, "Proof Key for Code Exchange is required for "
                             "cross-origin authorization code redemption.")  # fmt: skip
        scope = form.get("scope") or record["scope"]
        _console_scopes(scope)  # an invalid scope leaves the code unused
        record["redeemed"] = True
        answer = _console_tokens(sandbox, record["oid"], scope, nonce=record.get("nonce"), refresh_expires_at=None)
        state.save()
    return answer


def _redeem_console_refresh_token(sandbox: Sandbox, form: Mapping[str, str]) -> dict[str, Any]:
    """MSAL.js's silent renewal: new tokens for the same person; the rotated token keeps the original expiry."""
    state = sandbox.state
    with state.lock:
        record = _known_refresh_token(state, form, cfg.PLATFORM_TENANT_ID, cfg.CONSOLE_CLIENT_ID)
        if parse_timestamp(record["expiresAt"]) <= state.clock.now():
            raise EntraError(
                400, "invalid_grant", 700084,
                "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime "
                "of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by "
                f"the SPA to the sign in page. The token was issued on {record['issuedAt']}.",
            )  # fmt: skip
        scope = form.get("scope") or record["scope"]
        _console_scopes(scope)
        record["supersededAt"] = record.get("supersededAt") or state.now_text()
        # (unconfirmed) that a rotated SPA refresh token inherits the first one's expiry rather than a fresh 24 hours.
        answer = _console_tokens(sandbox, record["oid"], scope, nonce=None, refresh_expires_at=record["expiresAt"])
        state.save()
    return answer


def _console_tokens(
    sandbox: Sandbox, oid: str, scope: str, *, nonce: str | None, refresh_expires_at: str | None
) -> dict[str, Any]:
    """Entra's answer to the console; refresh_expires_at is None for a code (a fresh 24 hours), else kept.

    The access token is the one the platform's API validates: the user key and claims of `issue_user_token`.
    The caller holds the state lock.
    """
    state, config = sandbox.state, sandbox.config
    resource_scopes, oidc = _console_scopes(scope)
    tenant_id = cfg.PLATFORM_TENANT_ID
    issuer = issuer_for(sandbox, tenant_id)
    lifetime = config.access_token_lifetime_seconds
    answer: dict[str, Any] = {"token_type": "Bearer", "scope": " ".join([*resource_scopes, *oidc])}
    if resource_scopes:
        answer["expires_in"] = lifetime
        answer["ext_expires_in"] = lifetime
        answer["access_token"] = sign_for(
            sandbox.user_key,
            {
                "iss": issuer,
                "aud": cfg.PLATFORM_API_AUDIENCE,
                "oid": oid,
                "sub": oid,
                "tid": tenant_id,
                "scp": cfg.PLATFORM_API_SCOPE,
                "azp": cfg.CONSOLE_CLIENT_ID,
                "azpacr": "0",
                "name": oid,
                "preferred_username": oid,
                "ver": "2.0",
                "uti": uuid.uuid4().hex[:22],
            },
            lifetime_seconds=lifetime,
        )
    # (unconfirmed) for openid/profile/offline_access alone Entra may add a Graph access token; the sandbox does not.
    if refresh_expires_at is not None or "offline_access" in oidc:
        refresh_token = new_refresh_token()
        state.data["refreshTokens"][refresh_token] = {
            "tenantId": tenant_id,
            "clientId": cfg.CONSOLE_CLIENT_ID,
            "oid": oid,
            "scope": scope,
            "issuedAt": state.now_text(),
            "expiresAt": refresh_expires_at or format_timestamp(state.clock.now() + _SPA_REFRESH_TOKEN_LIFETIME),
            "supersededAt": None,
        }
        answer["refresh_token"] = refresh_token
    if "openid" in oidc:
        id_claims: dict[str, Any] = {
            "iss": issuer,
            "aud": cfg.CONSOLE_CLIENT_ID,
            "oid": oid,
            "sub": oid,
            "tid": tenant_id,
            "name": oid,
            "preferred_username": oid,
            "ver": "2.0",
        }
        if nonce:
            id_claims["nonce"] = nonce
        answer["id_token"] = sign_for(sandbox.user_key, id_claims, lifetime_seconds=lifetime)
    answer["client_info"] = _client_info(oid, tenant_id)
    return answer
