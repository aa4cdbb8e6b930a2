"""Starts Azurite (Blob, Queue, Table) from the project's node_modules on chosen ports."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

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


def wait_for_port(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


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
        "--skipApiVersionCheck",
        "--disableProductStyleUrl",
        "--location", str(data_dir),
        "--blobHost", host, "--blobPort", str(blob_port),
        "--queueHost", host, "--queuePort", str(queue_port),
        "--tableHost", host, "--tablePort", str(table_port),
    ]  # fmt: skip
    output = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    running = AzuriteProcess(process, host, blob_port, queue_port, table_port)
    for port in (blob_port, queue_port, table_port):
        if not wait_for_port(host, port, timeout):
            running.stop()
            raise AzuriteUnavailable(f"Azurite did not start listening on {host}:{port} within {timeout:.0f}s")
    return running
