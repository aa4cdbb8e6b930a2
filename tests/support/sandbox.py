"""Starts the Partner Center sandbox (`python -m local.sandbox`) as a subprocess on free ports."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from local.azurite import free_port
from local.processes import die_with_parent

REPO_ROOT = Path(__file__).resolve().parents[2]
_START_TIMEOUT = 60.0
_PORT_TAKEN = 2


class SandboxUnavailable(RuntimeError):
    """The sandbox did not start or did not answer in time."""


@dataclass
class RunningSandbox:
    """A sandbox process and where it answers; `stop()` ends it."""

    process: subprocess.Popen[bytes]
    http_url: str
    https_url: str
    ca_cert_path: Path
    state_dir: Path
    secrets_dir: Path
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _answers(url: str, verify: bool | str) -> bool:
    try:
        return requests.get(f"{url}/_sandbox/clock", timeout=2, verify=verify).status_code == 200
    except requests.RequestException:
        return False


def start_sandbox(base_dir: Path, *, extra_args: list[str] | None = None, attempts: int = 3) -> RunningSandbox:
    """Starts a sandbox with state and secrets under base_dir; waits until HTTP and HTTPS both answer."""
    base_dir = Path(base_dir)
    state_dir, secrets_dir = base_dir / "state", base_dir / "secrets"
    log_path = base_dir / "sandbox.log"
    for _ in range(attempts):
        http_port, https_port = free_port(), free_port()
        while https_port == http_port:
            https_port = free_port()
        args = [
            sys.executable,
            "-m",
            "local.sandbox",
            "--state-dir",
            str(state_dir),
            "--secrets-dir",
            str(secrets_dir),
            "--host",
            "127.0.0.1",
            "--http-port",
            str(http_port),
            "--https-port",
            str(https_port),
            *(extra_args or []),
        ]
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                args,
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent(),
            )
        running = RunningSandbox(
            process=process,
            http_url=f"http://127.0.0.1:{http_port}",
            https_url=f"https://127.0.0.1:{https_port}",
            ca_cert_path=state_dir / "dev-ca.pem",
            state_dir=state_dir,
            secrets_dir=secrets_dir,
            log_path=log_path,
        )
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            if (
                running.ca_cert_path.exists()
                and _answers(running.http_url, False)
                and _answers(running.https_url, str(running.ca_cert_path))
            ):
                return running
            time.sleep(0.1)
        if process.poll() == _PORT_TAKEN:
            continue  # another process took a free port between the check and the bind: try new ports
        running.stop()
        break
    log_text = log_path.read_text("utf-8", errors="replace") if log_path.exists() else ""
    raise SandboxUnavailable(f"the sandbox did not start; its log:\n{log_text[-4000:]}")
