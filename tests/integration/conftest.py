"""The platform's app over a real Azurite and the sandbox's Entra ID, with helpers to seed members."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient

from functions.http.app import create_app
from shared.bootstrap import Container
from shared.domain.scope import OrgRef, Role
from tests.support.platform import member, platform_settings, user_token


@pytest.fixture(scope="session")
def container(storage_connection_string: str, sandbox: Any) -> Container:
    return Container(platform_settings(storage_connection_string, sandbox))


@pytest.fixture(scope="session")
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def token_for(sandbox: Any) -> Callable[..., str]:
    return lambda oid, **claims: user_token(sandbox, oid, **claims)


@pytest.fixture
def auth(token_for: Callable[..., str]) -> Callable[[str], dict[str, str]]:
    return lambda oid: {"Authorization": f"Bearer {token_for(oid)}"}


@pytest.fixture
def add_member(container: Container) -> Callable[[OrgRef, Role], str]:
    """Registers the organisation (if new) and a member of it; returns the member's user id."""

    def add(org: OrgRef, role: Role) -> str:
        from tests.support.platform import new_id

        if org.org_type.value != "operator":
            container.organizations.add(org, name=f"Test {org.org_type.value} {org.org_id[:8]}")
        user_id = new_id("u-")
        container.members.add(member(user_id, org, role))
        return user_id

    return add


@pytest.fixture(scope="module", autouse=True)
def _sandbox_clock_at_today(sandbox: Any) -> Iterator[None]:
    """Each module starts with the sandbox's clock at today's date, whatever a module before it (sharing this
    worker's sandbox) left it at; a module that moves the clock puts it back when it is done."""
    today = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    requests.post(f"{sandbox.http_url}/_sandbox/clock", json={"set": today}, timeout=30).raise_for_status()
    yield
