"""Cross-origin calls: none by default (the console is served on the API's origin); the origins
CORS_ALLOWED_ORIGINS names get a preflight answer and their answers are readable, with credentials, never `*`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from functions.http.app import create_app
from shared.bootstrap import Container
from shared.config import settings_problems
from shared.domain.scope import OrgRef, Role
from tests.support.platform import platform_settings

CONSOLE = "https://console.contoso.example"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}


@pytest.fixture(scope="module")
def cors_client(storage_connection_string: str, sandbox: Any) -> Any:
    settings = platform_settings(
        storage_connection_string, sandbox, cors_allowed_origins=f"{CONSOLE}, http://x.test:8080"
    )
    with TestClient(create_app(Container(settings))) as client:
        yield client


def test_with_no_origin_named_the_api_sends_no_cors_headers(client: TestClient) -> None:
    answer = client.options("/api/orders", headers={"Origin": CONSOLE, **PREFLIGHT})
    assert "access-control-allow-origin" not in answer.headers
    assert "access-control-allow-origin" not in client.get("/api/health", headers={"Origin": CONSOLE}).headers


def test_a_named_origin_gets_its_preflight_answered_with_credentials(cors_client: TestClient) -> None:
    answer = cors_client.options("/api/orders", headers={"Origin": CONSOLE, **PREFLIGHT})
    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == CONSOLE
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert "authorization" in answer.headers["access-control-allow-headers"].lower()


def test_a_named_origin_reads_answers_and_their_headers(
    cors_client: TestClient, auth: Callable[[str], dict[str, str]], add_member: Callable[[OrgRef, Role], str]
) -> None:
    operator = add_member(OrgRef.operator(), Role.OPERATOR)
    answer = cors_client.get("/api/me", headers={"Origin": CONSOLE, **auth(operator)})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == CONSOLE
    assert "ETag" in answer.headers["access-control-expose-headers"]


def test_an_origin_not_named_is_not_allowed(cors_client: TestClient) -> None:
    answer = cors_client.options("/api/orders", headers={"Origin": "https://evil.example", **PREFLIGHT})
    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers
    assert (
        "access-control-allow-origin"
        not in cors_client.get("/api/health", headers={"Origin": "https://evil.example"}).headers
    )


@pytest.mark.parametrize("origins", ["*", "console.contoso.example", "https://console.contoso.example/app"])
def test_a_wildcard_or_something_that_is_no_origin_is_refused(
    origins: str, storage_connection_string: str, sandbox: Any
) -> None:
    settings = platform_settings(storage_connection_string, sandbox, cors_allowed_origins=origins)
    assert "CORS_ALLOWED_ORIGINS" in settings_problems(settings, production=False)


def test_in_azure_an_origin_is_https(storage_connection_string: str, sandbox: Any) -> None:
    settings = platform_settings(
        storage_connection_string, sandbox, cors_allowed_origins="http://console.contoso.example"
    )
    assert settings_problems(settings, production=True)["CORS_ALLOWED_ORIGINS"] == "origins must be https in Azure"
    assert "CORS_ALLOWED_ORIGINS" not in settings_problems(settings, production=False)
