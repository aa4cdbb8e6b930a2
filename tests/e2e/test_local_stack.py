"""The local stack as a newcomer runs it: `python -m local.run`, then a token and a first call."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from local.azurite import free_port
from local.settings import REPO_ROOT

pytestmark = pytest.mark.e2e


class RunningStack:
    def __init__(self, process: subprocess.Popen[str], lines: queue.Queue[str], data_dir: Path, api: str) -> None:
        self.process, self.lines, self.data_dir, self.api = process, lines, data_dir, api
        self.seen: list[str] = []

    def wait_for(self, prefix: str, timeout: float = 120) -> str:
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


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    data_dir = tmp_path_factory.mktemp("stack")
    ports = {name: free_port() for name in ("api", "sandbox", "sandbox-tls", "blob", "queue", "table")}
    args = [sys.executable, "-m", "local.run", "--data-dir", str(data_dir)]
    for name, port in ports.items():
        args += [f"--{name}-port", str(port)]
    process = subprocess.Popen(
        args,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()  # type: ignore[union-attr]
    running = RunningStack(process, lines, data_dir, f"http://127.0.0.1:{ports['api']}/api")
    yield running
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


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


def test_the_worker_is_restarted_when_it_dies(stack: RunningStack) -> None:
    stack.wait_for("ready: ") if not any(line.startswith("ready: ") for line in stack.seen) else None
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
    children = [_pid_of(name, stack.data_dir) for name in ("local.api", "local.sandbox", "local.scheduler")]
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(timeout=30) == 0
    time.sleep(0.5)
    for pid in children:
        assert not _alive(pid), f"process {pid} outlived the stack"


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
        if module in words and mine:
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
