"""The Azure SDKs log every HTTP call at INFO; the platform's processes keep that at WARNING unless LOG_LEVEL=DEBUG."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A local process as the worker starts: its logging set up, then one call to Table Storage (Azurite).
SCRIPT = """
import sys
from local.processes import configure_local_logging
configure_local_logging("worker")
from shared.bootstrap import STORAGE_CLIENT_OPTIONS
from shared.storage.tables import TableStorage
TableStorage(connection_string=sys.argv[1], **STORAGE_CLIENT_OPTIONS).ping()
import logging
logging.getLogger("shared.check").info("storage answered")
"""


def run_process(connection_string: str, log_level: str) -> str:
    environment = {**os.environ, "LOG_LEVEL": log_level}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, connection_string],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stderr


@pytest.mark.parametrize("level", ["INFO", "WARNING"])
def test_the_sdk_transport_is_quiet_at_the_usual_log_levels(storage_connection_string: str, level: str) -> None:
    logged = run_process(storage_connection_string, level)
    assert "Request URL" not in logged and "Response status" not in logged
    assert ("storage answered" in logged) == (level == "INFO")  # the platform's own lines still come through


def test_log_level_debug_lets_the_sdk_transport_through(storage_connection_string: str) -> None:
    logged = run_process(storage_connection_string, "DEBUG")
    assert "Request URL" in logged and "storage answered" in logged
