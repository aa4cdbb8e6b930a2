"""Opaque, signed continuation tokens: a forged or foreign token is refused, never followed."""

from __future__ import annotations

import base64
import hashlib
import hmac

import orjson


class InvalidContinuationToken(ValueError):
    """The token was not issued by us for this caller and this query."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ContinuationTokens:
    """Wraps a storage position so a caller can hand it back, bound to that caller and query."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("continuation:" + secret).encode()).digest()

    def _mac(self, binding: str, payload: bytes) -> bytes:
        return hmac.new(self._key, binding.encode() + b"\x00" + payload, hashlib.sha256).digest()[:16]

    def encode(self, position: dict[str, str] | None, *, binding: str) -> str | None:
        if not position:
            return None
        payload = orjson.dumps(position, option=orjson.OPT_SORT_KEYS)
        return f"{_b64(payload)}.{_b64(self._mac(binding, payload))}"

    def decode(self, token: str | None, *, binding: str) -> dict[str, str] | None:
        if token is None or token == "":
            return None
        try:
            payload_part, mac_part = token.split(".", 1)
            payload = _unb64(payload_part)
            mac = _unb64(mac_part)
        except (ValueError, UnicodeError) as exc:
            raise InvalidContinuationToken("malformed continuation token") from exc
        if not hmac.compare_digest(mac, self._mac(binding, payload)):
            raise InvalidContinuationToken("continuation token is not valid for this query")
        try:
            position = orjson.loads(payload)
        except orjson.JSONDecodeError as exc:
            raise InvalidContinuationToken("malformed continuation token") from exc
        if not isinstance(position, dict) or not all(isinstance(v, str) for v in position.values()):
            raise InvalidContinuationToken("malformed continuation token")
        return position
