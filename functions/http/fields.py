"""Field types every route shares, so each rule (bounded ids, real periods, strict numbers, clean text) is one rule."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from shared.domain.periods import PERIOD_PATTERN
from shared.domain.text import SINGLE_LINE_PATTERN, TEXT_PATTERN, refuse_unsafe_text

MAX_ID_LENGTH = 128

# A path id: bounded like query ids; a longer one can name nothing (404, not a storage error).
PathId = Annotated[str, Path(min_length=1, max_length=MAX_ID_LENGTH)]
# A catalog item id: product:sku:availability, longer than other ids.
PathItemId = Annotated[str, Path(min_length=1, max_length=300)]

# A billing period: a real month, year 2000 to 2999.
Period = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN), Field(examples=["2026-10"])]


def _single_line(value: str) -> str:
    return refuse_unsafe_text(value, multiline=False)


def _multiline(value: str) -> str:
    return refuse_unsafe_text(value, multiline=True)


# Free text: stripped, bounded, and free of control characters and bidi overrides (422 otherwise); the pattern
# documents the same rule for readers of the OpenAPI.
_LINE = (AfterValidator(_single_line), Field(json_schema_extra={"pattern": SINGLE_LINE_PATTERN}))
_TEXT = (AfterValidator(_multiline), Field(json_schema_extra={"pattern": TEXT_PATTERN}))


def _bounded(max_length: int, min_length: int = 1) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


Name = Annotated[str, _bounded(200), *_LINE]
Line200 = Annotated[str, _bounded(200, 0), *_LINE]
Line100 = Annotated[str, _bounded(100), *_LINE]
Line50 = Annotated[str, _bounded(50), *_LINE]
Line30 = Annotated[str, _bounded(30, 0), *_LINE]
Line20 = Annotated[str, _bounded(20), *_LINE]
Line2 = Annotated[str, _bounded(2, 0), *_LINE]
Reason = Annotated[str, _bounded(1000), *_TEXT]  # lines and tabs allowed


def query_text(max_length: int, description: str | None = None) -> Any:
    """Free text in a query string (a search): the same characters refused as in bodies."""
    return Annotated[
        str | None,
        Query(max_length=max_length, description=description, pattern=SINGLE_LINE_PATTERN),
    ]


def _digits_only(value: object) -> object:
    """A query integer is written in digits: `3.0`, `true` or `+3` are refused, not read as 3 or 1."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("must be a whole number written in digits")
    return value


# Body integers and booleans are strict: "3", true and 3.0 are not the quantity 3.
Quantity = Annotated[int, Field(strict=True, ge=1, le=100_000)]
StrictFlag = Annotated[bool, Field(strict=True)]
QueryInt = Annotated[int, BeforeValidator(_digits_only)]


def _one_property_schema(schema: dict[str, Any]) -> None:
    """Documents the rule the validator enforces: exactly one property, never null."""
    schema["minProperties"] = 1
    schema["maxProperties"] = 1
    for prop in schema.get("properties", {}).values():
        variants = [v for v in prop.get("anyOf", []) if v.get("type") != "null"]
        if len(variants) == 1 and "anyOf" in prop:
            del prop["anyOf"]
            prop.update(variants[0])
        prop.pop("default", None)


class OneChange(BaseModel):
    """A change request of exactly one field: one change at a time, so each is applied and audited on its own."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_one_property_schema)

    @model_validator(mode="after")
    def _exactly_one(self) -> OneChange:
        names = sorted(type(self).model_fields)
        given = [name for name in names if name in self.model_fields_set]
        if len(given) != 1 or getattr(self, given[0]) is None:
            raise ValueError(f"give exactly one of {', '.join(names)}, with a value (one change at a time)")
        return self
