"""The sandbox's Entra ID endpoints answer as Entra does, and MSAL for Python accepts them."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import jwt
import msal
import requests
from cryptography import x509

from local.sandbox.config import PLATFORM_TENANT_ID
from local.sandbox.devca import ensure_dev_ca
from local.sandbox.tokens import issue_user_token
from tests.sandbox.conftest import PC_SCOPE, Provider, https_session
from tests.support.sandbox import RunningSandbox

ENTRA_ERROR_KEYS = {"error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id"}


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_discovery_names_https_issuer_and_endpoints(sandbox: RunningSandbox, provider: Provider) -> None:
    url = f"{sandbox.http_url}/{provider.tenant_id}/v2.0/.well-known/openid-configuration"
    document = requests.get(url, timeout=10).json()
    root = f"{sandbox.https_url}/{provider.tenant_id}"
    assert document["issuer"] == f"{root}/v2.0"
    assert document["token_endpoint"] == f"{root}/oauth2/v2.0/token"
    assert document["authorization_endpoint"] == f"{root}/oauth2/v2.0/authorize"
    assert document["jwks_uri"] == f"{root}/discovery/v2.0/keys"


def test_discovery_for_unknown_tenant_is_aadsts90002(sandbox: RunningSandbox) -> None:
    url = f"{sandbox.https_url}/00000000-0000-0000-0000-000000000001/v2.0/.well-known/openid-configuration"
    response = https_session(sandbox).get(url, timeout=10)
    assert response.status_code == 400
    assert response.json()["error_codes"] == [90002]


def test_msal_client_credentials_token_carries_tid_appid_and_audience(provider: Provider) -> None:
    result = provider.msal_app().acquire_token_for_client(scopes=[PC_SCOPE])
    assert result["token_type"] == "Bearer" and result["expires_in"] > 0
    claims = _claims(result["access_token"])
    assert claims["tid"] == provider.tenant_id
    assert claims["appid"] == claims["azp"] == provider.info["clientId"]
    assert claims["aud"] == "https://api.partnercenter.microsoft.com"
    assert "scp" not in claims and claims["exp"] > claims["iat"]


def test_token_answer_has_entra_fields(sandbox: RunningSandbox, provider: Provider) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": provider.info["clientId"],
        "client_secret": provider.info["clientSecret"],
        "scope": PC_SCOPE,
    }
    answer = provider.session.post(f"{provider.info['authority']}/oauth2/v2.0/token", data=form, timeout=10).json()
    assert {"access_token", "expires_in", "ext_expires_in", "token_type"} <= set(answer)
    assert answer["token_type"] == "Bearer"


def test_bad_secret_is_refused_with_aadsts7000215(provider: Provider) -> None:
    app = msal.ConfidentialClientApplication(
        provider.info["clientId"],
        authority=provider.info["authority"],
        client_credential="wrong-secret",
        validate_authority=False,
        instance_discovery=False,
        http_client=provider.session,
    )
    result = app.acquire_token_for_client(scopes=[PC_SCOPE])
    assert result["error"] == "invalid_client"
    assert result["error_description"].startswith("AADSTS7000215: Invalid client secret provided")
    assert result["error_codes"] == [7000215]
    raw = provider.session.post(
        f"{provider.info['authority']}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": provider.info["clientId"],
            "client_secret": "wrong",
            "scope": PC_SCOPE,
        },
        timeout=10,
    )
    assert raw.status_code == 401
    assert set(raw.json()) >= ENTRA_ERROR_KEYS


def test_unknown_app_is_refused_with_aadsts700016(provider: Provider) -> None:
    raw = provider.session.post(
        f"{provider.info['authority']}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "11111111-2222-3333-4444-555555555555",
            "client_secret": provider.info["clientSecret"],
            "scope": PC_SCOPE,
        },
        timeout=10,
    )
    assert raw.status_code == 400
    assert raw.json()["error"] == "unauthorized_client" and raw.json()["error_codes"] == [700016]


def test_unknown_tenant_is_refused_with_aadsts90002(sandbox: RunningSandbox, provider: Provider) -> None:
    raw = provider.session.post(
        f"{sandbox.https_url}/9b9b9b9b-0000-4000-8000-000000000000/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": provider.info["clientId"],
            "client_secret": provider.info["clientSecret"],
            "scope": PC_SCOPE,
        },
        timeout=10,
    )
    assert raw.status_code == 400 and raw.json()["error_codes"] == [90002]


def test_refresh_token_rotates_and_the_old_one_keeps_working(provider: Provider) -> None:
    app = provider.msal_app()
    first = app.acquire_token_by_refresh_token(provider.info["refreshToken"], scopes=[PC_SCOPE])
    assert first["refresh_token"] != provider.info["refreshToken"]
    claims = _claims(first["access_token"])
    assert claims["oid"] and claims["scp"] and claims["amr"] == ["pwd", "mfa"]
    assert claims["tid"] == provider.tenant_id
    again = app.acquire_token_by_refresh_token(provider.info["refreshToken"], scopes=[PC_SCOPE])
    assert "access_token" in again, again
    rotated = app.acquire_token_by_refresh_token(first["refresh_token"], scopes=[PC_SCOPE])
    assert "access_token" in rotated and rotated["refresh_token"] != first["refresh_token"]


def test_unknown_refresh_token_is_invalid_grant(provider: Provider) -> None:
    result = provider.msal_app().acquire_token_by_refresh_token("1.AXoAnot-a-token", scopes=[PC_SCOPE])
    assert result["error"] == "invalid_grant" and result["error_codes"] == [9002313]


def _authorize(provider: Provider, redirect_uri: str) -> str:
    response = provider.session.get(
        f"{provider.info['authority']}/oauth2/v2.0/authorize",
        params={
            "client_id": provider.info["clientId"],
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": f"{PC_SCOPE} offline_access openid profile",
            "state": "s-123",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect_uri
    assert query["state"] == ["s-123"]
    return query["code"][0]


def test_authorization_code_flow_through_msal_gives_user_tokens(provider: Provider) -> None:
    redirect_uri = "http://127.0.0.1:7071/api/providers/consent/callback"
    code = _authorize(provider, redirect_uri)
    result = provider.msal_app().acquire_token_by_authorization_code(code, scopes=[PC_SCOPE], redirect_uri=redirect_uri)
    assert "access_token" in result, result
    assert result["refresh_token"] and result["id_token_claims"]["tid"] == provider.tenant_id
    assert _claims(result["access_token"])["scp"]
    replay = provider.msal_app().acquire_token_by_authorization_code(code, scopes=[PC_SCOPE], redirect_uri=redirect_uri)
    assert replay["error"] == "invalid_grant"


def test_bad_authorization_code_is_invalid_grant(provider: Provider) -> None:
    result = provider.msal_app().acquire_token_by_authorization_code(
        "0.Anot-a-code", scopes=[PC_SCOPE], redirect_uri="http://127.0.0.1/cb"
    )
    assert result["error"] == "invalid_grant" and result["error_codes"][0] in (70000, 9002313)


def test_refresh_token_expires_after_inactivity_with_aadsts700082(provider: Provider) -> None:
    first = provider.msal_app().acquire_token_by_refresh_token(provider.info["refreshToken"], scopes=[PC_SCOPE])
    moved = provider.control("POST", "/clock", json={"advance": "P91D"})
    assert moved.status_code == 200
    expired = provider.msal_app().acquire_token_by_refresh_token(first["refresh_token"], scopes=[PC_SCOPE])
    assert expired["error"] == "invalid_grant" and expired["error_codes"] == [700082]


def test_user_tokens_verify_against_the_published_keys(sandbox: RunningSandbox) -> None:
    issuer = f"{sandbox.https_url}/{PLATFORM_TENANT_ID}/v2.0"
    token = issue_user_token(
        sandbox.state_dir, issuer=issuer, audience="api://csp-platform", oid="o-1", tid=PLATFORM_TENANT_ID, name="Ann"
    )
    session = https_session(sandbox)
    jwks_uri = session.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()["jwks_uri"]
    keys = session.get(jwks_uri, timeout=10).json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in keys if k["kid"] == kid))
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="api://csp-platform", issuer=issuer)
    assert claims["oid"] == "o-1" and claims["ver"] == "2.0" and claims["name"] == "Ann"
    assert {"sub", "iat", "nbf", "exp", "tid"} <= set(claims)


def test_dev_ca_is_created_once_and_certifies_loopback(sandbox: RunningSandbox) -> None:
    before = sandbox.ca_cert_path.read_bytes()
    certificates = ensure_dev_ca(sandbox.state_dir)
    assert certificates.ca_cert_path.read_bytes() == before
    server = x509.load_pem_x509_certificate(certificates.server_cert_path.read_bytes())
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    ca = x509.load_pem_x509_certificate(before)
    server.verify_directly_issued_by(ca)


def test_client_info_names_user_and_tenant(provider: Provider) -> None:
    form = {
        "grant_type": "refresh_token",
        "client_id": provider.info["clientId"],
        "client_secret": provider.info["clientSecret"],
        "refresh_token": provider.info["refreshToken"],
        "scope": f"{PC_SCOPE} offline_access",
        "client_info": "1",
    }
    answer = provider.session.post(f"{provider.info['authority']}/oauth2/v2.0/token", data=form, timeout=10).json()
    padded = answer["client_info"] + "=" * (-len(answer["client_info"]) % 4)
    info = json.loads(base64.urlsafe_b64decode(padded))
    assert info["utid"] == provider.tenant_id and info["uid"] == _claims(answer["access_token"])["oid"]
    assert answer["id_token"] and answer["refresh_token"]
