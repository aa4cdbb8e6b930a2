"""Prints a bearer token the local stack accepts: `python -m local.token --user OID`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from local.sandbox.tokens import issue_user_token
from local.settings import DATA_DIR, effective_values, platform_tenant_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--user", required=True, help="the member's user id (the token's oid claim)")
    parser.add_argument("--name", default=None, help="a display name for the token's name claim")
    parser.add_argument("--lifetime", type=int, default=3600, help="seconds until the token expires")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="the local stack's data folder")
    parser.add_argument(
        "--tenant",
        default=None,
        help="the token's tid (default: the platform's own tenant); another tenant's token is refused with 401",
    )
    args = parser.parse_args(argv)
    values = effective_values(args.data_dir)
    issuer = values["AUTH_ISSUER"]
    token = issue_user_token(
        args.data_dir / "sandbox",
        issuer=issuer,
        audience=values["AUTH_AUDIENCE"],
        oid=args.user,
        tid=args.tenant or platform_tenant_id(issuer),
        name=args.name,
        lifetime_seconds=args.lifetime,
    )
    sys.stdout.write(token + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
