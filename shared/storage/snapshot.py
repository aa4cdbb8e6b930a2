"""A domain value as the audit trail records it: one generic conversion, so no domain class writes JSON for it
(docs/architecture.md#layers)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import orjson

from shared.domain.money import format_decimal


def snapshot(value: Any) -> Any:
    """Dataclasses become objects keyed by their fields' camelCase names, enums their values, moments ISO 8601,
    decimals decimal strings, sets sorted lists; a mapping with keys that are not text becomes a list of
    `{key, value}`. What is already JSON passes through unchanged."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Enum):
        return snapshot(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format_decimal(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {camel_case(f.name): snapshot(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: snapshot(item) for key, item in value.items()}
        entries = [{"key": snapshot(key), "value": snapshot(item)} for key, item in value.items()]
        return sorted(entries, key=orjson.dumps)
    if isinstance(value, set | frozenset):
        return sorted((snapshot(item) for item in value), key=orjson.dumps)
    if isinstance(value, list | tuple):
        return [snapshot(item) for item in value]
    return str(value)


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
