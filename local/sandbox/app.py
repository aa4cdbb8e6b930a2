"""Builds the sandbox's FastAPI app: Entra ID, Partner Center under /v1, and the /_sandbox/ control routes."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message, Receive, Scope, Send

from local.sandbox import (
    agreements,
    commerce,
    control,
    coterm,
    entra,
    graph,
    parties,
    partner_center,
    pricesheet,
    promotions,
    receivers,
    reconciliation,
    transitions,
    webhooks,
)
from local.sandbox.config import SandboxConfig
from local.sandbox.context import Sandbox
from local.sandbox.devca import ensure_dev_ca
from local.sandbox.faults import FaultInjector, run_with_faults
from local.sandbox.keys import load_or_create_service_signing_key, load_or_create_user_signing_key
from local.sandbox.state import SandboxState
from local.sandbox.wire import PartnerCenterError

_ECHOED = (b"ms-requestid", b"ms-correlationid")


class SandboxApp(FastAPI):
    """FastAPI with Partner Center's outer behaviour: request ids echoed, faults injected before anything else."""

    sandbox: Sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:  # type: ignore[override]
        if scope["type"] != "http" or scope["path"].startswith("/_sandbox"):
            await super().__call__(scope, receive, send)
            return None
        headers = dict(scope.get("headers") or [])
        echoed = [(name, headers.get(name) or str(uuid.uuid4()).encode()) for name in _ECHOED]

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *echoed,
                                                  (b"ms-cv", uuid.uuid4().hex[:22].encode()),
                                                  (b"ms-serverid", b"sandbox")]}  # fmt: skip
            await send(message)

        return await run_with_faults(self.sandbox.faults, super().__call__, scope, receive, send_with_ids)


def create_app(config: SandboxConfig) -> FastAPI:
    """One sandbox app over a state dir; both listeners (HTTP and HTTPS) serve the same instance."""
    config.state_dir.mkdir(parents=True, exist_ok=True)
    config.secrets_dir.mkdir(parents=True, exist_ok=True)
    certificates = ensure_dev_ca(config.state_dir)
    state = SandboxState(config)
    state.ensure_dev_provider()
    with state.lock:
        for provider in state.data["providers"].values():
            state.write_provider_secrets(provider)
    sandbox = Sandbox(
        config=config,
        state=state,
        service_key=load_or_create_service_signing_key(config.state_dir),
        user_key=load_or_create_user_signing_key(config.state_dir),
        ca_certificate_pem=certificates.ca_cert_path.read_text("ascii"),
        faults=FaultInjector(),
    )
    app = SandboxApp(
        title="Partner Center sandbox",
        version="1",
        description="Plays Partner Center, Entra ID and Microsoft Graph locally; /_sandbox/ routes control it.",
        openapi_url="/_sandbox/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.sandbox = sandbox
    app.state.sandbox = sandbox
    webhooks.dispatcher_of(sandbox)

    @app.middleware("http")
    async def announce_clock_changes(request: Request, call_next: Any) -> Any:
        """The clock renews, extends and expires subscriptions under the state lock; their subscription-updated
        webhooks go out once the request is done, outside it."""
        try:
            return await call_next(request)
        finally:
            commerce.publish_pending(sandbox)

    @app.exception_handler(PartnerCenterError)
    async def partner_center_error(request: Request, exc: PartnerCenterError) -> Any:
        return exc.response()

    @app.exception_handler(graph.GraphError)
    async def graph_error(request: Request, exc: graph.GraphError) -> Any:
        return exc.response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if request.url.path.startswith("/v1/"):
            return PartnerCenterError(exc.status_code, exc.status_code, str(exc.detail)).response()
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    app.include_router(control.router)
    app.include_router(parties.router)
    app.include_router(receivers.router)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        """A person opening the sandbox finds the page where they play the other parties."""
        return RedirectResponse("/_sandbox/parties", status_code=302)

    app.include_router(pricesheet.control_router)
    app.include_router(reconciliation.control_router)
    app.include_router(webhooks.control_router)
    app.include_router(partner_center.router)
    app.include_router(agreements.router)
    app.include_router(reconciliation.router)
    app.include_router(coterm.router)  # before commerce's /subscriptions/{subscription_id}
    app.include_router(transitions.router)  # before commerce's /subscriptions/{subscription_id}
    app.include_router(commerce.router)
    app.include_router(promotions.router)
    app.include_router(webhooks.router)
    app.include_router(pricesheet.router)
    app.include_router(graph.router)
    app.include_router(graph.blob_router)
    app.include_router(entra.router)
    return app
