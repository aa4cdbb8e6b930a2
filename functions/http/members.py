"""GET /api/me and POST /api/members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from functions.http.deps import ContainerDep, CurrentPrincipal, IdempotencyDep
from functions.http.schemas import problems
from shared.domain.scope import OrgType, Role

router = APIRouter(tags=["members"])

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$")]


class MeOut(BaseModel):
    userId: str
    tenantId: str | None = None
    orgType: OrgType
    orgId: str
    role: Role


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    userId: Identifier = Field(description="The user's Entra object id (the token's oid claim).")
    orgType: OrgType
    orgId: Identifier
    role: Role


class MemberOut(BaseModel):
    userId: str
    orgType: OrgType
    orgId: str
    role: Role
    createdAt: str
    createdBy: str


@router.get("/me", response_model=MeOut, responses=problems(401, 403))
def me(principal: CurrentPrincipal) -> MeOut:
    """Who the caller is on this platform."""
    return MeOut(
        userId=principal.user_id,
        tenantId=principal.tenant_id,
        orgType=principal.org.org_type,
        orgId=principal.org.org_id,
        role=principal.role,
    )


@router.post("/members", status_code=201, response_model=MemberOut, responses=problems(400, 401, 403, 404, 409, 422))
def add_member(
    body: MemberIn, principal: CurrentPrincipal, container: ContainerDep, idempotency: IdempotencyDep
) -> Response:
    """Admins add members to their own organisation; a provider admin may add the first admin of
    one of its resellers or customers; the operator may add anyone."""

    def create() -> JSONResponse:
        member = container.member_service.add_member(
            principal, user_id=body.userId, org_type=body.orgType, org_id=body.orgId, role=body.role
        )
        return JSONResponse(member.to_json(), status_code=201)

    return idempotency.respond(create)
