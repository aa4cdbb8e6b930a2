"""The Graph export flow over loopback HTTP: polling rules, the token never sent to blobs, resumed downloads."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shared.partner_center.auth import Grant
from shared.partner_center.client import PartnerCenterClient
from shared.partner_center.config import PartnerCenterEndpoints
from shared.partner_center.errors import ExportFailed, ExportTimedOut, Forbidden
from shared.partner_center.transport import RetryPolicy, Transport


class Tokens:
    has_user_consent = True

    def token(self, grant: Grant) -> str:
        return f"token-{grant.value}"

    def invalidate(self, grant: Grant) -> None:
        pass


def lines(count: int, start: int = 0) -> bytes:
    return b"".join(
        json.dumps({"InvoiceNumber": "G1", "Subtotal": f"@{n}", "ChargeType": "new"})
        .replace(f'"@{n}"', f"{n}.0000000000000000001")
        .encode()
        + b"\n"
        for n in range(start, start + count)
    )


@dataclass
class Graph:
    """Scripted operation states, a manifest and one blob; records each request's path and Authorization."""

    states: list[tuple[dict[str, Any], dict[str, str]]] = field(default_factory=list)
    blob: bytes = b""
    cut_first_download_after: int | None = None
    blob_status: int = 200
    seen: list[tuple[str, str | None]] = field(default_factory=list)
    base: str = ""

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        self.seen.append((path, handler.headers.get("Authorization")))
        if handler.command == "POST":
            self.reply(handler, 202, b"", {"Location": f"{self.base}/v1.0/reports/partners/billing/operations/op-1"})
        elif "/operations/" in path:
            body, headers = self.states.pop(0) if len(self.states) > 1 else self.states[0]
            self.reply(handler, 200, json.dumps(body).encode(), headers)
        elif "/manifests/" in path:
            manifest = {
                "id": "m-1",
                "dataFormat": "compressedJSONLines",
                "rootDirectory": f"{self.base}/blob/root",
                "sasToken": "sv=1&sig=abc",
                "blobs": [{"name": "part-00000.json.gz"}],
            }
            self.reply(handler, 200, json.dumps(manifest).encode(), {})
        elif path.startswith("/blob/root/part-00000.json.gz?sv=1&sig=abc"):
            if self.blob_status != 200:
                self.reply(handler, self.blob_status, b"<Error/>", {})
                return
            cut = self.cut_first_download_after
            if cut is not None:
                self.cut_first_download_after = None
                handler.send_response(200)
                handler.send_header("Content-Length", str(len(self.blob)))
                handler.end_headers()
                handler.wfile.write(self.blob[:cut])
                handler.wfile.flush()
                handler.close_connection = True
                return
            self.reply(handler, 200, self.blob, {"Content-Type": "application/octet-stream"})
        else:
            self.reply(handler, 404, b"{}", {})

    @staticmethod
    def reply(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@pytest.fixture
def graph() -> Iterator[Graph]:
    state = Graph()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            state.handle(self)

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.handle(self)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll interval: shutdown() waits for the loop's next poll (0.5 s by default) before it returns.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    yield state
    server.shutdown()
    server.server_close()


RUNNING = ({"status": "running"}, {"Retry-After": "7"})
SUCCEEDED = (
    {
        "status": "succeeded",
        "resourceLocation@odata.navigationLink": "https://graph.example/v1.0/reports/partners/billing/manifests/m-1",
    },
    {},
)


def client_for(graph: Graph, sleeps: list[float]) -> PartnerCenterClient:
    endpoints = PartnerCenterEndpoints(partner_center_url=graph.base, graph_url=graph.base, authority_host=graph.base)
    retry = RetryPolicy(backoff_base=0.0, backoff_max=0.0)
    return PartnerCenterClient(Transport(endpoints, Tokens(), retry=retry, sleep=sleeps.append))


def read(graph: Graph, sleeps: list[float], **kwargs: Any) -> list[Any]:
    client = client_for(graph, sleeps)
    return list(client.iter_reconciliation_lines(kind="billed", invoice_id="G1", **kwargs))


def test_running_export_is_polled_after_retry_after_then_read_without_the_bearer_token(graph: Graph) -> None:
    graph.states = [RUNNING, RUNNING, SUCCEEDED]
    graph.blob = gzip.compress(lines(3))
    sleeps: list[float] = []
    result = read(graph, sleeps)
    assert [line.subtotal for line in result] == [Decimal(f"{n}.0000000000000000001") for n in range(3)]
    assert sleeps == [7.0, 7.0]
    blob_requests = [auth for path, auth in graph.seen if path.startswith("/blob/")]
    assert blob_requests == [None]
    assert all(auth == "Bearer token-graph" for path, auth in graph.seen if not path.startswith("/blob/"))
    assert any(path.endswith("/manifests/m-1") for path, _ in graph.seen)  # the manifest link's host was not used


def test_wait_budget_is_bounded_and_raises_export_timed_out(graph: Graph) -> None:
    graph.states = [RUNNING]
    sleeps: list[float] = []
    with pytest.raises(ExportTimedOut):
        read(graph, sleeps, max_wait=20)
    assert sum(sleeps) == 20


def test_failed_export_other_than_no_data_is_export_failed(graph: Graph) -> None:
    graph.states = [({"status": "failed", "error": {"code": "7001", "message": "boom"}}, {})]
    with pytest.raises(ExportFailed) as raised:
        read(graph, [])
    assert raised.value.code == "7001"


def test_failed_export_with_no_data_is_empty(graph: Graph) -> None:
    graph.states = [({"status": "failed", "error": {"code": "5000", "message": "No data available"}}, {})]
    assert read(graph, []) == []


def test_cut_download_resumes_without_repeating_or_losing_lines(graph: Graph) -> None:
    graph.states = [({"status": "completed", "resourceLocation": "/v1.0/reports/partners/billing/manifests/m-1"}, {})]
    graph.blob = gzip.compress(lines(2000))
    graph.cut_first_download_after = len(graph.blob) // 2
    result = read(graph, [])
    assert [line.position for line in result] == list(range(2000))
    assert len({line.subtotal for line in result}) == 2000
    assert sum(1 for path, _ in graph.seen if path.startswith("/blob/")) == 2


def test_multi_member_gzip_blob_is_read_whole(graph: Graph) -> None:
    graph.states = [SUCCEEDED]
    graph.blob = gzip.compress(lines(5)) + gzip.compress(lines(5, start=5))
    assert len(read(graph, [])) == 10


def test_expired_sas_is_a_typed_error(graph: Graph) -> None:
    graph.states = [SUCCEEDED]
    graph.blob_status = 403
    with pytest.raises(Forbidden):
        read(graph, [])
