"""Reconciliation export v2 through Microsoft Graph (docs/partner-center.md#reconciliation): start, poll, manifest, and
gzip JSON-lines blobs.

Blobs are fetched with a session of their own that never carries the bearer token (the SAS is the credential), and
are read, gunzipped and split into lines on a background thread so the caller's thread spends its time parsing.
"""

from __future__ import annotations

import logging
import queue
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError as Urllib3Error

from shared.partner_center.auth import Grant
from shared.partner_center.config import PartnerCenterEndpoints, Service
from shared.partner_center.errors import (
    ExportFailed,
    ExportTimedOut,
    Unavailable,
    UnexpectedResponse,
    error_from_response,
)
from shared.partner_center.models import _get, _str, parse_timestamp
from shared.partner_center.transport import Transport, backoff_delay, parse_retry_after

log = logging.getLogger(__name__)

BILLING_ROOT = "/v1.0/reports/partners/billing"
NO_DATA_CODE = "5000"
SUCCEEDED = frozenset({"succeeded", "completed"})
DEFAULT_POLL_SECONDS = 10.0  # when an unfinished operation names no Retry-After
DEFAULT_MAX_WAIT_SECONDS = 1800.0
READ_CHUNK = 1 << 20  # compressed bytes per read
MAX_DECOMPRESSED_CHUNK = 8 << 20  # a gzip bomb never inflates more than this per step
QUEUE_DEPTH = 4
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class ExportBlob:
    name: str
    partition_value: str | None = None


@dataclass(frozen=True)
class ExportManifest:
    """Where an export's files are: `rootDirectory` + blob name + `?sasToken`; a new `etag` means new data."""

    id: str
    data_format: str | None
    etag: str | None
    partner_tenant_id: str | None
    root_directory: str
    sas_token: str
    blobs: tuple[ExportBlob, ...]
    created: Any = None
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def blob_url(self, blob: ExportBlob) -> str:
        url = f"{self.root_directory.rstrip('/')}/{quote(blob.name, safe='/')}"
        token = self.sas_token.lstrip("?")
        return f"{url}?{token}" if token else url

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ExportManifest:
        root = _get(data, "rootDirectory")
        if not root:
            raise UnexpectedResponse("the export manifest names no rootDirectory")
        blobs = tuple(
            ExportBlob(str(_get(item, "name")), _str(_get(item, "partitionValue")))
            for item in _get(data, "blobs", default=None) or ()
            if isinstance(item, Mapping) and _get(item, "name")
        )
        return cls(
            id=str(_get(data, "id", default="")),
            data_format=_str(_get(data, "dataFormat")),
            etag=_str(_get(data, "eTag", "etag")),
            partner_tenant_id=_str(_get(data, "partnerTenantId")),
            root_directory=str(root),
            sas_token=str(_get(data, "sasToken", default="") or ""),
            blobs=blobs,
            created=parse_timestamp(_get(data, "createdDateTime")),
            raw=data,
        )


def export_request(
    kind: str, *, invoice_id: str | None, currency: str | None, period: str, attribute_set: str
) -> tuple[str, dict[str, str]]:
    """The export's path and body: billed by invoice id, unbilled by currency and billing period (current/last)."""
    if kind == "billed":
        if not invoice_id:
            raise ValueError("a billed export needs invoice_id")
        return f"{BILLING_ROOT}/reconciliation/billed/export", {"invoiceId": invoice_id, "attributeSet": attribute_set}
    if kind == "unbilled":
        if not currency:
            raise ValueError("an unbilled export needs currency")
        body = {"currencyCode": currency, "billingPeriod": period, "attributeSet": attribute_set}
        return f"{BILLING_ROOT}/reconciliation/unbilled/export", body
    raise ValueError("kind must be 'billed' or 'unbilled'")


class GraphExports:
    """The v2 export flow for one provider, over the client's transport (Graph token, same retry rules)."""

    def __init__(
        self,
        transport: Transport,
        *,
        blob_session: requests.Session | None = None,
        max_wait: float = DEFAULT_MAX_WAIT_SECONDS,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.transport = transport
        self.max_wait = max_wait
        self.sleep = sleep or transport.sleep
        self._blob_session = blob_session

    @property
    def blob_session(self) -> requests.Session:
        """A session without the transport's token: blob URLs carry their own SAS credential."""
        if self._blob_session is None:
            self._blob_session = new_blob_session(self.transport.endpoints)
        return self._blob_session

    def close(self) -> None:
        if self._blob_session is not None:
            self._blob_session.close()

    def start(
        self,
        kind: str,
        *,
        invoice_id: str | None = None,
        currency: str | None = None,
        period: str = "current",
        attribute_set: str = "full",
        correlation_id: str | None = None,
    ) -> str:
        """POSTs the export and answers the operation URL from the 202's Location."""
        path, body = export_request(
            kind, invoice_id=invoice_id, currency=currency, period=period, attribute_set=attribute_set
        )
        response = self.transport.request(
            "POST", path, grant=Grant.GRAPH, json_body=body, correlation_id=correlation_id, service=Service.GRAPH
        )
        location = response.headers.get("Location")
        if not location:
            raise UnexpectedResponse(
                f"export answered {response.status} without Location",
                status=response.status,
                request_id=response.request_id,
                correlation_id=response.correlation_id,
            )
        return str(location)

    def wait(
        self, operation_url: str, *, max_wait: float | None = None, correlation_id: str | None = None
    ) -> str | None:
        """Polls until the operation ends: the manifest URL, or None when it failed with "no data" (code 5000).

        Each wait is the operation's Retry-After (or DEFAULT_POLL_SECONDS), trimmed to what is left of `max_wait`;
        the budget counts the waits themselves, so an injected sleep makes the bound exact in tests.
        """
        budget = self.max_wait if max_wait is None else max_wait
        waited = 0.0
        while True:
            response = self.transport.request(
                "GET", operation_url, grant=Grant.GRAPH, correlation_id=correlation_id, service=Service.GRAPH
            )
            body = response.body if isinstance(response.body, Mapping) else {}
            status = str(_get(body, "status", default="") or "").lower()
            if status in SUCCEEDED:
                link = _get(body, "resourceLocation@odata.navigationLink", "resourceLocation")
                if not link:
                    raise UnexpectedResponse("the export succeeded without a manifest link", data=body)
                return str(link)
            if status == "failed":
                error = _get(body, "error", default=None) or {}
                code = str(_get(error, "code", default="") or "") if isinstance(error, Mapping) else ""
                if code == NO_DATA_CODE:
                    return None
                message = _str(_get(error, "message")) if isinstance(error, Mapping) else None
                raise ExportFailed(
                    status=response.status,
                    code=code or None,
                    description=message,
                    request_id=response.request_id,
                    correlation_id=response.correlation_id,
                    data=body,
                )
            remaining = budget - waited
            if remaining <= 0:
                raise ExportTimedOut(
                    f"export still {status or 'unknown'} after waiting {waited:.0f}s",
                    operation_url=operation_url,
                    correlation_id=response.correlation_id,
                )
            delay = parse_retry_after(response.headers.get("Retry-After"))
            delay = DEFAULT_POLL_SECONDS if delay is None else delay
            delay = min(max(delay, 0.0), remaining)
            self.sleep(delay)
            waited += delay

    def manifest(self, manifest_url: str, *, correlation_id: str | None = None) -> ExportManifest:
        response = self.transport.request(
            "GET", manifest_url, grant=Grant.GRAPH, correlation_id=correlation_id, service=Service.GRAPH
        )
        if not isinstance(response.body, Mapping):
            raise UnexpectedResponse("the export manifest is not a JSON object", request_id=response.request_id)
        return ExportManifest.from_wire(response.body)

    def iter_records(self, manifest: ExportManifest) -> Iterator[bytes | Mapping[str, Any]]:
        """Every record of every blob in manifest order: JSON-lines bytes (or parsed objects for a JSON array)."""
        for blob in manifest.blobs:
            url = manifest.blob_url(blob)
            yield from in_background(partial(self._blob_records, url))

    def _blob_records(self, url: str) -> Iterator[list[bytes] | list[Mapping[str, Any]]]:
        """Batches of lines of one blob; a failure mid-stream resumes from a new download, skipping what was read."""
        policy = self.transport.retry
        produced = 0
        failures = 0
        while True:
            skip = produced
            try:
                response = self._open_blob(url)
                with closing(response):
                    for batch in _split_lines(_skip(_inflate(response), skip)):
                        if batch and isinstance(batch[0], bytes):
                            produced += sum(map(len, batch)) + len(batch)  # each line and its newline
                        yield batch
                return
            except (requests.RequestException, Urllib3Error, TruncatedBlob) as exc:
                failures += 1
                if failures >= policy.max_attempts:
                    raise Unavailable(f"blob download failed after {failures} attempts: {exc}") from exc
                log.info("reconciliation blob read failed (%s); resuming after %d bytes", exc, produced)
                self.sleep(self._backoff(failures))

    def _backoff(self, failures: int) -> float:
        policy = self.transport.retry
        return backoff_delay(failures, base=policy.backoff_base, cap=policy.backoff_max, rng=self.transport.rng)

    def _open_blob(self, url: str) -> requests.Response:
        """GET with the SAS only; 5xx and transport errors are retried like any call, 403 (expired SAS) is raised."""
        policy = self.transport.retry
        failures = 0
        while True:
            try:
                response = self.blob_session.get(url, stream=True, timeout=self.transport.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                failures += 1
                if failures >= policy.max_attempts:
                    raise Unavailable(f"blob unreachable after {failures} attempts: {exc}") from exc
                self.sleep(self._backoff(failures))
                continue
            if response.status_code == 200:
                return response
            status = response.status_code
            text = response.text[:1024]
            response.close()
            failures += 1
            if (status >= 500 or status == 429) and failures < policy.max_attempts:
                delay = parse_retry_after(response.headers.get("Retry-After"))
                self.sleep(max(self._backoff(failures), min(delay or 0.0, policy.max_retry_after)))
                continue
            raise error_from_response(status, text, retried=failures > 1)


class TruncatedBlob(Exception):
    """The gzip stream ended before its end marker: the connection was cut mid-file."""


def new_blob_session(endpoints: PartnerCenterEndpoints, pool_size: int = 4) -> requests.Session:
    """Trusts the configured CA only (never REQUESTS_CA_BUNDLE from the environment) and holds no credential."""
    session = requests.Session()
    session.trust_env = False
    if endpoints.ca_bundle:
        session.verify = endpoints.ca_bundle
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _inflate(response: requests.Response) -> Iterator[bytes]:
    """The blob's bytes, gunzipped incrementally when they are gzip (multi-member too), as they arrive."""
    raw = response.raw
    first = raw.read(READ_CHUNK, decode_content=False)
    if not first:
        return
    if not first.startswith(GZIP_MAGIC):
        # (unconfirmed) a blob stored plain (or decoded on the way) is passed through as is
        yield first
        while chunk := raw.read(READ_CHUNK, decode_content=False):
            yield chunk
        return
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = first
    fed = False  # whether the current gzip member has begun: only a begun, unfinished member is a truncation
    try:
        while True:
            while pending:
                fed = True
                out = inflater.decompress(pending, MAX_DECOMPRESSED_CHUNK)
                if out:
                    yield out
                if inflater.eof:
                    pending = inflater.unused_data
                    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    fed = False
                else:
                    pending = inflater.unconsumed_tail
            chunk = raw.read(READ_CHUNK, decode_content=False)
            if not chunk:
                break
            pending = chunk
        tail = inflater.flush()
    except zlib.error as exc:
        raise TruncatedBlob(f"corrupt gzip data: {exc}") from exc
    if tail:
        yield tail
    if fed and not inflater.eof:
        raise TruncatedBlob("the gzip stream ended before its end marker")


def _skip(chunks: Iterator[bytes], count: int) -> Iterator[bytes]:
    """Drops the first `count` bytes (already handed out before a resumed download)."""
    for chunk in chunks:
        if count:
            if len(chunk) <= count:
                count -= len(chunk)
                continue
            chunk = chunk[count:]
            count = 0
        yield chunk


def _split_lines(chunks: Iterator[bytes]) -> Iterator[list[bytes]]:
    """Complete lines in batches (one per decompressed chunk); a JSON array file is read whole (unconfirmed)."""
    rest = b""
    first = True
    for chunk in chunks:
        if first:
            first = False
            if chunk.lstrip()[:1] == b"[":
                yield _whole_array(chunk, chunks)  # type: ignore[misc]
                return
        if rest:
            chunk = rest + chunk
        lines = chunk.split(b"\n")
        rest = lines.pop()
        yield lines
    if rest:
        yield [rest]


def _whole_array(first: bytes, chunks: Iterator[bytes]) -> list[Mapping[str, Any]]:
    # (unconfirmed) dataFormat "compressedJSON" may mean one JSON array rather than lines: parsed whole, exactly
    from shared.partner_center.reconciliation import loads_exact

    items = loads_exact(b"".join([first, *chunks]))
    if not isinstance(items, list):
        raise UnexpectedResponse("the export file is neither JSON lines nor a JSON array")
    return [item for item in items if isinstance(item, Mapping)]


_DONE = object()


def in_background(produce: Callable[[], Iterator[list[Any]]], depth: int = QUEUE_DEPTH) -> Iterator[Any]:
    """Runs a producer of batches on a thread (network reads and zlib release the GIL) and yields their items.

    The queue is bounded, so at most `depth` batches wait in memory; closing the iterator stops the producer.
    """
    batches: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        batches_of = produce()
        try:
            for batch in batches_of:
                if not put(batch):
                    return
            put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consuming thread, which raises it
            put(exc)
        finally:
            batches_of.close()  # type: ignore[attr-defined]

    worker = threading.Thread(target=run, name="reconciliation-blob-reader", daemon=True)
    worker.start()
    try:
        while True:
            item = batches.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item
    finally:
        stop.set()
        worker.join(timeout=5)
