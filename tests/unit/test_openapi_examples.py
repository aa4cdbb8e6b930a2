"""Every request body and every answer of the OpenAPI document shows an example, and every example is true: it is
valid against its schema as the document states it at test time (never a copy of it), and a problem example is a
problem answer of its own status with a documented type (docs/api-guide.md#openapi-document)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from functions.http.examples import SCHEMA_EXAMPLES
from functions.http.openapi import MissingExample, install_openapi
from local.api import create_local_api

DOCUMENT: dict[str, Any] = create_local_api().openapi()
COMPONENTS: dict[str, Any] = DOCUMENT["components"]
SCHEMAS: dict[str, Any] = COMPONENTS["schemas"]
OPERATIONS = [
    (f"{method.upper()} {path}", operation)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
    if method in ("get", "put", "post", "patch", "delete")
]
PROBLEM_TYPE = re.compile(r"urn:csp-platform:problem:[a-z]+(?:-[a-z]+)*")
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api-guide.md"


def media_of(operation: dict[str, Any]) -> list[tuple[str, int | None, str, dict[str, Any]]]:
    """(what, status, media type, media object) of the operation's request body and of each answer with content."""
    found = [
        ("request body", None, media_type, media)
        for media_type, media in ((operation.get("requestBody") or {}).get("content") or {}).items()
    ]
    for code, response in operation["responses"].items():
        for media_type, media in (response.get("content") or {}).items():
            found.append((code, int(code), media_type, media))
    return found


EXAMPLES = [
    (f"{where} {what} {media_type}", status, media)
    for where, operation in OPERATIONS
    for what, status, media_type, media in media_of(operation)
]


def errors(schema: dict[str, Any], instance: Any) -> list[str]:
    """Why the instance is not valid against the schema, its `$ref`s resolved in the document (JSON Schema 2020-12,
    as OpenAPI 3.1 writes schemas; formats checked)."""
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": COMPONENTS, **schema}
    validator = jsonschema_rs.validator_for(root, validate_formats=True)
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(instance)]


def example_of(media: dict[str, Any]) -> Any:
    return media["example"] if "example" in media else next(iter(media["examples"].values()))["value"]


def documented_problem_types() -> dict[str, int]:
    """The slugs of docs/api-guide.md#problem-types with their statuses."""
    section = GUIDE.read_text(encoding="utf-8").split("### Problem types", 1)[1].split("\n### ", 1)[0]
    return {slug: int(status) for slug, status in re.findall(r"^\| `([a-z-]+)` \| (\d{3}) \|", section, re.MULTILINE)}


def test_the_document_is_not_empty() -> None:
    """A check over an empty document proves nothing."""
    assert len(OPERATIONS) > 40, len(OPERATIONS)
    assert len(EXAMPLES) > 400, len(EXAMPLES)
    assert sum(1 for _, status, _ in EXAMPLES if status is None) > 15
    assert len(SCHEMAS) > 60, len(SCHEMAS)


@pytest.mark.parametrize(("where", "operation"), OPERATIONS, ids=[where for where, _ in OPERATIONS])
def test_every_request_body_and_answer_with_content_has_an_example(where: str, operation: dict[str, Any]) -> None:
    for what, _, media_type, media in media_of(operation):
        assert "example" in media or "examples" in media, (what, media_type)
    if "requestBody" in operation:
        assert operation["requestBody"].get("content"), "a request body with no media type"


@pytest.mark.parametrize(("where", "status", "media"), EXAMPLES, ids=[where for where, _, _ in EXAMPLES])
def test_an_example_is_valid_against_its_schema(where: str, status: int | None, media: dict[str, Any]) -> None:
    assert media.get("schema"), "an example of no schema"
    assert errors(media["schema"], example_of(media)) == []


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_component_shows_a_valid_example(name: str) -> None:
    examples = SCHEMAS[name].get("examples")
    assert examples, f"{name} shows no example"
    for example in examples:
        assert errors({"$ref": f"#/components/schemas/{name}"}, example) == []


PROBLEMS = [
    (where, status, media)
    for where, status, media in EXAMPLES
    if status is not None and status >= 400 and where.endswith("application/problem+json")
]


@pytest.mark.parametrize(("where", "status", "media"), PROBLEMS, ids=[where for where, _, _ in PROBLEMS])
def test_a_problem_example_is_a_problem_answer_of_its_status(where: str, status: int, media: dict[str, Any]) -> None:
    example = example_of(media)
    assert example["status"] == status
    assert example["type"] == "about:blank" or PROBLEM_TYPE.fullmatch(example["type"]), example["type"]
    if status == 422:
        assert example.get("errors"), "a 422 names the failing fields"
        assert all(error["field"] and error["message"] for error in example["errors"])
    if example["type"] != "about:blank":
        slug = example["type"].removeprefix("urn:csp-platform:problem:")
        documented = documented_problem_types()
        assert slug in documented, f"{slug} is not in docs/api-guide.md#problem-types"
        assert documented[slug] == status, (slug, documented[slug])


def test_the_problem_types_table_is_read() -> None:
    assert len(documented_problem_types()) > 15


def test_a_wrong_example_is_not_valid() -> None:
    """The validation really looks: an order whose quantity is text, an order missing its lines, a problem without
    its status are each refused."""
    order = copy.deepcopy(SCHEMAS["OrderOut"]["examples"][0])
    assert errors({"$ref": "#/components/schemas/OrderOut"}, order) == []
    order["lines"][0]["quantity"] = str(order["lines"][0]["quantity"])
    assert errors({"$ref": "#/components/schemas/OrderOut"}, order)
    placed = copy.deepcopy(SCHEMAS["OrderIn"]["examples"][0])
    del placed["lines"]
    assert errors({"$ref": "#/components/schemas/OrderIn"}, placed)
    problem = {key: value for key, value in SCHEMAS["Problem"]["examples"][0].items() if key != "status"}
    assert errors({"$ref": "#/components/schemas/Problem"}, problem)
    moment = copy.deepcopy(SCHEMAS["LotOut"]["examples"][0])
    moment["windowEndsAt"] = "next Tuesday"
    assert errors({"$ref": "#/components/schemas/LotOut"}, moment)


def test_every_example_is_of_a_schema_the_document_has() -> None:
    """An example left behind by a renamed or removed model is found, not kept."""
    assert sorted(set(SCHEMA_EXAMPLES) - set(SCHEMAS)) == []


def test_a_schema_without_an_example_stops_the_document() -> None:
    class Unexampled(BaseModel):
        name: str

    app = FastAPI()

    @app.get("/api/unexampled", response_model=Unexampled)
    def unexampled() -> Unexampled:
        return Unexampled(name="x")

    install_openapi(app)
    with pytest.raises(MissingExample, match="Unexampled"):
        app.openapi()
