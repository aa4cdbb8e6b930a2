"""Signed, expiring state for redirects (the consent flow): tamper-evident without server storage;
single use is enforced by the caller with a stored nonce."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import orjson


class InvalidState(ValueError):
    """The state was not issued by us, was altered, or has expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SignedState:
    def __init__(self, secret: str, *, purpose: str) -> None:
        self._key = hashlib.sha256(f"state:{purpose}:{secret}".encode()).digest()

    def issue(self, payload: dict[str, Any], *, ttl_seconds: float, now: float | None = None) -> str:
        body = orjson.dumps({**payload, "exp": int((now or time.time()) + ttl_seconds)}, option=orjson.OPT_SORT_KEYS)
        mac = hmac.new(self._key, body, hashlib.sha256).digest()
        return f"{_b64(body)}.{_b64(mac)}"

    def read(self, token: str, *, now: float | None = None) -> dict[str, Any]:
        try:
            body_part, mac_part = token.split(".", 1)
            body, mac = _unb64(body_part), _unb64(mac_part)
        except (ValueError, UnicodeError) as exc:
            raise InvalidState("malformed state") from exc
        if not hmac.compare_digest(mac, hmac.new(self._key, body, hashlib.sha256).digest()):
            raise InvalidState("the state's signature is not valid")
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise InvalidState("malformed state") from exc
        if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
            raise InvalidState("malformed state")
        if payload["exp"] < (now or time.time()):
            raise InvalidState("the state has expired")
        return payload
