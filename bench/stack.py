"""Starts the whole local stack (`local.run`) on free ports for a benchmark, and stops it after."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from local.azurite import free_port
from local.settings import REPO_ROOT


@dataclass(frozen=True)
class Stack:
    api: str
    operator: str
    data_dir: Path
    sandbox: str = ""

    def token(self, oid: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "local.token", "--user", oid, "--data-dir", str(self.data_dir)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()


@contextmanager
def local_stack(**environment: str) -> Iterator[Stack]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
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
            env={**os.environ, "PYTHONUNBUFFERED": "1", **environment},
        )
        operator = ""
        try:
            for line in process.stdout:  # type: ignore[union-attr]
                if line.startswith("operator: "):
                    operator = line.split(":", 1)[1].strip()
                if line.startswith("ready: "):
                    break
                if line.startswith("error: "):
                    raise RuntimeError(line.strip())
            else:
                raise RuntimeError("the local stack stopped before it was ready")
            yield Stack(
                api=f"http://127.0.0.1:{ports['api']}/api",
                operator=operator,
                data_dir=data_dir,
                sandbox=f"http://127.0.0.1:{ports['sandbox']}",
            )
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
