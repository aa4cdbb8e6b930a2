"""Shapes shared by several routes' OpenAPI descriptions."""

from __future__ import annotations

from pydantic import BaseModel, Field

from functions.http.responses import hidden


class FieldErrorOut(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details (docs/api-guide.md#problem-details)."""

    type: str = Field(description="urn:csp-platform:problem:<slug>, or about:blank for the framework's own answers.")
    title: str
    status: int
    detail: str = Field(description="What went wrong, written for people.")
    instance: str = hidden("The path asked for (absent on the body check's and the webhook's refusals).")
    errors: list[FieldErrorOut] = hidden("Each field that failed, on validation failures and a bad continuation token.")


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
    415: "The body is not JSON (its Content-Type or its content)",
    422: "Validation failed (problem details with errors)",
    503: "A dependency is unavailable",
}
