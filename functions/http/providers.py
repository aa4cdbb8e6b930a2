"""Providers: enrollment of a Partner Center app and its delegated consent (docs/api-guide.md#providers)."""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel

from functions.http.deps import ContainerDep, CurrentPrincipal, IdempotencyDep, Paging, page_body, paging_binding
from functions.http.fields import PathId
from functions.http.onboarding_models import ProviderIn
from functions.http.schemas import problems
from shared.services.errors import ServiceError

router = APIRouter(tags=["providers"])
log = logging.getLogger(__name__)


def register_webhook(container: Any, provider: Any) -> None:
    """Best effort right away; the relationship sweep registers it later if Partner Center was unavailable."""
    try:
        container.events.ensure_registration(provider)
    except Exception as error:  # noqa: BLE001
        log.warning("webhook registration of provider %s deferred to the sweep: %s", provider.id, error)


class ProviderOut(BaseModel):
    id: str
    name: str
    partnerId: str | None
    status: str
    consentUrl: str | None = None
    tenantId: str
    clientId: str
    companyName: str | None = None
    consentGranted: bool
    createdAt: str
    updatedAt: str


class ProviderPage(BaseModel):
    items: list[ProviderOut]
    continuationToken: str | None


@router.post("/providers", status_code=201, response_model=ProviderOut, responses=problems(400, 401, 403, 409, 422))
def enroll_provider(
    body: ProviderIn, principal: CurrentPrincipal, container: ContainerDep, idempotency: IdempotencyDep
) -> Any:
    """Operator only. Verifies the app with Partner Center; a refused app is a 422 and nothing is kept."""

    def create() -> JSONResponse:
        app = body.partnerCenter
        provider = container.enrollment.enroll(
            principal,
            name=body.name,
            tenant_id=app.tenantId.lower(),
            client_id=app.clientId.lower(),
            client_secret_ref=app.clientSecretRef,
            refresh_token_ref=app.refreshTokenRef,
        )
        answer = provider.to_json()
        if provider.status.value == "enrolled":
            register_webhook(container, provider)
        if provider.status.value == "consentRequired":
            answer["consentUrl"] = container.enrollment.consent_url(principal, provider.id)
        return JSONResponse(answer, status_code=201, headers={"Location": f"/api/providers/{provider.id}"})

    return idempotency.respond(create)


@router.get("/providers", response_model=ProviderPage, responses=problems(400, 401, 403))
def list_providers(principal: CurrentPrincipal, container: ContainerDep, paging: Paging) -> dict[str, Any]:
    """The operator sees every provider; provider staff their own."""
    binding = paging_binding(principal, "providers")
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding) or {}
    start = int(position.get("offset", "0"))
    providers = sorted(container.enrollment.list(principal), key=lambda p: (p.created_at, p.id))
    window = providers[start : start + paging.limit]
    following = {"offset": str(start + paging.limit)} if start + paging.limit < len(providers) else None
    return page_body([p.to_json() for p in window], container.continuation_tokens.encode(following, binding=binding))


@router.get(
    "/providers/consent/callback",
    response_model=ProviderOut,
    responses={
        **problems(400, 422),
        302: {"description": "A browser (Accept: text/html) goes back to the console's provider page with the outcome"},
    },
)
def consent_callback(
    request: Request,
    container: ContainerDep,
    state: Annotated[str, Query(min_length=1, max_length=4096)],
    code: Annotated[str | None, Query(max_length=8192)] = None,
    error: Annotated[str | None, Query(max_length=256)] = None,
    error_description: Annotated[str | None, Query(max_length=2048)] = None,
) -> Any:
    """The authority's redirect after a partner admin consented: no bearer token, the signed state is the proof.
    A browser is sent back to the console's page of the provider with what happened; an API client gets JSON."""
    if not wants_html(request):
        provider = container.enrollment.complete_consent(
            state=state, code=code, error=error, error_description=error_description
        )
        return provider.to_json()
    provider_id = container.enrollment.provider_of_consent_state(state)
    page = f"/providers/{quote(provider_id, safe='')}" if provider_id else "/providers"
    try:
        provider = container.enrollment.complete_consent(
            state=state, code=code, error=error, error_description=error_description
        )
    except ServiceError as refused:
        return RedirectResponse(f"{page}?{urlencode({'consent': 'failed', 'detail': refused.detail})}", 302)
    return RedirectResponse(f"/providers/{quote(provider.id, safe='')}?consent={provider.status.value}", 302)


def wants_html(request: Request) -> bool:
    """A person's browser navigating (it asks for HTML first), not a script asking for JSON."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split(",")[0]


class ConsentUrlOut(BaseModel):
    consentUrl: str


class ResellerCounts(BaseModel):
    invited: int
    active: int
    ended: int
    expired: int


class CustomerCounts(ResellerCounts):
    creating: int
    failed: int


class LastBillingRun(BaseModel):
    id: str
    period: str
    kind: str
    status: str
    discrepancies: int
    completedAt: str | None


class ProviderSummaryOut(BaseModel):
    providerId: str
    resellers: ResellerCounts
    customers: CustomerCounts
    ordersInFlight: int
    lastBillingRun: LastBillingRun | None


@router.get(
    "/providers/{provider_id}/summary",
    response_model=ProviderSummaryOut,
    response_model_exclude_none=False,
    responses=problems(401, 403, 404),
)
def provider_summary(provider_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> Any:
    """The console's dashboard: resellers and customers by status, orders in flight (waiting for approval or
    provisioning), the last billing run with its discrepancy count. The operator and the provider's staff."""
    return container.provider_summary.summary(principal, provider_id)


@router.post("/providers/{provider_id}/disable", response_model=ProviderOut, responses=problems(401, 403, 404))
def disable_provider(provider_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> Any:
    """Operator only: stops the provider (nothing synced, billed or sold) and frees its Partner Center tenant and
    app for another enrollment; its webhook registration is removed. Audited; disabling twice changes nothing."""
    return container.enrollment.disable(principal, provider_id).to_json()


@router.get("/providers/{provider_id}", response_model=ProviderOut, responses=problems(401, 403, 404))
def get_provider(provider_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> dict[str, Any]:
    provider = container.enrollment.get(principal, provider_id)
    return provider.to_json()


@router.get(
    "/providers/{provider_id}/consent",
    status_code=302,
    response_class=RedirectResponse,
    responses={
        302: {"description": "To the authority's authorize URL"},
        200: {"model": ConsentUrlOut, "description": "With Accept: application/json, the URL to send the browser to"},
        **problems(401, 403, 404, 409),
    },
)
def start_consent(provider_id: PathId, request: Request, principal: CurrentPrincipal, container: ContainerDep) -> Any:
    """A partner admin signs in with MFA and consents; the callback completes the enrollment. A front end that
    holds the bearer token asks for JSON (a browser cannot follow a redirect it fetched cross-origin)."""
    url = container.enrollment.consent_url(principal, provider_id)
    if request.headers.get("accept", "").split(",")[0].strip().startswith("application/json"):
        return JSONResponse(ConsentUrlOut(consentUrl=url).model_dump(), headers={"Cache-Control": "no-store"})
    return RedirectResponse(url, status_code=302)
