"""MS-RequestId as Partner Center's idempotency key: a repeated request gets the first answer, nothing happens twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request

from local.sandbox.clock import parse_timestamp
from local.sandbox.state import SandboxState
from local.sandbox.wire import WireResponse

# (unconfirmed) how long Partner Center remembers an MS-RequestId is undocumented; the sandbox keeps it a week.
_REMEMBER_FOR = dt.timedelta(days=7)


def replay_key(request: Request, provider_tenant_id: str) -> str | None:
    request_id = request.headers.get("MS-RequestId")
    if not request_id:
        return None
    return f"{provider_tenant_id}|{request.method}|{request.url.path.lower()}|{request_id.lower()}"


def replayed(state: SandboxState, key: str | None) -> WireResponse | None:
    """The first answer to this request, if it succeeded before; the caller holds the state lock."""
    if key is None:
        return None
    record = state.data["replays"].get(key)
    if record is None:
        return None
    return WireResponse(record["body"], status_code=record["status"], headers=record.get("headers") or {})


def remember(
    state: SandboxState, key: str | None, status: int, body: Any, headers: dict[str, str] | None = None
) -> None:
    """Keeps a successful answer for replays (the caller holds the lock and saves afterwards)."""
    if key is None:
        return
    now = state.clock.now()
    replays = state.data["replays"]
    for stale in [k for k, r in replays.items() if parse_timestamp(r["at"]) + _REMEMBER_FOR < now]:
        del replays[stale]
    replays[key] = {"status": status, "body": body, "headers": headers or {}, "at": state.now_text()}
