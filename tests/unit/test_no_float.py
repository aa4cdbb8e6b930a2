"""No float on the pricing path: the source is scanned, so a float cannot slip in unnoticed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PRICING_PATH = [
    "shared/domain/money.py",
    "shared/domain/pricing.py",
    "shared/domain/catalog.py",
    "shared/storage/catalog.py",
    "shared/storage/pricing.py",
    "shared/services/catalog.py",
    "shared/services/pricing.py",
]
_JSON_LOADERS = {("json", "loads"), ("json", "load")}
_FLOAT_LOADERS = {("orjson", "loads"), ("ujson", "loads"), ("simplejson", "loads")}


def float_uses(source: str) -> list[str]:
    """Every place the source makes or names a float, or parses JSON numbers into floats."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            found.append(f"line {node.lineno}: float literal {node.value!r}")
        elif isinstance(node, ast.Name) and node.id == "float":
            found.append(f"line {node.lineno}: the name float")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip() == "float":
            found.append(f"line {node.lineno}: 'float' in an annotation string")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value.id if isinstance(node.func.value, ast.Name) else None
            pair = (owner or "", node.func.attr)
            if pair in _FLOAT_LOADERS:
                found.append(f"line {node.lineno}: {owner}.{node.func.attr} reads JSON numbers as floats")
            if pair in _JSON_LOADERS and not any(keyword.arg == "parse_float" for keyword in node.keywords):
                found.append(f"line {node.lineno}: json.{node.func.attr} without parse_float=Decimal")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            found.append(f"line {node.lineno}: ** (a negative exponent makes a float)")
    return found


@pytest.mark.parametrize("path", PRICING_PATH)
def test_the_pricing_path_never_uses_float(path: str) -> None:
    source = (REPO_ROOT / path).read_text("utf-8")
    assert float_uses(source) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "x = 0.1",
        "y = float(text)",
        "def f(a: float) -> None: ...",
        "import orjson\nz = orjson.loads(b)",
        "import json\nz = json.loads(b)",
        "w = 10 ** -2",
    ],
)
def test_the_scan_catches_each_kind_of_float_use(snippet: str) -> None:
    assert float_uses(snippet)


def test_the_scan_accepts_decimal_code() -> None:
    assert float_uses("from decimal import Decimal\nimport json\nx = json.loads(b, parse_float=Decimal)\n") == []
