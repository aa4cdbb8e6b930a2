"""create_app: the one FastAPI app, served by Azure Functions (AsgiFunctionApp) and by uvicorn locally."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from functions.http import (
    audit,
    billing,
    catalog,
    console_config,
    customers,
    health,
    members,
    orders,
    pricing,
    providers,
    resellers,
    storefront,
    subscriptions,
    webhooks,
)
from functions.http.middleware import BodySizeLimit
from functions.http.openapi import install_openapi
from functions.http.problems import install_problem_handlers
from shared.bootstrap import Container, get_container
from shared.telemetry import CorrelationMiddleware

API_PREFIX = "/api"


def create_app(container: Container | None = None) -> FastAPI:
    """Builds the app; nothing here does I/O, so the Functions host can index it cheaply."""
    app = FastAPI(
        title="CSP indirect provider platform",
        version="0.1.0",
        description=(
            "The HTTP API front ends use to run a Microsoft CSP indirect provider's business: members, "
            "providers, resellers, customers, catalog, orders, subscriptions, storefront and billing. "
            "Errors are RFC 9457 problem details; lists are paged with limit and continuationToken; "
            "creating POSTs accept Idempotency-Key."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.container = container if container is not None else _LazyContainer()
    install_problem_handlers(app)

    api = APIRouter(prefix=API_PREFIX)
    api.include_router(health.router)
    api.include_router(console_config.router)
    api.include_router(members.router)
    api.include_router(audit.router)
    api.include_router(providers.router)
    api.include_router(resellers.router)
    api.include_router(customers.router)
    api.include_router(catalog.router)
    api.include_router(pricing.router)
    api.include_router(orders.router)
    api.include_router(subscriptions.router)
    api.include_router(billing.router)
    api.include_router(storefront.router)
    api.include_router(webhooks.router)
    app.include_router(api)

    app.add_middleware(BodySizeLimit, max_bytes_of=lambda: app.state.container.settings.max_body_bytes)
    app.add_middleware(CorrelationMiddleware)
    install_openapi(app)
    return app


class _LazyContainer:
    """Defers to the process-wide container, created on the first request rather than at import."""

    def __getattr__(self, name: str) -> object:
        return getattr(get_container(), name)
