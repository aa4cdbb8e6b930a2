"""Starts Azurite (Blob, Queue, Table) from the project's node_modules on chosen ports."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from local.processes import die_with_parent

REPO_ROOT = Path(__file__).resolve().parent.parent
AZURITE_BIN = REPO_ROOT / "node_modules" / ".bin" / "azurite"

# Azurite's well-known development account (public, documented by Microsoft).
DEV_ACCOUNT = "devstoreaccount1"
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


class AzuriteUnavailable(RuntimeError):
    """Azurite is not installed or could not start."""


@dataclass(frozen=True)
class AzuriteProcess:
    """A running Azurite and the ports it answers on."""

    process: subprocess.Popen[bytes]
    host: str
    blob_port: int
    queue_port: int
    table_port: int

    @property
    def connection_string(self) -> str:
        return connection_string(self.host, self.blob_port, self.queue_port, self.table_port)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def connection_string(host: str, blob_port: int, queue_port: int, table_port: int) -> str:
    """The connection string the Azure SDKs take for an Azurite on these ports."""
    return (
        "DefaultEndpointsProtocol=http;"
        f"AccountName={DEV_ACCOUNT};AccountKey={DEV_KEY};"
        f"BlobEndpoint=http://{host}:{blob_port}/{DEV_ACCOUNT};"
        f"QueueEndpoint=http://{host}:{queue_port}/{DEV_ACCOUNT};"
        f"TableEndpoint=http://{host}:{table_port}/{DEV_ACCOUNT};"
    )


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start_azurite(
    data_dir: Path,
    *,
    host: str = "127.0.0.1",
    blob_port: int = 10000,
    queue_port: int = 10001,
    table_port: int = 10002,
    timeout: float = 30.0,
    log_file: Path | None = None,
) -> AzuriteProcess:
    """Starts Azurite with its data in data_dir and waits until all three services listen."""
    binary = str(AZURITE_BIN) if AZURITE_BIN.exists() else shutil.which("azurite")
    if binary is None:
        raise AzuriteUnavailable("Azurite is not installed: run `npm ci` (or `make install`) in the repository")
    for port in (blob_port, queue_port, table_port):
        if not port_is_free(host, port):
            raise AzuriteUnavailable(f"port {port} on {host} is already in use (is another Azurite running?)")
    data_dir.mkdir(parents=True, exist_ok=True)
    args = [
        binary,
        "--silent",
        "--disableTelemetry",  # no usage data leaves a developer's machine, and SIGTERM ends it at once
        "--skipApiVersionCheck",
        "--disableProductStyleUrl",
        "--location", str(data_dir),
        "--blobHost", host, "--blobPort", str(blob_port),
        "--queueHost", host, "--queuePort", str(queue_port),
        "--tableHost", host, "--tablePort", str(table_port),
    ]  # fmt: skip
    log_path = log_file or data_dir / "azurite.log"
    offset = log_path.stat().st_size if log_path.exists() else 0
    with open(log_path, "ab") as output:
        process = subprocess.Popen(
            args, stdout=output, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=die_with_parent()
        )
    running = AzuriteProcess(process, host, blob_port, queue_port, table_port)
    deadline = time.monotonic() + timeout
    waiting = [blob_port, queue_port, table_port]
    while waiting:
        if process.poll() is not None:
            raise AzuriteUnavailable(
                f"Azurite exited (code {process.returncode}): {failure_line(log_path, offset)} (log: {log_path})"
            )
        # Listening is what Azurite itself says it does: a port that answers may be someone else's.
        said = _output(log_path, offset)
        waiting = [
            port
            for port in waiting
            if f"successfully listening at http://{host}:{port}" not in said or not port_answers(host, port)
        ]
        if waiting and time.monotonic() > deadline:
            running.stop()
            where = ", ".join(f"{host}:{port}" for port in waiting)
            raise AzuriteUnavailable(f"Azurite did not start listening on {where} within {timeout:.0f}s")
        if waiting:
            time.sleep(0.1)
    return running


def port_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _output(log_path: Path, offset: int) -> str:
    """What this Azurite wrote to its log so far (the log may hold earlier runs before `offset`)."""
    try:
        with open(log_path, "rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")
    except OSError:
        return ""


def failure_line(log_path: Path, offset: int = 0) -> str:
    """The line of Azurite's output that says why it stopped (its last error line, else its last line)."""
    lines = [line.strip() for line in _output(log_path, offset).splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower() or "EADDRINUSE" in line]
    return (errors or lines or ["no output"])[-1][:500]
