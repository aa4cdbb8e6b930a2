"""The OpenAPI document, made true to what the app answers on every route, not only what each route declares.

Some answers come from layers a route never sees: the bearer check (401, 403 for non-members), the body reader
(413, 415, 400 for a bad Content-Length or a body that is not JSON), the validation handler (422 for queries, headers
and bodies), path ids no resource can have (404), Idempotency-Key (409 in flight, 422 reused) and storage outages
(503 with Retry-After). Every problem answer is `application/problem+json` with the Problem schema.

Every request body, every answer with content and every component schema carries an example
(`functions/http/examples.py`); a schema without one stops the document from being built at all.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI

from functions.http.examples import MEDIA_EXAMPLES, OPERATION_PROBLEM_EXAMPLES, PROBLEM_EXAMPLES, SCHEMA_EXAMPLES
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
# Answered from settings alone: no dependency to be unavailable.
WITHOUT_DEPENDENCIES = frozenset({"/api/config", "/api/openapi.json", "/api/dev/token"})
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_DESCRIPTIONS = {
    400: "Malformed request: a continuation token not issued for this query, a value storage cannot hold",
    401: "Missing or invalid bearer token",
    403: "Signed in, but not allowed",
    404: "Not found, or outside the caller's scope",
    409: "Conflict with the current state",
    412: "The ETag in If-Match is stale",
    413: "Request body too large",
    415: "The body is not JSON: another Content-Type, or not valid JSON",
    422: "Validation failed (problem details with errors)",
    503: "A dependency is unavailable; try again after Retry-After seconds",
}
_HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer error details", "schema": {"type": "string"}}},
    503: {"Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}},
}
# A signed route refuses with its own challenge (the webhook: `WWW-Authenticate: Signature`), the rest as every route.
_SIGNED_PATHS = frozenset({"/api/webhooks/partner-center"})
_SIGNATURE_HEADERS = {
    **_HEADERS,
    401: {
        "WWW-Authenticate": {
            "description": "Signature: the event's signature is missing or refused",
            "schema": {"type": "string"},
        }
    },  # fmt: skip
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
    _attach_examples(schema)
    return schema


class MissingExample(LookupError):
    """A schema of the document has no example in functions/http/examples.py."""


_REF_PREFIX = "#/components/schemas/"


def _attach_examples(schema: dict[str, Any]) -> None:
    """An example on every component (`examples`, as JSON Schema writes it) and on every media type of every
    request body and answer (`example`), so integrators see what each looks like (docs/api-guide.md#openapi-document).
    Raises MissingExample for a schema none is known for: a new model cannot land without its example."""
    for name, model in schema.get("components", {}).get("schemas", {}).items():
        model["examples"] = [_component_example(name)]
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if method in _METHODS:
                _operation_examples(f"{method.upper()} {path}", operation)


def _component_example(name: str) -> Any:
    if name not in SCHEMA_EXAMPLES:
        raise MissingExample(
            f"the schema {name} has no example: add one to SCHEMA_EXAMPLES in functions/http/examples.py"
        )
    return copy.deepcopy(SCHEMA_EXAMPLES[name])


def _operation_examples(where: str, operation: dict[str, Any]) -> None:
    body = operation.get("requestBody") or {}
    for media_type, media in (body.get("content") or {}).items():
        if _wants_example(media):
            media["example"] = _media_example(f"{where} request body", media_type, media)
    overrides = OPERATION_PROBLEM_EXAMPLES.get(operation.get("operationId", ""), {})
    for code, response in operation.get("responses", {}).items():
        for media_type, media in (response.get("content") or {}).items():
            if not _wants_example(media):
                continue
            if media_type == "application/problem+json" and code.isdigit():
                media["example"] = _problem_example(where, int(code), overrides)
            else:
                media["example"] = _media_example(f"{where} {code}", media_type, media)


def _wants_example(media: dict[str, Any]) -> bool:
    """A route that declares its own example keeps it."""
    return "example" not in media and "examples" not in media


def _problem_example(where: str, status: int, overrides: dict[int, dict[str, Any]]) -> dict[str, Any]:
    found = overrides.get(status) or PROBLEM_EXAMPLES.get(status)
    if found is None:
        raise MissingExample(f"{where} {status}: no problem example: add one to PROBLEM_EXAMPLES")
    return copy.deepcopy(found)


def _media_example(where: str, media_type: str, media: dict[str, Any]) -> Any:
    if media_type in MEDIA_EXAMPLES:
        return MEDIA_EXAMPLES[media_type]
    return _example_of(where, media.get("schema") or {})


def _example_of(where: str, schema: dict[str, Any]) -> Any:
    """The example of a schema: its component's, the one it declares, or one made of its parts' examples (arrays,
    objects, a choice of variants); anything else has no example known."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
        return _component_example(ref.removeprefix(_REF_PREFIX))
    for declared in ("examples", "example", "const", "enum"):
        if declared in schema:
            value = schema[declared]
            return copy.deepcopy(value[0] if declared in ("examples", "enum") else value)
    variants = [v for v in schema.get("anyOf", schema.get("oneOf", [])) if v.get("type") != "null"]
    if variants:
        return _example_of(where, variants[0])
    if schema.get("type") == "array" and "items" in schema:
        return [_example_of(where, schema["items"])]
    if schema.get("type") == "object" and "properties" in schema:
        return {name: _example_of(f"{where}.{name}", prop) for name, prop in schema["properties"].items()}
    raise MissingExample(f"{where}: no example for the schema {schema}: name a component or declare `examples`")


# Moments not named `...At`, and days (a charge's dates are calendar days, as Microsoft bills them).
_MOMENTS = frozenset({"firstSeen", "lastSeen", "termStartDate", "termEndDate", "expiresOn"})
_DAYS = frozenset({"chargeStartDate", "chargeEndDate"})


def _format_of(name: str) -> str | None:
    if name.endswith("At") or name in _MOMENTS:
        return "date-time"
    if name in _DAYS:
        return "date"
    return "uuid" if name == "tenantId" else None


def _name_formats(model: dict[str, Any]) -> None:
    """Every answer writes moments as RFC 3339 (`...At`, and the few moments named otherwise), days as dates and
    Entra tenants as GUIDs (`tenantId`): the document says so with `format`, from the naming rule the models follow,
    so a generated client can parse them."""
    for name, prop in (model.get("properties") or {}).items():
        wanted = _format_of(name)
        if wanted is None:
            continue
        for variant in prop.get("anyOf", [prop]):
            if variant.get("type") == "string" and "format" not in variant and "pattern" not in variant:
                variant["format"] = wanted


def _finish_operation(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    parameters = operation.get("parameters", [])
    statuses = {400} if path in WITHOUT_DEPENDENCIES else {400, 503}
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
    reads_input = "requestBody" in operation or any(p.get("in") in ("query", "header") for p in parameters)
    if not reads_input and responses.get("422", {}).get("description") == "Validation Error":
        del responses["422"]  # FastAPI's own guess: a path id that is not valid is 404, nothing else is read
    for code, response in responses.items():
        if code.isdigit() and int(code) >= 400:
            if not _answers_its_own_model(response):
                response["content"] = {"application/problem+json": {"schema": _PROBLEM_REF}}
            response.setdefault("description", _DESCRIPTIONS.get(int(code), "Problem details"))
            headers = _SIGNATURE_HEADERS if path in _SIGNED_PATHS else _HEADERS
            if int(code) in headers:
                response.setdefault("headers", {}).update(headers[int(code)])


def _answers_its_own_model(response: dict[str, Any]) -> bool:
    """A route that declares a JSON model for an error status answers it (GET /api/health's 503 is its report)."""
    schema = (response.get("content") or {}).get("application/json", {}).get("schema") or {}
    ref = schema.get("$ref") or ""
    return ref.startswith(_REF_PREFIX) and ref.removeprefix(_REF_PREFIX) not in {"Problem", "HTTPValidationError"}
