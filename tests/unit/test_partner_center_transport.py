"""Transport rules over real HTTP on loopback: headers, MS-RequestId reuse, Retry-After, back-off, paging."""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shared.partner_center.auth import Grant
from shared.partner_center.config import PartnerCenterEndpoints
from shared.partner_center.errors import NotFound, StaleEtag, Throttled, Unavailable
from shared.partner_center.transport import RetryPolicy, Transport, backoff_delay, parse_retry_after


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class ScriptedServer:
    """A loopback HTTP server answering from a script, recording every request it receives."""

    def __init__(self) -> None:
        self.script: list[Reply | Callable[[Seen], Reply]] = []
        self.default = Reply(200, {})
        self.seen: list[Seen] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
                outer.seen.append(seen)
                step = outer.script.pop(0) if outer.script else outer.default
                reply = step(seen) if callable(step) else step
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                payload = b"" if reply.body is None else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up waiting (timeout tests)

            do_GET = do_POST = do_PATCH = do_HEAD = _serve  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class CountingTokens:
    """A token source that numbers its tokens, so tests see when one was dropped and renewed."""

    has_user_consent = True

    def __init__(self) -> None:
        self.issued = 0
        self.current: dict[Grant, str] = {}
        self.invalidated: list[Grant] = []

    def token(self, grant: Grant) -> str:
        if grant not in self.current:
            self.issued += 1
            self.current[grant] = f"token-{self.issued}"
        return self.current[grant]

    def invalidate(self, grant: Grant) -> None:
        self.invalidated.append(grant)
        self.current.pop(grant, None)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    running = ScriptedServer()
    yield running
    running.close()


@dataclass
class Harness:
    transport: Transport
    tokens: CountingTokens
    sleeps: list[float]


def harness(server: ScriptedServer, *, timeout: float = 5.0, **retry: Any) -> Harness:
    sleeps: list[float] = []
    tokens = CountingTokens()
    endpoints = PartnerCenterEndpoints(partner_center_url=server.url, timeout=timeout)
    transport = Transport(endpoints, tokens, retry=RetryPolicy(**retry), sleep=sleeps.append, rng=random.Random(7))
    return Harness(transport, tokens, sleeps)


def test_every_request_carries_the_partner_center_headers(server: ScriptedServer) -> None:
    h = harness(server)
    h.transport.request("POST", "/customers/c/carts", grant=Grant.APP_ONLY, json_body={"a": 1}, correlation_id="corr-1")
    h.transport.request("GET", "/customers/c", grant=Grant.APP_ONLY, correlation_id="corr-1")
    post, get = server.seen
    assert post.path == "/v1/customers/c/carts"
    assert post.headers["Authorization"] == "Bearer token-1"
    assert post.headers["Accept"] == "application/json"
    assert post.headers["Content-Type"] == "application/json"
    assert post.headers["MS-CorrelationId"] == get.headers["MS-CorrelationId"] == "corr-1"
    assert post.headers["MS-RequestId"] != get.headers["MS-RequestId"]
    assert post.headers["MS-Contract-Version"] == "v1"
    assert "Content-Type" not in get.headers
    assert json.loads(post.body) == {"a": 1}


def test_5xx_is_retried_with_the_same_request_id_and_bounded_backoff(server: ScriptedServer) -> None:
    server.script = [Reply(503, {"code": 1, "description": "busy"}), Reply(500), Reply(200, {"ok": True})]
    h = harness(server, backoff_base=0.5, backoff_max=8.0)
    response = h.transport.request("POST", "/x", grant=Grant.APP_ONLY, json_body={})
    assert response.body == {"ok": True}
    assert response.attempts == 3
    assert len({seen.headers["MS-RequestId"] for seen in server.seen}) == 1
    assert len(h.sleeps) == 2
    assert 0 <= h.sleeps[0] <= 0.5 and 0 <= h.sleeps[1] <= 1.0


def test_5xx_beyond_max_attempts_surfaces_as_unavailable(server: ScriptedServer) -> None:
    server.default = Reply(500, {"code": 500, "description": "boom", "source": "PartnerFD"})
    h = harness(server, max_attempts=3)
    with pytest.raises(Unavailable) as raised:
        h.transport.request("GET", "/x", grant=Grant.APP_ONLY)
    assert len(server.seen) == 3
    assert raised.value.status == 500
    assert raised.value.retried
    assert raised.value.request_id == server.seen[0].headers["MS-RequestId"]


def test_429_waits_retry_after_and_then_uses_a_new_request_id(server: ScriptedServer) -> None:
    throttled = Reply(429, {"statusCode": 429, "message": "Rate limit is exceeded."}, {"Retry-After": "2"})
    server.script = [throttled, Reply(200, {"done": 1})]
    h = harness(server)
    assert h.transport.request("GET", "/x", grant=Grant.APP_ONLY).body == {"done": 1}
    assert h.sleeps == [2.0]
    assert server.seen[0].headers["MS-RequestId"] != server.seen[1].headers["MS-RequestId"]


def test_429_keeps_a_request_id_the_caller_pinned(server: ScriptedServer) -> None:
    server.script = [Reply(429, None, {"Retry-After": "1"}), Reply(201, {})]
    h = harness(server)
    h.transport.request("POST", "/checkout", grant=Grant.APP_ONLY, json_body={}, request_id="pinned-1")
    assert [seen.headers["MS-RequestId"] for seen in server.seen] == ["pinned-1", "pinned-1"]


def test_429_asking_longer_than_the_max_wait_is_raised_without_waiting(server: ScriptedServer) -> None:
    server.default = Reply(429, {"statusCode": 429, "message": "Try again in 57 seconds."}, {"Retry-After": "57"})
    h = harness(server, max_retry_after=10.0)
    with pytest.raises(Throttled) as raised:
        h.transport.request("GET", "/x", grant=Grant.APP_ONLY)
    assert raised.value.retry_after == 57.0
    assert h.sleeps == []
    assert len(server.seen) == 1


def test_repeated_429s_give_up_after_the_throttle_budget(server: ScriptedServer) -> None:
    server.default = Reply(429, None, {"Retry-After": "1"})
    h = harness(server, max_throttle_retries=2)
    with pytest.raises(Throttled):
        h.transport.request("GET", "/x", grant=Grant.APP_ONLY)
    assert h.sleeps == [1.0, 1.0]
    assert len(server.seen) == 3


def test_dropped_connection_is_retried_with_the_same_request_id(server: ScriptedServer) -> None:
    server.script = [Reply(drop=True), Reply(201, {"id": "cart"})]
    h = harness(server)
    response = h.transport.request("POST", "/x", grant=Grant.APP_ONLY, json_body={})
    assert response.body == {"id": "cart"}
    assert server.seen[0].headers["MS-RequestId"] == server.seen[1].headers["MS-RequestId"]
    assert len(h.sleeps) == 1


def test_read_timeout_is_retried_then_surfaces_as_unavailable(server: ScriptedServer) -> None:
    server.default = Reply(200, {}, delay=0.6)
    h = harness(server, timeout=0.2, max_attempts=2)
    with pytest.raises(Unavailable) as raised:
        h.transport.request("POST", "/x", grant=Grant.APP_ONLY, json_body={})
    assert raised.value.status is None
    assert raised.value.retried
    assert len(server.seen) == 2
    assert server.seen[0].headers["MS-RequestId"] == server.seen[1].headers["MS-RequestId"]


def test_401_drops_the_token_and_retries_once_with_a_new_one(server: ScriptedServer) -> None:
    server.script = [Reply(401, {"code": 0, "description": "expired"}), Reply(200, {})]
    h = harness(server)
    h.transport.request("GET", "/x", grant=Grant.APP_USER)
    assert h.tokens.invalidated == [Grant.APP_USER]
    assert [seen.headers["Authorization"] for seen in server.seen] == ["Bearer token-1", "Bearer token-2"]


def test_client_errors_are_not_retried(server: ScriptedServer) -> None:
    server.default = Reply(404, {"code": 20003, "description": "subscription not found"})
    h = harness(server)
    with pytest.raises(NotFound):
        h.transport.request("GET", "/x", grant=Grant.APP_ONLY)
    server.default = Reply(400, {"code": "2055", "description": "etag"})
    with pytest.raises(StaleEtag):
        h.transport.request("PATCH", "/x", grant=Grant.APP_ONLY, json_body={})
    assert len(server.seen) == 2
    assert h.sleeps == []


def test_money_in_responses_arrives_as_decimal(server: ScriptedServer) -> None:
    server.script = [lambda seen: Reply(200, {"unitPrice": 5.6})]
    h = harness(server)
    body = h.transport.request("GET", "/x", grant=Grant.APP_ONLY).body
    assert body["unitPrice"] == Decimal("5.6")


def page(items: list[int], token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"totalCount": len(items), "items": [{"id": str(i)} for i in items], "links": {}}
    if token:
        body["continuationToken"] = token
        body["links"]["next"] = {
            "uri": "/customers?size=2&seekOperation=Next",
            "method": "GET",
            "headers": [{"key": "MS-ContinuationToken", "value": token}],
        }
    return body


def test_seek_paging_follows_next_links_with_the_continuation_header(server: ScriptedServer) -> None:
    server.script = [Reply(200, page([1, 2], "t1")), Reply(200, page([3, 4], "t2")), Reply(200, page([5], None))]
    h = harness(server)
    pages = list(h.transport.iter_pages("/customers", grant=Grant.APP_ONLY, params={"size": "2"}, correlation_id="c"))
    assert [[item["id"] for item in p["items"]] for p in pages] == [["1", "2"], ["3", "4"], ["5"]]
    assert server.seen[0].path == "/v1/customers?size=2"
    assert server.seen[1].path == "/v1/customers?size=2&seekOperation=Next"
    assert "MS-ContinuationToken" not in server.seen[0].headers
    assert [seen.headers.get("MS-ContinuationToken") for seen in server.seen[1:]] == ["t1", "t2"]
    assert {seen.headers["MS-CorrelationId"] for seen in server.seen} == {"c"}


def test_paging_streams_one_page_at_a_time(server: ScriptedServer) -> None:
    server.script = [Reply(200, page([1, 2], "t1")), Reply(200, page([3], None))]
    h = harness(server)
    pages = h.transport.iter_pages("/customers", grant=Grant.APP_ONLY)
    assert server.seen == []
    next(pages)
    assert len(server.seen) == 1


def test_400_code_2000_after_the_last_page_ends_paging(server: ScriptedServer) -> None:
    server.script = [Reply(200, page([1, 2], "t1")), Reply(400, {"code": 2000, "description": "no more"})]
    h = harness(server)
    pages = list(h.transport.iter_pages("/customers", grant=Grant.APP_ONLY))
    assert len(pages) == 1


def test_400_code_2000_on_the_first_page_is_an_error(server: ScriptedServer) -> None:
    from shared.partner_center.errors import InvalidRequest

    server.script = [Reply(400, {"code": 2000, "description": "Tenant Id must be a GUID"})]
    h = harness(server)
    with pytest.raises(InvalidRequest):
        list(h.transport.iter_pages("/customers", grant=Grant.APP_ONLY))


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("/customers/abc", "https://pc.example/v1/customers/abc"),
        ("/v1/customers?size=40", "https://pc.example/v1/customers?size=40"),
        ("customers/abc", "https://pc.example/v1/customers/abc"),
        ("https://elsewhere.example/v1/customers/abc?x=1", "https://pc.example/v1/customers/abc?x=1"),
    ],
)
def test_links_resolve_against_the_configured_host_with_or_without_v1(link: str, expected: str) -> None:
    transport = Transport(PartnerCenterEndpoints(partner_center_url="https://pc.example/"), CountingTokens())
    assert transport.url_for(link) == expected


def test_full_jitter_stays_inside_the_exponential_window_and_the_cap() -> None:
    rng = random.Random(1)
    for attempt in range(1, 12):
        window = min(8.0, 0.5 * 2 ** (attempt - 1))
        delays = [backoff_delay(attempt, base=0.5, cap=8.0, rng=rng) for _ in range(200)]
        assert all(0.0 <= delay <= window for delay in delays)
        assert max(delays) > window * 0.8


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("57") == 57.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412470.0) == 10.0
    assert parse_retry_after("-3") == 0.0
