"""create_app: the one FastAPI app, served by Azure Functions (AsgiFunctionApp) and by uvicorn locally."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from functions.http import (
    audit,
    billing,
    catalog,
    console_config,
    customers,
    health,
    members,
    notifications,
    orders,
    pricing,
    providers,
    renewals,
    resellers,
    storefront,
    subscriptions,
    webhooks,
)
from functions.http.middleware import BodySizeLimit, HeadAsGet
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

    api = APIRouter(prefix=API_PREFIX, generate_unique_id_function=operation_id)
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
    api.include_router(renewals.router)
    api.include_router(billing.router)
    api.include_router(storefront.router)
    api.include_router(webhooks.router)
    api.include_router(notifications.router)
    app.include_router(api)

    app.add_middleware(BodySizeLimit, max_bytes_of=lambda: app.state.container.settings.max_body_bytes)
    app.add_middleware(HeadAsGet)
    app.add_middleware(CorsFromSettings, origins_of=lambda: app.state.container.settings.cors_allowed_origin_list)
    app.add_middleware(CorrelationMiddleware)
    install_openapi(app)
    return app


# Route functions whose names do not say the action and the resource on their own.
_ACTION_NAMES = {
    "start_run": "startBillingRun", "list_runs": "listBillingRuns", "get_run": "getBillingRun",
    "get_discrepancies": "listBillingDiscrepancies", "get_lines": "listBillingLines",
    "put_item_sellable": "putCatalogItemSellable", "console_config": "getConsoleConfig", "health": "getHealth",
    "me": "getMe", "consent_callback": "completeConsent", "provider_summary": "getProviderSummary",
    "check_customer": "checkCustomerRelationship", "check_reseller": "checkResellerRelationship",
    "storefront_catalog": "listStorefrontCatalog", "storefront_charges": "listStorefrontCharges",
    "storefront_order": "placeStorefrontOrder", "storefront_orders": "listStorefrontOrders",
    "storefront_get_order": "getStorefrontOrder", "storefront_subscriptions": "listStorefrontSubscriptions",
    "storefront_change": "changeStorefrontSubscription", "partner_center_webhook": "receivePartnerCenterEvent",
    "storefront_put_renewal": "putStorefrontSubscriptionRenewal",
    "storefront_remove_renewal": "removeStorefrontSubscriptionRenewal", "get_renewal": "getSubscriptionRenewal",
    "put_renewal": "putSubscriptionRenewal", "remove_renewal": "removeSubscriptionRenewal",
    "list_upgrades": "listSubscriptionUpgrades", "start_upgrade": "startSubscriptionUpgrade",
    "read_audit": "listAuditEntries", "people": "listDevPeople", "token": "createDevToken",
}  # fmt: skip


def operation_id(route: APIRoute) -> str:
    """A stable operationId named for the action: the route function's name in camelCase (`place_order` is
    `placeOrder`), so generated clients and integrators keep their names when a path or tag changes."""
    if route.name in _ACTION_NAMES:
        return _ACTION_NAMES[route.name]
    head, *rest = route.name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class CorsFromSettings:
    """Cross-origin calls from the origins CORS_ALLOWED_ORIGINS names, read on the first request (creating the app
    reads no setting). Empty, the default: no CORS headers at all, since the console is served on the API's own
    origin. Credentials (the Authorization header) are allowed only because every origin is named, never `*`."""

    def __init__(self, app: ASGIApp, origins_of: Any) -> None:
        self.app = app
        self._origins_of = origins_of
        self._handler: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._handler is None:
            origins = list(self._origins_of())
            self._handler = (
                CORSMiddleware(self.app, allow_origins=origins, allow_credentials=True,
                               allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                               allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match",
                                              "X-Correlation-Id"],
                               expose_headers=["ETag", "Location", "Retry-After", "Idempotent-Replayed",
                                               "X-Correlation-Id"], max_age=600)
                if origins
                else self.app
            )  # fmt: skip
        await self._handler(scope, receive, send)


class _LazyContainer:
    """Defers to the process-wide container, created on the first request rather than at import."""

    def __getattr__(self, name: str) -> object:
        return getattr(get_container(), name)
