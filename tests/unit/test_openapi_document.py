"""The OpenAPI document integrators and the console's generated types read: every route in it, one stable
operationId per operation named for its action, a tag per resource, problem details on every error answer, answers
described by their models, and moments and tenant ids with their formats."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from local.api import create_local_api

APP = create_local_api()
DOCUMENT: dict[str, Any] = APP.openapi()
OPERATIONS = [
    (method, path, operation)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
    if method in ("get", "put", "post", "patch", "delete")
]
VERBS = {"get", "list", "put", "patch", "change", "create", "place", "invite", "enroll", "start", "complete", "sync",
         "check", "approve", "reject", "disable", "add", "remove", "cancel", "receive", "offboard",
         "restore"}  # fmt: skip


def test_every_route_is_in_the_document() -> None:
    documented = {(m.upper(), p) for m, p, _ in OPERATIONS}
    served = [c for c in iter_route_contexts(APP.routes) if isinstance(c.original_route, APIRoute)]
    assert len(served) > 50  # every included router's routes, with their full paths
    for route in served:
        if route.include_in_schema:
            for method in route.methods - {"HEAD", "OPTIONS"}:
                assert (method, route.path) in documented, (method, route.path)


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_an_operation_has_a_stable_id_named_for_its_action_and_one_tag(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    operation_id = operation["operationId"]
    assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", operation_id), operation_id
    assert re.match(r"[a-z]+", operation_id).group(0) in VERBS, operation_id  # type: ignore[union-attr]
    assert len(operation["tags"]) == 1, operation.get("tags")


def test_operation_ids_are_unique() -> None:
    ids = [operation["operationId"] for _, _, operation in OPERATIONS]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


# The health report is the answer whether or not a dependency is down (503 with the same report).
ERRORS_WITH_THEIR_OWN_MODEL = {("get", "/api/health", "503"): "#/components/schemas/HealthOut"}


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_every_error_answer_is_problem_details_and_every_success_has_its_model(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    for status, answer in operation["responses"].items():
        content = answer.get("content", {})
        if (method, path, status) in ERRORS_WITH_THEIR_OWN_MODEL:
            assert content["application/json"]["schema"] == {"$ref": ERRORS_WITH_THEIR_OWN_MODEL[method, path, status]}
        elif int(status) >= 400:
            assert list(content) == ["application/problem+json"], (status, content)
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
        elif status not in ("202", "204", "302", "303", "307") or content:
            for media_type, body in content.items():
                if media_type in ("application/json", "application/problem+json"):
                    assert body.get("schema"), (status, media_type, "an answer with no model")


def test_the_document_names_no_schema_the_api_never_sends() -> None:
    text = str(DOCUMENT)
    assert "HTTPValidationError" not in text and "#/components/schemas/ValidationError" not in text


def test_moments_are_date_times_and_tenants_are_uuids() -> None:
    for name, model in DOCUMENT["components"]["schemas"].items():
        for field, prop in (model.get("properties") or {}).items():
            strings = [v for v in prop.get("anyOf", [prop]) if v.get("type") == "string"]
            if field.endswith("At"):
                assert all(v.get("format") == "date-time" for v in strings), (name, field, prop)
            if field == "tenantId":
                assert all(v.get("format") == "uuid" or "[0-9a-fA-F]{12}" in v.get("pattern", "") for v in strings), (
                    name, field, prop)  # fmt: skip
