"""Schemathesis over the whole OpenAPI document, as each role (operator, provider admin, reseller admin, customer
admin), against the app on Azurite and the sandbox: no server error, and status codes, content types, headers and
bodies as documented. A new route is covered without a new test. `make fuzz` runs the long version."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from functions.http.app import create_app
from shared.bootstrap import Container
from shared.domain.scope import OrgRef, OrgType, Role
from tests.support.commerce import ready_shop
from tests.support.onboarding import Sandbox
from tests.support.platform import member, new_id, user_token

pytestmark = pytest.mark.probe

ROLES = ("operator", "provider.admin", "reseller.admin", "customer.admin")
# A bounded run in `make test`; `make fuzz` sets FUZZ_EXAMPLES for the long one.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def people(client: TestClient, container: Container, sandbox: Any) -> dict[str, str]:
    """A provider with an active reseller and customer, and one admin of each kind (plus the operator)."""
    shop = ready_shop(client, container, Sandbox(sandbox), sandbox)

    def add(org: OrgRef, role: Role) -> str:
        if org.org_type is not OrgType.OPERATOR:
            container.organizations.add(org, name="probe")
        user_id = new_id("probe-")
        container.members.add(member(user_id, org, role))
        return user_id

    provider_id = shop["provider"]["id"]
    return {
        "operator": add(OrgRef.operator(), Role.OPERATOR),
        "provider.admin": shop["providerAdmin"],
        "reseller.admin": add(
            OrgRef(OrgType.RESELLER, shop["resellerId"], provider_id=provider_id), Role.RESELLER_ADMIN
        ),
        "customer.admin": add(
            OrgRef(OrgType.CUSTOMER, shop["customerId"], provider_id=provider_id, reseller_id=shop["resellerId"]),
            Role.CUSTOMER_ADMIN,
        ),
    }


@pytest.fixture(scope="module")
def bearers(people: dict[str, str], sandbox: Any) -> dict[str, dict[str, str]]:
    return {role: {"Authorization": f"Bearer {user_token(sandbox, people[role])}"} for role in ROLES}


def test_every_operation_answers_as_documented_for_every_role(
    container: Container, bearers: dict[str, dict[str, str]]
) -> None:
    """Each generated request (valid ones and invalid ones) is sent once as each role; every operation of the
    document is run, and every failing one is reported."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app(container))
    failures: list[str] = []
    cases: dict[str, int] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in GenerationMode)))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            for role, headers in bearers.items():
                case.call_and_validate(headers=headers, checks=CHECKS)
                cases[role] = cases.get(role, 0) + 1

        try:
            run()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as failure:  # noqa: BLE001 - schemathesis raises groups; every operation still runs
            where = f"{operation.method.upper()} {operation.path}"
            failures.append(f"{where}: {type(failure).__name__}: {str(failure)[:1500]}")
    print(f"\nschemathesis: {operations} operations x {len(ROLES)} roles, {sum(cases.values())} requests "
          f"({', '.join(f'{r} {n}' for r, n in cases.items())}), {len(failures)} failing operations")  # fmt: skip
    assert operations > 50
    assert not failures, "\n\n".join(failures)
