"""GET /api/audit?entityId=: the audit trail of one entity, for admins who can see it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from functions.http.deps import ContainerDep, CurrentPrincipal, Paging, page_body, paging_binding
from functions.http.schemas import problems
from shared.domain.scope import Decision, may_read_audit
from shared.services.errors import Forbidden, NotFound

router = APIRouter(tags=["audit"])


class AuditEntryOut(BaseModel):
    id: str
    at: str
    actorId: str
    actorOrg: str
    action: str
    entityType: str
    entityId: str
    orgType: str
    orgId: str
    before: Any = None
    after: Any = None


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    continuationToken: str | None


@router.get("/audit", response_model=AuditPage, responses=problems(400, 401, 403, 404))
def read_audit(
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    entity_id: Annotated[str, Query(alias="entityId", min_length=1, max_length=256)],
) -> dict[str, Any]:
    """Newest first. Entries outside the caller's scope are never shown; none visible is a 404."""
    binding = paging_binding(principal, "audit", entityId=entity_id)
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    entries, next_position = container.audit.page_for_entity(entity_id, limit=paging.limit, position=position)
    # An entity's entries all carry that entity's organisation, so one decision covers the page.
    decision = may_read_audit(principal, entries[0].org) if entries else Decision.NOT_FOUND
    if decision is Decision.NOT_FOUND:
        raise NotFound(f"no audit entries for {entity_id}")
    if decision is Decision.FORBIDDEN:
        raise Forbidden("only admins read the audit trail")
    visible = [e for e in entries if may_read_audit(principal, e.org) is Decision.ALLOWED]
    return page_body(
        [e.to_json() for e in visible], container.continuation_tokens.encode(next_position, binding=binding)
    )
