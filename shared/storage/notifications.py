"""Webhook endpoints and their deliveries in Table Storage.

- `eventEndpoints`: one partition per owner (a provider, or one reseller of a provider), so fanning an event out
  reads at most two partitions (the provider's, its reseller's) and never another provider's.
- `eventDeliveries`: one partition per endpoint. A delivery is two rows written in one transaction: `i|<id>` points
  to `d|<newest-first time>|<id>`, which holds the delivery with its attempts; the id is derived from the event and
  the endpoint, so a second fan-out of the same event finds the first's row and delivers nothing more.
- `eventDue`: the deliveries still to be attempted and when, so the sweep re-queues one whose message was lost
  without scanning every delivery.
- `eventMarks`: announcements made once (a subscription's expiry per term end).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableTransactionError, UpdateMode

from shared.domain.notifications import (
    Attempt,
    DeliveryStatus,
    Endpoint,
    EventType,
    WebhookDelivery,
    event_document,
    event_from_document,
)
from shared.storage.tables import TableStorage, iter_query, odata_quote, query_page, safe_key

ENDPOINTS = "eventEndpoints"
DELIVERIES = "eventDeliveries"
DUE = "eventDue"
MARKS = "eventMarks"
DUE_PARTITION = "due"
_FAR_FUTURE_MS = 10**13


def owner_partition(provider_id: str, reseller_id: str | None) -> str:
    return safe_key(f"provider|{provider_id}" if reseller_id is None else f"reseller|{provider_id}|{reseller_id}")


def _moment(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value))


def _endpoint_row(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "PartitionKey": owner_partition(endpoint.provider_id, endpoint.reseller_id),
        "RowKey": endpoint.id,
        "providerId": endpoint.provider_id,
        "resellerId": endpoint.reseller_id or "",
        "url": endpoint.url,
        "events": ",".join(sorted(e.value for e in endpoint.events)),
        "description": endpoint.description or "",
        "enabled": endpoint.enabled,
        "secretRef": endpoint.secret_ref,
        "createdAt": endpoint.created_at,
        "createdBy": endpoint.created_by,
        "updatedAt": endpoint.updated_at,
        "secretRotatedAt": endpoint.secret_rotated_at,
    }


def _endpoint(row: dict[str, Any]) -> Endpoint:
    return Endpoint(
        id=row["RowKey"],
        provider_id=row["providerId"],
        reseller_id=row.get("resellerId") or None,
        url=row["url"],
        events=frozenset(EventType(e) for e in str(row.get("events") or "").split(",") if e),
        description=row.get("description") or None,
        enabled=bool(row.get("enabled")),
        secret_ref=row["secretRef"],
        created_at=_moment(row["createdAt"]),  # type: ignore[arg-type]
        created_by=row["createdBy"],
        updated_at=_moment(row["updatedAt"]),  # type: ignore[arg-type]
        secret_rotated_at=_moment(row.get("secretRotatedAt")),
    )


class EndpointRepository:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self) -> Any:
        return self._storage.table(ENDPOINTS)

    def add(self, endpoint: Endpoint) -> None:
        self._table.create_entity(_endpoint_row(endpoint))

    def get(self, provider_id: str, reseller_id: str | None, endpoint_id: str) -> Endpoint | None:
        try:
            return _endpoint(self._table.get_entity(owner_partition(provider_id, reseller_id), safe_key(endpoint_id)))
        except ResourceNotFoundError:
            return None

    def update(
        self, endpoint: Endpoint, change: Callable[[Endpoint], Endpoint | None], *, attempts: int = 10
    ) -> Endpoint | None:
        """The endpoint changed under If-Match (None when it is gone)."""
        partition = owner_partition(endpoint.provider_id, endpoint.reseller_id)
        for _ in range(attempts):
            try:
                row = self._table.get_entity(partition, endpoint.id)
            except ResourceNotFoundError:
                return None
            current = _endpoint(row)
            changed = change(current)
            if changed is None:
                return current
            try:
                self._table.update_entity(_endpoint_row(changed), mode=UpdateMode.REPLACE, etag=row.metadata["etag"],
                                          match_condition=MatchConditions.IfNotModified)  # fmt: skip
            except ResourceModifiedError:
                continue
            return changed
        raise ResourceModifiedError(f"gave up after {attempts} concurrent updates of endpoint {endpoint.id}")

    def delete(self, endpoint: Endpoint) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            self._table.delete_entity(owner_partition(endpoint.provider_id, endpoint.reseller_id), endpoint.id)

    def page(
        self, provider_id: str, reseller_id: str | None, *, limit: int, position: dict[str, str] | None
    ) -> tuple[list[Endpoint], dict[str, str] | None]:
        page = query_page(
            self._table,
            query_filter=f"PartitionKey eq {odata_quote(owner_partition(provider_id, reseller_id))}",
            limit=limit,
            position=position,
        )
        return [_endpoint(row) for row in page.items], page.next_position

    def of_owner(self, provider_id: str, reseller_id: str | None) -> list[Endpoint]:
        partition = owner_partition(provider_id, reseller_id)
        rows = iter_query(self._table, query_filter=f"PartitionKey eq {odata_quote(partition)}")
        return [_endpoint(row) for row in rows]


def _attempt_dict(attempt: Attempt) -> dict[str, Any]:
    return {"number": attempt.number, "at": attempt.at.isoformat(), "statusCode": attempt.status_code,
            "error": attempt.error, "durationMs": attempt.duration_ms, "round": attempt.round}  # fmt: skip


def _attempt(data: dict[str, Any]) -> Attempt:
    return Attempt(number=int(data["number"]), at=datetime.fromisoformat(data["at"]),
                   status_code=data.get("statusCode"), error=data.get("error"),
                   duration_ms=int(data.get("durationMs") or 0), round=int(data.get("round") or 0))  # fmt: skip


def list_key(created_at: datetime, delivery_id: str) -> str:
    """Newest first within an endpoint's partition."""
    return f"d|{_FAR_FUTURE_MS - int(created_at.timestamp() * 1000):013d}|{delivery_id}"


# Attempts kept on a delivery: a delivery retried for a day has about ten; a replayed one more. The oldest are
# dropped past this many, so the row stays well under Table Storage's 64 KiB property limit.
MAX_KEPT_ATTEMPTS = 60


def _delivery_row(partition: str, row_key: str, delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "PartitionKey": partition,
        "RowKey": row_key,
        "deliveryId": delivery.id,
        "endpointId": delivery.endpoint_id,
        "status": delivery.status.value,
        "eventType": delivery.event.type.value,
        "event": orjson.dumps(event_document(delivery.event)).decode(),
        "createdAt": delivery.created_at,
        "attempts": orjson.dumps([_attempt_dict(a) for a in delivery.attempts[-MAX_KEPT_ATTEMPTS:]]).decode(),
        "nextAttemptAt": delivery.next_attempt_at,
        "round": delivery.round,
        "roundStartedAt": delivery.round_started_at,
        "claimedAttempt": delivery.claimed_attempt,
        "claimedAt": delivery.claimed_at,
    }


def _delivery(row: dict[str, Any]) -> WebhookDelivery:
    return WebhookDelivery(
        id=row["deliveryId"],
        endpoint_id=row["endpointId"],
        event=event_from_document(orjson.loads(row["event"])),
        status=DeliveryStatus(row["status"]),
        created_at=_moment(row["createdAt"]),  # type: ignore[arg-type]
        attempts=tuple(_attempt(a) for a in orjson.loads(row.get("attempts") or "[]")),
        next_attempt_at=_moment(row.get("nextAttemptAt")),
        round=int(row.get("round") or 0),
        round_started_at=_moment(row.get("roundStartedAt")),
        claimed_attempt=row.get("claimedAttempt"),
        claimed_at=_moment(row.get("claimedAt")),
    )


class DeliveryRepository:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _table(self) -> Any:
        return self._storage.table(DELIVERIES)

    @property
    def _due(self) -> Any:
        return self._storage.table(DUE)

    def create(self, delivery: WebhookDelivery, provider_id: str, reseller_id: str | None) -> bool:
        """Writes a new delivery and marks it due; False when it already exists (the event was fanned out before)."""
        partition = safe_key(delivery.endpoint_id)
        row_key = list_key(delivery.created_at, delivery.id)
        pointer = {"PartitionKey": partition, "RowKey": f"i|{delivery.id}", "listKey": row_key}
        self.mark_due(delivery, provider_id, reseller_id)  # first: a delivery row is never left without its due mark
        try:
            self._table.submit_transaction(
                [("create", pointer), ("create", _delivery_row(partition, row_key, delivery))]
            )
        except (TableTransactionError, ResourceExistsError):
            if self.get(delivery.endpoint_id, delivery.id) is None:
                raise
            return False
        return True

    def purge_settled_before(self, cutoff: datetime) -> int:
        """Removes delivered and dead-lettered deliveries created before `cutoff` (each with its id pointer); pending
        ones stay whatever their age. Returns how many were removed."""
        oldest_kept = list_key(cutoff, "")
        query = f"RowKey ge {odata_quote(oldest_kept)} and RowKey lt 'd}}' and status ne 'pending'"
        removed = 0
        for row in list(iter_query(self._table, query_filter=query)):
            with contextlib.suppress(TableTransactionError, ResourceNotFoundError):
                self._table.submit_transaction([
                    ("delete", {"PartitionKey": row["PartitionKey"], "RowKey": row["RowKey"]}),
                    ("delete", {"PartitionKey": row["PartitionKey"], "RowKey": f"i|{row['deliveryId']}"}),
                ])  # fmt: skip
                removed += 1
        return removed

    def _row_key(self, endpoint_id: str, delivery_id: str) -> str | None:
        try:
            return str(self._table.get_entity(safe_key(endpoint_id), f"i|{safe_key(delivery_id)}")["listKey"])
        except ResourceNotFoundError:
            return None

    def get(self, endpoint_id: str, delivery_id: str) -> WebhookDelivery | None:
        row_key = self._row_key(endpoint_id, delivery_id)
        if row_key is None:
            return None
        try:
            return _delivery(self._table.get_entity(safe_key(endpoint_id), row_key))
        except ResourceNotFoundError:
            return None

    def update(
        self, endpoint_id: str, delivery_id: str, change: Callable[[WebhookDelivery], WebhookDelivery | None],
        *, attempts: int = 10,
    ) -> tuple[WebhookDelivery | None, bool]:  # fmt: skip
        """(the delivery as it now is, whether `change` was written) under If-Match."""
        row_key = self._row_key(endpoint_id, delivery_id)
        if row_key is None:
            return None, False
        partition = safe_key(endpoint_id)
        for _ in range(attempts):
            try:
                row = self._table.get_entity(partition, row_key)
            except ResourceNotFoundError:
                return None, False
            current = _delivery(row)
            changed = change(current)
            if changed is None:
                return current, False
            try:
                self._table.update_entity(_delivery_row(partition, row_key, changed), mode=UpdateMode.REPLACE,
                                          etag=row.metadata["etag"],
                                          match_condition=MatchConditions.IfNotModified)  # fmt: skip
            except ResourceModifiedError:
                continue
            return changed, True
        raise ResourceModifiedError(f"gave up after {attempts} concurrent updates of delivery {delivery_id}")

    def page(
        self, endpoint_id: str, *, status: str | None, limit: int, position: dict[str, str] | None
    ) -> tuple[list[WebhookDelivery], dict[str, str] | None]:
        partition = odata_quote(safe_key(endpoint_id))
        clauses = [f"PartitionKey eq {partition}", "RowKey ge 'd|'", "RowKey lt 'd}'"]
        if status:
            clauses.append(f"status eq {odata_quote(status)}")
        page = query_page(self._table, query_filter=" and ".join(clauses), limit=limit, position=position)
        return [_delivery(row) for row in page.items], page.next_position

    # What is still to be attempted ---------------------------------------------------------------------------

    def mark_due(self, delivery: WebhookDelivery, provider_id: str, reseller_id: str | None) -> None:
        self._due.upsert_entity({
            "PartitionKey": DUE_PARTITION, "RowKey": safe_key(delivery.id), "endpointId": delivery.endpoint_id,
            "providerId": provider_id, "resellerId": reseller_id or "",
            "nextAttemptAt": delivery.next_attempt_at or delivery.created_at,
        })  # fmt: skip

    def clear_due(self, delivery_id: str) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            self._due.delete_entity(DUE_PARTITION, safe_key(delivery_id))

    def due(self, before: datetime) -> Iterator[dict[str, Any]]:
        """(endpointId, providerId, resellerId; RowKey: the delivery id) of each delivery due before `before`."""
        yield from iter_query(
            self._due,
            query_filter=f"PartitionKey eq {odata_quote(DUE_PARTITION)} and nextAttemptAt lt @before",
            parameters={"before": before},
        )


class Marks:
    """Things announced once: `first(kind, key)` is True for exactly one caller."""

    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    def first(self, kind: str, key: str, now: datetime) -> bool:
        try:
            self._storage.table(MARKS).create_entity({"PartitionKey": safe_key(kind), "RowKey": safe_key(key),
                                                      "at": now})  # fmt: skip
        except ResourceExistsError:
            return False
        return True

    def forget(self, kind: str, key: str) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            self._storage.table(MARKS).delete_entity(safe_key(kind), safe_key(key))
