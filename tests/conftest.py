"""Session fixtures: a real Azurite and a real Partner Center sandbox, each on free ports."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.azurite import AzuriteProcess, free_port, start_azurite

pytest_plugins = ["tests.support.statuses"]


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AzuriteProcess]:
    """Azurite started by the test run itself, so it never collides with a running `make run`."""
    data_dir = tmp_path_factory.mktemp("azurite")
    running = start_azurite(
        data_dir,
        blob_port=free_port(),
        queue_port=free_port(),
        table_port=free_port(),
        log_file=data_dir / "azurite.log",
    )
    yield running
    running.stop()


@pytest.fixture(scope="session")
def storage_connection_string(azurite: AzuriteProcess) -> str:
    return azurite.connection_string


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The Partner Center sandbox as a subprocess on free ports (HTTP and HTTPS)."""
    from tests.support.sandbox import start_sandbox

    running = start_sandbox(Path(tmp_path_factory.mktemp("sandbox")))
    yield running
    running.stop()


def unique_id(prefix: str = "t") -> str:
    """An id no other test uses, so tests never collide in a shared Azurite."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"
