"""ASGI middleware: a request body is read whole before anything parses it: over the limit it is a 413 (sized or
chunked alike), of a media type other than JSON or not parsing as JSON a 415, and JSON naming one key twice a 422
(never "the last wins"). A HEAD is answered wherever a GET is: the GET's status and headers, without the body."""

from __future__ import annotations

import json
from typing import Any

import orjson

from functions.http.problems import GET_WITH_EFFECTS, PROBLEM_JSON, problem_type

Scope = dict[str, Any]


class BodySizeLimit:
    def __init__(self, app: Any, *, max_bytes_of: Any) -> None:
        self.app = app
        self._max_bytes_of = max_bytes_of  # read lazily: settings are not loaded at import

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = int(self._max_bytes_of())
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                if int(declared) > limit:
                    await _too_large(send, limit)
                    return
            except ValueError:
                await _too_large(send, limit, detail="the Content-Length header is not a number", status=400)
                return
        body = b""
        while True:  # the whole body first: a chunked one over the limit is refused like a sized one
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay(b"", message, receive), send)
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await _too_large(send, limit)
                return
            if not message.get("more_body", False):
                break
        if body and scope.get("method") in _WITH_BODY:
            refusal = _refusal(headers.get(b"content-type", b""), body)
            if refusal is not None:
                await _problem(send, *refusal)
                return
        await self.app(scope, _replay(body, None, receive), send)


_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _replay(body: bytes, then: dict[str, Any] | None, receive: Any) -> Any:
    """A receive that hands the app the body already read (or what arrived instead of it), then waits on the
    real one: a streaming response listens for the client's disconnect, which must not be made up."""
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return then if then is not None else {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # type: ignore[no-any-return]

    return replay


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _refusal(content_type: bytes, body: bytes) -> tuple[int, str, str, str] | None:
    """(status, slug, title, detail) for a body the API cannot take, None for one it can."""
    media_type = content_type.decode("latin-1").split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        shown = media_type or "none"
        return 415, "unsupported-media-type", "Unsupported Media Type", (
            f"the request body must be application/json, not {shown}")  # fmt: skip
    try:
        json.loads(body, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as duplicate:
        return 422, "validation-error", "The request is not valid", (
            f"the JSON body names the key {str(duplicate)!r} more than once")  # fmt: skip
    except ValueError:  # not JSON at all: refused before any route reads it, as a body of another type is
        return 415, "malformed-json", "Malformed JSON", "the request body is not valid JSON"
    return None


class HeadAsGet:
    """HEAD wherever GET is served (RFC 9110 9.3.2): a HEAD runs as the GET of its path and is answered with the
    GET's status and headers (Content-Length included) and an empty body. A path that serves no GET answers it as
    it answers a GET: 405, with the same Allow; so does a GET that changes something (GET_WITH_EFFECTS)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD" or scope.get("path") in GET_WITH_EFFECTS:
            await self.app(scope, receive, send)
            return
        ended = False

        async def without_body(message: dict[str, Any]) -> None:
            nonlocal ended
            kind = message["type"]
            if kind == "http.response.start":
                await send(message)
            elif kind in ("http.response.body", "http.response.pathsend"):
                if not ended and not (kind == "http.response.body" and message.get("more_body", False)):
                    ended = True
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
            elif not ended:
                await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


async def _problem(send: Any, status: int, slug: str, title: str, detail: str) -> None:
    body = orjson.dumps({"type": problem_type(slug), "title": title, "status": status, "detail": detail})
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    if status == 415:
        headers.append((b"accept", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send: Any, limit: int, *, detail: str | None = None, status: int = 413) -> None:
    body = orjson.dumps(
        {
            "type": problem_type("payload-too-large" if status == 413 else "bad-request"),
            "title": "Payload too large" if status == 413 else "Bad request",
            "status": status,
            "detail": detail or f"the request body is larger than {limit} bytes",
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
