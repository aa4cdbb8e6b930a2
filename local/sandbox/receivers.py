"""Webhook receivers: where a reseller's or a provider's own systems would receive the platform's outbound events.

`POST /_sandbox/receivers/{name}` records what arrives (headers, raw body, when) and answers 200, or the status set
with `POST /_sandbox/receivers/{name}/fail` (for the next `times` requests, or until cleared), so a test can make an
endpoint fail; `GET /_sandbox/receivers/{name}` lists what arrived as JSON, or as a page for a person with
`?format=html`. Kept in memory: a restarted sandbox starts with empty receivers."""

from __future__ import annotations

import html
import threading
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter(prefix="/_sandbox/receivers", tags=["Sandbox control"])

MAX_KEPT = 500  # requests kept per receiver, the oldest dropped first
NAME = r"^[A-Za-z0-9._-]{1,100}$"
_lock = threading.Lock()


class FailIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: int = Field(ge=200, le=599, description="What the receiver answers; 200 clears a failure.")
    times: int | None = Field(default=None, ge=1, le=1000, description="For this many requests; absent: until reset")


def _receivers(request: Request) -> dict[str, dict[str, Any]]:
    with _lock:
        found: dict[str, dict[str, Any]] | None = getattr(request.app.state, "receivers", None)
        if found is None:
            found = {}
            request.app.state.receivers = found
        return found


def _receiver(request: Request, name: str) -> dict[str, Any]:
    receivers = _receivers(request)
    with _lock:
        return receivers.setdefault(name, {"requests": [], "fail": None})


@router.post("/{name}", summary="A webhook receiver: records the request and answers 200 (or the status set)")
async def receive(request: Request, name: str = Path(pattern=NAME)) -> Response:
    body = await request.body()
    receiver = _receiver(request, name)
    with _lock:
        fail = receiver["fail"]
        status = 200
        if fail is not None:
            status = int(fail["status"])
            if fail["times"] is not None:
                fail["times"] -= 1
                if fail["times"] <= 0:
                    receiver["fail"] = None
        receiver["requests"].append({
            "receivedAt": datetime.now(UTC).isoformat(),
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "body": body.decode("utf-8", errors="replace"),
            "answered": status,
        })  # fmt: skip
        del receiver["requests"][:-MAX_KEPT]
    return JSONResponse({"received": True}, status_code=status)


@router.post("/{name}/fail", summary="Make the receiver answer a status: {status, times?}; {status: 200} clears")
def fail(body: FailIn, request: Request, name: str = Path(pattern=NAME)) -> dict[str, Any]:
    receiver = _receiver(request, name)
    with _lock:
        receiver["fail"] = None if body.status < 300 else {"status": body.status, "times": body.times}
        return {"name": name, "fail": receiver["fail"]}


@router.delete("/{name}", summary="Forget what the receiver got and any failure set")
def reset(request: Request, name: str = Path(pattern=NAME)) -> Response:
    receivers = _receivers(request)
    with _lock:
        receivers.pop(name, None)
    return Response(status_code=204)


@router.get("/{name}", summary="What the receiver got, oldest first (JSON; ?format=html for a person)")
def received(request: Request, name: str = Path(pattern=NAME), format: str = "json") -> Response:  # noqa: A002
    receiver = _receiver(request, name)
    with _lock:
        items = [dict(r) for r in receiver["requests"]]
        failing = receiver["fail"]
    if format != "html":
        return JSONResponse({"name": name, "fail": failing, "items": items})
    rows = "".join(
        f"<tr><td>{html.escape(r['receivedAt'])}</td><td>{html.escape(r['headers'].get('x-event-type', ''))}</td>"
        f"<td><code>{html.escape(r['headers'].get('x-delivery-id', ''))}</code></td><td>{r['answered']}</td>"
        f"<td><pre>{html.escape(r['body'])}</pre></td></tr>"
        for r in reversed(items)
    )
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Receiver {html.escape(name)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}}table{{border-collapse:collapse}}
td,th{{border:1px solid #767676;padding:.3rem .5rem;vertical-align:top;text-align:left}}
pre{{margin:0;white-space:pre-wrap;max-width:60rem}}</style></head><body><main>
<h1>Webhook receiver {html.escape(name)}</h1>
<p>Events the platform delivered here, newest first ({len(items)}); this receiver answers
{failing["status"] if failing else 200}.</p>
<table><thead><tr><th scope="col">Received</th><th scope="col">Event type</th><th scope="col">Delivery</th>
<th scope="col">Answered</th><th scope="col">Body</th></tr></thead><tbody>{rows}</tbody></table></main></body></html>"""
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})
