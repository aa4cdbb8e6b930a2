"""Billing runs, their totals and discrepancies in tables; their line detail as gzip JSON-lines blobs.

A run's rows live under its own id. Readers find the run of a (provider, period, kind) through a "current" pointer
row in the runs table, in the provider's partition next to the run rows, so a completed run and the pointer flip
commit in one entity-group transaction: readers see the old run or the new one, never a mix.
"""

from __future__ import annotations

import base64
import contextlib
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.data.tables import UpdateMode

from shared.domain.billing import Discrepancy, RunKind, RunStatus, amount_text
from shared.storage.tables import TableStorage, chunks, iter_query, odata_quote, query_page, safe_key, unless_changed

RUNS = "BillingRuns"
TOTALS = "BillingTotals"
DISCREPANCIES = "BillingDiscrepancies"
RUN_PREFIX = "run|"
CURRENT_PREFIX = "current|"
BLOCK_BYTES = 4 * 1024 * 1024
RAW_BATCH_BYTES = 256 * 1024  # one gzip member: where a page of lines can start reading
READ_WINDOW_BYTES = 256 * 1024  # the first range a page reads; each further one is twice as large, up to a block
DISCREPANCY_ROW_CHARS = 30_000  # a string property holds at most 32K characters


class RunChanged(Exception):
    """The run or its pointer was written by someone else in between (ETag lost)."""


@dataclass(frozen=True)
class BillingRun:
    id: str
    provider_id: str
    period: str
    kind: RunKind
    status: RunStatus
    attempt: int
    requested_by: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    lease_until: datetime | None = None
    failure_reason: str | None = None
    invoice_id: str | None = None
    invoices: dict[str, str] = field(default_factory=dict)  # invoice id -> its currency (billed runs)
    counts: dict[str, Any] = field(default_factory=dict)
    costs: dict[str, str] = field(default_factory=dict)  # provider cost per currency
    lines_blob: str | None = None
    discrepancies_blob: str | None = None
    etag: str | None = None

    def blob_names(self, attempt: int) -> tuple[str, str]:
        """Fresh names per attempt: a restarted run never appends to what an interrupted one wrote."""
        base = f"{self.provider_id}/{self.period}/{self.kind}/{self.id}/{attempt}"
        return f"{base}/lines.jsonl.gz", f"{base}/discrepancies.jsonl.gz"


def new_run_id() -> str:
    return f"br-{uuid.uuid4().hex}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _run_row(run: BillingRun) -> dict[str, Any]:
    return {
        "PartitionKey": safe_key(run.provider_id),
        "RowKey": RUN_PREFIX + run.id,
        "runId": run.id,
        "period": run.period,
        "kind": run.kind,
        "status": run.status,
        "attempt": run.attempt,
        "requestedBy": run.requested_by,
        "createdAt": _iso(run.created_at),
        "updatedAt": _iso(run.updated_at),
        "startedAt": _iso(run.started_at),
        "completedAt": _iso(run.completed_at),
        "leaseUntil": _iso(run.lease_until),
        "failureReason": (run.failure_reason or "")[:8000] or None,
        "invoiceId": run.invoice_id,
        "invoices": orjson.dumps(run.invoices).decode(),
        "counts": orjson.dumps(run.counts).decode(),
        "costs": orjson.dumps(run.costs).decode(),
        "linesBlob": run.lines_blob,
        "discrepanciesBlob": run.discrepancies_blob,
        "providerId": run.provider_id,
    }


def _run_from(row: dict[str, Any]) -> BillingRun:
    metadata = getattr(row, "metadata", None) or row.get("_metadata") or {}
    return BillingRun(
        id=str(row["runId"]),
        provider_id=str(row["providerId"]),
        period=str(row["period"]),
        kind=RunKind(row["kind"]),
        status=RunStatus(row["status"]),
        attempt=int(row.get("attempt") or 0),
        requested_by=str(row.get("requestedBy") or ""),
        created_at=_when(row["createdAt"]),  # type: ignore[arg-type]
        updated_at=_when(row["updatedAt"]),  # type: ignore[arg-type]
        started_at=_when(row.get("startedAt")),
        completed_at=_when(row.get("completedAt")),
        lease_until=_when(row.get("leaseUntil")),
        failure_reason=row.get("failureReason"),
        invoice_id=row.get("invoiceId"),
        invoices=orjson.loads(row.get("invoices") or "{}"),
        counts=orjson.loads(row.get("counts") or "{}"),
        costs=orjson.loads(row.get("costs") or "{}"),
        lines_blob=row.get("linesBlob"),
        discrepancies_blob=row.get("discrepanciesBlob"),
        etag=metadata.get("etag"),
    )


def _entity(entity: Any) -> dict[str, Any]:
    row = dict(entity)
    row["_metadata"] = {"etag": entity.metadata.get("etag")} if hasattr(entity, "metadata") else {}
    return row


def pointer_key(period: str, kind: str) -> str:
    return f"{CURRENT_PREFIX}{period}|{kind}"


@dataclass(frozen=True)
class TotalRow:
    """One amount of a run's totals: what a reseller is invoiced, or what a customer is invoiced, per currency."""

    scope: str  # "reseller" | "customer"
    reseller_id: str
    customer_id: str | None
    currency: str
    amount: str | None  # None: lines to read, but none priced at this tier (billed to nobody)
    lines: int = 0  # the lines of the run this reseller (or customer) may read, in this currency


class BillingRunRepository:
    def __init__(self, storage: TableStorage) -> None:
        self._storage = storage

    @property
    def _runs(self) -> Any:
        return self._storage.table(RUNS)

    @property
    def _totals(self) -> Any:
        return self._storage.table(TOTALS)

    @property
    def _discrepancies(self) -> Any:
        return self._storage.table(DISCREPANCIES)

    # -- runs ------------------------------------------------------------------------------------------------------

    def add(self, run: BillingRun) -> BillingRun:
        self._runs.create_entity(_run_row(run))
        return self.get(run.provider_id, run.id) or run

    def get(self, provider_id: str, run_id: str) -> BillingRun | None:
        try:
            entity = self._runs.get_entity(safe_key(provider_id), RUN_PREFIX + run_id)
        except ResourceNotFoundError:
            return None
        return _run_from(_entity(entity))

    def update(self, run: BillingRun, changed: BillingRun) -> BillingRun:
        """Replaces the run row if nobody wrote it since `run` was read; RunChanged otherwise."""
        try:
            self._runs.update_entity(_run_row(changed), mode=UpdateMode.REPLACE, etag=run.etag,
                                     match_condition=MatchConditions.IfNotModified)  # fmt: skip
        except (ResourceModifiedError, ResourceNotFoundError):
            raise RunChanged(run.id) from None
        return self.get(changed.provider_id, changed.id) or changed

    def change(
        self, provider_id: str, run_id: str, apply: Callable[[BillingRun], BillingRun | None], *, attempts: int = 10
    ) -> BillingRun | None:
        """Read, change, write under If-Match, retrying on a lost race; None when the run is gone."""
        for _ in range(attempts):
            current = self.get(provider_id, run_id)
            if current is None:
                return None
            changed = apply(current)
            if changed is None:
                return current
            try:
                return self.update(current, changed)
            except RunChanged:
                continue
        raise RunChanged(run_id)

    def page(
        self, provider_id: str, *, period: str | None, limit: int, position: dict[str, str] | None
    ) -> tuple[list[BillingRun], dict[str, str] | None]:
        query = (f"PartitionKey eq {odata_quote(safe_key(provider_id))} and RowKey ge '{RUN_PREFIX}' "
                 f"and RowKey lt 'run}}'")  # fmt: skip
        if period:
            query += f" and period eq {odata_quote(period)}"
        result = query_page(self._runs, query_filter=query, limit=limit, position=position)
        return [_run_from(row) for row in result.items], result.next_position

    def iter_runs(self, provider_id: str | None = None, *, statuses: Iterable[str] = ()) -> Iterator[BillingRun]:
        clauses = [f"RowKey ge '{RUN_PREFIX}'", "RowKey lt 'run}'"]
        if provider_id is not None:
            clauses.insert(0, f"PartitionKey eq {odata_quote(safe_key(provider_id))}")
        wanted = list(statuses)
        if wanted:
            clauses.append("(" + " or ".join(f"status eq {odata_quote(s)}" for s in wanted) + ")")
        for row in iter_query(self._runs, query_filter=" and ".join(clauses)):
            yield _run_from(row)

    # -- the current-run pointer -----------------------------------------------------------------------------------

    def _pointer(self, provider_id: str, period: str, kind: str) -> Any | None:
        try:
            return self._runs.get_entity(safe_key(provider_id), pointer_key(period, kind))
        except ResourceNotFoundError:
            return None

    def current_run_id(self, provider_id: str, period: str, kind: str) -> str | None:
        pointer = self._pointer(provider_id, period, kind)
        return None if pointer is None else str(pointer["runId"])

    def is_current(self, run: BillingRun) -> bool:
        return self.current_run_id(run.provider_id, run.period, run.kind) == run.id

    def complete(self, run: BillingRun, completed: BillingRun) -> str | None:
        """Marks the run completed and makes it current in one transaction; answers the run it replaced.

        Raises RunChanged when the run row or the pointer changed since they were read (the caller re-reads)."""
        pointer = self._pointer(run.provider_id, run.period, run.kind)
        previous = None if pointer is None else str(pointer["runId"])
        pointer_row = {"PartitionKey": safe_key(run.provider_id), "RowKey": pointer_key(run.period, run.kind),
                       "runId": run.id, "createdAt": _iso(completed.created_at)}  # fmt: skip
        operations: list[Any] = [
            (
                "update",
                _run_row(completed),
                {"mode": UpdateMode.REPLACE, "etag": run.etag, "match_condition": MatchConditions.IfNotModified},
            ),  # fmt: skip
        ]
        operations.append(unless_changed(pointer_row, None if pointer is None else pointer.metadata["etag"]))
        try:
            self._runs.submit_transaction(operations)
        except (ResourceModifiedError, ResourceExistsError, ResourceNotFoundError) as exc:
            raise RunChanged(run.id) from exc
        except HttpResponseError as exc:
            if exc.status_code in (404, 409, 412):
                raise RunChanged(run.id) from exc
            raise
        return previous

    def pointer_created_at(self, provider_id: str, period: str, kind: str) -> datetime | None:
        pointer = self._pointer(provider_id, period, kind)
        return None if pointer is None else _when(pointer.get("createdAt"))

    def delete_run_data(self, key: str) -> None:
        """One attempt's totals and discrepancies (keyed by run id and attempt)."""
        for table in (self._totals, self._discrepancies):
            rows = iter_query(table, query_filter=f"PartitionKey eq {odata_quote(key)}")
            for batch in chunks((("delete", {"PartitionKey": r["PartitionKey"], "RowKey": r["RowKey"]})
                                 for r in rows), 100):  # fmt: skip
                table.submit_transaction(batch)

    def delete_run(self, provider_id: str, run_id: str) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            self._runs.delete_entity(safe_key(provider_id), RUN_PREFIX + run_id)

    # -- totals and discrepancies ----------------------------------------------------------------------------------

    def write_totals(self, run_id: str, rows: Iterable[TotalRow]) -> int:
        """Upserts (a restarted attempt rewrites the same keys with its own amounts)."""

        def entity(row: TotalRow) -> dict[str, Any]:
            who = row.reseller_id if row.scope == "reseller" else f"{row.customer_id}"
            entity = {"PartitionKey": run_id, "RowKey": safe_key(f"{row.scope[0]}|{who}|{row.currency}"),
                      "scope": row.scope, "resellerId": row.reseller_id, "customerId": row.customer_id,
                      "currency": row.currency, "amount": row.amount, "lines": row.lines}  # fmt: skip
            return {k: v for k, v in entity.items() if v is not None}

        written = 0
        for batch in chunks((("upsert", entity(row)) for row in rows), 100):
            self._totals.submit_transaction(batch)
            written += len(batch)
        return written

    def totals(self, run_id: str, *, reseller_id: str | None = None, customer_id: str | None = None) -> list[TotalRow]:
        query = f"PartitionKey eq {odata_quote(run_id)}"
        if reseller_id:
            query += f" and resellerId eq {odata_quote(reseller_id)}"
        rows = [TotalRow(str(r["scope"]), str(r["resellerId"]), r.get("customerId"), str(r["currency"]),
                         None if r.get("amount") is None else str(r["amount"]), int(r.get("lines") or 0))
                for r in iter_query(self._totals, query_filter=query)]  # fmt: skip
        if customer_id:
            rows = [r for r in rows if r.scope == "customer" and r.customer_id == customer_id]
        return rows

    def write_discrepancies(self, key: str, items: Iterable[dict[str, Any]]) -> int:
        """Packs discrepancies into rows of up to DISCREPANCY_ROW_CHARS of JSON (thousands cost a few requests)."""

        def rows() -> Iterator[dict[str, Any]]:
            number, size = 0, 2
            pending: list[str] = []
            for item in items:
                text = orjson.dumps(item).decode()
                if pending and size + len(text) + 1 > DISCREPANCY_ROW_CHARS:
                    yield {"PartitionKey": key, "RowKey": f"{number:010d}", "data": "[" + ",".join(pending) + "]",
                           "count": len(pending)}  # fmt: skip
                    number, pending, size = number + 1, [], 2
                pending.append(text)
                size += len(text) + 1
            if pending:
                yield {"PartitionKey": key, "RowKey": f"{number:010d}", "data": "[" + ",".join(pending) + "]",
                       "count": len(pending)}  # fmt: skip

        written = 0
        # a transaction carries at most 4 MiB: 50 rows of at most 30,000 characters stay well below it
        for batch in chunks((("upsert", row) for row in rows()), 50):
            self._discrepancies.submit_transaction(batch)
            written += sum(op[1]["count"] for op in batch)
        return written

    def discrepancies(
        self, key: str, *, kind: str | None, limit: int, position: dict[str, str] | None
    ) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
        """A page of one run attempt's discrepancies; the position names a row and how many of it were read."""
        start_row = int((position or {}).get("row", "0"))
        skip = int((position or {}).get("skip", "0"))
        query = f"PartitionKey eq {odata_quote(key)} and RowKey ge {odata_quote(f'{start_row:010d}')}"
        found: list[dict[str, Any]] = []
        for row in iter_query(self._discrepancies, query_filter=query, page_size=20):
            number = int(row["RowKey"])
            items = orjson.loads(row["data"])
            begin = skip if number == start_row else 0
            for index in range(begin, len(items)):
                if kind and items[index].get("kind") != kind:
                    continue
                if len(found) == limit:
                    return found, {"row": str(number), "skip": str(index)}
                found.append(items[index])
        return found, None


@dataclass(frozen=True)
class BlobLine:
    """A stored line and where it is: the compressed offset of its gzip member and its index in that member."""

    member: int
    index: int
    data: bytes


class BillingBlobs:
    """Line detail as gzip JSON lines in one container, written in staged blocks (memory stays flat).

    A blob is a series of gzip members (a valid gzip file), each holding whole lines: a reader can start at any
    member's offset, so a page of lines is read from where the previous one stopped, never from the start."""

    def __init__(self, service: Any, container: str = "billing") -> None:
        self._service = service
        self._container_name = container
        self._ready = False

    @property
    def container(self) -> Any:
        client = self._service.get_container_client(self._container_name)
        if not self._ready:
            with contextlib.suppress(ResourceExistsError):
                client.create_container()
            self._ready = True
        return client

    def writer(self, name: str) -> GzipBlobWriter:
        return GzipBlobWriter(self.container.get_blob_client(name))

    def iter_lines(self, name: str) -> Iterator[bytes]:
        """Each stored JSON line, streamed and gunzipped chunk by chunk."""
        try:
            downloader = self.container.get_blob_client(name).download_blob()
        except ResourceNotFoundError:
            return
        for found in _inflate(downloader.chunks(), 0):
            yield found.data

    def read_from(self, name: str, member: int = 0, skip: int = 0) -> Iterator[BlobLine]:
        """The stored lines from the gzip member at compressed offset `member` on, its first `skip` lines left out,
        each with where it is; read in growing ranges, so a short page downloads little of a large blob."""
        blob = self.container.get_blob_client(name)

        def ranges() -> Iterator[bytes]:
            offset, window, size = member, READ_WINDOW_BYTES, None
            while size is None or offset < size:
                try:
                    downloader = blob.download_blob(offset=offset, length=window)
                except ResourceNotFoundError:
                    return
                except HttpResponseError as exc:
                    if exc.status_code == 416:  # the offset is the blob's end
                        return
                    raise
                data = downloader.readall()
                if size is None:
                    size = _total_size(downloader.properties.content_range) or offset + len(data)
                if not data:
                    return
                yield data
                offset += len(data)
                window = min(window * 2, BLOCK_BYTES)

        for found in _inflate(ranges(), member):
            if found.member != member or found.index >= skip:
                yield found

    def delete(self, name: str | None) -> None:
        if not name:
            return
        with contextlib.suppress(ResourceNotFoundError):
            self.container.delete_blob(name)


def _total_size(content_range: str | None) -> int | None:
    """The blob's size from a range answer's `Content-Range: bytes a-b/size`."""
    if not content_range or "/" not in content_range:
        return None
    total = content_range.rsplit("/", 1)[1]
    return int(total) if total.isdigit() else None


def _inflate(chunks: Iterable[bytes], start: int) -> Iterator[BlobLine]:
    """Gunzips a series of gzip members read from compressed offset `start`, line by line, each line named by the
    offset of the member it is in and its index there (a member ends with a whole line)."""
    member, consumed, index = start, 0, 0
    inflate = zlib.decompressobj(wbits=31)
    rest = b""
    for chunk in chunks:
        data = chunk
        while data:
            text = rest + inflate.decompress(data)
            lines = text.split(b"\n")
            rest = lines.pop()
            for line in lines:
                if line:
                    yield BlobLine(member, index, line)
                    index += 1
            if not inflate.eof:
                consumed += len(data)
                break
            used = len(data) - len(inflate.unused_data)
            data = inflate.unused_data
            if rest:
                yield BlobLine(member, index, rest)
                rest = b""
            member, consumed, index = member + consumed + used, 0, 0
            inflate = zlib.decompressobj(wbits=31)
    text = rest + inflate.flush()
    for line in text.split(b"\n"):
        if line:
            yield BlobLine(member, index, line)
            index += 1


class GzipBlobWriter:
    """Appends records, gzips them and stages a block every few MiB; `close()` commits the blob.

    Each batch of records is a gzip member of its own, so a reader can start at any batch (`BillingBlobs.read_from`).
    """

    def __init__(self, blob: Any, *, level: int = 1) -> None:
        self._blob = blob
        self._level = level
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._blocks: list[str] = []
        self._raw: list[bytes] = []
        self._raw_bytes = 0
        self.records = 0

    def write(self, data: bytes) -> None:
        """One record's bytes (a JSON line ending in a newline); compressed in batches, which is far cheaper."""
        self._raw.append(data)
        self._raw_bytes += len(data)
        self.records += 1
        if self._raw_bytes >= RAW_BATCH_BYTES:
            self._compress()

    def _compress(self) -> None:
        if not self._raw:
            return
        deflate = zlib.compressobj(self._level, zlib.DEFLATED, 31)
        compressed = deflate.compress(b"".join(self._raw)) + deflate.flush()
        self._raw, self._raw_bytes = [], 0
        if compressed:
            self._pending.append(compressed)
            self._pending_bytes += len(compressed)
            if self._pending_bytes >= BLOCK_BYTES:
                self._stage()

    def _stage(self) -> None:
        if not self._pending:
            return
        block_id = base64.b64encode(f"{len(self._blocks):08d}".encode()).decode()
        self._blob.stage_block(block_id, b"".join(self._pending))
        self._blocks.append(block_id)
        self._pending, self._pending_bytes = [], 0

    def close(self) -> None:
        from azure.storage.blob import BlobBlock, ContentSettings

        self._compress()
        self._stage()
        # a gzip file, not a gzip-encoded text: readers stream the compressed bytes and inflate them themselves
        self._blob.commit_block_list([BlobBlock(block_id=b) for b in self._blocks],
                                     content_settings=ContentSettings(content_type="application/gzip"))  # fmt: skip


def blob_service_from(settings: Any, credential_factory: Callable[[], Any]) -> Any:
    """A BlobServiceClient: the connection string locally, the account URL and managed identity in Azure."""
    from azure.storage.blob import BlobServiceClient

    if settings.storage_connection_string:
        return BlobServiceClient.from_connection_string(settings.storage_connection_string)
    if settings.storage_account_name:
        return BlobServiceClient(f"https://{settings.storage_account_name}.blob.core.windows.net",
                                 credential=credential_factory())  # fmt: skip
    raise RuntimeError("set STORAGE_CONNECTION_STRING or STORAGE_ACCOUNT_NAME")


__all__ = [
    "BillingBlobs",
    "BlobLine",
    "BillingRun",
    "BillingRunRepository",
    "GzipBlobWriter",
    "RunChanged",
    "TotalRow",
    "blob_service_from",
    "new_run_id",
    "pointer_key",
]


def discrepancy_record(discrepancy: Discrepancy) -> dict[str, Any]:
    """A discrepancy as a run stores it (its blob and table) and the API answers it: the amount at the currency's
    minor unit."""
    return {
        "kind": discrepancy.kind.value,
        "subscriptionId": discrepancy.subscription_id,
        "customerId": discrepancy.customer_id,
        "resellerId": discrepancy.reseller_id,
        "amount": amount_text(discrepancy.amount, discrepancy.currency),
        "currency": discrepancy.currency,
        "detail": discrepancy.detail,
        "lineItemIds": list(discrepancy.line_item_ids),
    }
