"""Table Storage access: clients, safe keys, ETag-guarded updates and paged queries."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from azure.core import MatchConditions
from azure.core.credentials import TokenCredential
from azure.core.exceptions import ResourceModifiedError
from azure.data.tables import TableClient, TableServiceClient, UpdateMode

T = TypeVar("T")

# Characters Table Storage refuses in PartitionKey/RowKey, plus '%' so the escape is reversible.
_FORBIDDEN_KEY_CHARS = {"/", "\\", "#", "?", "%"}


def safe_key(value: str) -> str:
    """A PartitionKey/RowKey that Table Storage accepts, reversible with `unsafe_key`."""
    out = []
    for char in value:
        if char in _FORBIDDEN_KEY_CHARS or ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
            out.append(f"%{ord(char):02X}")
        else:
            out.append(char)
    return "".join(out)


def odata_quote(value: str) -> str:
    """A string literal for an OData filter."""
    return "'" + value.replace("'", "''") + "'"


class TableStorage:
    """One service client per process; each table created once, on first use."""

    def __init__(
        self,
        *,
        connection_string: str | None = None,
        account_url: str | None = None,
        credential: TokenCredential | None = None,
        table_prefix: str = "",
        **client_options: Any,
    ) -> None:
        if connection_string:
            self._service = TableServiceClient.from_connection_string(connection_string, **client_options)
        elif account_url and credential is not None:
            self._service = TableServiceClient(endpoint=account_url, credential=credential, **client_options)
        else:
            raise ValueError("Table storage needs a connection string, or an account URL and a credential")
        self._prefix = table_prefix
        self._ready: dict[str, TableClient] = {}
        self._lock = threading.Lock()

    @property
    def service(self) -> TableServiceClient:
        return self._service

    def table(self, name: str) -> TableClient:
        full_name = f"{self._prefix}{name}"
        client = self._ready.get(full_name)
        if client is not None:
            return client
        with self._lock:
            client = self._ready.get(full_name)
            if client is None:
                self._service.create_table_if_not_exists(full_name)
                client = self._service.get_table_client(full_name)
                self._ready[full_name] = client
        return client

    def ping(self) -> None:
        """Raises when the table service does not answer."""
        next(iter(self._service.list_tables(results_per_page=1).by_page()), None)


def update_with_etag(
    table: TableClient,
    partition_key: str,
    row_key: str,
    change: Callable[[dict[str, Any]], dict[str, Any] | None],
    *,
    attempts: int = 10,
) -> dict[str, Any] | None:
    """Read, change and write back under If-Match, retrying when someone else wrote in between.

    `change` returns the new entity, or None to leave it as it is."""
    for _ in range(attempts):
        current = table.get_entity(partition_key, row_key)
        updated = change(dict(current))
        if updated is None:
            return dict(current)
        try:
            table.update_entity(
                updated,
                mode=UpdateMode.REPLACE,
                etag=current.metadata["etag"],
                match_condition=MatchConditions.IfNotModified,
            )
        except ResourceModifiedError:
            continue
        return updated
    raise ResourceModifiedError(f"gave up after {attempts} concurrent updates of {partition_key}/{row_key}")


def unless_changed(entity: dict[str, Any], etag: str | None) -> tuple[Any, ...]:
    """A transaction operation that writes `entity` only if nobody else wrote it since it was read: an insert when
    nothing was there (`etag` None), a replace under If-Match otherwise. Either fails the transaction on a race."""
    if etag is None:
        return ("create", entity)
    return (
        "update",
        entity,
        {"mode": UpdateMode.REPLACE, "etag": etag, "match_condition": MatchConditions.IfNotModified},
    )


@dataclass(frozen=True)
class Page:
    """One page of a query and where the next one starts (None at the end)."""

    items: list[dict[str, Any]]
    next_position: dict[str, str] | None


def query_page(
    table: TableClient,
    *,
    query_filter: str,
    parameters: dict[str, Any] | None = None,
    limit: int,
    position: dict[str, str] | None = None,
    select: list[str] | None = None,
) -> Page:
    """Up to `limit` entities from `position`; skips the empty pages Table Storage may return."""
    items: list[dict[str, Any]] = []
    token = position
    while True:
        pager = table.query_entities(
            query_filter, parameters=parameters, results_per_page=limit - len(items), select=select
        ).by_page(continuation_token=token)  # type: ignore[arg-type]  # the SDK's token is a dict of keys
        page = next(pager, None)
        items.extend(dict(entity) for entity in (page or []))
        token = pager.continuation_token  # type: ignore[attr-defined]
        if not token or len(items) >= limit:
            return Page(items=items, next_position=token or None)


def iter_query(
    table: TableClient, *, query_filter: str, parameters: dict[str, Any] | None = None, page_size: int = 1000
) -> Iterator[dict[str, Any]]:
    """Every matching entity, streamed page by page."""
    yield from (
        dict(entity) for entity in table.query_entities(query_filter, parameters=parameters, results_per_page=page_size)
    )


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Groups for entity-group transactions (at most 100 operations each)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
