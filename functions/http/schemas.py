"""Shapes shared by several routes' OpenAPI descriptions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class FieldErrorOut(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldErrorOut] | None = None


def problems(*statuses: int) -> dict[int | str, dict[str, object]]:
    """The `responses=` entry documenting problem answers for these statuses."""
    return {
        status: {"model": Problem, "content": {"application/problem+json": {}}, "description": _DESCRIPTIONS[status]}
        for status in statuses
    }


_DESCRIPTIONS = {
    400: "Malformed request (problem details)",
    401: "Missing or invalid bearer token",
    403: "Signed in, but not allowed",
    404: "Not found, or outside the caller's scope",
    409: "Conflict with the current state",
    413: "Request body too large",
    422: "Validation failed (problem details with errors)",
    503: "A dependency is unavailable",
}
