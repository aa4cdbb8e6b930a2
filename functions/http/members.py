"""GET /api/me and the members of organisations: add, list, change role, remove."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from functions.http.deps import ContainerDep, CurrentPrincipal, IdempotencyDep
from functions.http.fields import PathId
from functions.http.responses import answer, resource_router
from functions.http.schemas import problems
from shared.domain.members import Member
from shared.domain.scope import OrgType, Role
from shared.services.errors import FieldError, Invalid

router = resource_router(tags=["members"])

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

    @classmethod
    def of(cls, member: Member) -> MemberOut:
        return cls(userId=member.user_id, orgType=member.org.org_type, orgId=member.org.org_id, role=member.role,
                   createdAt=member.created_at.isoformat(), createdBy=member.created_by)  # fmt: skip


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
        return answer(MemberOut.of(member), status_code=201)

    return idempotency.respond(create)


class MemberPage(BaseModel):
    items: list[MemberOut]


class MemberPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role = Field(description="A role of the member's own kind of organisation.")


@router.get("/members", response_model=MemberPage, responses=problems(400, 401, 403, 404, 422))
def list_members(
    principal: CurrentPrincipal,
    container: ContainerDep,
    org_type: Annotated[OrgType | None, Query(alias="orgType", description="Default: the caller's own.")] = None,
    org_id: Annotated[
        str | None, Query(alias="orgId", max_length=128, description="Default: the caller's own.")
    ] = None,
) -> MemberPage:
    """An organisation's members: its own members read them; those who may manage them (its admins, the admins
    above it, the operator) too."""
    if (org_type is None) != (org_id is None):
        raise Invalid("name both orgType and orgId, or neither", [FieldError("orgId", "goes with orgType")])
    kind, identifier = (org_type, org_id) if org_type and org_id else (principal.org.org_type, principal.org.org_id)
    members = container.member_service.list_members(principal, kind, identifier)
    return MemberPage(items=[MemberOut.of(member) for member in members])


@router.patch("/members/{user_id}", response_model=MemberOut, responses=problems(400, 401, 403, 404, 409, 422))
def change_member(
    user_id: PathId, body: MemberPatch, principal: CurrentPrincipal, container: ContainerDep
) -> MemberOut:
    """A new role for a member (audited); the last admin of an organisation keeps its role (409)."""
    return MemberOut.of(container.member_service.change_role(principal, user_id, body.role))


@router.delete("/members/{user_id}", status_code=204, responses=problems(401, 403, 404, 409))
def remove_member(user_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> Response:
    """Offboarding: the member is refused from its next request on (audited); the last admin stays (409)."""
    container.member_service.remove(principal, user_id)
    return Response(status_code=204)
