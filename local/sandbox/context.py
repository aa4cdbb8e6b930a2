"""What every route of one sandbox app shares: settings, state, signing keys, faults and change listeners."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from local.sandbox.config import SandboxConfig
from local.sandbox.faults import FaultInjector
from local.sandbox.keys import SigningKey
from local.sandbox.state import SandboxState

EventListener = Callable[[str, str, dict[str, Any]], None]


@dataclass
class Sandbox:
    """One sandbox's shared parts; `event_listeners` hear what Partner Center would announce (webhooks hook in here)."""

    config: SandboxConfig
    state: SandboxState
    service_key: SigningKey
    user_key: SigningKey
    ca_certificate_pem: str
    faults: FaultInjector
    event_listeners: list[EventListener] = field(default_factory=list)
    webhook_dispatcher: Any = None
    # Subscriptions the clock changed under the state lock: announced once the request is done (outside the lock).
    pending_updates: list[dict[str, Any]] = field(default_factory=list)

    def publish(self, event_name: str, resource_uri: str, details: dict[str, Any]) -> None:
        """Announces a Partner Center event (e.g. 'subscription-updated'); a listener's failure stays its own."""
        for listener in list(self.event_listeners):
            try:
                listener(event_name, resource_uri, details)
            except Exception:  # noqa: BLE001 - a webhook sender must never break the change that triggered it
                continue


def get_sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox  # type: ignore[no-any-return]
