"""Resellers: invitations, reads and relationship checks (docs/api-guide.md#resellers)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from functions.http.deps import ContainerDep, CurrentPrincipal, IdempotencyDep, Paging, page_body, paging_binding
from functions.http.fields import PathId
from functions.http.onboarding_models import ResellerInvitationIn
from functions.http.schemas import problems

router = APIRouter(tags=["resellers"])

ResellerStatus = Literal["invited", "active", "ended", "expired"]


class ResellerOut(BaseModel):
    id: str
    providerId: str
    name: str
    partnerId: str
    tenantId: str | None
    contactEmail: str
    status: ResellerStatus
    invitationUrl: str
    invitedAt: str
    expiresAt: str
    activatedAt: str | None
    endedAt: str | None
    lastCheckedAt: str | None
    lastCheckResult: str | None = Field(default=None, description='What the last check found (e.g. "still active").')
    nextCheckAt: str | None
    updatedAt: str


class ResellerInvitationOut(ResellerOut):
    resellerId: str


class ResellerPage(BaseModel):
    items: list[ResellerOut]
    continuationToken: str | None


@router.post(
    "/reseller-invitations",
    status_code=201,
    response_model=ResellerInvitationOut,
    responses=problems(400, 401, 403, 409, 422),
)
def invite_reseller(
    body: ResellerInvitationIn, principal: CurrentPrincipal, container: ContainerDep, idempotency: IdempotencyDep
) -> Any:
    """Provider staff. The reseller is invited until Partner Center lists it; a check is queued."""

    def create() -> JSONResponse:
        reseller = container.relationships.invite_reseller(
            principal, partner_id=body.partnerId, name=body.name, contact_email=body.contactEmail
        )
        return JSONResponse(
            {"resellerId": reseller.id, **reseller.to_json()},
            status_code=201,
            headers={"Location": f"/api/resellers/{reseller.id}"},
        )

    return idempotency.respond(create)


@router.get("/resellers", response_model=ResellerPage, responses=problems(400, 401, 403, 404))
def list_resellers(
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    status: Annotated[ResellerStatus | None, Query()] = None,
    provider_id: Annotated[
        str | None, Query(alias="providerId", max_length=128, description="Operator only: whose resellers.")
    ] = None,
) -> dict[str, Any]:
    binding = paging_binding(principal, "resellers", status=status, providerId=provider_id)
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.relationships.list_resellers(
        principal, provider_id=provider_id, status=status, limit=paging.limit, position=position
    )
    return page_body([r.to_json() for r in items], container.continuation_tokens.encode(following, binding=binding))


@router.get("/resellers/{reseller_id}", response_model=ResellerOut, responses=problems(401, 403, 404))
def get_reseller(reseller_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> dict[str, Any]:
    return container.relationships.reseller(principal, reseller_id).to_json()


@router.post(
    "/resellers/{reseller_id}/relationship-check",
    status_code=202,
    response_model=ResellerOut,
    responses=problems(401, 403, 404),
)
def check_reseller(reseller_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> Any:
    """Provider staff: queues a check now."""
    return JSONResponse(
        container.relationships.request_reseller_check(principal, reseller_id).to_json(), status_code=202
    )
