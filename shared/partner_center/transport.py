"""HTTP to Partner Center: pooled session, headers of 1.3, MS-RequestId reuse, Retry-After, back-off, seek paging."""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from shared.partner_center.auth import Grant, TokenSource
from shared.partner_center.config import PartnerCenterEndpoints, Service
from shared.partner_center.errors import InvalidRequest, Throttled, Unavailable, error_from_response
from shared.telemetry import current_correlation_id

log = logging.getLogger(__name__)

CLIENT_NAME = "csp-platform"
CONTINUATION_HEADER = "MS-ContinuationToken"
END_OF_PAGING_CODE = 2000


@dataclass(frozen=True)
class RetryPolicy:
    """How long the client keeps trying before a typed error reaches the caller."""

    max_attempts: int = 4  # attempts in total for 5xx, timeouts and connection errors
    backoff_base: float = 0.5  # seconds; the cap of attempt n's jitter window is base * 2**(n-1)
    backoff_max: float = 8.0  # no single back-off window grows beyond this
    max_retry_after: float = 30.0  # a 429 asking for longer is raised as Throttled for the caller to schedule
    max_throttle_retries: int = 3  # 429s waited out in one logical request before giving up


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))], so synchronized retries spread out."""
    # Not shared/domain/backoff.py: this layer imports only its own modules (docs/architecture.md#layers).
    window = min(cap, base * (2 ** max(attempt - 1, 0)))
    return rng.uniform(0.0, window)


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


def parse_json(content: bytes) -> Any:
    """JSON with every non-integer number as Decimal (money is never float); None for an empty body."""
    if not content or not content.strip():
        return None
    return json.loads(content.decode("utf-8-sig"), parse_float=Decimal)


def to_json_bytes(value: Any) -> bytes:
    """Serializes a body with Decimals written as exact JSON numbers (never through float)."""
    return _encode(value).encode("utf-8")


def _encode(value: Any) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot send {value} as JSON")
        text = format(value, "f")
        return text
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(item) for item in value) + "]"
    if isinstance(value, float):
        raise TypeError("floats are not sent to Partner Center; use Decimal")
    return json.dumps(value)


@dataclass(frozen=True)
class ApiResponse:
    """One answered request: status, headers, parsed body and the ids that trace it."""

    status: int
    headers: Mapping[str, str]
    body: Any
    request_id: str
    correlation_id: str
    attempts: int = 1
    elapsed: float = 0.0
    raw: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class SentRequest:
    """An accepted answer as the retry loop hands it over, its body possibly still unread (streaming)."""

    response: requests.Response
    request_id: str
    correlation_id: str
    attempts: int
    elapsed: float


def new_id() -> str:
    return str(uuid.uuid4())


class Transport:
    """The one HTTP path to Partner Center; every operation of the client goes through request() or iter_pages()."""

    def __init__(
        self,
        endpoints: PartnerCenterEndpoints,
        tokens: TokenSource,
        *,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        pool_size: int = 16,
        locale: str = "en-US",
    ) -> None:
        self.endpoints = endpoints
        self.tokens = tokens
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.locale = locale
        self.session = session or self._new_session(endpoints, pool_size)
        timeout = float(endpoints.timeout)
        self.timeout = (min(10.0, timeout), timeout)
        # Worked out once: every request resolves its URL against these.
        self._roots = {service: endpoints.base_url(service) for service in Service}
        self._api_base = endpoints.api_base

    @staticmethod
    def _new_session(endpoints: PartnerCenterEndpoints, pool_size: int) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE and proxies from the environment must not override the CA
        if endpoints.ca_bundle:
            session.verify = endpoints.ca_bundle
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def close(self) -> None:
        self.session.close()

    def url_for(self, path_or_link: str, service: Service = Service.PARTNER_CENTER) -> str:
        """Resolves a path or a `links.*.uri` (with or without /v1, relative or absolute) against the configured host.

        An absolute link keeps only its path and query: the bearer token never goes to a host the answer names.
        """
        parts = urlsplit(path_or_link)
        path = parts.path or "/"
        if not path.startswith("/"):
            path = "/" + path
        query = f"?{parts.query}" if parts.query else ""
        root = self._roots[service]
        if service is not Service.PARTNER_CENTER:
            return root + path + query
        if path == "/v1" or path.startswith("/v1/") or path.startswith("/webhooks/"):
            return root + path + query
        return self._api_base + path + query

    def headers_for(
        self, token: str, *, request_id: str, correlation_id: str, has_body: bool, extra: Mapping[str, str] | None
    ) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "MS-RequestId": request_id,
            "MS-CorrelationId": correlation_id,
            "MS-Contract-Version": "v1",
            "X-Locale": self.locale,
            "MS-PartnerCenter-Client": CLIENT_NAME,
            "User-Agent": CLIENT_NAME,
        }
        if has_body:
            headers["Content-Type"] = "application/json"
        if extra:
            headers.update(extra)
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        grant: Grant,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
        correlation_id: str | None = None,
        ok: Sequence[int] = (200, 201, 202, 204),
        service: Service = Service.PARTNER_CENTER,
        parse: Callable[[bytes], Any] | None = None,
    ) -> ApiResponse:
        """Sends one logical request, retrying what is safe to retry, and returns it or raises a typed error.

        MS-RequestId stays the same across retries after a timeout, connection error or 5xx (the service may
        have acted); after any other answer a new one is used, unless the caller pinned it.
        """
        sent = self.send(
            method,
            path,
            grant=grant,
            params=params,
            json_body=json_body,
            headers=headers,
            request_id=request_id,
            correlation_id=correlation_id,
            ok=ok,
            service=service,
        )
        response = sent.response
        content = response.content
        return ApiResponse(
            status=response.status_code,
            headers=CaseInsensitiveDict(response.headers),
            body=self._body(content, response, parse),
            request_id=sent.request_id,
            correlation_id=sent.correlation_id,
            attempts=sent.attempts,
            elapsed=sent.elapsed,
            raw=content,
        )

    def send(
        self,
        method: str,
        path: str,
        *,
        grant: Grant,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
        correlation_id: str | None = None,
        ok: Sequence[int] = (200, 201, 202, 204),
        service: Service = Service.PARTNER_CENTER,
        stream: bool = False,
    ) -> SentRequest:
        """The retry loop of request(); with `stream` the accepted answer's body is left unread for the caller."""
        url = self.url_for(path, service)
        body = None if json_body is None else to_json_bytes(json_body)
        pinned = request_id is not None
        rid = request_id or new_id()
        cid = correlation_id or current_correlation_id() or new_id()
        failures = 0
        throttles = 0
        reauthenticated = False
        attempts = 0
        started = time.monotonic()
        while True:
            attempts += 1
            try:
                token = self.tokens.token(grant)
            except (Unavailable, Throttled) as trouble:
                failures += 1
                if failures >= self.retry.max_attempts:
                    raise
                wait = self._backoff(failures)
                if isinstance(trouble, Throttled) and trouble.retry_after is not None:
                    wait = max(wait, min(trouble.retry_after, self.retry.max_retry_after))
                self.sleep(wait)
                continue
            sent = self.headers_for(token, request_id=rid, correlation_id=cid, has_body=body is not None, extra=headers)
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    data=body,
                    headers=sent,
                    timeout=self.timeout,
                    allow_redirects=False,
                    stream=stream,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                failures += 1
                log.info("partner center %s %s failed (%s), attempt %d", method, urlsplit(url).path, exc, failures)
                if failures >= self.retry.max_attempts:
                    raise Unavailable(
                        f"{type(exc).__name__} after {failures} attempts: {exc}",
                        request_id=rid,
                        correlation_id=cid,
                        retried=failures > 1,
                    ) from exc
                self.sleep(self._backoff(failures))
                continue
            status = response.status_code
            log.debug("partner center %s %s -> %d (MS-RequestId %s)", method, urlsplit(url).path, status, rid)
            if status in ok:
                return SentRequest(response, rid, cid, attempts, time.monotonic() - started)
            response_headers = CaseInsensitiveDict(response.headers)
            error_body = self._error_body(response)
            retry_after = parse_retry_after(response_headers.get("Retry-After"))
            if status == 401 and not reauthenticated:
                reauthenticated = True
                self.tokens.invalidate(grant)
                rid = rid if pinned else new_id()
                continue
            if status == 429:
                throttles += 1
                wait = retry_after if retry_after is not None else self._backoff(throttles)
                if wait > self.retry.max_retry_after or throttles > self.retry.max_throttle_retries:
                    raise error_from_response(
                        status,
                        error_body,
                        request_id=rid,
                        correlation_id=cid,
                        retry_after=wait,
                        retried=attempts > 1,
                    )
                self.sleep(wait)
                rid = rid if pinned else new_id()
                continue
            if status >= 500:
                failures += 1
                if failures < self.retry.max_attempts:
                    delay = self._backoff(failures)
                    if retry_after is not None:
                        delay = max(delay, min(retry_after, self.retry.max_retry_after))
                    self.sleep(delay)
                    continue
            raise error_from_response(
                status,
                error_body,
                request_id=rid,
                correlation_id=cid,
                retry_after=retry_after,
                retried=attempts > 1,
            )

    def _backoff(self, attempt: int) -> float:
        return backoff_delay(attempt, base=self.retry.backoff_base, cap=self.retry.backoff_max, rng=self.rng)

    @staticmethod
    def _body(content: bytes, response: requests.Response, parse: Callable[[bytes], Any] | None) -> Any:
        try:
            return (parse or parse_json)(content)
        except ValueError:
            return response.text

    @staticmethod
    def _error_body(response: requests.Response) -> Any:
        try:
            return parse_json(response.content)
        except ValueError:
            return response.text[:1024]

    def iter_pages(
        self,
        path: str,
        *,
        grant: Grant,
        params: Mapping[str, str] | None = None,
        correlation_id: str | None = None,
        parse: Callable[[bytes], Any] | None = None,
    ) -> Iterator[Mapping[str, Any]]:
        """Streams a collection page by page, following links.next with its MS-ContinuationToken header.

        Stops when a page has no next link; a 400 code 2000 on a follow-up page is the end of data
        (docs/partner-center.md#paging).
        """
        cid = correlation_id or current_correlation_id() or new_id()
        target = path
        query: Mapping[str, str] | None = params
        extra: dict[str, str] = {}
        seen: set[tuple[str, str]] = set()
        first = True
        while True:
            try:
                response = self.request(
                    "GET", target, grant=grant, params=query, headers=extra, correlation_id=cid, parse=parse
                )
            except InvalidRequest as error:
                if not first and error.code == END_OF_PAGING_CODE:
                    return
                raise
            page = response.body if isinstance(response.body, Mapping) else {}
            yield page
            first = False
            next_link = _next_link(page)
            if next_link is None:
                return
            uri, link_headers = next_link
            token = link_headers.get(CONTINUATION_HEADER) or _continuation_token(page)
            extra = dict(link_headers)
            if token:
                extra[CONTINUATION_HEADER] = token
            key = (uri, token or "")
            if key in seen:
                log.warning("partner center paging repeated %s; stopping", uri)
                return
            seen.add(key)
            target, query = uri, None


def _continuation_token(page: Mapping[str, Any]) -> str | None:
    token = page.get("continuationToken")
    return str(token) if token else None


def _next_link(page: Mapping[str, Any]) -> tuple[str, dict[str, str]] | None:
    """The next request of a collection: its uri and headers (case-insensitively keyed), or None at the end."""
    links = page.get("links")
    if not isinstance(links, Mapping):
        return None
    nxt = next((value for key, value in links.items() if str(key).lower() == "next"), None)
    if not isinstance(nxt, Mapping) or not nxt.get("uri"):
        return None
    headers: dict[str, str] = {}
    for entry in nxt.get("headers") or []:
        if isinstance(entry, Mapping) and entry.get("key"):
            name = str(entry["key"])
            if name.lower() == CONTINUATION_HEADER.lower():
                name = CONTINUATION_HEADER
            headers[name] = str(entry.get("value", ""))
    return str(nxt["uri"]), headers
