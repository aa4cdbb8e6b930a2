"""The audit trail: append-only, newest first per entity, with the entity's scope on every row."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson

from shared.domain.audit import AuditEntry
from shared.domain.scope import OrgRef, OrgType, Principal
from shared.storage.snapshot import snapshot
from shared.storage.tables import Page, TableStorage, odata_quote, query_page, safe_key

TABLE = "audit"
FEED = "auditfeed"  # the same entries by scope and day, newest first: the feed by time range and actor
_MAX_SNAPSHOT_CHARS = 30_000  # a string property holds at most 32K characters
_FAR_FUTURE_MS = 10**13


def _snapshot(value: Any) -> str:
    text = orjson.dumps(snapshot(value)).decode()
    if len(text) > _MAX_SNAPSHOT_CHARS:
        return orjson.dumps({"truncated": True, "head": text[:_MAX_SNAPSHOT_CHARS]}).decode()
    return text


def _from_entity(entity: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        entry_id=entity["RowKey"],
        at=entity["at"],
        actor_id=entity["actorId"],
        actor_org=entity["actorOrg"],
        action=entity["action"],
        entity_type=entity["entityType"],
        entity_id=entity["entityId"],
        org=OrgRef(
            org_type=OrgType(entity["orgType"]),
            org_id=entity["orgId"],
            provider_id=entity.get("providerId") or None,
            reseller_id=entity.get("resellerId") or None,
        ),
        before=orjson.loads(entity["before"]),
        after=orjson.loads(entity["after"]),
    )


class AuditLog:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    def record(
        self,
        *,
        actor: Principal | str,
        action: str,
        entity_type: str,
        entity_id: str,
        org: OrgRef,
        before: Any,
        after: Any,
        at: datetime | None = None,
    ) -> AuditEntry:
        """Appends one entry; `actor` is the member who acted, or a system process's name. `before` and `after`
        are domain values (or mappings of them), recorded as `snapshot` writes them."""
        when = at or datetime.now(UTC)
        row_key = f"{_FAR_FUTURE_MS - int(when.timestamp() * 1000):013d}-{uuid.uuid4().hex[:12]}"
        actor_id = actor if isinstance(actor, str) else actor.user_id
        actor_org = "system" if isinstance(actor, str) else actor.org.key
        entity = {
            "PartitionKey": safe_key(entity_id),
            "RowKey": row_key,
            "at": when,
            "actorId": actor_id,
            "actorOrg": actor_org,
            "action": action,
            "entityType": entity_type,
            "entityId": entity_id,
            "orgType": org.org_type.value,
            "orgId": org.org_id,
            "providerId": org.provider_id or "",
            "resellerId": org.reseller_id or "",
            "before": _snapshot(before),
            "after": _snapshot(after),
        }
        self._storage.table(TABLE).create_entity(entity)
        self._storage.table(FEED).create_entity({**entity, "PartitionKey": feed_partition(feed_scope(org), when)})
        return _from_entity(entity)

    def page_feed(
        self,
        scope: str,
        *,
        since: datetime,
        until: datetime,
        limit: int,
        position: dict[str, str] | None,
        actor_id: str | None = None,
        org_id: str | None = None,
        reseller_id: str | None = None,
    ) -> tuple[list[AuditEntry], dict[str, str] | None]:
        """A scope's entries between two moments, newest first; narrowed to an actor, an organisation, or a
        reseller and its customers."""
        clauses = [
            f"PartitionKey ge {odata_quote(feed_partition(scope, until))}",
            f"PartitionKey le {odata_quote(feed_partition(scope, since))}",
            "at ge @since",
            "at lt @until",
        ]
        if actor_id:
            clauses.append(f"actorId eq {odata_quote(actor_id)}")
        if org_id:
            clauses.append(f"orgId eq {odata_quote(org_id)}")
        if reseller_id:
            clauses.append(f"(resellerId eq {odata_quote(reseller_id)} or orgId eq {odata_quote(reseller_id)})")
        page: Page = query_page(
            self._storage.table(FEED),
            query_filter=" and ".join(clauses),
            parameters={"since": since, "until": until},
            limit=limit,
            position=position,
        )
        return [_from_entity(e) for e in page.items], page.next_position

    def page_for_entity(
        self, entity_id: str, *, limit: int, position: dict[str, str] | None
    ) -> tuple[list[AuditEntry], dict[str, str] | None]:
        page: Page = query_page(
            self._storage.table(TABLE),
            query_filter=f"PartitionKey eq {odata_quote(safe_key(entity_id))}",
            limit=limit,
            position=position,
        )
        return [_from_entity(e) for e in page.items], page.next_position


def feed_scope(org: OrgRef) -> str:
    """The provider an entry belongs under (its own id for a provider), or "platform" for the operator's."""
    if org.org_type is OrgType.PROVIDER:
        return org.org_id
    return org.provider_id or "platform"


def feed_partition(scope: str, when: datetime) -> str:
    """One partition per scope and day, later days sorting first (so a range reads newest first)."""
    day = int(when.astimezone(UTC).strftime("%Y%m%d"))
    return safe_key(f"{scope}|{99999999 - day:08d}")
