"""Idempotency-Key records: the first answer to a creating POST, kept so a retry gets it again."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.storage.tables import TableStorage

TABLE = "idempotency"


class Claim(StrEnum):
    NEW = "new"  # this request owns the key now: do the work, then `complete` or `release`
    REPLAY = "replay"  # done before with the same body: answer what was answered then
    MISMATCH = "mismatch"  # the key was used with another body: 422
    IN_FLIGHT = "inFlight"  # the first request with this key is still running: 409


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    media_type: str
    headers: dict[str, str]


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    response: StoredResponse | None = None


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


class IdempotencyStore:
    """Keys are scoped to the caller; a record lives `ttl`, and an in-flight claim is a lease."""

    def __init__(self, storage: TableStorage, *, ttl: timedelta, lease: timedelta = timedelta(minutes=2)) -> None:
        self._storage = storage
        self._ttl = ttl
        self._lease = lease

    @staticmethod
    def keys(caller_id: str, method: str, path: str, key: str) -> tuple[str, str]:
        return _hash("caller", caller_id)[:40], _hash(method.upper(), path, key)

    def claim(self, caller_id: str, method: str, path: str, key: str, fingerprint: str) -> ClaimResult:
        table = self._storage.table(TABLE)
        pk, rk = self.keys(caller_id, method, path, key)
        now = datetime.now(UTC)
        fresh = {
            "PartitionKey": pk,
            "RowKey": rk,
            "fingerprint": fingerprint,
            "state": "inFlight",
            "leaseUntil": now + self._lease,
            "expiresAt": now + self._ttl,
        }
        for _ in range(5):
            try:
                table.create_entity(fresh)
                return ClaimResult(Claim.NEW)
            except ResourceExistsError:
                pass
            try:
                current = table.get_entity(pk, rk)
            except ResourceNotFoundError:
                continue
            if current["expiresAt"] <= now:
                if self._take_over(table, current, fresh):
                    return ClaimResult(Claim.NEW)
                continue
            if current["fingerprint"] != fingerprint:
                return ClaimResult(Claim.MISMATCH)
            if current["state"] == "completed":
                return ClaimResult(Claim.REPLAY, _stored(current))
            if current["leaseUntil"] > now:
                return ClaimResult(Claim.IN_FLIGHT)
            # The first request died without answering: its lease ran out, this one takes over.
            if self._take_over(table, current, fresh):
                return ClaimResult(Claim.NEW)
        return ClaimResult(Claim.IN_FLIGHT)

    @staticmethod
    def _take_over(table: Any, current: Any, fresh: dict[str, Any]) -> bool:
        try:
            table.update_entity(
                fresh,
                mode=UpdateMode.REPLACE,
                etag=current.metadata["etag"],
                match_condition=MatchConditions.IfNotModified,
            )
        except (ResourceModifiedError, ResourceNotFoundError):
            return False
        return True

    def complete(
        self, caller_id: str, method: str, path: str, key: str, fingerprint: str, response: StoredResponse
    ) -> None:
        pk, rk = self.keys(caller_id, method, path, key)
        now = datetime.now(UTC)
        self._storage.table(TABLE).upsert_entity(
            {
                "PartitionKey": pk,
                "RowKey": rk,
                "fingerprint": fingerprint,
                "state": "completed",
                "status": response.status,
                "body": response.body,
                "mediaType": response.media_type,
                "headers": "\n".join(f"{k}: {v}" for k, v in response.headers.items()),
                "leaseUntil": now,
                "expiresAt": now + self._ttl,
            },
            mode=UpdateMode.REPLACE,
        )

    def release(self, caller_id: str, method: str, path: str, key: str) -> None:
        """Forgets an in-flight claim whose work failed unexpectedly, so a retry may run again."""
        pk, rk = self.keys(caller_id, method, path, key)
        with contextlib.suppress(ResourceNotFoundError):
            self._storage.table(TABLE).delete_entity(pk, rk)

    def purge_expired(self, now: datetime | None = None) -> int:
        """Deletes records past their time (a timer runs this); returns how many went."""
        table = self._storage.table(TABLE)
        cutoff = now or datetime.now(UTC)
        removed = 0
        for entity in table.query_entities(
            "expiresAt lt @cutoff", parameters={"cutoff": cutoff}, select=["PartitionKey", "RowKey"]
        ):
            try:
                table.delete_entity(entity["PartitionKey"], entity["RowKey"])
                removed += 1
            except ResourceNotFoundError:
                pass
        return removed


def _stored(entity: Any) -> StoredResponse:
    headers: dict[str, str] = {}
    for line in (entity.get("headers") or "").splitlines():
        name, _, value = line.partition(": ")
        headers[name] = value
    body = entity.get("body") or b""
    return StoredResponse(
        status=int(entity["status"]),
        body=body if isinstance(body, bytes) else str(body).encode(),
        media_type=entity.get("mediaType") or "application/json",
        headers=headers,
    )
