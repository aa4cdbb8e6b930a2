"""Resellers: invitations, reads and relationship checks (docs/api-guide.md#resellers)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from functions.http.deps import ContainerDep, CurrentPrincipal, IdempotencyDep, Paging, paging_binding
from functions.http.fields import PathId
from functions.http.relationship_models import OffboardIn, ResellerInvitationIn, ResellerPatch
from functions.http.responses import answer, moment, resource_router
from functions.http.schemas import problems
from shared.domain.relationships import PENDING, Customer, Reseller

router = resource_router(tags=["resellers"])

ResellerStatus = Literal["invited", "active", "ended", "expired"]
# A list filter written true or false (not 1, yes or on): the continuation token is bound to the same spelling.
StrictQueryFlag = Literal["true", "false"]
OFFBOARDED_FILTER = "true: only offboarded records; false: only those in business; not given: both."


def query_flag(value: StrictQueryFlag | None) -> bool | None:
    """The filter as the service takes it: None when not given."""
    return None if value is None else value == "true"


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
    lastCheckResult: str | None = Field(description='What the last check found (e.g. "still active").')
    nextCheckAt: str | None = Field(description="When the relationship is looked for next, while it is pending.")
    offboardedAt: str | None = Field(default=None, description="When the provider offboarded it; null: in business.")
    offboardedBy: str | None = Field(default=None, description="The member who offboarded it.")
    offboardingReason: str | None = Field(default=None, description="Why, as given when it was offboarded.")
    flag: str | None = Field(
        default=None,
        description='"partnerAgreementMissing": Partner Center says the reseller has not signed the Microsoft Partner '
        "Agreement; it cannot be partner of record (orders for its customers are 409) until a relationship check "
        "sees it signed. null: nothing to act on.",
    )
    updatedAt: str

    @classmethod
    def fields_of(cls, reseller: Reseller) -> dict[str, Any]:
        return dict(
            id=reseller.id, providerId=reseller.provider_id, name=reseller.name, partnerId=reseller.partner_id,
            tenantId=reseller.tenant_id, contactEmail=reseller.contact_email, status=reseller.status.value,
            invitationUrl=reseller.invitation_url, invitedAt=reseller.invited_at.isoformat(),
            expiresAt=reseller.expires_at.isoformat(), activatedAt=moment(reseller.activated_at),
            endedAt=moment(reseller.ended_at), flag=reseller.flag, updatedAt=reseller.updated_at.isoformat(),
            **check_fields(reseller),
            **offboarding_fields(reseller),
        )  # fmt: skip

    @classmethod
    def of(cls, reseller: Reseller) -> ResellerOut:
        return cls(**cls.fields_of(reseller))


def check_fields(relationship: Reseller | Customer) -> dict[str, str | None]:
    """Where looking for a relationship in Partner Center stands; the next look only while it is pending."""
    check = relationship.check
    return dict(lastCheckedAt=moment(check.last_at), lastCheckResult=check.last_result,
                nextCheckAt=moment(check.next_at) if relationship.status in PENDING else None)  # fmt: skip


def offboarding_fields(record: Reseller | Customer) -> dict[str, str | None]:
    """Whether the provider offboarded it, when, by whom and why (docs/business.md#offboarding)."""
    done = record.offboarding
    return dict(offboardedAt=moment(done.at) if done else None, offboardedBy=done.by if done else None,
                offboardingReason=done.reason if done else None)  # fmt: skip


class ResellerInvitationOut(ResellerOut):
    resellerId: str

    @classmethod
    def of(cls, reseller: Reseller) -> ResellerInvitationOut:
        return cls(resellerId=reseller.id, **cls.fields_of(reseller))


class ResellerPage(BaseModel):
    items: list[ResellerOut]
    continuationToken: str | None


@router.post(
    "/reseller-invitations",
    status_code=201,
    response_model=ResellerInvitationOut,
    responses=problems(400, 401, 403, 409, 422, 503),
)
def invite_reseller(
    body: ResellerInvitationIn, principal: CurrentPrincipal, container: ContainerDep, idempotency: IdempotencyDep
) -> Any:
    """Provider staff. Partner Center must know the partner ID (else 422 on partnerId, nothing stored); one that has
    not signed the Microsoft Partner Agreement is invited with flag partnerAgreementMissing. 503 when Partner Center
    cannot be asked. The reseller is invited until Partner Center lists it; a check is queued."""

    def create() -> JSONResponse:
        reseller = container.relationship_service.invite_reseller(
            principal, partner_id=body.partnerId, name=body.name, contact_email=body.contactEmail
        )
        return answer(
            ResellerInvitationOut.of(reseller),
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
    offboarded: Annotated[StrictQueryFlag | None, Query(description=OFFBOARDED_FILTER)] = None,
) -> ResellerPage:
    binding = paging_binding(principal, "resellers", status=status, providerId=provider_id, offboarded=offboarded)
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    items, following = container.relationship_service.list_resellers(
        principal,
        provider_id=provider_id,
        status=status,
        limit=paging.limit,
        position=position,
        offboarded=query_flag(offboarded),
    )
    return ResellerPage(
        items=[ResellerOut.of(r) for r in items],
        continuationToken=container.continuation_tokens.encode(following, binding=binding),
    )


@router.get("/resellers/{reseller_id}", response_model=ResellerOut, responses=problems(401, 403, 404))
def get_reseller(reseller_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> ResellerOut:
    return ResellerOut.of(container.relationship_service.reseller(principal, reseller_id))


@router.patch("/resellers/{reseller_id}", response_model=ResellerOut, responses=problems(400, 401, 403, 404, 422))
def patch_reseller(
    reseller_id: PathId, body: ResellerPatch, principal: CurrentPrincipal, container: ContainerDep
) -> ResellerOut:
    """Provider staff: its name and contact e-mail; the reseller's own admins: its contact e-mail only (audited)."""
    return ResellerOut.of(
        container.relationship_service.edit_reseller(
            principal, reseller_id, name=body.name, contact_email=body.contactEmail
        )
    )


@router.post(
    "/resellers/{reseller_id}/offboard",
    response_model=ResellerOut,
    responses=problems(400, 401, 403, 404, 409, 422),
)
def offboard_reseller(
    reseller_id: PathId, principal: CurrentPrincipal, container: ContainerDep, body: OffboardIn | None = None
) -> ResellerOut:
    """Provider staff, once none of its customers is still on (409 naming how many are): no new customers under it;
    its record and billing history stay readable (audited)."""
    reason = body.reason if body else None
    return ResellerOut.of(container.relationship_service.offboard_reseller(principal, reseller_id, reason=reason))


@router.post("/resellers/{reseller_id}/restore", response_model=ResellerOut, responses=problems(401, 403, 404, 409))
def restore_reseller(reseller_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> ResellerOut:
    """Provider staff: back in business (409 when it is not offboarded); its customers are restored one by one."""
    return ResellerOut.of(container.relationship_service.restore_reseller(principal, reseller_id))


@router.post(
    "/resellers/{reseller_id}/relationship-check",
    status_code=202,
    response_model=ResellerOut,
    responses=problems(401, 403, 404),
)
def check_reseller(reseller_id: PathId, principal: CurrentPrincipal, container: ContainerDep) -> ResellerOut:
    """Provider staff: queues a check now (it also reads the Microsoft Partner Agreement status again)."""
    return ResellerOut.of(container.relationship_service.request_reseller_check(principal, reseller_id))
