"""Fault injection on Partner Center and token routes: throttling, server errors, latency, lost answers."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import threading
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from local.sandbox.wire import PartnerCenterError, throttled_response

_TOKEN_PATH = re.compile(r"^/[^/]+/oauth2/(v2\.0/)?token$")
_MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Returned to the server instead of an answer: uvicorn then closes the connection without writing a byte.
CONNECTION_DROPPED = "connection dropped by fault injection"


def faults_apply_to(path: str) -> bool:
    """Faults reach Microsoft's surfaces (Partner Center, webhooks API, Graph, token endpoint), never /_sandbox/."""
    if path.startswith("/_sandbox"):
        return False
    return path.startswith(("/v1/", "/webhooks/v1/", "/v1.0/")) or bool(_TOKEN_PATH.match(path))


@dataclass(frozen=True)
class FaultSettings:
    """Rates are probabilities per request (0..1); dropAfterCommit is one too (true means always)."""

    rate429: float = 0.0
    rate5xx: float = 0.0
    latency_ms: int = 0
    drop_after_commit: float = 0.0
    seed: int | None = None
    retry_after_seconds: int = 1

    def as_wire(self) -> dict[str, Any]:
        return {
            "rate429": self.rate429,
            "rate5xx": self.rate5xx,
            "latencyMs": self.latency_ms,
            "dropAfterCommit": self.drop_after_commit,
            "seed": self.seed,
            "retryAfterSeconds": self.retry_after_seconds,
        }


def _rate(body: dict[str, Any], name: str) -> float:
    value = body.get(name, 0)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number between 0 and 1")
    return float(value)


def parse_fault_settings(body: dict[str, Any]) -> FaultSettings:
    """Reads `{rate429, rate5xx, latencyMs, dropAfterCommit, seed, retryAfterSeconds?}`; `{}` means no faults."""
    latency = body.get("latencyMs", 0)
    if isinstance(latency, bool) or not isinstance(latency, int | float) or not 0 <= latency <= 60_000:
        raise ValueError("latencyMs must be a number of milliseconds between 0 and 60000")
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError("seed must be an integer")
    retry_after = body.get("retryAfterSeconds", 1)
    if isinstance(retry_after, bool) or not isinstance(retry_after, int) or not 0 <= retry_after <= 3600:
        raise ValueError("retryAfterSeconds must be an integer between 0 and 3600")
    return FaultSettings(
        rate429=_rate(body, "rate429"),
        rate5xx=_rate(body, "rate5xx"),
        latency_ms=int(latency),
        drop_after_commit=_rate(body, "dropAfterCommit"),
        seed=seed,
        retry_after_seconds=retry_after,
    )


@dataclass(frozen=True)
class FaultDecision:
    latency_seconds: float
    throttle: bool
    server_error: int | None
    drop: bool


class FaultInjector:
    """Holds the current fault settings and a seeded random source, so a seed replays the same faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings = FaultSettings()
        self._random = random.Random()

    @property
    def settings(self) -> FaultSettings:
        return self._settings

    def configure(self, settings: FaultSettings) -> None:
        with self._lock:
            self._settings = settings
            self._random = random.Random(settings.seed)

    def decide(self, method: str) -> FaultDecision:
        with self._lock:
            settings, rng = self._settings, self._random
            throttle = settings.rate429 > 0 and rng.random() < settings.rate429
            server_error = None
            if not throttle and settings.rate5xx > 0 and rng.random() < settings.rate5xx:
                server_error = rng.choice((500, 503))
            drop = (
                method in _MUTATING
                and not throttle
                and server_error is None
                and settings.drop_after_commit > 0
                and rng.random() < settings.drop_after_commit
            )
        return FaultDecision(settings.latency_ms / 1000.0, throttle, server_error, drop)


async def run_with_faults(injector: FaultInjector, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> Any:
    """Runs one request through the injector; returns CONNECTION_DROPPED when the answer must be lost."""
    if scope["type"] != "http" or not faults_apply_to(scope["path"]):
        await app(scope, receive, send)
        return None
    decision = injector.decide(scope["method"])
    if decision.latency_seconds:
        await asyncio.sleep(decision.latency_seconds)
    if decision.throttle:
        await throttled_response(injector.settings.retry_after_seconds)(scope, receive, send)
        return None
    if decision.server_error is not None:
        description = "Service unavailable." if decision.server_error == 503 else "An unexpected error occurred."
        await PartnerCenterError(decision.server_error, 500, description).response()(scope, receive, send)
        return None
    if not decision.drop:
        await app(scope, receive, send)
        return None
    held: list[Message] = []

    async def hold(message: Message) -> None:
        held.append(message)

    await app(scope, receive, hold)
    status = next((m["status"] for m in held if m["type"] == "http.response.start"), 500)
    if status >= 400:  # nothing was committed: the client may see this failure as it is
        for message in held:
            await send(message)
        return None
    return CONNECTION_DROPPED


class _DroppedConnectionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return CONNECTION_DROPPED not in record.getMessage()


def quiet_dropped_connections() -> None:
    """Keeps deliberate connection drops out of the server's error log."""
    logging.getLogger("uvicorn.error").addFilter(_DroppedConnectionFilter())
