"""Entra ID's v2.0 endpoints: discovery, keys, authorize (consent auto-approved) and token."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import secrets
import uuid
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from local.sandbox import config as cfg
from local.sandbox.clock import format_timestamp, parse_timestamp
from local.sandbox.context import Sandbox, get_sandbox
from local.sandbox.keys import public_jwk
from local.sandbox.state import new_refresh_token
from local.sandbox.tokens import sign_for

router = APIRouter(tags=["Entra ID"])
SandboxDep = Annotated[Sandbox, Depends(get_sandbox)]

_OIDC_SCOPES = frozenset({"openid", "profile", "offline_access", "email"})
_NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}
_AUTH_CODE_LIFETIME = dt.timedelta(minutes=10)


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


@router.get("/{tenant}/v2.0/.well-known/openid-configuration", summary="OpenID Connect discovery")
def openid_configuration(tenant: str, sandbox: SandboxDep) -> Response:
    base = sandbox.config.https_url
    try:
        tenant_id, _ = _resolve_tenant(sandbox, tenant)
    except EntraError as error:
        return error.response(base)
    root = f"{base}/{tenant_id}"
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
            "issuer": issuer_for(sandbox, tenant_id),
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
        }
    )


@router.get("/{tenant}/discovery/v2.0/keys", summary="JSON Web Key Set")
@router.get("/{tenant}/discovery/keys", include_in_schema=False)
def jwks(tenant: str, sandbox: SandboxDep) -> JSONResponse:
    """Entra publishes the same keys for every tenant; so does the sandbox (token key and user-token key)."""
    return JSONResponse({"keys": [public_jwk(sandbox.service_key), public_jwk(sandbox.user_key)]})


@router.get("/{tenant}/oauth2/v2.0/authorize", summary="Authorization endpoint (consent auto-approved)")
def authorize(tenant: str, request: Request, sandbox: SandboxDep) -> Response:
    params = request.query_params
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
    code = "0.A" + secrets.token_urlsafe(48)
    with sandbox.state.lock:
        sandbox.state.data["authCodes"][code] = {
            "tenantId": tenant_id,
            "clientId": client_id,
            "redirectUri": redirect_uri,
            "scope": params.get("scope", ""),
            "nonce": params.get("nonce"),
            "codeChallenge": params.get("code_challenge"),
            "codeChallengeMethod": params.get("code_challenge_method", "plain"),
            "oid": provider["adminOid"],
            "expiresAt": format_timestamp(sandbox.state.clock.now() + _AUTH_CODE_LIFETIME),
            "redeemed": False,
        }
        sandbox.state.save()
    answer = {"code": code, "session_state": str(uuid.uuid4())}
    if params.get("state") is not None:
        answer["state"] = params["state"]
    parts = urlsplit(redirect_uri)
    query = f"{parts.query}&{urlencode(answer)}" if parts.query else urlencode(answer)
    return RedirectResponse(urlunsplit(parts._replace(query=query)), status_code=302)


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
    try:
        return JSONResponse(_token(sandbox, tenant, request, form), headers=_NO_STORE)
    except EntraError as error:
        return error.response(sandbox.config.https_url)


def _token(sandbox: Sandbox, tenant: str, request: Request, form: dict[str, str]) -> dict[str, Any]:
    tenant_id, provider = _resolve_tenant(sandbox, tenant)
    client_id, secret = _client_credentials(request, form)
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
    code = form.get("code", "")
    state = sandbox.state
    with state.lock:
        record = state.data["authCodes"].get(code)
        if record is None:
            raise EntraError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
        if record["clientId"].lower() != provider["clientId"].lower() or record["tenantId"] != provider["tenantId"]:
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
        record["redeemed"] = True
        scope = form.get("scope") or record["scope"]
        answer = _user_tokens(sandbox, provider, record["oid"], scope, record.get("nonce"))
        state.save()
    return answer


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
    presented = form.get("refresh_token", "")
    state = sandbox.state
    with state.lock:
        record = state.data["refreshTokens"].get(presented)
        if record is None:
            raise EntraError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
        if record["clientId"].lower() != provider["clientId"].lower() or record["tenantId"] != provider["tenantId"]:
            raise EntraError(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.")
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
