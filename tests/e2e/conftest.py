"""The local stack (`python -m local.run`) as a subprocess on free ports, and a client for its API."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from local.azurite import free_port
from local.settings import REPO_ROOT

PORT_NAMES = ("api", "sandbox", "sandbox-tls", "blob", "queue", "table")


class RunningStack:
    def __init__(
        self, process: subprocess.Popen[str], lines: queue.Queue[str], data_dir: Path, ports: dict[str, int]
    ) -> None:
        self.process, self.lines, self.data_dir, self.ports = process, lines, data_dir, ports
        self.api = f"http://127.0.0.1:{ports['api']}/api"
        self.sandbox = f"http://127.0.0.1:{ports['sandbox']}"
        self.seen: list[str] = []

    def wait_for(self, prefix: str, timeout: float = 120) -> str:
        for line in self.seen:
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
        raise AssertionError(f"no line starting {prefix!r}; output so far: {self.seen}")

    def token(self, oid: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "local.token", "--user", oid, "--data-dir", str(self.data_dir)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return result.stdout.strip()

    def session(self, oid: str) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token(oid)}"
        return session

    @property
    def ca(self) -> str:
        return str(self.data_dir / "sandbox" / "dev-ca.pem")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_stack(data_dir: Path, **environment: str) -> RunningStack:
    ports = {name: free_port() for name in PORT_NAMES}
    args = [sys.executable, "-m", "local.run", "--data-dir", str(data_dir)]
    for name, port in ports.items():
        args += [f"--{name}-port", str(port)]
    process = subprocess.Popen(
        args,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **environment},
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return RunningStack(process, lines, data_dir, ports)


@pytest.fixture(scope="session")
def onboarding_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """A stack whose checks are quick, whose sweep runs every 5 s and whose invitations expire after 30 s."""
    stack = start_stack(
        tmp_path_factory.mktemp("onboarding-stack"),
        RELATIONSHIP_CHECK_FIRST_DELAY_SECONDS="1",
        RELATIONSHIP_CHECK_MAX_DELAY_SECONDS="3",
        RELATIONSHIP_INVITATION_EXPIRY_DAYS=str(30 / 86400),
        RELATIONSHIP_SWEEP_SCHEDULE="*/5 * * * * *",
    )
    stack.wait_for("ready: ")
    yield stack
    stack.stop()


def eventually(
    read: Callable[[], Any], accept: Callable[[Any], bool], *, timeout: float = 60, interval: float = 0.5
) -> Any:
    """Polls `read` until `accept` holds (the platform converges asynchronously)."""
    deadline = time.monotonic() + timeout
    value = read()
    while not accept(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"did not converge; last value: {value}")
        time.sleep(interval)
        value = read()
    return value
