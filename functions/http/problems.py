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
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
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


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] if len(parts) > 1 else parts
    return ".".join(parts)


def _validation_problem(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem_response(
            400,
            slug="malformed-json",
            title="Malformed JSON",
            detail="the request body is not valid JSON",
            instance=request.url.path,
        )
    field_errors = [FieldError(_field_name(tuple(e.get("loc", ()))), str(e.get("msg", "invalid"))) for e in errors]
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
    in_query = any(tuple(e.get("loc", ()))[:1] == ("query",) for e in errors)
    in_body = any(tuple(e.get("loc", ()))[:1] == ("body",) for e in errors)
    status = 400 if in_query and not in_body else 422
    return problem_response(
        status,
        slug="validation-error",
        title="The request is not valid",
        detail="; ".join(f"{f.field}: {f.message}" for f in field_errors),
        errors=field_errors,
        instance=request.url.path,
    )


def _retry_after(status: int) -> dict[str, str] | None:
    """A dependency outage says when to come back (RFC 9110 Retry-After)."""
    return {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None


def allowed_methods(request: Request) -> list[str]:
    """Every method the API serves at this path, read from its OpenAPI document (which tests keep complete);
    Starlette's own 405 names only the methods of the first route whose path matched."""
    app = request.app
    table: list[tuple[re.Pattern[str], frozenset[str]]] | None = getattr(app.state, "allowed_methods", None)
    if table is None:
        table = []
        for path, operations in app.openapi().get("paths", {}).items():
            regex = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)) + "$")
            served = {m.upper() for m in operations if m.lower() in _HTTP_METHODS}
            if "GET" in served:
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
