"""Consent states: each issued once, consumed once, so a replayed callback is refused."""

from __future__ import annotations

from datetime import UTC, datetime

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.storage.tables import TableStorage, safe_key

TABLE = "consentstates"
_ROW = "state"


class ConsentStateStore:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    def create(self, nonce: str, provider_id: str, expires_at: datetime) -> None:
        self._storage.table(TABLE).create_entity(
            {"PartitionKey": safe_key(nonce), "RowKey": _ROW, "providerId": provider_id, "expiresAt": expires_at}
        )

    def consume(self, nonce: str) -> str | None:
        """The provider the state was issued for, once; None when unknown, used or expired."""
        table = self._storage.table(TABLE)
        try:
            row = table.get_entity(safe_key(nonce), _ROW)
            if row.get("usedAt") is not None:
                return None
            # Marked used under If-Match: of two racing callbacks only one wins.
            table.update_entity(
                {**row, "usedAt": datetime.now(UTC)},
                mode=UpdateMode.REPLACE,
                etag=row.metadata["etag"],
                match_condition=MatchConditions.IfNotModified,
            )
        except (ResourceNotFoundError, ResourceModifiedError):
            return None
        if row["expiresAt"] < datetime.now(UTC):
            return None
        return str(row["providerId"])
