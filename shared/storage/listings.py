"""The list partitions of orders and subscriptions (shared/domain/listings.py), kept by a tested projection.

How a copy never goes missing or stale:
- A write of an order or a subscription carries a `version` (one more than the row it replaces) and, in the same
  entity-group transaction, a marker row beside it saying "list me". The write and the marker land together or not
  at all.
- Right after the commit the writer copies the row into each list partition (`project`) and removes the marker,
  under the marker's ETag (a later writer's marker stays). In each list partition a pointer row records the version
  copied and the row keys it was copied under; the copy, the removal of keys no longer wanted and the pointer are
  one transaction in that partition, written only for a newer version. Copying twice, or an older version after a
  newer one, changes nothing.
- A writer that stops between the commit and the copy leaves its marker: the provisioning sweep copies from the row
  as it is then (`repair`). Rows written before lists existed are copied once by the same sweep (`backfill`).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableTransactionError, UpdateMode

from shared.domain.listings import KeyRange
from shared.storage.tables import TableStorage, iter_query, odata_quote, safe_key, unless_changed

log = logging.getLogger(__name__)
T = TypeVar("T")

_POINTER = "id|"
_COPIERS = ThreadPoolExecutor(max_workers=6, thread_name_prefix="listing")  # the clients are thread-safe
_STATE_PARTITION = "state"
_CONFLICTS = {"UpdateConditionNotSatisfied", "EntityAlreadyExists", "ResourceNotFound", "EntityNotFound"}


def version_of(row: dict[str, Any] | None) -> int:
    return 0 if row is None else int(row.get("version", 0) or 0)


def is_conflict(error: TableTransactionError) -> bool:
    """Someone else wrote the row (or its pointer) in between: read again and retry."""
    code = str(getattr(error, "error_code", "") or "")
    return code in _CONFLICTS or getattr(error, "status_code", None) in (404, 409, 412)


@dataclass(frozen=True)
class ListedKind:
    """What one kind of record needs to be listed: its tables, where it is listed and under which keys."""

    entity_table: str
    list_table: str
    marker_prefix: str  # the marker's row key prefix, beside the entity in its partition
    entity_rows: str  # an OData filter matching the kind's entity rows (for the one-off backfill)
    partitions: Callable[[dict[str, Any]], tuple[str, ...]]
    row_keys: Callable[[dict[str, Any]], tuple[str, ...]]


@dataclass(frozen=True)
class ListPage:
    rows: list[dict[str, Any]]
    next_position: dict[str, str] | None


class Listings:
    """The list partitions of one kind of record."""

    def __init__(self, storage: TableStorage, kind: ListedKind) -> None:
        self._storage = storage
        self._kind = kind

    @property
    def _lists(self) -> Any:
        return self._storage.table(self._kind.list_table)

    @property
    def _entities(self) -> Any:
        return self._storage.table(self._kind.entity_table)

    # Writing -----------------------------------------------------------------------------------------------

    def marker(self, row: dict[str, Any]) -> dict[str, Any]:
        """The "list me" row written in the entity's own transaction."""
        return {
            "PartitionKey": row["PartitionKey"],
            "RowKey": self._kind.marker_prefix + row["RowKey"],
            "entityRowKey": row["RowKey"],
            "version": version_of(row),
        }

    def is_marker(self, row_key: str) -> bool:
        return row_key.startswith(self._kind.marker_prefix)

    def commit(self, write: tuple[Any, ...], *others: tuple[Any, ...]) -> None:
        """The record's own write (an insert, or a replace under If-Match), its marker and `others` (an outbox row) in
        one transaction in the record's table, then its copies. A race fails the whole transaction
        (TableTransactionError, for the caller to read again): nothing is copied then."""
        row = write[1]
        results = self._entities.submit_transaction([write, ("upsert", self.marker(row)), *others])
        self.listed(row, entity_etag(results, 1))

    def listed(self, row: dict[str, Any], marker_etag: str | None) -> None:
        """After the commit: copy the row into its list partitions, then remove its marker. A failure here loses
        nothing (the marker stays for the sweep), so it is logged, not raised to the caller whose write succeeded."""
        try:
            self.project(row)
            self._remove_marker(row["PartitionKey"], self._kind.marker_prefix + row["RowKey"], marker_etag)
        except Exception:  # noqa: BLE001 - the sweep lists it from its marker
            log.warning("listing %s/%s left to the sweep", row.get("PartitionKey"), row.get("RowKey"), exc_info=True)

    def project(self, row: dict[str, Any]) -> None:
        """Copies the row into each of its list partitions, the partitions side by side (each its own transaction)."""
        futures = [_COPIERS.submit(self._project_into, safe_key(p), row) for p in self._kind.partitions(row)]
        for future in futures:
            future.result()

    def _project_into(self, partition: str, row: dict[str, Any], attempts: int = 10) -> None:
        version = version_of(row)
        pointer_key = _POINTER + row["RowKey"]
        keys = [safe_key(key) for key in self._kind.row_keys(row)]
        copy = {k: v for k, v in row.items() if k not in ("PartitionKey", "RowKey")}
        for attempt in range(attempts):
            pointer: Any = None
            if version > 1 or attempt > 0:  # a first version has no pointer yet: one read saved per new record
                try:
                    pointer = self._lists.get_entity(partition, pointer_key)
                except ResourceNotFoundError:
                    pointer = None
            if pointer is not None and version_of(pointer) >= version:
                return  # this version, or a newer one, is listed already
            old = [str(k) for k in orjson.loads(pointer["keys"])] if pointer is not None else []
            operations: list[Any] = [("delete", {"PartitionKey": partition, "RowKey": k}) for k in old if k not in keys]
            replace = {"mode": UpdateMode.REPLACE}  # a property the row no longer has is gone from its copies too
            operations += [("upsert", {**copy, "PartitionKey": partition, "RowKey": k}, replace) for k in keys]
            pointer_row = {
                "PartitionKey": partition,
                "RowKey": pointer_key,
                "version": version,
                "keys": orjson.dumps(keys).decode(),
            }
            operations.append(unless_changed(pointer_row, None if pointer is None else pointer.metadata["etag"]))
            try:
                self._lists.submit_transaction(operations)
                return
            except TableTransactionError as error:
                if not is_conflict(error):
                    raise
        raise ResourceModifiedError(f"gave up listing {row['RowKey']} in {partition} after {attempts} attempts")

    def _remove_marker(self, partition: str, marker_key: str, etag: str | None) -> None:
        with contextlib.suppress(ResourceNotFoundError, ResourceModifiedError):
            if etag is None:
                return  # no ETag to guard the removal: the sweep removes it after copying again
            self._entities.delete_entity(
                partition, marker_key, etag=etag, match_condition=MatchConditions.IfNotModified
            )

    # Repairing ---------------------------------------------------------------------------------------------

    def repair(self) -> int:
        """Lists what writers left marked (they stopped between their commit and the copy); returns how many."""
        prefix = self._kind.marker_prefix
        repaired = 0
        for marker in list(self._entities.query_entities(marker_filter(prefix), results_per_page=1000)):
            try:
                row = dict(self._entities.get_entity(marker["PartitionKey"], marker["entityRowKey"]))
            except ResourceNotFoundError:
                row = None
            if row is not None:
                self.project(row)
            etag = marker.metadata.get("etag")
            self._remove_marker(marker["PartitionKey"], marker["RowKey"], etag)
            repaired += 1
        return repaired

    def backfill(self, *, edition: str = "1") -> int:
        """Copies every existing row once (a deployment upgraded from before lists existed); a state row records that
        it is done, so later sweeps skip it. Returns how many rows were copied."""
        state_key = f"backfilled-{edition}"
        with contextlib.suppress(ResourceNotFoundError):
            self._lists.get_entity(_STATE_PARTITION, state_key)
            return 0
        copied = 0
        for row in iter_query(self._entities, query_filter=self._kind.entity_rows):
            if not self.is_marker(row["RowKey"]):
                self.project(row)
                copied += 1
        self._lists.upsert_entity({"PartitionKey": _STATE_PARTITION, "RowKey": state_key, "rows": copied})
        return copied

    # Reading -----------------------------------------------------------------------------------------------

    def page(
        self,
        partition: str,
        ranges: Iterable[KeyRange],
        *,
        limit: int,
        position: dict[str, str] | None,
        where: str | None = None,
    ) -> ListPage:
        """Up to `limit` rows of one list partition, merged across ranges in the list's order (the part of each row
        key after its range's prefix). The position holds, per range, the last row key handed out ("" once done)."""
        ranges = tuple(ranges)
        cursors = dict(position or {})
        pk = safe_key(partition)
        fetched: list[tuple[str, int, dict[str, Any]]] = []
        more: dict[int, bool] = {}
        for index, key_range in enumerate(ranges):
            cursor = cursors.get(str(index))
            if cursor == "":
                continue
            low, high = safe_key(key_range.low), safe_key(key_range.high)
            query = f"PartitionKey eq {odata_quote(pk)} and RowKey ge {odata_quote(low)}"
            query += f" and RowKey lt {odata_quote(high)}"
            if cursor:
                query += f" and RowKey gt {odata_quote(cursor)}"
            if where:
                query += f" and ({where})"
            found = list(
                itertools.islice(self._lists.query_entities(query, results_per_page=min(limit + 1, 1000)), limit + 1)
            )
            more[index] = len(found) > limit
            prefix = safe_key(key_range.prefix)
            fetched += [(str(row["RowKey"])[len(prefix) :], index, dict(row)) for row in found[:limit]]
        fetched.sort(key=lambda item: item[0])
        taken = fetched[:limit]
        for index in more:
            from_range = [item for item in fetched if item[1] == index]
            taken_here = [item for item in taken if item[1] == index]
            if taken_here:
                last = taken_here[-1][2]["RowKey"]
                done = not more[index] and len(taken_here) == len(from_range)
                cursors[str(index)] = "" if done else str(last)
            elif not from_range and not more[index]:
                cursors[str(index)] = ""
        finished = all(cursors.get(str(index)) == "" for index in range(len(ranges)))
        return ListPage(rows=[item[2] for item in taken], next_position=None if finished else cursors)


def every_page(read: Callable[[dict[str, str] | None], tuple[list[T], dict[str, str] | None]]) -> Iterator[T]:
    """Everything a paged read gives, page after page to its end (for sweeps and counts, not for answers)."""
    position: dict[str, str] | None = None
    while True:
        items, position = read(position)
        yield from items
        if position is None:
            return


def marker_filter(prefix: str) -> str:
    return f"RowKey ge {odata_quote(prefix)} and RowKey lt {odata_quote(prefix[:-1] + chr(ord(prefix[-1]) + 1))}"


def entity_etag(results: list[Any], index: int) -> str | None:
    """The ETag the service gave one operation of a committed transaction, when it says."""
    try:
        value = results[index].get("etag")
    except (IndexError, AttributeError):
        return None
    return str(value) if value else None


def without_markers(rows: Iterable[dict[str, Any]], listings: Listings) -> Iterator[dict[str, Any]]:
    return (row for row in rows if not listings.is_marker(str(row["RowKey"])))


__all__ = ["ListPage", "ListedKind", "Listings", "every_page", "is_conflict", "version_of", "without_markers"]
