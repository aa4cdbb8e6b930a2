"""Providers: enrollment of a Partner Center app and its delegated consent (docs/api-guide.md#providers)."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from functions.http.deps import ContainerDep, CurrentPrincipal, IdempotencyDep, Paging, paging_binding
from functions.http.fields import PathId
from functions.http.relationship_models import ProviderIn
from functions.http.responses import answer, resource_router
from functions.http.schemas import problems
from shared.domain.relationships import Provider
from shared.services.dashboard import Summary
from shared.services.errors import ServiceError
from shared.storage.billing import BillingRun

router = resource_router(tags=["providers"])
log = logging.getLogger(__name__)


def register_webhook(container: Any, provider: Any) -> None:
    """Best effort right away; the relationship sweep registers it later if Partner Center was unavailable."""
    try:
        container.event_service.ensure_registration(provider)
    except Exception as error:  # noqa: BLE001
        log.warning("webhook registration of provider %s deferred to the sweep: %s", provider.id, error)


class ProviderOut(BaseModel):
    id: str
    name: str
    partnerId: str | None
    status: Literal["consentRequired", "enrolled", "disabled"]
    consentUrl: str | None = Field(
        default=None, description="Only in the enrollment's answer, when a partner admin's consent is still needed."
    )
    tenantId: str
    clientId: str
    companyName: str | None
    consentGranted: bool
    createdAt: str
    updatedAt: str

    @classmethod
    def of(cls, provider: Provider, *, consent_url: str | None = None) -> ProviderOut:
        extra = {} if consent_url is None else {"consentUrl": consent_url}
        return cls(id=provider.id, name=provider.name, partnerId=provider.partner_id, status=provider.status.value,
                   tenantId=provider.tenant_id, clientId=provider.client_id, companyName=provider.company_name,
                   consentGranted=provider.refresh_token_ref is not None, createdAt=provider.created_at.isoformat(),
                   updatedAt=provider.updated_at.isoformat(), **extra)  # fmt: skip


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
        provider = container.enrollment_service.enroll(
            principal,
            name=body.name,
            tenant_id=app.tenantId.lower(),
            client_id=app.clientId.lower(),
            client_secret_ref=app.clientSecretRef,
            refresh_token_ref=app.refreshTokenRef,
        )
        if provider.status.value == "enrolled":
            register_webhook(container, provider)
        consent_url = None
        if provider.status.value == "consentRequired":
            consent_url = container.enrollment_service.consent_url(principal, provider.id)
        return answer(ProviderOut.of(provider, consent_url=consent_url), status_code=201,
                      headers={"Location": f"/api/providers/{provider.id}"})  # fmt: skip

    return idempotency.respond(create)


@router.get("/providers", response_model=ProviderPage, responses=problems(400, 401, 403))
def list_providers(principal: CurrentPrincipal, container: ContainerDep, paging: Paging) -> ProviderPage:
    """The operator sees every provider; provider staff their own."""
    binding = paging_binding(principal, "providers")
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding) or {}
    start = int(position.get("offset", "0"))
    providers = sorted(container.enrollment_service.list(principal), key=lambda p: (p.created_at, p.id))
    window = providers[start : start + paging.limit]
    following = {"offset": str(start + paging.limit)} if start + paging.limit < len(providers) else None
    return ProviderPage(
        items=[ProviderOut.of(p) for p in window],
        continuationToken=container.continuation_tokens.encode(following, binding=binding),
    )


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
        provider = container.enrollment_service.complete_consent(
            state=state, code=code, error=error, error_description=error_description
        )
        return ProviderOut.of(provider)
    provider_id = container.enrollment_service.provider_of_consent_state(state)
    page = f"/providers/{quote(provider_id, safe='')}" if provider_id else "/providers"
    try:
        provider = container.enrollment_service.complete_consent(
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
    discrepancies: int = Field(description="Found by the run once it completed; 0 before.")
    completedAt: str | None

    @classmethod
    def of(cls, run: BillingRun) -> LastBillingRun:
        completed = run.status == "completed"
        return cls(id=run.id, period=run.period, kind=run.kind, status=run.status,
                   discrepancies=int(run.counts.get("discrepancies", 0)) if completed else 0,
                   completedAt=run.completed_at.isoformat() if run.completed_at else None)  # fmt: skip


class ProviderSummaryOut(BaseModel):
    providerId: str
    resellers: ResellerCounts
    customers: CustomerCounts
    ordersInFlight: int
    lastBillingRun: LastBillingRun | None

    @classmethod
    def of(cls, summary: Summary) -> ProviderSummaryOut:
        last = summary.last_billing_run
        return cls(providerId=summary.provider_id, resellers=ResellerCounts(**summary.resellers),
                   customers=CustomerCounts(**summary.customers), ordersInFlight=summary.orders_in_flight,
                   lastBillingRun=None if last is None else LastBillingRun.of(last))  # fmt: skip


@router.get(
    "/providers/{provider_id}/summary",
    response_model=ProviderSummaryOut,
    responses=problems(401, 403, 404),
)
def provider_summary(provider_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> ProviderSummaryOut:
    """The console's dashboard: resellers and customers by status, orders in flight (waiting for approval or
    provisioning), the last billing run with its discrepancy count. The operator and the provider's staff."""
    return ProviderSummaryOut.of(container.provider_summary.summary(principal, provider_id))


@router.post("/providers/{provider_id}/disable", response_model=ProviderOut, responses=problems(401, 403, 404))
def disable_provider(provider_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> ProviderOut:
    """Operator only: stops the provider (nothing synced, billed or sold) and frees its Partner Center tenant and
    app for another enrollment; its webhook registration is removed. Audited; disabling twice changes nothing."""
    return ProviderOut.of(container.enrollment_service.disable(principal, provider_id))


@router.get("/providers/{provider_id}", response_model=ProviderOut, responses=problems(401, 403, 404))
def get_provider(provider_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> ProviderOut:
    return ProviderOut.of(container.enrollment_service.get(principal, provider_id))


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
    url = container.enrollment_service.consent_url(principal, provider_id)
    if request.headers.get("accept", "").split(",")[0].strip().startswith("application/json"):
        return answer(ConsentUrlOut(consentUrl=url), headers={"Cache-Control": "no-store"})
    return RedirectResponse(url, status_code=302)
