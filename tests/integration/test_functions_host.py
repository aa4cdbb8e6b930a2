"""The routes behave the same under the Functions ASGI middleware as under uvicorn and TestClient."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from urllib.parse import urlencode

import azure.functions as func

import function_app
from functions.http.app import create_app
from shared.bootstrap import Container
from shared.domain.scope import OrgRef, Role
from tests.support.platform import new_id, provider_org

Auth = Callable[[str], dict[str, str]]


class FunctionsHost:
    """Calls the app's HTTP function the way the Functions host does: one event loop, its own context."""

    def __init__(self, app: func.AsgiFunctionApp) -> None:
        http = next(f for f in app.get_functions() if f.get_function_name() == "http_app_func")
        self._user_function = http.get_user_function()

    async def invoke(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        params: dict[str, str] | None = None,
    ) -> func.HttpResponse:
        query = f"?{urlencode(params)}" if params else ""
        request = func.HttpRequest(
            method=method, url=f"http://localhost{path}{query}", body=body, headers=headers or {}, params=params or {}
        )
        context = SimpleNamespace(
            invocation_id=str(uuid.uuid4()),
            function_name="http_app_func",
            function_directory="/home/site/wwwroot",
            trace_context=None,
            retry_context=None,
            thread_local_storage=SimpleNamespace(invocation_id=None),
        )
        return await self._user_function(request, context)


def test_me_health_members_and_problems_through_the_functions_host(
    container: Container, auth: Auth, add_member: Callable[[OrgRef, Role], str]
) -> None:
    host = FunctionsHost(function_app.build(create_app(container)))
    provider = provider_org()
    admin = add_member(provider, Role.PROVIDER_ADMIN)
    admin_headers = auth(admin)

    async def scenario() -> None:

        health = await host.invoke("GET", "/api/health")
        assert health.status_code == 200 and json.loads(health.get_body())["status"] == "ok"

        me = await host.invoke("GET", "/api/me", headers=admin_headers)
        assert me.status_code == 200 and json.loads(me.get_body())["userId"] == admin

        new_user = new_id("u-")
        payload = json.dumps(
            {"userId": new_user, "orgType": "provider", "orgId": provider.org_id, "role": "provider.staff"}
        ).encode()
        created = await host.invoke(
            "POST",
            "/api/members",
            body=payload,
            headers={**admin_headers, "Content-Type": "application/json", "Idempotency-Key": "k1"},
        )
        assert created.status_code == 201
        replay = await host.invoke(
            "POST",
            "/api/members",
            body=payload,
            headers={**admin_headers, "Content-Type": "application/json", "Idempotency-Key": "k1"},
        )
        assert replay.status_code == 201 and replay.get_body() == created.get_body()

        unauthorized = await host.invoke("GET", "/api/me")
        assert unauthorized.status_code == 401
        assert unauthorized.headers["Content-Type"].startswith("application/problem+json")

        trail = await host.invoke("GET", "/api/audit", headers=admin_headers, params={"entityId": new_user})
        assert trail.status_code == 200 and len(json.loads(trail.get_body())["items"]) == 1

    asyncio.run(scenario())
