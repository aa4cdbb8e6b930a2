"""GET /api/audit: one entity's trail (?entityId=) or the feed of a scope by time range and actor, for admins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from functions.http.deps import ContainerDep, CurrentPrincipal, Paging, paging_binding
from functions.http.orders import TIER_FIELDS
from functions.http.responses import JsonValue, aware, resource_router
from functions.http.schemas import problems
from shared.domain.audit import AuditEntry
from shared.domain.scope import (
    Principal,
    audit_feed_scope,
    hide,
    may_choose_audit_feed,
    may_read_audit,
    may_read_audit_feed,
    tiers_visible_to,
)
from shared.services.errors import FieldError, Invalid, require

router = resource_router(tags=["audit"])


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
    before: JsonValue = Field(description="The entity before the change (null when it was created), as recorded.")
    after: JsonValue = Field(description="The entity after the change (null when it was removed), as recorded.")

    @classmethod
    def of(cls, entry: AuditEntry, reader: Principal) -> AuditEntryOut:
        """The entry as its reader may see it: prices of a tier above the reader's are left out of the snapshots."""
        hidden = _hidden_price_fields(reader)
        return cls(id=entry.entry_id, at=entry.at.isoformat(), actorId=entry.actor_id, actorOrg=entry.actor_org,
                   action=entry.action, entityType=entry.entity_type, entityId=entry.entity_id,
                   orgType=entry.org.org_type.value, orgId=entry.org.org_id,
                   before=_without(entry.before, hidden), after=_without(entry.after, hidden))  # fmt: skip


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    continuationToken: str | None


def _hidden_price_fields(reader: Principal) -> frozenset[str]:
    hidden = [TIER_FIELDS[tier] for tier in TIER_FIELDS if tier not in tiers_visible_to(reader)]
    return frozenset(hidden + [name + "Total" for name in hidden])


def _without(value: Any, hidden: frozenset[str]) -> Any:
    """The snapshot without the keys named, at any depth."""
    if not hidden:
        return value
    if isinstance(value, dict):
        return {key: _without(item, hidden) for key, item in value.items() if key not in hidden}
    if isinstance(value, list):
        return [_without(item, hidden) for item in value]
    return value


@router.get("/audit", response_model=AuditPage, responses=problems(400, 401, 403, 404, 422))
def read_audit(
    principal: CurrentPrincipal,
    container: ContainerDep,
    paging: Paging,
    entity_id: Annotated[
        str | None, Query(alias="entityId", min_length=1, max_length=256, description="One entity's trail.")
    ] = None,
    since: Annotated[
        datetime | None, Query(alias="from", description="The feed from this moment (default: 7 days ago).")
    ] = None,
    until: Annotated[
        datetime | None, Query(alias="to", description="The feed until this moment (default: now).")
    ] = None,
    actor_id: Annotated[str | None, Query(alias="actorId", min_length=1, max_length=256)] = None,
    provider_id: Annotated[
        str | None, Query(alias="providerId", max_length=128, description="Operator: whose feed (else the platform's).")
    ] = None,
) -> AuditPage:
    """Admins, newest first: one entity's trail (`entityId`), or the feed of everything in the caller's scope
    between `from` and `to` (at most 92 days), optionally by one actor. Entries outside the caller's scope are
    never shown; an entity with none visible is a 404."""
    if entity_id is None:
        return _feed(principal, container, paging, since, until, actor_id, provider_id)
    binding = paging_binding(principal, "audit", entityId=entity_id)
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    entries, next_position = container.audit.page_for_entity(entity_id, limit=paging.limit, position=position)
    # An entity's entries all carry that entity's organisation, so one decision covers the page.
    decision = may_read_audit(principal, entries[0].org, entries[0].entity_type) if entries else hide()
    require(decision, f"no audit entries for {entity_id}")
    visible = [e for e in entries if may_read_audit(principal, e.org, e.entity_type).allowed]
    if actor_id:
        visible = [e for e in visible if e.actor_id == actor_id]
    return AuditPage(
        items=[AuditEntryOut.of(e, principal) for e in visible],
        continuationToken=container.continuation_tokens.encode(next_position, binding=binding),
    )


MAX_FEED_SPAN = timedelta(days=92)


def _feed(
    principal: Any,
    container: Any,
    paging: Any,
    since: datetime | None,
    until: datetime | None,
    actor_id: str | None,
    provider_id: str | None,
) -> AuditPage:
    require(may_read_audit_feed(principal))
    end = aware(until) or datetime.now(UTC)
    start = aware(since) or end - timedelta(days=7)
    if start >= end or end - start > MAX_FEED_SPAN:
        raise Invalid("from must be before to, at most 92 days apart", [FieldError("from", "a range of up to 92 days")])
    require(may_choose_audit_feed(principal, provider_id), f"provider {provider_id} was not found")
    feed = audit_feed_scope(principal, provider_id)
    scope = feed.partition
    binding = paging_binding(principal, "auditFeed", scope=scope, since=start.isoformat(), until=end.isoformat(),
                             actorId=actor_id)  # fmt: skip
    position = container.continuation_tokens.decode(paging.continuation_token, binding=binding)
    entries, next_position = container.audit.page_feed(
        scope, since=start, until=end, limit=paging.limit, position=position, actor_id=actor_id,
        org_id=feed.org_id, reseller_id=feed.reseller_id,
    )  # fmt: skip
    visible = [e for e in entries if may_read_audit(principal, e.org, e.entity_type).allowed]
    return AuditPage(
        items=[AuditEntryOut.of(e, principal) for e in visible],
        continuationToken=container.continuation_tokens.encode(next_position, binding=binding),
    )
