"""Partner Center events already received, per provider: a replayed event is answered but not queued again.

Partner Center's event body has no id: its identity is (EventName, ResourceUri, ResourceChangeUtcDate) (10.3).
A record is kept for a week (Partner Center's retries and validation attempts span days, not weeks), then purged.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.core.exceptions import ResourceNotFoundError

from shared.storage.tables import TableStorage, safe_key

TABLE = "webhookEvents"
KEPT_FOR = timedelta(days=7)


def event_identity(event_name: str, resource_uri: str | None, changed_at: str | None, raw_hash: str) -> str:
    """The key of an event: its name, resource and change time; the raw body's hash when it has no time."""
    if not changed_at:
        return f"raw-{raw_hash}"
    joined = "\n".join((event_name.lower(), (resource_uri or "").lower(), changed_at))
    return hashlib.sha256(joined.encode()).hexdigest()


class ReceivedEvents:
    def __init__(self, storage: TableStorage, *, kept_for: timedelta = KEPT_FOR) -> None:
        self._storage = storage
        self._kept_for = kept_for

    @property
    def _table(self) -> Any:
        return self._storage.table(TABLE)

    def seen(self, provider_id: str, identity: str, now: datetime | None = None) -> bool:
        """Whether this provider received the event within the last week."""
        try:
            row = self._table.get_entity(safe_key(provider_id), identity)
        except ResourceNotFoundError:
            return False
        expires = row.get("expiresAt")
        return expires is None or expires > (now or datetime.now(UTC))

    def record(self, provider_id: str, identity: str, event_name: str, now: datetime | None = None) -> None:
        """Recorded once the event is durably queued (a crash before this only means it is queued again)."""
        moment = now or datetime.now(UTC)
        self._table.upsert_entity({
            "PartitionKey": safe_key(provider_id), "RowKey": identity, "eventName": event_name[:200],
            "receivedAt": moment, "expiresAt": moment + self._kept_for,
        })  # fmt: skip

    def purge_expired(self, now: datetime | None = None) -> int:
        table = self._table
        removed = 0
        for entity in table.query_entities(
            "expiresAt lt @cutoff", parameters={"cutoff": now or datetime.now(UTC)}, select=["PartitionKey", "RowKey"]
        ):
            try:
                table.delete_entity(entity["PartitionKey"], entity["RowKey"])
                removed += 1
            except ResourceNotFoundError:
                pass
        return removed


__all__ = ["KEPT_FOR", "ReceivedEvents", "event_identity"]
