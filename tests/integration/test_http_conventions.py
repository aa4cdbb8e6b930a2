"""The common HTTP behaviour (docs/api-guide.md#problem-details): problem details, paging, limits, OpenAPI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from functions.http.app import create_app
from shared.domain.scope import OrgRef, Role
from tests.support.platform import new_id, provider_org

Auth = Callable[[str], dict[str, str]]
AddMember = Callable[[OrgRef, Role], str]


@pytest.fixture
def operator(add_member: AddMember) -> str:
    return add_member(OrgRef.operator(), Role.OPERATOR)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= problem.keys()
    assert problem["status"] == status
    assert "Traceback" not in response.text
    return problem


def assert_malformed_json(response: Any) -> None:
    problem = assert_problem(response, 415)
    assert problem["type"] == "urn:csp-platform:problem:malformed-json" and problem["title"] == "Malformed JSON"
    assert problem["detail"] == "the request body is not valid JSON"
    assert response.headers["accept"] == "application/json"


def test_malformed_json_is_415(client: TestClient, auth: Auth, operator: str) -> None:
    response = client.post(
        "/api/members", content=b'{"userId": "x", ', headers={**auth(operator), "Content-Type": "application/json"}
    )
    assert_malformed_json(response)


@pytest.mark.parametrize(
    "ending",
    [
        pytest.param(b"", id="cut-short"),
        pytest.param(b",}", id="trailing-comma"),
        pytest.param(b"}\xff", id="not-utf8"),
    ],
)
def test_malformed_json_is_415_on_two_routes_and_changes_nothing(
    client: TestClient, auth: Auth, add_member: AddMember, operator: str, container: Any, ending: bytes
) -> None:
    json_type = {**auth(operator), "Content-Type": "application/json"}
    user_id = new_id("u-")
    body = b'{"userId": "' + user_id.encode() + b'", "orgType": "operator", "orgId": "platform", "role": "operator"'
    assert_malformed_json(client.post("/api/members", content=body + ending, headers=json_type))
    assert container.members.get(user_id) is None

    staff = add_member(provider_org(), Role.PROVIDER_STAFF)
    answer = client.patch(f"/api/members/{staff}", content=b'{"role": "provider.admin"' + ending, headers=json_type)
    assert_malformed_json(answer)
    member = container.members.get(staff)
    assert member is not None and member.role == Role.PROVIDER_STAFF


def test_a_webhook_body_that_is_not_json_is_415_before_its_signature_is_read(client: TestClient) -> None:
    """The body check answers before the route; a JSON body that is not an event is still the route's 400 once its
    signature (over the raw bytes, which the check hands on untouched) is verified, and unsigned here it is 401."""
    url = f"/api/webhooks/partner-center?provider={new_id()}"
    unsigned = {"Content-Type": "application/json"}
    assert_malformed_json(client.post(url, content=b'{"EventName": "test-created"', headers=unsigned))
    problem = assert_problem(client.post(url, content=b'{"EventName": "test-created"}', headers=unsigned), 401)
    assert problem["type"] == "urn:csp-platform:problem:invalid-signature"


def test_a_body_the_check_let_through_that_is_not_json_is_415_too() -> None:
    """The validation handler's fallback says what the body check says, should a body reach a route unchecked."""
    from fastapi.exceptions import RequestValidationError
    from starlette.requests import Request

    from functions.http.problems import _validation_problem

    request = Request({"type": "http", "method": "POST", "path": "/api/members", "headers": [], "query_string": b""})
    error = {"type": "json_invalid", "loc": ("body", 15), "msg": "JSON decode error", "input": {}, "ctx": {}}
    answer = _validation_problem(request, RequestValidationError([error]))
    assert answer.status_code == 415 and answer.headers["accept"] == "application/json"
    problem = orjson.loads(answer.body)
    assert problem["type"] == "urn:csp-platform:problem:malformed-json" and problem["status"] == 415


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"userId": 12, "orgType": "provider", "orgId": "p", "role": "provider.staff"}, "userId"),
        ({"userId": "u", "orgType": "galaxy", "orgId": "p", "role": "provider.staff"}, "orgType"),
        ({"userId": "u", "orgType": "provider", "orgId": "p", "role": "king"}, "role"),
        ({"orgType": "provider", "orgId": "p", "role": "provider.staff"}, "userId"),
        ({"userId": "u/../x", "orgType": "provider", "orgId": "p", "role": "provider.staff"}, "userId"),
        ({"userId": "u", "orgType": "provider", "orgId": "p", "role": "provider.staff", "extra": 1}, "extra"),
    ],
)
def test_invalid_fields_are_422_with_the_field_named(
    client: TestClient, auth: Auth, operator: str, payload: dict[str, Any], field: str
) -> None:
    problem = assert_problem(client.post("/api/members", json=payload, headers=auth(operator)), 422)
    assert field in [e["field"] for e in problem["errors"]]


def test_a_json_array_body_is_422(client: TestClient, auth: Auth, operator: str) -> None:
    assert_problem(client.post("/api/members", json=[1, 2], headers=auth(operator)), 422)


def test_oversized_body_is_413_and_changes_nothing(
    client: TestClient, auth: Auth, operator: str, container: Any
) -> None:
    user_id = new_id("u-")
    payload = {
        "userId": user_id,
        "orgType": "operator",
        "orgId": "platform",
        "role": "operator",
        "padding": "x" * (container.settings.max_body_bytes + 10),
    }
    assert_problem(client.post("/api/members", json=payload, headers=auth(operator)), 413)
    assert container.members.get(user_id) is None


def test_a_chunked_body_over_the_limit_is_413_like_a_sized_one(
    client: TestClient, auth: Auth, operator: str, container: Any
) -> None:
    user_id = new_id("u-")
    padding = "x" * (container.settings.max_body_bytes + 10)
    body = orjson.dumps({"userId": user_id, "orgType": "operator", "orgId": "platform", "role": "operator",
                         "padding": padding})  # fmt: skip

    def chunks() -> Any:  # no Content-Length: the client sends it chunked
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    json_type = {"Content-Type": "application/json"}
    assert_problem(client.post("/api/members", content=chunks(), headers={**auth(operator), **json_type}), 413)
    assert container.members.get(user_id) is None


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        pytest.param("text/plain", b'{"userId": "u"}', id="text"),
        pytest.param("application/x-www-form-urlencoded", b"userId=u&role=operator", id="form"),
        pytest.param("multipart/form-data; boundary=x", b"--x\r\n\r\nu\r\n--x--", id="multipart"),
        pytest.param("application/xml", b"<member/>", id="xml"),
        pytest.param(None, b'{"userId": "u"}', id="none"),
    ],
)
def test_a_body_of_another_media_type_is_415_naming_json(
    client: TestClient, auth: Auth, operator: str, container: Any, content_type: str | None, content: bytes
) -> None:
    headers = {**auth(operator), **({"Content-Type": content_type} if content_type else {})}
    if content_type is None:
        headers["Content-Type"] = ""
    answer = client.post("/api/members", content=content, headers=headers)
    problem = assert_problem(answer, 415)
    assert "application/json" in problem["detail"] and answer.headers["accept"] == "application/json"


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/members"), ("PATCH", "/api/customers/{id}"), ("PUT", "/api/resellers/{id}/pricing")],
)
@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_415_on_a_post_a_patch_and_a_put(
    client: TestClient, auth: Auth, operator: str, container: Any, method: str, path: str, content_type: str
) -> None:
    user_id = new_id("u-")
    content = orjson.dumps({"userId": user_id, "orgType": "operator", "orgId": "platform", "role": "operator"})
    headers = {**auth(operator), "Content-Type": content_type}
    answer = client.request(method, path.replace("{id}", new_id()), content=content, headers=headers)
    problem = assert_problem(answer, 415)
    assert problem["type"] == "urn:csp-platform:problem:unsupported-media-type"
    assert "application/json" in problem["detail"] and answer.headers["accept"] == "application/json"
    assert container.members.get(user_id) is None


def test_a_json_key_named_twice_is_422_and_changes_nothing(
    client: TestClient, auth: Auth, operator: str, container: Any
) -> None:
    user_id = new_id("u-")
    body = ('{"userId": "' + user_id + '", "orgType": "operator", "orgId": "platform", "role": "customer.admin", '
            '"role": "operator"}').encode()  # fmt: skip
    json_type = {"Content-Type": "application/json"}
    problem = assert_problem(client.post("/api/members", content=body, headers={**auth(operator), **json_type}), 422)
    assert "'role'" in problem["detail"]
    assert container.members.get(user_id) is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "must be at least 1"),
        ("limit=501", "must be at most 500"),
        ("limit=ten", "must be a whole number written in digits"),
        ("limit=-1", "must be a whole number written in digits"),
    ],
)
def test_bad_paging_parameters_are_422(client: TestClient, auth: Auth, operator: str, query: str, message: str) -> None:
    problem = assert_problem(client.get(f"/api/audit?entityId=x&{query}", headers=auth(operator)), 422)
    assert problem["type"] == "urn:csp-platform:problem:validation-error"
    assert problem["errors"] == [{"field": "limit", "message": message}]


def test_pages_follow_the_continuation_token(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    provider = provider_org()
    admin = add_member(provider, Role.PROVIDER_ADMIN)
    entity = new_id("e-")
    for step in range(7):
        container.audit.record(
            actor="test",
            action=f"step{step}",
            entity_type="thing",
            entity_id=entity,
            org=provider,
            before=None,
            after={"step": step},
        )
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        params: dict[str, Any] = {"entityId": entity, "limit": 3}
        if token:
            params["continuationToken"] = token
        page = client.get("/api/audit", params=params, headers=auth(admin)).json()
        pages += 1
        seen += [item["action"] for item in page["items"]]
        token = page["continuationToken"]
        if token is None:
            break
    assert pages == 3
    assert seen == [f"step{n}" for n in reversed(range(7))]


def test_a_forged_continuation_token_is_400(
    client: TestClient, auth: Auth, add_member: AddMember, container: Any
) -> None:
    provider = provider_org()
    admin = add_member(provider, Role.PROVIDER_ADMIN)
    entity = new_id("e-")
    for step in range(3):
        container.audit.record(
            actor="test", action="x", entity_type="thing", entity_id=entity, org=provider, before=None, after=step
        )
    token = client.get("/api/audit", params={"entityId": entity, "limit": 1}, headers=auth(admin)).json()[
        "continuationToken"
    ]
    other_admin = add_member(provider, Role.PROVIDER_ADMIN)
    altered = token[:-2] + ("BB" if token.endswith("AA") else "AA")  # always another signature than the one issued
    for forged, who in [
        (altered, admin),
        ("eyJQYXJ0aXRpb25LZXkiOiJ4In0.AAAA", admin),
        ("!!!", admin),
        (token, other_admin),
    ]:
        response = client.get("/api/audit", params={"entityId": entity, "continuationToken": forged}, headers=auth(who))
        assert_problem(response, 400)


def test_unknown_route_is_a_problem_404(client: TestClient) -> None:
    assert_problem(client.get("/api/nothing-here"), 404)


def test_wrong_method_is_a_problem_405(client: TestClient, auth: Auth, operator: str) -> None:
    assert_problem(client.delete("/api/me", headers=auth(operator)), 405)


SAME_ID = {"x-correlation-id": "6f1c3e1a-93c5-4b8e-9a55-0d7f4a1b2c3d"}  # the one header that differs per request


@pytest.mark.parametrize("path", ["/api/health", "/api/config", "/api/openapi.json"])
def test_head_answers_the_get_status_and_headers_without_a_body(client: TestClient, path: str) -> None:
    got = client.get(path, headers=SAME_ID)
    head = client.head(path, headers=SAME_ID)
    assert head.status_code == got.status_code, head.text
    assert head.content == b""
    assert dict(head.headers) == dict(got.headers)
    assert int(head.headers["content-length"]) == len(got.content) > 0


def test_head_of_an_authenticated_get_is_401_without_a_token_like_the_get(
    client: TestClient, auth: Auth, operator: str
) -> None:
    got = client.get("/api/me", headers=SAME_ID)
    head = client.head("/api/me", headers=SAME_ID)
    assert got.status_code == head.status_code == 401
    assert head.content == b"" and dict(head.headers) == dict(got.headers)
    assert head.headers["www-authenticate"].startswith("Bearer")
    signed_in = {**SAME_ID, **auth(operator)}
    got, head = client.get("/api/me", headers=signed_in), client.head("/api/me", headers=signed_in)
    assert got.status_code == head.status_code == 200
    assert head.content == b"" and dict(head.headers) == dict(got.headers)


@pytest.mark.parametrize("path", ["/api/webhooks/partner-center", "/api/reseller-invitations"])
def test_head_on_a_path_without_get_is_405_with_its_allow(
    client: TestClient, auth: Auth, operator: str, path: str
) -> None:
    head = client.head(path, headers=auth(operator))
    assert head.status_code == 405 and head.content == b""
    assert head.headers["allow"] == "POST"
    assert head.headers["allow"] == client.delete(path, headers=auth(operator)).headers["allow"]


def test_a_head_of_the_consent_callback_redeems_nothing(client: TestClient) -> None:
    """A link checker's HEAD must not spend a consent state: the callback serves GET alone."""
    head = client.head("/api/providers/consent/callback", params={"state": "s", "code": "c"})
    assert head.status_code == 405 and head.headers["allow"] == "GET"


def test_head_is_in_the_allow_of_every_path_that_serves_get(client: TestClient) -> None:
    answer = client.delete("/api/health")
    assert_problem(answer, 405)
    assert answer.headers["allow"] == "GET, HEAD"
    assert client.head("/api/health").status_code == client.get("/api/health").status_code


def test_the_webhook_documents_every_status_it_answers() -> None:
    operation = create_app().openapi()["paths"]["/api/webhooks/partner-center"]["post"]
    assert set(operation["responses"]) == {"200", "400", "401", "404", "413", "415", "422", "503"}
    for code in ("413", "415"):
        assert list(operation["responses"][code]["content"]) == ["application/problem+json"]


def test_openapi_describes_every_route() -> None:
    app = create_app()
    document = app.openapi()
    assert document["openapi"].startswith("3.")
    routes = {
        (method.lower(), route.path)
        for route in iter_route_contexts(app.routes)  # an included router's routes with their full paths
        if getattr(route, "methods", None)
        for method in route.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }
    documented = {(method, path) for path, operations in document["paths"].items() for method in operations}
    served = {(m, p) for m, p in routes if p.startswith("/api") and p not in {"/api/openapi.json", "/api/docs"}}
    assert len(served) > 50 and served <= documented
    for path in ("/api/health", "/api/me", "/api/members", "/api/audit"):
        assert path in document["paths"]
    assert "security" not in document["paths"]["/api/health"]["get"]
    assert document["paths"]["/api/me"]["get"]["security"] == [{"bearer": []}]


def test_openapi_is_served_without_a_token(client: TestClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/members" in response.json()["paths"]


def test_a_streamed_answer_to_a_request_with_a_body_is_not_cut_short(
    client: TestClient, auth: Auth, operator: str
) -> None:
    """The body is read before the app sees it; what the app is handed afterwards is the client's real state, not
    a made-up disconnect that would cut a streaming response (the billing lines) short."""
    from functions.http.middleware import _replay

    async def client_still_there() -> dict[str, str]:
        return {"type": "http.request.still-open"}

    import anyio

    async def read_twice() -> list[dict[str, Any]]:
        replay = _replay(b'{"a": 1}', None, client_still_there)
        return [await replay(), await replay()]

    first, second = anyio.run(read_twice)
    assert first == {"type": "http.request", "body": b'{"a": 1}', "more_body": False}
    assert second == {"type": "http.request.still-open"}
