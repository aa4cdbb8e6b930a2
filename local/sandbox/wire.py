"""Partner Center's wire conventions: JSON with exact decimals, error bodies, links, collections, key casing."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import Response


def dumps(value: Any) -> str:
    """JSON where Decimal is written as a number with its exact digits (never through float)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


class WireResponse(Response):
    """A JSON response rendered with `dumps`."""

    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8")


class PartnerCenterError(Exception):
    """An error Partner Center answers with `{code, description, data, source}`."""

    def __init__(
        self,
        status: int,
        code: int,
        description: str,
        *,
        source: str = "PartnerFD",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description[:1024]
        self.source = source
        self.headers = headers or {}

    def response(self) -> WireResponse:
        body = {"code": self.code, "description": self.description, "data": [], "source": self.source}
        return WireResponse(body, status_code=self.status, headers=self.headers)


def throttled_response(retry_after_seconds: int) -> WireResponse:
    """The 429 answer, whose body is not in the usual error shape."""
    body = {"statusCode": 429, "message": f"Rate limit is exceeded. Try again in {retry_after_seconds} seconds."}
    return WireResponse(body, status_code=429, headers={"Retry-After": str(retry_after_seconds)})


def link(uri: str, method: str = "GET", headers: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"uri": uri, "method": method, "headers": headers or []}


def collection(items: list[Any], *, self_uri: str | None = None, extra_links: dict[str, Any] | None = None) -> dict:
    """The collection envelope; `totalCount` counts this page's items only."""
    body: dict[str, Any] = {"totalCount": len(items), "items": items}
    links: dict[str, Any] = {}
    if self_uri is not None:
        links["self"] = link(self_uri)
    links.update(extra_links or {})
    if links:
        body["links"] = links
    body["attributes"] = {"objectType": "Collection"}
    return body


# Keys whose values are free-form maps: their own keys are data and keep their casing.
_OPAQUE_MAPS = frozenset({"provisioningContext", "properties"})


def camel_keys(value: Any) -> Any:
    """Binds PascalCase request bodies to camelCase names, as the service binds names case-insensitively."""
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, item in value.items():
            name = key[:1].lower() + key[1:] if isinstance(key, str) else key
            result[name] = item if name in _OPAQUE_MAPS else camel_keys(item)
        return result
    if isinstance(value, list):
        return [camel_keys(item) for item in value]
    return value


async def read_json(request: Request) -> Any:
    """The request body as camelCase JSON (numbers with fractions as Decimal); invalid JSON is a 400 code 2000."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return camel_keys(json.loads(raw, parse_float=Decimal))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PartnerCenterError(400, 2000, f"The request body is not valid JSON: {exc}") from exc


def get_ci(mapping: dict[str, Any], name: str, default: Any = None) -> Any:
    """A value by key compared case-insensitively (query strings and odd client casing)."""
    lowered = name.lower()
    for key, value in mapping.items():
        if key.lower() == lowered:
            return value
    return default
