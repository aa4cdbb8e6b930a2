"""The local stack as a newcomer runs it: `python -m local.run`, then a token and a first call."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from local.azurite import free_port, port_is_free
from local.settings import REPO_ROOT
from tests.e2e.conftest import RunningStack, start_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()


def test_stack_prints_operator_then_ready_and_answers_the_operator(stack: RunningStack) -> None:
    operator = stack.wait_for("operator: ")
    ready = stack.wait_for("ready: ")
    assert ready == stack.api
    me = requests.get(f"{stack.api}/me", headers={"Authorization": f"Bearer {stack.token(operator)}"}, timeout=10)
    assert me.status_code == 200, me.text
    assert me.json()["userId"] == operator and me.json()["role"] == "operator"
    assert requests.get(f"{stack.api}/me", timeout=10).status_code == 401
    health = requests.get(f"{stack.api}/health", timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_a_token_of_another_tenant_is_refused_by_the_running_stack(stack: RunningStack) -> None:
    """`local.token --tenant` signs a token that is right in every way but its tenant: 401, as for Entra's."""
    operator = stack.wait_for("operator: ")
    foreign = subprocess.run(
        [sys.executable, "-m", "local.token", "--user", operator, "--data-dir", str(stack.data_dir),
         "--tenant", "0b4c7a2e-1d3f-4e5a-8b6c-9d0e1f2a3b4c"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    refused = requests.get(f"{stack.api}/me", headers={"Authorization": f"Bearer {foreign}"}, timeout=10)
    assert refused.status_code == 401, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    own = requests.get(f"{stack.api}/me", headers={"Authorization": f"Bearer {stack.token(operator)}"}, timeout=10)
    assert own.status_code == 200


def test_the_worker_is_restarted_when_it_dies(stack: RunningStack) -> None:
    stack.wait_for("ready: ")
    worker_pid = _pid_of("local.worker", stack.data_dir)
    os.kill(worker_pid, signal.SIGKILL)
    stack.wait_for("worker stopped", timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if _pid_of("local.worker", stack.data_dir) != worker_pid:
                return
        except LookupError:
            pass
        time.sleep(0.5)
    raise AssertionError("the worker was not restarted")


def test_ctrl_c_stops_every_child(stack: RunningStack) -> None:
    stack.wait_for("ready: ")
    children = [_pid_of(name, stack.data_dir) for name in CHILDREN]
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(timeout=90) == 0
    _all_gone(children)


def test_a_hard_kill_leaves_no_child_behind(tmp_path: Path) -> None:
    """SIGKILL gives local.run no chance to clean up: its children go anyway, and free their ports."""
    killed = start_stack(tmp_path / "stack")
    try:
        killed.wait_for("ready: ")
        children = [_pid_of(name, killed.data_dir) for name in CHILDREN]
        killed.process.kill()
        killed.process.wait(timeout=30)
        _all_gone(children)
        for name, port in killed.ports.items():
            assert port_is_free("127.0.0.1", port), f"port {port} ({name}) is still held"
    finally:
        killed.stop()


def test_an_azurite_that_cannot_listen_says_why_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    import local.azurite as azurite

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        table_port = taken.getsockname()[1]
        monkeypatch.setattr(azurite, "port_is_free", lambda host, port: True)  # taken after the check, say
        with pytest.raises(azurite.AzuriteUnavailable) as refused:
            azurite.start_azurite(
                tmp_path, blob_port=free_port(), queue_port=free_port(), table_port=table_port, timeout=60
            )
    message = str(refused.value)
    assert "EADDRINUSE" in message and f"127.0.0.1:{table_port}" in message, message
    assert "\n" not in message


CHILDREN = ("local.api", "local.sandbox", "local.scheduler", "local.worker", "azurite")


def _all_gone(pids: list[int], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = {pid: _cmdline(pid) for pid in pids if _alive(pid)}
    assert not left, f"processes {left} outlived the stack"


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"


def _pid_of(module: str, data_dir: Path) -> int:
    """The pid of this stack's child running `module` (matched on the command line)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [w.decode(errors="replace") for w in cmdline]
        mine = any(str(data_dir) in w for w in words) or _parent_is_stack(int(entry.name), data_dir)
        if mine and (module in words or any(w.endswith(f"/{module}") for w in words)):
            return int(entry.name)
    raise LookupError(module)


def _parent_is_stack(pid: int, data_dir: Path) -> bool:
    try:
        ppid = int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
        parent = (Path("/proc") / str(ppid) / "cmdline").read_bytes().decode(errors="replace")
    except (OSError, ValueError, IndexError):
        return False
    return str(data_dir) in parent


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_taken_port_is_one_clear_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "local.run", "--data-dir", str(tmp_path), "--api-port", str(port)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: port {port} (api) on 127.0.0.1 is already in use; stop what holds it or pass --api-port"
    ]
    assert "Traceback" not in result.stdout + result.stderr


STUCK_CHILD = """
import threading, time
from local.processes import stop_on_signals
stop = stop_on_signals(grace_seconds=1.0)
def stuck_handler() -> None:
    time.sleep(3600)  # a handler waiting on a dependency that died with the stack
threading.Thread(target=stuck_handler).start()
print("handling", flush=True)
while not stop.is_set():
    stop.wait(0.2)
"""


def test_a_child_stuck_in_a_handler_still_ends_soon_after_sigterm() -> None:
    """What the kernel sends a child when local.run is killed hard: SIGTERM ends it within its grace period even
    while a handler waits (its message is delivered again later), so no process outlives the stack."""
    child = subprocess.Popen([sys.executable, "-c", STUCK_CHILD], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "handling"
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
