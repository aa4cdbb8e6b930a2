"""Microsoft Graph's asynchronous reconciliation export (docs/partner-center.md#reconciliation) and the blob store it
points at."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import queue
import secrets
import threading
import uuid
import zlib
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, urlencode

import jwt
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from local.sandbox import config as cfg
from local.sandbox.auth import SandboxDep
from local.sandbox.clock import format_timestamp, parse_timestamp
from local.sandbox.context import Sandbox, get_sandbox
from local.sandbox.reconciliation import LineSource, digest, find_set, invoice_set, period_of, set_key
from local.sandbox.wire import read_json

router = APIRouter(prefix="/v1.0/reports/partners/billing", tags=["Microsoft Graph: reconciliation export"])
blob_router = APIRouter(prefix="/blob", tags=["Azure Blob Storage: export files"])

GRAPH_AUDIENCES = frozenset({cfg.GRAPH_RESOURCE, f"{cfg.GRAPH_RESOURCE}/", "00000003-0000-0000-c000-000000000000"})
LINES_PER_BLOB = 250_000
_BATCH = 2000
_SAS_VERSION = "2021-08-06"
# (unconfirmed) how long Microsoft's export SAS stays valid; the sandbox gives it twelve hours of its clock.
_SAS_LIFETIME = dt.timedelta(hours=12)


class GraphError(Exception):
    """Graph's error shape: {error: {code, message, innerError}}."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}

    def response(self) -> JSONResponse:
        inner = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"), "request-id": str(uuid.uuid4()),
                 "client-request-id": str(uuid.uuid4())}  # fmt: skip
        body = {"error": {"code": self.code, "message": self.message, "innerError": inner}}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def graph_provider(request: Request, sandbox: Annotated[Sandbox, Depends(get_sandbox)]) -> dict[str, Any]:
    """The provider a Graph token (audience graph.microsoft.com) speaks for; other tokens are 401 as Graph says."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
    try:
        if jwt.get_unverified_header(token.strip()).get("kid") != sandbox.service_key.kid:
            raise jwt.InvalidTokenError("unknown signing key")
        claims = jwt.decode(token.strip(), sandbox.service_key.private_key.public_key(), algorithms=["RS256"],
                            audience=list(GRAPH_AUDIENCES), options={"require": ["exp", "tid", "aud"]})  # fmt: skip
    except jwt.ExpiredSignatureError:
        raise GraphError(
            401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."
        ) from None
    except jwt.InvalidTokenError as exc:
        raise GraphError(401, "InvalidAuthenticationToken", f"Access token validation failure ({exc}).") from None
    with sandbox.state.lock:
        provider = sandbox.state.provider_by_tenant(str(claims["tid"]))
    app_id = str(claims.get("appid") or claims.get("azp") or "")
    if provider is None or provider["clientId"].lower() != app_id.lower():
        raise GraphError(401, "InvalidAuthenticationToken", "The application is not known in this tenant.")
    return dict(provider)


GraphProvider = Annotated[dict[str, Any], Depends(graph_provider)]


def _graph(call: Any) -> Any:
    try:
        return call()
    except GraphError as error:
        return error.response()


def _operations(sandbox: Sandbox) -> dict[str, Any]:
    return sandbox.state.data.setdefault("graphOperations", {})  # type: ignore[no-any-return]


def _start(sandbox: Sandbox, provider: dict[str, Any], key: str, attribute_set: str, extra: dict[str, Any]) -> Response:
    if attribute_set not in ("full", "basic"):
        raise GraphError(400, "BadRequest", f"Invalid attributeSet '{attribute_set}': use full or basic.")
    operation_id = str(uuid.uuid4())
    with sandbox.state.lock:
        now = sandbox.state.clock.now()
        _operations(sandbox)[operation_id] = {
            "id": operation_id, "providerTenantId": provider["tenantId"], "setKey": key,
            "attributeSet": attribute_set, "createdDateTime": format_timestamp(now),
            "readyAt": format_timestamp(now + dt.timedelta(seconds=sandbox.config.graph_export_seconds)),
            "manifestId": None, **extra,
        }  # fmt: skip
        sandbox.state.save()
    location = f"{sandbox.config.https_url}/v1.0/reports/partners/billing/operations/{operation_id}"
    return Response(status_code=202, headers={"Location": location})


@router.post("/reconciliation/billed/export", summary="Start a billed reconciliation export (202 + Location)")
async def export_billed(request: Request, provider: GraphProvider, sandbox: SandboxDep) -> Response:
    body = await read_json(request)

    def start() -> Response:
        invoice_id = str(body.get("invoiceId") or "") if isinstance(body, dict) else ""
        if not invoice_id:
            raise GraphError(400, "BadRequest", "invoiceId is required.")
        with sandbox.state.lock:
            found = invoice_set(sandbox.state, provider["tenantId"], invoice_id)
        key = set_key(provider["tenantId"], found[0]["period"], "billed") if found else ""
        extra = {"invoiceId": invoice_id, "currency": found[1] if found else None}
        return _start(sandbox, provider, key, str(body.get("attributeSet") or "full").lower(), extra)

    return _graph(start)  # type: ignore[no-any-return]


@router.post("/reconciliation/unbilled/export", summary="Start an unbilled reconciliation export (202 + Location)")
async def export_unbilled(request: Request, provider: GraphProvider, sandbox: SandboxDep) -> Response:
    body = await read_json(request)

    def start() -> Response:
        if not isinstance(body, dict):
            raise GraphError(400, "BadRequest", "The body must be a JSON object.")
        currency = str(body.get("currencyCode") or "").upper()
        billing_period = str(body.get("billingPeriod") or "").lower()
        if not currency or billing_period not in ("current", "last"):
            raise GraphError(400, "BadRequest", "currencyCode and billingPeriod (current or last) are required.")
        period = period_of(sandbox.state.clock.now(), 0 if billing_period == "current" else 1)
        key = set_key(provider["tenantId"], period, "unbilled")
        extra = {"currency": currency, "period": period}
        return _start(sandbox, provider, key, str(body.get("attributeSet") or "full").lower(), extra)

    return _graph(start)  # type: ignore[no-any-return]


def _blob_name(manifest_id: str, number: int) -> str:
    return f"part-{number:05d}-{manifest_id[:8]}.c000.json.gz"


def _succeed(sandbox: Sandbox, operation: dict[str, Any], record: dict[str, Any]) -> str:
    """Creates the operation's manifest once (the caller holds the lock)."""
    if operation["manifestId"]:
        return str(operation["manifestId"])
    manifest_id = str(uuid.uuid4())
    count = LineSource(sandbox, record, operation.get("currency")).count
    blob_count = max(1, -(-count // LINES_PER_BLOB))
    manifests = sandbox.state.data.setdefault("graphManifests", {})
    billing_month = record["period"].replace("-", "")
    if record["kind"] == "billed":
        root = (f"billedreconciliation/v1/PartnerTenantId={record['providerTenantId']}/BillingMonth={billing_month}"
                f"/InvoiceId={operation.get('invoiceId')}")  # fmt: skip
    else:
        root = (f"unbilledreconciliation/v1/PartnerTenantId={record['providerTenantId']}/BillingMonth={billing_month}"
                f"/Currency={operation.get('currency')}")  # fmt: skip
    # (unconfirmed) the export id segment: it keeps two exports of the same data apart
    root += f"/Fragment={operation['attributeSet']}/PartitionType=default/ExportId={manifest_id}"
    manifests[manifest_id] = {
        "id": manifest_id, "operationId": operation["id"], "setKey": operation["setKey"],
        "generation": record["generation"], "currency": operation.get("currency"),
        "attributeSet": operation["attributeSet"], "createdDateTime": sandbox.state.now_text(), "root": root,
        "count": count, "blobCount": blob_count, "eTag": digest(record),
        "providerTenantId": record["providerTenantId"],
    }  # fmt: skip
    operation["manifestId"] = manifest_id
    sandbox.state.save()
    return manifest_id


@router.get("/operations/{operation_id}", summary="An export operation: running, succeeded or failed")
def get_operation(operation_id: str, provider: GraphProvider, sandbox: SandboxDep) -> Response:
    with sandbox.state.lock:
        operation = _operations(sandbox).get(operation_id)
        if operation is None or operation["providerTenantId"] != provider["tenantId"]:
            return GraphError(404, "NotFound", f"Operation {operation_id} was not found.").response()
        now = sandbox.state.clock.now()
        body: dict[str, Any] = {"id": operation_id, "createdDateTime": operation["createdDateTime"]}
        if now < parse_timestamp(operation["readyAt"]):
            body = {"@odata.type": "#microsoft.graph.partners.billing.runningOperation", **body, "status": "running",
                    "lastActionDateTime": format_timestamp(now)}  # fmt: skip
            retry_after = max(1, round(sandbox.config.graph_export_seconds))
            return JSONResponse(body, headers={"Retry-After": str(retry_after)})
        record = find_set(sandbox.state, operation["setKey"]) if operation["setKey"] else None
        count = LineSource(sandbox, record, operation.get("currency")).count if record else 0
        if record is None or count == 0:
            body = {"@odata.type": "#microsoft.graph.partners.billing.failedOperation", **body, "status": "failed",
                    "lastActionDateTime": operation["readyAt"],
                    "error": {"code": "5000", "message": "No data available"}}  # fmt: skip
            return JSONResponse(body)
        manifest_id = _succeed(sandbox, operation, record)
    body = {"@odata.type": "#microsoft.graph.partners.billing.exportSuccessOperation", **body, "status": "succeeded",
            "lastActionDateTime": operation["readyAt"],
            "resourceLocation@odata.navigationLink":
                f"{sandbox.config.https_url}/v1.0/reports/partners/billing/manifests/{manifest_id}"}  # fmt: skip
    return JSONResponse(body)


def blob_key(sandbox: Sandbox) -> bytes:
    """The storage account key the sandbox signs SAS tokens with (one per state dir)."""
    with sandbox.state.lock:
        key = sandbox.state.data.get("blobAccountKey")
        if key is None:
            key = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
            sandbox.state.data["blobAccountKey"] = key
            sandbox.state.save()
    return base64.b64decode(key)


def _signature(sandbox: Sandbox, root: str, permissions: str, expiry: str) -> str:
    text = f"{permissions}\n{expiry}\n/blob/{root}\n{_SAS_VERSION}\nd"
    return base64.b64encode(hmac.new(blob_key(sandbox), text.encode("utf-8"), hashlib.sha256).digest()).decode()


def sas_token(sandbox: Sandbox, root: str) -> str:
    expiry = (sandbox.state.clock.now() + _SAS_LIFETIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    sig = _signature(sandbox, root, "rl", expiry)
    return urlencode({"sv": _SAS_VERSION, "sr": "d", "sp": "rl", "se": expiry, "sdd": root.count("/") + 1,
                      "sig": sig}, quote_via=quote)  # fmt: skip


@router.get("/manifests/{manifest_id}", summary="An export's manifest: where the files are and how to read them")
def get_manifest(manifest_id: str, provider: GraphProvider, sandbox: SandboxDep) -> Response:
    with sandbox.state.lock:
        manifest = sandbox.state.data.setdefault("graphManifests", {}).get(manifest_id)
        if manifest is None or manifest["providerTenantId"] != provider["tenantId"]:
            return GraphError(404, "NotFound", f"Manifest {manifest_id} was not found.").response()
        manifest = dict(manifest)
    return JSONResponse({
        "@odata.context": f"{sandbox.config.https_url}/v1.0/$metadata#reports/partners/billing/manifests/$entity",
        "id": manifest_id, "schemaVersion": "1", "dataFormat": "compressedJSONLines",
        "createdDateTime": manifest["createdDateTime"], "eTag": manifest["eTag"],
        "partnerTenantId": manifest["providerTenantId"],
        "rootDirectory": f"{sandbox.config.https_url}/blob/{manifest['root']}",
        "sasToken": sas_token(sandbox, manifest["root"]), "partitionType": "Default",
        "blobCount": manifest["blobCount"],
        "blobs": [{"name": _blob_name(manifest_id, n), "partitionValue": "default"}
                  for n in range(manifest["blobCount"])],
    })  # fmt: skip


def storage_error(status: int, code: str, message: str, detail: str | None = None) -> Response:
    """Azure Storage's XML error body."""
    now = dt.datetime.now(dt.UTC)
    text = f"{message}\nRequestId:{uuid.uuid4()}\nTime:{now:%Y-%m-%dT%H:%M:%S.%f}0Z"
    extra = f"<AuthenticationErrorDetail>{detail}</AuthenticationErrorDetail>" if detail else ""
    xml = '\ufeff<?xml version="1.0" encoding="utf-8"?>'
    body = f"{xml}<Error><Code>{code}</Code><Message>{text}</Message>{extra}</Error>"
    return Response(body.encode("utf-8"), status_code=status, media_type="application/xml",
                    headers={"x-ms-error-code": code, "x-ms-version": _SAS_VERSION})  # fmt: skip


def _gzip_lines(source: LineSource, start: int, stop: int, attribute_set: str) -> Iterator[bytes]:
    """The blob's bytes, compressed batch by batch while they are sent: a million lines never sit in memory.

    Lines are built in a producer thread while this one compresses (zlib releases the GIL), so the two overlap.
    """
    batches: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
    abandoned = threading.Event()

    def produce() -> None:
        try:
            for first in range(start, stop, _BATCH):
                chunk = b"".join([source.v2(i, attribute_set) + b"\n" for i in range(first, min(first + _BATCH, stop))])
                while not abandoned.is_set():
                    try:
                        batches.put(chunk, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if abandoned.is_set():
                    return
        finally:
            while not abandoned.is_set():
                try:
                    batches.put(None, timeout=0.5)
                    break
                except queue.Full:
                    continue

    threading.Thread(target=produce, name="blob-lines", daemon=True).start()
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    try:
        while (chunk := batches.get()) is not None:
            if data := compressor.compress(chunk):
                yield data
        yield compressor.flush()
    finally:
        abandoned.set()


@blob_router.get("/{path:path}", summary="A blob of an export (the SAS in the query is the only credential)")
def download_blob(path: str, request: Request, sandbox: SandboxDep) -> Response:
    root, _, name = path.rpartition("/")
    with sandbox.state.lock:
        manifest = next((m for m in sandbox.state.data.setdefault("graphManifests", {}).values()
                         if m["root"] == root), None)  # fmt: skip
        manifest = dict(manifest) if manifest else None
    query = dict(parse_qsl(request.url.query, keep_blank_values=True))
    if not query.get("sig"):
        return storage_error(403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the "
                             "value of Authorization header is formed correctly including the signature.",
                             "The request has no SAS signature.")  # fmt: skip
    if manifest is None:
        return storage_error(404, "BlobNotFound", "The specified blob does not exist.")
    expected = _signature(sandbox, root, query.get("sp", ""), query.get("se", ""))
    if not hmac.compare_digest(expected, query["sig"]) or query.get("sv") != _SAS_VERSION or "r" not in query.get(
            "sp", ""):  # fmt: skip
        return storage_error(403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the "
                             "value of Authorization header is formed correctly including the signature.",
                             f"Signature did not match. String to sign used was {query.get('sp', '')}")  # fmt: skip
    if parse_timestamp(query["se"]) <= sandbox.state.clock.now():
        return storage_error(403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the "
                             "value of Authorization header is formed correctly including the signature.",
                             f"Signed expiry time [{query['se']}] must be after signed start time "
                             f"[{sandbox.state.clock.now():%a, %d %b %Y %H:%M:%S GMT}]")  # fmt: skip
    numbers = {_blob_name(manifest["id"], n): n for n in range(manifest["blobCount"])}
    with sandbox.state.lock:
        record = find_set(sandbox.state, manifest["setKey"])
        record = dict(record) if record else None
    if name not in numbers or record is None or record["generation"] != manifest["generation"]:
        return storage_error(404, "BlobNotFound", "The specified blob does not exist.")
    source = LineSource(sandbox, record, manifest["currency"])
    start = numbers[name] * LINES_PER_BLOB
    stop = min(start + LINES_PER_BLOB, source.count)
    headers = {"x-ms-blob-type": "BlockBlob", "x-ms-version": _SAS_VERSION, "ETag": f'"{manifest["eTag"]}"'}
    return StreamingResponse(_gzip_lines(source, start, stop, manifest["attributeSet"]),
                             media_type="application/octet-stream", headers=headers)  # fmt: skip
