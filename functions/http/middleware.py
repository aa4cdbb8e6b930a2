"""ASGI middleware: a hard limit on request bodies, enforced before anything parses them."""

from __future__ import annotations

from typing import Any

import orjson

from functions.http.problems import PROBLEM_JSON, problem_type

Scope = dict[str, Any]


class BodyTooLarge(Exception):
    pass


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
        received = 0
        started = False

        async def limited_receive() -> dict[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, limit)


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
