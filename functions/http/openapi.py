"""The OpenAPI document, made true to what the app answers on every route, not only what each route declares.

Some answers come from layers a route never sees: the bearer check (401, 403 for non-members), the body reader
(413, 415, 400 for a bad Content-Length or a body that is not JSON), the validation handler (422 for queries, headers
and bodies), path ids no resource can have (404), Idempotency-Key (409 in flight, 422 reused) and storage outages
(503 with Retry-After). Every problem answer is `application/problem+json` with the Problem schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from functions.http.schemas import Problem

PUBLIC_PATHS = frozenset(
    {
        "/api/health",
        "/api/config",
        "/api/openapi.json",
        "/api/dev/people",
        "/api/dev/token",
        "/api/providers/consent/callback",
        "/api/webhooks/partner-center",
    }
)
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_DESCRIPTIONS = {
    400: "Malformed request: a body that is not JSON, a continuation token not issued for this query (problem details)",
    401: "Missing or invalid bearer token",
    403: "Signed in, but not allowed",
    404: "Not found, or outside the caller's scope",
    409: "Conflict with the current state",
    412: "The ETag in If-Match is stale",
    413: "Request body too large",
    415: "The body is not application/json",
    422: "Validation failed (problem details with errors)",
    503: "A dependency is unavailable; try again after Retry-After seconds",
}
_HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer error details", "schema": {"type": "string"}}},
    503: {"Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}},
}


def install_openapi(app: FastAPI) -> None:
    """Replaces app.openapi with one that finishes FastAPI's document (once, then cached)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        app.openapi_schema = finish(original())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def finish(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {})["bearer"] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if method in _METHODS:
                _finish_operation(path, operation)
    schemas = components.setdefault("schemas", {})
    if "Problem" not in schemas:
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(problem.pop("$defs", {}))
        schemas["Problem"] = problem
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    for model in schemas.values():
        _name_formats(model)
    return schema


def _name_formats(model: dict[str, Any]) -> None:
    """Every answer writes moments as RFC 3339 (`...At`) and Entra tenants as GUIDs (`tenantId`): the document says
    so with `format`, from the one naming rule the models follow, so a generated client can parse them."""
    for name, prop in (model.get("properties") or {}).items():
        wanted = "date-time" if name.endswith("At") else "uuid" if name == "tenantId" else None
        if wanted is None:
            continue
        for variant in prop.get("anyOf", [prop]):
            if variant.get("type") == "string" and "format" not in variant and "pattern" not in variant:
                variant["format"] = wanted


def _finish_operation(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    parameters = operation.get("parameters", [])
    statuses = {400, 503}
    if path not in PUBLIC_PATHS:
        operation["security"] = [{"bearer": []}]
        statuses |= {401, 403}
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if "requestBody" in operation:
        statuses |= {413, 415, 422}
    if any(p.get("in") == "header" and p.get("name") == "Idempotency-Key" for p in parameters):
        statuses |= {409, 422}
    for status in statuses:
        responses.setdefault(str(status), {"description": _DESCRIPTIONS[status]})
    for code, response in responses.items():
        if code.isdigit() and int(code) >= 400:
            response["content"] = {"application/problem+json": {"schema": _PROBLEM_REF}}
            response.setdefault("description", _DESCRIPTIONS.get(int(code), "Problem details"))
            if int(code) in _HEADERS:
                response.setdefault("headers", {}).update(_HEADERS[int(code)])
