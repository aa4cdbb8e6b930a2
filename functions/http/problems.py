"""RFC 9457 problem details for every error the API answers."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from azure.core.exceptions import AzureError, HttpResponseError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.auth.tokens import InvalidToken, KeysUnavailable
from shared.services.errors import FieldError, Invalid, ServiceError
from shared.storage.paging import InvalidContinuationToken

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 5
log = logging.getLogger(__name__)


def problem_type(slug: str) -> str:
    return f"urn:csp-platform:problem:{slug}"


def problem_response(
    status: int,
    *,
    slug: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem_type(slug) if slug else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or HTTPStatus(status).description,
    }
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = [{"field": _written_one_way(e.field), "message": e.message} for e in errors]
    for name, value in (extensions or {}).items():
        body.setdefault(name, value)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


class ProblemException(Exception):
    """Raised by routes for a refusal that has no service error behind it."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.slug, self.title, self.headers = status, detail, slug, title, headers


_LOCATIONS = frozenset({"body", "query", "path", "header"})


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """A field named as the API writes every field: a body field by its path in the body (`lines[0].quantity`,
    no leading `body`), a query parameter or header by its name; list indexes in brackets."""
    parts = list(loc)
    if len(parts) > 1 and parts[0] in _LOCATIONS:
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _written_one_way(field: str) -> str:
    """A service's field path in the API's one form: `lines.0.catalogItemId` becomes `lines[0].catalogItemId`
    (a segment inside brackets, such as a catalog item id, is left as it is)."""
    segments: list[str] = []
    depth, start = 0, 0
    for at, char in enumerate(field):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "." and depth == 0:
            segments.append(field[start:at])
            start = at + 1
    segments.append(field[start:])
    path = segments[0]
    for segment in segments[1:]:
        path += f"[{segment}]" if segment.isascii() and segment.isdigit() else f".{segment}"
    return path


class _Count(int):
    """A number in a message that may name its unit: `{max_length:character}` reads "128 characters"."""

    def __format__(self, unit: str) -> str:
        if not unit:
            return str(int(self))
        return f"{int(self)} {unit}{'' if self == 1 else 's'}"


# What each kind of validation failure (pydantic's error `type`) says to people; `{name}` is taken from the error's
# context. A type not listed here keeps pydantic's own message.
MESSAGES: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this resource",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "string_too_short": "must be at least {min_length:character}",
    "string_too_long": "must be at most {max_length:character}",
    "string_pattern_mismatch": "is not in the expected format",
    "literal_error": "must be {expected}",
    "enum": "must be {expected}",
    "greater_than": "must be more than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "too_short": "must have at least {min_length:item}",
    "too_long": "must have at most {max_length:item}",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "datetime_type": "must be a date and time, such as 2026-10-01T00:00:00Z",
    "datetime_from_date_parsing": "must be a date and time, such as 2026-10-01T00:00:00Z",
    "value_error": "{error}",  # the validator's own words, without pydantic's "Value error, "
}


def field_message(error: dict[str, Any]) -> str:
    """The message of one validation error, for people (MESSAGES), else pydantic's own."""
    fallback = str(error.get("msg") or "is not valid")
    template = MESSAGES.get(str(error.get("type")))
    if template is None:
        return fallback
    context = {
        key: _Count(value) if isinstance(value, int) and not isinstance(value, bool) else value
        for key, value in (error.get("ctx") or {}).items()
    }
    try:
        return template.format_map(context)
    except (KeyError, ValueError, TypeError):
        return fallback


def _validation_problem(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        # The body check (middleware.BodySizeLimit) refuses these first; a body it let through is refused alike.
        return problem_response(
            415,
            slug="malformed-json",
            title="Malformed JSON",
            detail="the request body is not valid JSON",
            headers={"Accept": "application/json"},
            instance=request.url.path,
        )
    field_errors = [FieldError(field_path(tuple(e.get("loc", ()))), field_message(e)) for e in errors]
    if any(tuple(e.get("loc", ()))[:1] == ("path",) for e in errors):
        # An id no resource can have (empty, or longer than any id): nothing is there to find.
        return problem_response(
            404,
            slug="not-found",
            title="Not Found",
            detail="no resource has this id ("
            + "; ".join(
                f"{f.field}: {f.message}" for f, e in zip(field_errors, errors, strict=True) if e["loc"][0] == "path"
            )
            + ")",
            instance=request.url.path,
        )
    # A query parameter, header or body field that is missing or malformed: 422 with every field named.
    return problem_response(
        422,
        slug="validation-error",
        title="The request is not valid",
        detail="; ".join(f"{f.field}: {f.message}" for f in field_errors),
        errors=field_errors,
        instance=request.url.path,
    )


def _retry_after(status: int) -> dict[str, str] | None:
    """A dependency outage says when to come back (RFC 9110 Retry-After)."""
    return {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None


# A GET that changes something (redeeming a consent code): a HEAD of it, such as a link checker sends, is 405.
GET_WITH_EFFECTS = frozenset({"/api/providers/consent/callback"})


def path_pattern(path: str) -> re.Pattern[str]:
    """What request paths a documented path (`/api/orders/{order_id}`) stands for: each parameter one segment."""
    return re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)) + "$")


def allowed_methods(request: Request) -> list[str]:
    """Every method the API serves at this path, read from its OpenAPI document (which tests keep complete);
    Starlette's own 405 names only the methods of the first route whose path matched."""
    app = request.app
    table: list[tuple[re.Pattern[str], frozenset[str]]] | None = getattr(app.state, "allowed_methods", None)
    if table is None:
        table = []
        for path, operations in app.openapi().get("paths", {}).items():
            regex = path_pattern(path)
            served = {m.upper() for m in operations if m.lower() in _HTTP_METHODS}
            if "GET" in served and path not in GET_WITH_EFFECTS:
                served.add("HEAD")
            table.append((regex, frozenset(served)))
        app.state.allowed_methods = table
    found: set[str] = set()
    for regex, methods in table:
        if regex.match(request.url.path):
            found |= methods
    return sorted(found)


_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation_problem(request, exc)

    @app.exception_handler(Invalid)
    async def on_invalid(request: Request, exc: Invalid) -> JSONResponse:
        return problem_response(
            exc.status, slug=exc.slug, title=exc.title, detail=exc.detail, errors=exc.errors, instance=request.url.path
        )

    @app.exception_handler(ServiceError)
    async def on_service_error(request: Request, exc: ServiceError) -> JSONResponse:
        return problem_response(
            exc.status,
            slug=exc.slug,
            title=exc.title,
            detail=exc.detail,
            headers=_retry_after(exc.status),
            instance=request.url.path,
            extensions=exc.extensions,
        )

    @app.exception_handler(ProblemException)
    async def on_problem(request: Request, exc: ProblemException) -> JSONResponse:
        return problem_response(
            exc.status,
            slug=exc.slug,
            title=exc.title,
            detail=exc.detail,
            headers=exc.headers,
            instance=request.url.path,
        )

    @app.exception_handler(InvalidToken)
    async def on_invalid_token(request: Request, exc: InvalidToken) -> JSONResponse:
        return problem_response(
            401,
            slug="unauthorized",
            title="Unauthorized",
            detail=str(exc),
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            instance=request.url.path,
        )

    @app.exception_handler(KeysUnavailable)
    async def on_keys_unavailable(request: Request, exc: KeysUnavailable) -> JSONResponse:
        return problem_response(
            503, slug="unavailable", detail=str(exc), headers=_retry_after(503), instance=request.url.path
        )

    @app.exception_handler(InvalidContinuationToken)
    async def on_bad_continuation(request: Request, exc: InvalidContinuationToken) -> JSONResponse:
        return problem_response(
            400,
            slug="invalid-continuation-token",
            title="Invalid continuation token",
            detail=str(exc),
            errors=[FieldError("continuationToken", str(exc))],
            instance=request.url.path,
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(
            exc.status_code,
            detail=str(exc.detail) if exc.detail else None,
            headers=headers or None,
            instance=request.url.path,
        )

    @app.exception_handler(AzureError)
    async def on_storage_error(request: Request, exc: AzureError) -> JSONResponse:
        status = getattr(exc, "status_code", None)
        if isinstance(exc, HttpResponseError) and status is not None and 400 <= status < 500:
            # Storage refused what the request named (a key it cannot hold or look up): the caller's input.
            log.warning("storage refused %s %s: %s %s", request.method, request.url.path, status, exc.reason)
            return problem_response(
                400,
                slug="unstorable-value",
                title="Bad Request",
                detail="the request names a value that cannot be stored or looked up",
                instance=request.url.path,
            )
        log.warning("storage unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return problem_response(
            503,
            slug="unavailable",
            title="Service Unavailable",
            detail="storage is not answering; nothing was changed, try again shortly",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            instance=request.url.path,
        )

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            500, detail="an unexpected error occurred; it has been logged", instance=request.url.path
        )
