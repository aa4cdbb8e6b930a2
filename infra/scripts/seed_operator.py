"""Seeds the first operator member of a deployed platform: azd's postprovision hook runs it, or an operator by hand.

Nobody can add the first member over the API (adding members takes a member), so the deployer writes that one row
with their own Entra ID sign-in (`az login`), holding Storage Table Data Contributor on the account (rbac.bicep).
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

REPO_ROOT = Path(__file__).resolve().parents[2]

if TYPE_CHECKING:
    from shared.domain.members import Member
    from shared.storage.tables import TableStorage

SEEDED_BY = "seed_operator"
# A role assignment made seconds ago can take minutes to reach Storage; 403 until then.
DEFAULT_WAIT_SECONDS = 600.0


class RoleNotYetEffective(RuntimeError):
    """Storage still answered 403 when the wait ran out."""


def seed_operator(storage: TableStorage, user_id: str, *, created_by: str = SEEDED_BY) -> Member:
    """Makes `user_id` an operator unless it already has a membership (running it twice changes nothing)."""
    from shared.domain.members import Member
    from shared.domain.scope import OrgRef, Role
    from shared.storage.members import MemberRepository

    member = Member(
        user_id=user_id, org=OrgRef.operator(), role=Role.OPERATOR, created_at=datetime.now(UTC), created_by=created_by
    )
    return MemberRepository(storage).seed(member)


def table_storage(*, account_name: str | None, connection_string: str | None) -> TableStorage:
    """The deployment's tables as the signed-in user, or Azurite through a connection string."""
    from shared.storage.tables import TableStorage

    if connection_string:
        return TableStorage(connection_string=connection_string)
    if not account_name:
        raise SystemExit("give --account-name (the STORAGE_ACCOUNT_NAME azd printed) or --connection-string")
    from azure.identity import DefaultAzureCredential

    return TableStorage(
        account_url=f"https://{account_name}.table.core.windows.net",
        credential=DefaultAzureCredential(exclude_managed_identity_credential=True),
    )


def with_wait_for_role(
    action: Callable[[], Any], *, wait_seconds: float, sleep: Callable[[float], None] = time.sleep
) -> Any:
    """Runs `action`, trying again on 403 until the role assignment has reached Storage or the wait is over."""
    from azure.core.exceptions import HttpResponseError

    deadline = time.monotonic() + wait_seconds
    delay = 5.0
    while True:
        try:
            return action()
        except HttpResponseError as exc:
            if exc.status_code != 403:
                raise
            if time.monotonic() + delay > deadline:
                raise RoleNotYetEffective(
                    "Storage refused the write (403): the Storage Table Data Contributor role assignment has not "
                    "reached it yet, or AZURE_PRINCIPAL_ID is not the account you signed in with"
                ) from exc
            sleep(delay)
            delay = min(delay * 2, 60.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", required=True, help="the operator's Entra ID object id (oid)")
    parser.add_argument("--account-name", help="the Storage account (azd output STORAGE_ACCOUNT_NAME)")
    parser.add_argument("--connection-string", help="a Storage connection string instead (Azurite)")
    parser.add_argument("--wait", type=float, default=DEFAULT_WAIT_SECONDS, help="seconds to wait for the role")
    args = parser.parse_args(argv)
    try:
        user_id = str(uuid.UUID(args.user))
    except ValueError:
        parser.error(f"--user must be an Entra ID object id (a GUID), got {args.user!r}")
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    storage = table_storage(account_name=args.account_name, connection_string=args.connection_string)
    member = with_wait_for_role(lambda: seed_operator(storage, user_id), wait_seconds=args.wait)
    print(f"operator: {member.user_id} ({member.role.value}, {member.org.key})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
