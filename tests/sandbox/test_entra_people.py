"""People signing in to the web console: the sandbox's sign-in page, PKCE code flow, SPA tokens and CORS."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import msal
import pytest
import requests

from local.sandbox import __main__ as sandbox_main
from local.sandbox.config import CONSOLE_CLIENT_ID, DEV_PROVIDER_TENANT_ID, PLATFORM_API_AUDIENCE, PLATFORM_TENANT_ID
from local.sandbox.keys import load_or_create_user_signing_key
from shared.auth.tokens import TokenValidator
from tests.sandbox.conftest import Provider, https_session
from tests.support.sandbox import RunningSandbox, start_sandbox

API_SCOPE = f"{PLATFORM_API_AUDIENCE}/access_as_user"
LOGIN_SCOPE = f"{API_SCOPE} openid profile offline_access"
REDIRECT_URI = "http://127.0.0.1:5173/auth/callback"
ORIGIN = "http://127.0.0.1:5173"
OPERATOR_OID = "0a1b2c3d-1111-4222-8333-444455556666"
ADMIN_OID = "9f8e7d6c-aaaa-4bbb-8ccc-ddddeeeeffff"
PEOPLE = [
    {"userId": OPERATOR_OID, "orgType": "operator", "orgId": "platform", "orgName": "Platform", "role": "operator"},
    {
        "userId": ADMIN_OID,
        "orgType": "provider",
        "orgId": "p-1",
        "orgName": 'Contoso <Distribution> & "Co"',
        "role": "provider.admin",
    },
    {"userId": "not a valid oid!", "orgType": "reseller", "orgId": "r-1", "orgName": "Skipped", "role": "x"},
]


# A people list the sandbox reads, served by the test -------------------------------------------------------------


class _PeopleHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server hook's name
        server: PeopleServer = self.server  # type: ignore[assignment]
        server.hits += 1
        if server.mode == "error":
            body, status = b'{"error": "boom"}', 500
        elif server.mode == "garbage":
            body, status = b"<html>not json</html>", 200
        else:
            body, status = json.dumps({"items": PEOPLE}).encode(), 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the http.server hook's signature
        return


class PeopleServer(ThreadingHTTPServer):
    """The platform's people endpoint as the sign-in page reads it; `mode` makes it fail on purpose."""

    mode: str = "ok"
    hits: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/dev/people"


@pytest.fixture(scope="module")
def people_server() -> Iterator[PeopleServer]:
    server = PeopleServer(("127.0.0.1", 0), _PeopleHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def people_mode(people_server: PeopleServer) -> Iterator[PeopleServer]:
    """The people server, put back to answering normally after the test changed its mode."""
    yield people_server
    people_server.mode = "ok"


@pytest.fixture(scope="module")
def people_sandbox(tmp_path_factory: pytest.TempPathFactory, people_server: PeopleServer) -> Iterator[RunningSandbox]:
    """A sandbox of this module's own, started with --people-url (the shared one has no people list)."""
    running = start_sandbox(
        Path(tmp_path_factory.mktemp("people-sandbox")), extra_args=["--people-url", people_server.url]
    )
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def session(people_sandbox: RunningSandbox) -> requests.Session:
    return https_session(people_sandbox)


# Reading the page as a browser would ------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str | None, str | None, str]] = field(default_factory=list)
    text_inputs: list[str] = field(default_factory=list)


class Page(HTMLParser):
    """The page's title, heading, labels and forms (hidden and text inputs, buttons with their text)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.heading = ""
        self.labels: dict[str, str] = {}
        self.forms: list[Form] = []
        self.alerts: list[str] = []
        self._open: list[str] = []
        self._button: tuple[str | None, str | None] | None = None
        self._text = ""
        self._label_for: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self._open.append(tag)
        self._text = ""
        if tag == "form":
            self.forms.append(Form(values.get("action") or "", (values.get("method") or "get").lower()))
        elif tag == "input" and self.forms:
            if values.get("type") == "hidden":
                self.forms[-1].fields.append((values.get("name") or "", values.get("value") or ""))
            elif values.get("type") == "text":
                self.forms[-1].text_inputs.append(values.get("id") or "")
        elif tag == "button":
            self._button = (values.get("name"), values.get("value"))
        elif tag == "label":
            self._label_for = values.get("for")
        elif tag == "p" and values.get("role") == "alert":
            self._open[-1] = "alert"

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        opened = self._open.pop() if self._open else ""
        if tag == "title":
            self.title = self._text.strip()
        elif tag == "h1":
            self.heading = self._text.strip()
        elif tag == "label" and self._label_for:
            self.labels[self._label_for] = self._text.strip()
        elif tag == "button" and self._button is not None and self.forms:
            self.forms[-1].buttons.append((*self._button, self._text.strip()))
            self._button = None
        elif opened == "alert":
            self.alerts.append(self._text.strip())

    @property
    def person_buttons(self) -> dict[str, str]:
        """Accessible name (the button's text) -> the oid it signs in as."""
        return {text: value for form in self.forms for name, value, text in form.buttons if name == "oid" and value}

    def form_of(self, label: str) -> Form:
        return next(form for form in self.forms if any(text == label for _, _, text in form.buttons))


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _b64url_json(value: str) -> dict[str, Any]:
    return dict(json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))))


@dataclass
class SignIn:
    """One console sign-in attempt: its authorize parameters and the PKCE verifier behind them."""

    params: dict[str, str]
    verifier: str


def _request(**overrides: str | None) -> SignIn:
    verifier, challenge = _pkce()
    params: dict[str, str | None] = {
        "client_id": CONSOLE_CLIENT_ID,
        "scope": LOGIN_SCOPE,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "response_mode": "query",
        "state": 'st-"1"&<x>',
        "nonce": "n-" + secrets.token_hex(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "client_info": "1",
        "x-client-SKU": "msal.js.browser",
    }
    params.update(overrides)
    return SignIn({k: v for k, v in params.items() if v is not None}, verifier)


def _authorize_url(sandbox: RunningSandbox, tenant: str = PLATFORM_TENANT_ID) -> str:
    return f"{sandbox.https_url}/{tenant}/oauth2/v2.0/authorize"


def _open_page(
    session: requests.Session, sandbox: RunningSandbox, request: SignIn, tenant: str = PLATFORM_TENANT_ID
) -> tuple[requests.Response, Page]:
    response = session.get(_authorize_url(sandbox, tenant), params=request.params, allow_redirects=False, timeout=10)
    return response, Page(response.text)


def _submit(
    session: requests.Session, sandbox: RunningSandbox, form: Form, extra: list[tuple[str, str]]
) -> requests.Response:
    assert form.method == "post"
    url = f"{sandbox.https_url}{form.action}"
    return session.post(url, data=[*form.fields, *extra], allow_redirects=False, timeout=10)


def _sign_in(
    session: requests.Session, sandbox: RunningSandbox, request: SignIn, oid: str, tenant: str = PLATFORM_TENANT_ID
) -> requests.Response:
    """Opens the page and submits its free-text form with `oid`, as a person typing their id would."""
    response, page = _open_page(session, sandbox, request, tenant)
    assert response.status_code == 200, response.text
    return _submit(session, sandbox, page.form_of("Sign in"), [("oid", oid)])


def _code_of(response: requests.Response, mode: str = "query") -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    answer = parse_qs(location.query if mode == "query" else location.fragment)
    return {key: values[0] for key, values in answer.items()}


def _token(
    session: requests.Session, sandbox: RunningSandbox, form: dict[str, str], **headers: str
) -> requests.Response:
    return session.post(
        f"{sandbox.https_url}/{PLATFORM_TENANT_ID}/oauth2/v2.0/token",
        data={"client_id": CONSOLE_CLIENT_ID, **form},
        headers={"Origin": ORIGIN, **headers},
        timeout=10,
    )


def _redeem(
    session: requests.Session, sandbox: RunningSandbox, request: SignIn, code: str, **extra: str
) -> requests.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": request.params["redirect_uri"],
        "code_verifier": request.verifier,
        "scope": request.params["scope"],
        "client_info": "1",
        **extra,
    }
    return _token(session, sandbox, form)


def _signed_in(session: requests.Session, sandbox: RunningSandbox, oid: str, **overrides: str) -> dict[str, Any]:
    request = _request(**overrides)
    code = _code_of(_sign_in(session, sandbox, request, oid))["code"]
    answer = _redeem(session, sandbox, request, code)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _verified(session: requests.Session, sandbox: RunningSandbox, token: str, audience: str) -> dict[str, Any]:
    """Claims of a token checked as the platform checks it: JWKS from discovery, RS256, issuer and audience."""
    issuer = f"{sandbox.https_url}/{PLATFORM_TENANT_ID}/v2.0"
    document = session.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    keys = session.get(document["jwks_uri"], timeout=10).json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in keys if k["kid"] == kid))
    return dict(jwt.decode(token, key.key, algorithms=["RS256"], audience=audience, issuer=issuer))


def _error_code(response: requests.Response) -> int:
    return int(response.json()["error_codes"][0])


# The sign-in page -------------------------------------------------------------------------------------------------


def test_sign_in_page_lists_people_from_the_people_url(
    people_sandbox: RunningSandbox, session: requests.Session, people_server: PeopleServer
) -> None:
    before = people_server.hits
    response, page = _open_page(session, people_sandbox, _request())
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert people_server.hits == before + 1
    assert page.title == "Sign in" and page.heading == "Pick an account"
    assert page.person_buttons == {
        "Operator — 0a1b2c3d…": OPERATOR_OID,
        'Contoso <Distribution> & "Co" (Provider) — provider.admin — 9f8e7d6c…': ADMIN_OID,
    }
    assert page.labels["oid"] == "User id (oid)"
    assert any(form.text_inputs == ["oid"] for form in page.forms)
    assert "<script" not in response.text and "<Distribution>" not in response.text


def test_sign_in_page_keeps_every_query_parameter_in_hidden_fields(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    request = _request()
    _, page = _open_page(session, people_sandbox, request)
    assert len(page.forms) == 3  # one per listed person, one for the typed oid
    for form in page.forms:
        assert dict(form.fields) == request.params
        assert form.action == f"/{PLATFORM_TENANT_ID}/oauth2/v2.0/authorize"


def test_sign_in_page_works_without_javascript_and_cannot_be_framed(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    response, _ = _open_page(session, people_sandbox, _request())
    assert "<script" not in response.text.lower()
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "no-store" in response.headers["cache-control"]


@pytest.mark.parametrize("mode", ["error", "garbage"])
def test_people_url_failure_leaves_only_the_free_text_field_and_a_note(
    people_sandbox: RunningSandbox, session: requests.Session, people_mode: PeopleServer, mode: str
) -> None:
    people_mode.mode = mode
    response, page = _open_page(session, people_sandbox, _request())
    assert response.status_code == 200
    assert page.person_buttons == {}
    assert [form.text_inputs for form in page.forms] == [["oid"]]
    assert "Could not read the list of people" in response.text


def test_sandbox_without_people_url_offers_only_the_free_text_field(sandbox: RunningSandbox) -> None:
    response, page = _open_page(https_session(sandbox), sandbox, _request())
    assert response.status_code == 200 and page.heading == "Pick an account"
    assert page.person_buttons == {} and [form.text_inputs for form in page.forms] == [["oid"]]


def test_picking_a_listed_person_signs_in_as_that_person(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    request = _request()
    _, page = _open_page(session, people_sandbox, request)
    label = "Operator — 0a1b2c3d…"
    response = _submit(session, people_sandbox, page.form_of(label), [("oid", page.person_buttons[label])])
    answer = _redeem(session, people_sandbox, request, _code_of(response)["code"]).json()
    assert _verified(session, people_sandbox, answer["access_token"], PLATFORM_API_AUDIENCE)["oid"] == OPERATOR_OID


@pytest.mark.parametrize("oid", ["", "x" * 129, "bad oid<script>"])
def test_empty_or_malformed_oid_shows_the_page_again_with_an_error(
    people_sandbox: RunningSandbox, session: requests.Session, oid: str
) -> None:
    response = _sign_in(session, people_sandbox, _request(), oid)
    assert response.status_code == 400
    page = Page(response.text)
    assert page.heading == "Pick an account" and page.alerts and page.person_buttons
    assert "<script>" not in response.text


# The code flow ----------------------------------------------------------------------------------------------------


def test_full_flow_gives_an_access_token_the_platform_accepts(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    request = _request()
    redirected = _sign_in(session, people_sandbox, request, ADMIN_OID)
    location = urlsplit(redirected.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    returned = _code_of(redirected)
    assert returned["state"] == request.params["state"] and returned["session_state"]
    assert _b64url_json(returned["client_info"]) == {"uid": ADMIN_OID, "utid": PLATFORM_TENANT_ID}

    response = _redeem(session, people_sandbox, request, returned["code"])
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["token_type"] == "Bearer"
    assert answer["scope"] == LOGIN_SCOPE
    assert answer["expires_in"] > 0 and answer["ext_expires_in"] > 0 and answer["refresh_token"]
    assert "no-store" in response.headers["cache-control"]

    claims = _verified(session, people_sandbox, answer["access_token"], PLATFORM_API_AUDIENCE)
    assert claims["iss"] == f"{people_sandbox.https_url}/{PLATFORM_TENANT_ID}/v2.0"
    assert claims["oid"] == claims["sub"] == ADMIN_OID and claims["tid"] == PLATFORM_TENANT_ID
    assert claims["scp"] == "access_as_user" and claims["azp"] == CONSOLE_CLIENT_ID and claims["ver"] == "2.0"
    assert claims["iat"] <= claims["nbf"] < claims["exp"] and claims["preferred_username"]

    id_claims = _verified(session, people_sandbox, answer["id_token"], CONSOLE_CLIENT_ID)
    assert id_claims["nonce"] == request.params["nonce"]
    assert id_claims["oid"] == ADMIN_OID and id_claims["tid"] == PLATFORM_TENANT_ID
    assert {"sub", "preferred_username", "name", "iat", "exp"} <= set(id_claims)
    assert _b64url_json(answer["client_info"]) == {"uid": ADMIN_OID, "utid": PLATFORM_TENANT_ID}


def test_access_token_passes_the_platform_token_validator(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    answer = _signed_in(session, people_sandbox, "someone.else_42")
    validator = TokenValidator(
        issuer=f"{people_sandbox.https_url}/{PLATFORM_TENANT_ID}/v2.0",
        audience=PLATFORM_API_AUDIENCE,
        jwks_url=f"{people_sandbox.https_url}/{PLATFORM_TENANT_ID}/discovery/v2.0/keys",
        ca_bundle=str(people_sandbox.ca_cert_path),
        allowed_tenants=frozenset({PLATFORM_TENANT_ID}),
    )
    identity = validator.validate(answer["access_token"])
    assert identity.user_id == "someone.else_42" and identity.tenant_id == PLATFORM_TENANT_ID


def test_access_token_is_signed_with_the_user_key_like_issued_user_tokens(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    answer = _signed_in(session, people_sandbox, ADMIN_OID)
    user_key = load_or_create_user_signing_key(people_sandbox.state_dir)
    assert jwt.get_unverified_header(answer["access_token"])["kid"] == user_key.kid


def test_fragment_response_mode_puts_the_code_in_the_fragment(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    request = _request(response_mode="fragment")
    redirected = _sign_in(session, people_sandbox, request, ADMIN_OID)
    location = urlsplit(redirected.headers["Location"])
    assert location.query == ""
    returned = _code_of(redirected, mode="fragment")
    assert returned["state"] == request.params["state"] and returned["client_info"]
    assert _redeem(session, people_sandbox, request, returned["code"]).status_code == 200


def test_missing_response_mode_answers_in_the_query(people_sandbox: RunningSandbox, session: requests.Session) -> None:
    request = _request(response_mode=None)
    assert "code" in _code_of(_sign_in(session, people_sandbox, request, ADMIN_OID))


def test_organizations_authority_signs_in_to_the_platform_tenant(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    document = session.get(
        f"{people_sandbox.https_url}/organizations/v2.0/.well-known/openid-configuration", timeout=10
    ).json()
    assert document["authorization_endpoint"] == f"{people_sandbox.https_url}/organizations/oauth2/v2.0/authorize"
    assert document["issuer"] == f"{people_sandbox.https_url}/{{tenantid}}/v2.0"
    request = _request()
    code = _code_of(_sign_in(session, people_sandbox, request, ADMIN_OID, tenant="organizations"))["code"]
    answer = _redeem(session, people_sandbox, request, code).json()
    assert _verified(session, people_sandbox, answer["access_token"], PLATFORM_API_AUDIENCE)["tid"] == (
        PLATFORM_TENANT_ID
    )


def test_msal_public_client_completes_the_auth_code_flow(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    app = msal.PublicClientApplication(
        CONSOLE_CLIENT_ID,
        authority=f"{people_sandbox.https_url}/{PLATFORM_TENANT_ID}",
        validate_authority=False,
        instance_discovery=False,
        http_client=session,
    )
    flow = app.initiate_auth_code_flow([API_SCOPE], redirect_uri=REDIRECT_URI)
    page_response = session.get(flow["auth_uri"], allow_redirects=False, timeout=10)
    page = Page(page_response.text)
    label = "Operator — 0a1b2c3d…"
    redirected = _submit(session, people_sandbox, page.form_of(label), [("oid", OPERATOR_OID)])
    result = app.acquire_token_by_auth_code_flow(flow, _code_of(redirected))
    assert "access_token" in result, result
    assert result["id_token_claims"]["oid"] == OPERATOR_OID
    assert app.get_accounts()[0]["home_account_id"] == f"{OPERATOR_OID}.{PLATFORM_TENANT_ID}"


# Refusals ---------------------------------------------------------------------------------------------------------


def test_wrong_code_verifier_is_invalid_grant_aadsts501481(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    request = _request()
    code = _code_of(_sign_in(session, people_sandbox, request, ADMIN_OID))["code"]
    wrong = _redeem(session, people_sandbox, request, code, code_verifier=_pkce()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert _error_code(wrong) == 501481
    assert wrong.json()["error_description"].startswith(
        "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request."
    )
    missing = _redeem(session, people_sandbox, request, code, code_verifier="")
    assert _error_code(missing) == 501481


def test_missing_code_challenge_is_aadsts9002325(people_sandbox: RunningSandbox, session: requests.Session) -> None:
    response, _ = _open_page(session, people_sandbox, _request(code_challenge=None, code_challenge_method=None))
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert _error_code(response) == 9002325
    assert "Proof Key for Code Exchange is required" in response.json()["error_description"]


@pytest.mark.parametrize("method", ["plain", None])
def test_code_challenge_method_other_than_s256_is_invalid_request(
    people_sandbox: RunningSandbox, session: requests.Session, method: str | None
) -> None:
    response, _ = _open_page(session, people_sandbox, _request(code_challenge_method=method))
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://evil.example/cb",
        "http://127.0.0.1.evil.example:5173/cb",
        "http://user@127.0.0.1:5173/cb",
        "javascript:alert(1)",
        "http://127.0.0.1:5173/cb#fragment",
        "",
    ],
)
def test_redirect_uri_not_allowed_for_the_console_is_aadsts50011(
    people_sandbox: RunningSandbox, session: requests.Session, redirect_uri: str
) -> None:
    request = _request(redirect_uri=redirect_uri)
    response, _ = _open_page(session, people_sandbox, request)
    assert response.status_code == 400 and _error_code(response) == 50011
    posted = session.post(
        _authorize_url(people_sandbox), data={**request.params, "oid": ADMIN_OID}, allow_redirects=False, timeout=10
    )
    assert posted.status_code == 400 and _error_code(posted) == 50011


@pytest.mark.parametrize("redirect_uri", ["http://localhost:3000/", "https://console.example.com/auth"])
def test_loopback_and_https_redirect_uris_are_allowed(
    people_sandbox: RunningSandbox, session: requests.Session, redirect_uri: str
) -> None:
    request = _request(redirect_uri=redirect_uri)
    returned = _code_of(_sign_in(session, people_sandbox, request, ADMIN_OID))
    assert _redeem(session, people_sandbox, request, returned["code"]).status_code == 200


def test_code_replay_is_refused_with_aadsts54005(people_sandbox: RunningSandbox, session: requests.Session) -> None:
    request = _request()
    code = _code_of(_sign_in(session, people_sandbox, request, ADMIN_OID))["code"]
    assert _redeem(session, people_sandbox, request, code).status_code == 200
    replay = _redeem(session, people_sandbox, request, code)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant" and _error_code(replay) == 54005


def test_redirect_uri_at_the_token_endpoint_must_equal_the_authorize_one(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    request = _request()
    code = _code_of(_sign_in(session, people_sandbox, request, ADMIN_OID))["code"]
    other = _redeem(session, people_sandbox, request, code, redirect_uri="http://127.0.0.1:5174/auth/callback")
    assert other.json()["error"] == "invalid_grant" and _error_code(other) == 70000


def test_client_secret_from_the_public_console_is_refused_with_aadsts700025(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    request = _request()
    code = _code_of(_sign_in(session, people_sandbox, request, ADMIN_OID))["code"]
    response = _redeem(session, people_sandbox, request, code, client_secret="s3cret")
    assert response.json()["error"] == "invalid_client" and _error_code(response) == 700025


def test_scope_outside_the_platform_api_is_invalid_scope(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    response, _ = _open_page(session, people_sandbox, _request(scope="api://other/thing openid"))
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


def test_console_is_unknown_in_a_provider_tenant_with_aadsts700016(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    response, _ = _open_page(session, people_sandbox, _request(), tenant=DEV_PROVIDER_TENANT_ID)
    assert response.status_code == 400 and _error_code(response) == 700016


def test_silent_prompt_none_redirects_with_login_required(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    request = _request(prompt="none", response_mode="fragment")
    response, _ = _open_page(session, people_sandbox, request)
    returned = _code_of(response, mode="fragment")
    assert returned["error"] == "login_required" and returned["state"] == request.params["state"]


# Refresh ----------------------------------------------------------------------------------------------------------


def test_refresh_token_grant_returns_a_new_access_token_for_the_same_person(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    first = _signed_in(session, people_sandbox, ADMIN_OID)
    renewed = _token(
        session,
        people_sandbox,
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "scope": LOGIN_SCOPE},
    )
    assert renewed.status_code == 200, renewed.text
    answer = renewed.json()
    assert answer["access_token"] != first["access_token"] and answer["refresh_token"] != first["refresh_token"]
    claims = _verified(session, people_sandbox, answer["access_token"], PLATFORM_API_AUDIENCE)
    assert claims["oid"] == ADMIN_OID and claims["scp"] == "access_as_user"
    assert _verified(session, people_sandbox, answer["id_token"], CONSOLE_CLIENT_ID)["oid"] == ADMIN_OID
    assert _b64url_json(answer["client_info"])["uid"] == ADMIN_OID
    rotated = _token(session, people_sandbox, {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"]})
    assert rotated.status_code == 200 and rotated.json()["access_token"]


def test_openid_only_scope_gives_id_and_refresh_tokens_without_an_access_token(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    answer = _signed_in(session, people_sandbox, ADMIN_OID, scope="openid profile offline_access")
    assert "access_token" not in answer and answer["id_token"] and answer["refresh_token"]
    assert answer["scope"] == "openid profile offline_access"


def test_console_refresh_token_expires_after_24_hours_with_aadsts700084(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    answer = _signed_in(session, people_sandbox, ADMIN_OID)
    clock = f"{people_sandbox.https_url}/_sandbox/clock"
    assert session.post(clock, json={"advance": "PT24H1M"}, timeout=10).status_code == 200
    try:
        expired = _token(
            session, people_sandbox, {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"]}
        )
    finally:
        session.post(clock, json={"advance": "-PT24H1M"}, timeout=10)
    assert expired.json()["error"] == "invalid_grant" and _error_code(expired) == 700084


def test_provider_refresh_token_is_refused_for_the_console(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    response = _token(session, people_sandbox, {"grant_type": "refresh_token", "refresh_token": "1.AXoAnot-a-token"})
    assert response.json()["error"] == "invalid_grant" and _error_code(response) == 9002313


# CORS and logout --------------------------------------------------------------------------------------------------


def _cors_paths(sandbox: RunningSandbox) -> list[str]:
    root = f"{sandbox.https_url}/{PLATFORM_TENANT_ID}"
    return [
        f"{root}/v2.0/.well-known/openid-configuration",
        f"{root}/discovery/v2.0/keys",
        f"{root}/discovery/keys",
        f"{sandbox.https_url}/common/discovery/instance?api-version=1.1&authorization_endpoint="
        f"{root}/oauth2/v2.0/authorize",
    ]


def test_cors_headers_echo_a_loopback_origin(people_sandbox: RunningSandbox, session: requests.Session) -> None:
    origin = "http://127.0.0.1:5173"
    for url in _cors_paths(people_sandbox):
        response = session.get(url, headers={"Origin": origin}, timeout=10)
        assert response.status_code == 200, (url, response.text)
        assert response.headers["access-control-allow-origin"] == origin
        assert response.headers["access-control-allow-methods"] == "GET, POST, OPTIONS"
    answer = _signed_in(session, people_sandbox, ADMIN_OID)
    assert answer["access_token"]
    token = _token(session, people_sandbox, {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"]})
    assert token.headers["access-control-allow-origin"] == ORIGIN
    error = _token(session, people_sandbox, {"grant_type": "authorization_code", "code": "0.Anope"})
    assert error.status_code == 400 and error.headers["access-control-allow-origin"] == ORIGIN


def test_cors_preflight_is_204_with_the_requested_headers(
    people_sandbox: RunningSandbox, session: requests.Session
) -> None:
    origin = "http://localhost:3000"
    token_url = f"{people_sandbox.https_url}/{PLATFORM_TENANT_ID}/oauth2/v2.0/token"
    for url in [token_url, *_cors_paths(people_sandbox)]:
        response = session.options(
            url,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-client-sku,x-client-ver",
            },
            timeout=10,
        )
        assert response.status_code == 204, (url, response.text)
        assert response.headers["access-control-allow-origin"] == origin
        assert response.headers["access-control-allow-methods"] == "GET, POST, OPTIONS"
        assert response.headers["access-control-allow-headers"] == "content-type,x-client-sku,x-client-ver"


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1.evil.example:80"])
def test_cors_is_not_granted_to_other_origins(
    people_sandbox: RunningSandbox, session: requests.Session, origin: str
) -> None:
    url = f"{people_sandbox.https_url}/{PLATFORM_TENANT_ID}/v2.0/.well-known/openid-configuration"
    response = session.get(url, headers={"Origin": origin}, timeout=10)
    assert "access-control-allow-origin" not in response.headers
    preflight = session.options(url, headers={"Origin": origin, "Access-Control-Request-Method": "GET"}, timeout=10)
    assert "access-control-allow-origin" not in preflight.headers


def test_logout_returns_to_an_allowed_console_uri(people_sandbox: RunningSandbox, session: requests.Session) -> None:
    url = f"{people_sandbox.https_url}/{PLATFORM_TENANT_ID}/oauth2/v2.0/logout"
    target = {"post_logout_redirect_uri": "http://127.0.0.1:5173/"}
    back = session.get(url, params=target, allow_redirects=False, timeout=10)
    assert back.status_code == 302 and back.headers["Location"] == "http://127.0.0.1:5173/"


@pytest.mark.parametrize("target", [None, "http://evil.example/"])
def test_logout_without_an_allowed_uri_shows_signed_out(
    people_sandbox: RunningSandbox, session: requests.Session, target: str | None
) -> None:
    url = f"{people_sandbox.https_url}/{PLATFORM_TENANT_ID}/oauth2/v2.0/logout"
    params = {"post_logout_redirect_uri": target} if target else {}
    page = session.get(url, params=params, allow_redirects=False, timeout=10)
    assert page.status_code == 200 and "You are signed out" in page.text


# The provider's app, unchanged ------------------------------------------------------------------------------------


def test_provider_app_consent_is_still_auto_approved(provider: Provider) -> None:
    response = provider.session.get(
        f"{provider.info['authority']}/oauth2/v2.0/authorize",
        params={
            "client_id": provider.info["clientId"],
            "response_type": "code",
            "redirect_uri": "http://127.0.0.1:7071/api/providers/consent/callback",
            "scope": "https://api.partnercenter.microsoft.com/.default offline_access",
            "state": "s-1",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302 and "code" in parse_qs(urlsplit(response.headers["Location"]).query)
    posted = provider.session.post(
        f"{provider.info['authority']}/oauth2/v2.0/authorize",
        data={"client_id": provider.info["clientId"], "oid": "x"},
        allow_redirects=False,
        timeout=10,
    )
    assert posted.status_code == 405


def test_people_url_comes_from_the_option_or_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    base = ["--state-dir", str(tmp_path / "s"), "--secrets-dir", str(tmp_path / "k")]
    monkeypatch.delenv("SANDBOX_PEOPLE_URL", raising=False)
    assert sandbox_main._parse(base).people_url is None
    monkeypatch.setenv("SANDBOX_PEOPLE_URL", "http://127.0.0.1:7071/api/dev/people")
    assert sandbox_main._parse(base).people_url == "http://127.0.0.1:7071/api/dev/people"
    assert sandbox_main._parse([*base, "--people-url", "http://x/"]).people_url == "http://x/"
