"""Prints the local API's OpenAPI document (what `GET /api/openapi.json` serves on the local stack: the API
Azure serves plus the development sign-in), built without starting anything:
`python -m local.openapi [--out FILE]`. The web console's API types are generated from it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from local.api import create_local_api


def document() -> bytes:
    return orjson.dumps(create_local_api().openapi(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="write here instead of standard output")
    args = parser.parse_args(argv)
    text = document()
    if args.out is None:
        sys.stdout.buffer.write(text)
    else:
        args.out.write_bytes(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
