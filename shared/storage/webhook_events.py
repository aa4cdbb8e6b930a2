"""Partner Center events already received, per provider: a replayed event is answered but not queued again.

Partner Center's event body has no id: its identity is (EventName, ResourceUri, ResourceChangeUtcDate).
A record is kept for a week (Partner Center's retries and validation attempts span days, not weeks), then purged.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.storage.tables import TableStorage, safe_key

TABLE = "webhookEvents"
KEPT_FOR = timedelta(days=7)
# A claim older than this whose event is still not queued was left by a delivery that died: another takes over.
CLAIM_STALE_AFTER = timedelta(minutes=2)


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

    def claim(self, provider_id: str, identity: str, event_name: str, now: datetime | None = None) -> str:
        """Claims the event for queueing, atomically (insert-if-absent; If-Match to take over a stale claim).

        Answers "claimed" (this delivery queues it, then calls `record`), "queued" (received before: a replay) or
        "busy" (another delivery claimed it moments ago and is queueing it: Partner Center should retry later,
        so a claimer that crashed before queueing never loses the event)."""
        moment = now or datetime.now(UTC)
        row = {"PartitionKey": safe_key(provider_id), "RowKey": identity, "eventName": event_name[:200],
               "status": "claimed", "claimedAt": moment, "expiresAt": moment + self._kept_for}  # fmt: skip
        for _ in range(5):
            try:
                self._table.create_entity(row)
                return "claimed"
            except ResourceExistsError:
                pass
            try:
                current = self._table.get_entity(row["PartitionKey"], identity)
            except ResourceNotFoundError:
                continue  # purged in between: claim it afresh
            expired = current.get("expiresAt") is not None and current["expiresAt"] <= moment
            if current.get("status", "queued") == "queued" and not expired:
                return "queued"
            claimed_at = current.get("claimedAt")
            if not expired and claimed_at is not None and claimed_at > moment - CLAIM_STALE_AFTER:
                return "busy"
            try:  # a stale claim (its claimer died before queueing) or an expired record: take it over
                self._table.update_entity(row, mode=UpdateMode.REPLACE, etag=current.metadata["etag"],
                                          match_condition=MatchConditions.IfNotModified)  # fmt: skip
                return "claimed"
            except ResourceModifiedError:
                continue
        return "busy"

    def record(self, provider_id: str, identity: str, event_name: str, now: datetime | None = None) -> None:
        """The claimed event is durably queued (a crash before this only means it is queued again, and the
        queue's deterministic message id drops the second copy where the queue can)."""
        moment = now or datetime.now(UTC)
        self._table.upsert_entity({
            "PartitionKey": safe_key(provider_id), "RowKey": identity, "eventName": event_name[:200],
            "status": "queued", "receivedAt": moment, "expiresAt": moment + self._kept_for,
        })  # fmt: skip

    def hint_due(self, provider_id: str, hint: str, window: timedelta, now: datetime | None = None) -> bool:
        """Whether a hinted action for this provider may run now (none ran within `window`); taking it is atomic,
        so of concurrent hints one runs."""
        moment = now or datetime.now(UTC)
        row = {"PartitionKey": safe_key(provider_id), "RowKey": f"hint|{hint}", "lastAt": moment,
               "expiresAt": moment + self._kept_for}  # fmt: skip
        try:
            self._table.create_entity(row)
            return True
        except ResourceExistsError:
            pass
        current = self._table.get_entity(row["PartitionKey"], row["RowKey"])
        if current.get("lastAt") is not None and current["lastAt"] > moment - window:
            return False
        try:
            self._table.update_entity(row, mode=UpdateMode.REPLACE, etag=current.metadata["etag"],
                                      match_condition=MatchConditions.IfNotModified)  # fmt: skip
        except ResourceModifiedError:
            return False
        return True

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
