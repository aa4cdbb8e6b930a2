"""Validation problems (docs/api-guide.md#problem-details): every failure is 422 with its fields named one way
(`lines[0].quantity`) and a message written for people, one row of `functions.http.problems.MESSAGES` each."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from functions.http.fields import Name, Period, Quantity, QueryInt, StrictFlag
from functions.http.problems import MESSAGES, field_path, install_problem_handlers
from shared.services.errors import FieldError, Invalid


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quantity: Quantity


class Probe(BaseModel):
    model_config = ConfigDict(extra="forbid")
    needed: str
    strictCount: Annotated[int, Field(strict=True)] | None = None
    count: int | None = None
    flag: StrictFlag | None = None
    laxFlag: bool | None = None
    text: str | None = None
    code: Annotated[str, StringConstraints(min_length=2, max_length=128)] | None = None
    initial: Annotated[str, StringConstraints(min_length=1)] | None = None
    period: Period | None = None
    kind: Literal["billed", "unbilled"] | None = None
    colour: Colour | None = None
    positive: Annotated[int, Field(gt=0)] | None = None
    atLeastOne: Annotated[int, Field(ge=1)] | None = None
    belowTen: Annotated[int, Field(lt=10)] | None = None
    atMost500: Annotated[int, Field(le=500)] | None = None
    tags: Annotated[list[str], Field(min_length=1, max_length=2)] | None = None
    labels: dict[str, str] | None = None
    line: Line | None = None
    lines: list[Line] | None = None
    when: datetime | None = None
    name: Name | None = None
    ref: UUID | None = None


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/probe")
    def probe(body: Probe) -> dict[str, str]:
        return {}

    @app.get("/search")
    def search(
        q: Annotated[str, Query(max_length=20)],
        limit: Annotated[QueryInt, Query(ge=1, le=500)] = 50,
        since: datetime | None = None,
    ) -> dict[str, str]:
        return {}

    @app.post("/refused")
    def refused() -> None:
        wrong = [
            FieldError("lines.0.catalogItemId", "unknown catalog item"),
            FieldError("overrides[A.1.B|EUR].price", "may not be negative"),
        ]
        raise Invalid("two lines are wrong", wrong)

    return TestClient(app)


def errors_of(response: Any, *, detail_lists_them: bool = True) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "urn:csp-platform:problem:validation-error"
    if detail_lists_them:
        assert problem["detail"] == "; ".join(f"{e['field']}: {e['message']}" for e in problem["errors"])
    return problem["errors"]  # type: ignore[no-any-return]


A_MOMENT = "must be a date and time, such as 2026-10-01T00:00:00Z"
CLEAN_TEXT = "must not contain control characters or bidirectional overrides (found U+0007)"
# (pydantic's error type, a body that fails that way alone, the field named, the message)
BODY_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("missing", {}, "needed", "is required"),
    ("extra_forbidden", {"needed": "x", "colour_": 1}, "colour_", "is not a field of this resource"),
    ("int_type", {"needed": "x", "strictCount": "3"}, "strictCount", "must be a whole number"),
    ("int_parsing", {"needed": "x", "count": "three"}, "count", "must be a whole number"),
    ("int_from_float", {"needed": "x", "count": 3.5}, "count", "must be a whole number"),
    ("bool_type", {"needed": "x", "flag": "true"}, "flag", "must be true or false"),
    ("bool_parsing", {"needed": "x", "laxFlag": "maybe"}, "laxFlag", "must be true or false"),
    ("string_type", {"needed": "x", "text": 5}, "text", "must be text"),
    ("string_too_short", {"needed": "x", "code": "a"}, "code", "must be at least 2 characters"),
    ("string_too_long", {"needed": "x", "code": "x" * 129}, "code", "must be at most 128 characters"),
    ("string_pattern_mismatch", {"needed": "x", "period": "2026-13"}, "period", "is not in the expected format"),
    ("literal_error", {"needed": "x", "kind": "paid"}, "kind", "must be 'billed' or 'unbilled'"),
    ("enum", {"needed": "x", "colour": "green"}, "colour", "must be 'red' or 'blue'"),
    ("greater_than", {"needed": "x", "positive": 0}, "positive", "must be more than 0"),
    ("greater_than_equal", {"needed": "x", "atLeastOne": 0}, "atLeastOne", "must be at least 1"),
    ("less_than", {"needed": "x", "belowTen": 10}, "belowTen", "must be less than 10"),
    ("less_than_equal", {"needed": "x", "atMost500": 501}, "atMost500", "must be at most 500"),
    ("too_short", {"needed": "x", "tags": []}, "tags", "must have at least 1 item"),
    ("too_long", {"needed": "x", "tags": ["a", "b", "c"]}, "tags", "must have at most 2 items"),
    ("list_type", {"needed": "x", "tags": "a"}, "tags", "must be a list"),
    ("dict_type", {"needed": "x", "labels": 1}, "labels", "must be an object"),
    ("model_type", {"needed": "x", "line": [1]}, "line", "must be an object"),
    ("datetime_type", {"needed": "x", "when": True}, "when", A_MOMENT),
    ("datetime_from_date_parsing", {"needed": "x", "when": "2026-10-01T25:00:00"}, "when", A_MOMENT),
    ("value_error", {"needed": "x", "name": "Fab\x07rikam"}, "name", CLEAN_TEXT),
]


@pytest.mark.parametrize(("kind", "body", "field", "message"), BODY_CASES, ids=[case[0] for case in BODY_CASES])
def test_each_kind_of_failure_has_a_message_for_people(
    client: TestClient, kind: str, body: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as failed:
        Probe.model_validate(body)
    assert [e["type"] for e in failed.value.errors()] == [kind]  # the case fails the way it says
    assert errors_of(client.post("/probe", json=body)) == [{"field": field, "message": message}]


def test_the_whole_body_of_the_wrong_kind_is_named_body(client: TestClient) -> None:
    assert errors_of(client.post("/probe", json=[1, 2])) == [{"field": "body", "message": "must be an object"}]


def test_every_row_of_the_table_is_tested() -> None:
    tested = {case[0] for case in BODY_CASES} | {"model_attributes_type"}
    assert tested == set(MESSAGES)


def test_a_kind_the_table_does_not_know_keeps_pydantics_message(client: TestClient) -> None:
    [error] = errors_of(client.post("/probe", json={"needed": "x", "ref": "not-a-uuid"}))
    assert error["field"] == "ref"
    assert error["message"].startswith("Input should be a valid UUID")


def test_a_count_of_one_is_singular(client: TestClient) -> None:
    [error] = errors_of(client.post("/probe", json={"needed": "x", "initial": ""}))
    assert error == {"field": "initial", "message": "must be at least 1 character"}


def test_list_items_are_named_with_brackets_and_without_body(client: TestClient) -> None:
    body = {"needed": "x", "lines": [{"quantity": 1}, {"quantity": "3"}], "line": {"quantity": 0}}
    assert errors_of(client.post("/probe", json=body)) == [
        {"field": "line.quantity", "message": "must be at least 1"},
        {"field": "lines[1].quantity", "message": "must be a whole number"},
    ]


def test_a_services_field_path_is_written_the_same_way(client: TestClient) -> None:
    assert errors_of(client.post("/refused"), detail_lists_them=False) == [
        {"field": "lines[0].catalogItemId", "message": "unknown catalog item"},
        {"field": "overrides[A.1.B|EUR].price", "message": "may not be negative"},
    ]


def test_a_missing_or_malformed_query_parameter_is_422_with_its_name(client: TestClient) -> None:
    assert errors_of(client.get("/search")) == [{"field": "q", "message": "is required"}]
    assert errors_of(client.get("/search", params={"q": "x", "limit": "3.0", "since": "soon"})) == [
        {"field": "limit", "message": "must be a whole number written in digits"},
        {"field": "since", "message": A_MOMENT},
    ]
    assert errors_of(client.get("/search", params={"q": "x" * 21, "limit": "0"})) == [
        {"field": "q", "message": "must be at most 20 characters"},
        {"field": "limit", "message": "must be at least 1"},
    ]


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("body", "lines", 0, "quantity"), "lines[0].quantity"),
        (("body", "storefrontPolicy", "allowedCatalogItemIds", 2), "storefrontPolicy.allowedCatalogItemIds[2]"),
        (("query", "limit"), "limit"),
        (("header", "Idempotency-Key"), "Idempotency-Key"),
        (("body",), "body"),
    ],
)
def test_field_paths(loc: tuple[Any, ...], path: str) -> None:
    assert field_path(loc) == path
