"""How every route answers with its resource model (docs/api-guide.md#answers).

Each resource model is built from domain objects by its `of(...)` constructor, which sets every field the caller
may see (to `null` when it is not known) and leaves out the fields its role may not see. Answers are written with
`exclude_unset`, so a field left out is absent from the JSON rather than `null`, the same in every answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Union  # noqa: F401 (Union: JsonValue's definition)

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from typing_extensions import TypeAliasType


class ResourceRoute(APIRoute):
    """A route whose answer is its response model as built: fields left unset are absent."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["response_model_exclude_unset"] = True
        super().__init__(path, endpoint, **kwargs)


def resource_router(**kwargs: Any) -> APIRouter:
    return APIRouter(route_class=ResourceRoute, **kwargs)


def moment(value: datetime | None) -> str | None:
    """A moment as every answer writes it (ISO 8601 with its offset), or None when there is none."""
    return None if value is None else value.isoformat()


def aware(value: datetime | None) -> datetime | None:
    """A moment from a query: one given without a zone is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def hidden(description: str) -> Any:
    """A field some roles may not read: absent from their answers, never null (docs/api-guide.md#answers)."""
    return Field(default=None, description=description, json_schema_extra=_drop_default)


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def answer(model: BaseModel, *, status_code: int = 200, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """A resource model as a response the route returns itself (to set its status and headers, or to keep it for
    Idempotency-Key replays): written exactly as the route's declared model is."""
    return JSONResponse(model.model_dump(mode="json", exclude_unset=True), status_code=status_code,
                        headers=dict(headers) if headers else None)  # fmt: skip


# A JSON value of any shape, typed all the way down (the audit trail's snapshots).
JsonValue = TypeAliasType(
    "JsonValue",
    "Union[str, int, float, bool, None, list[JsonValue], dict[str, JsonValue]]",  # noqa: UP007
)
