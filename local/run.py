"""The local stack: Azurite, the Partner Center sandbox, the API, a queue worker and a scheduler.

`python -m local.run` (what `make run` starts). Prints `operator: <OID>` and, once everything
answers, the web console's URL and `ready: http://127.0.0.1:7071/api`. Ctrl-C stops every child."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests

from local.azurite import AZURITE_BIN, AzuriteProcess, AzuriteUnavailable, port_is_free, start_azurite
from local.processes import die_with_parent
from local.settings import DATA_DIR, REPO_ROOT, load_values, relocate, write_effective_settings

DEFAULT_PORTS = {"api": 7071, "sandbox": 7072, "sandbox_tls": 7073, "blob": 10000, "queue": 10001, "table": 10002}


class StartupError(Exception):
    """Something the stack needs is missing or taken: said in one line, no traceback."""


@dataclass
class Child:
    name: str
    args: list[str]
    restart: bool
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)


def say(line: str) -> None:
    print(line, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local.run", description=__doc__)
    parser.add_argument(
        "--data-dir", type=Path, default=DATA_DIR, help="where Azurite, the sandbox and secrets keep data"
    )
    for name, port in DEFAULT_PORTS.items():
        parser.add_argument(f"--{name.replace('_', '-')}-port", type=int, default=port, dest=f"{name}_port")
    return parser.parse_args(argv)


def check_prerequisites(ports: dict[str, int]) -> None:
    if not AZURITE_BIN.exists():
        raise StartupError("Azurite is not installed: run `make install` (it runs `npm ci`)")
    for name, port in ports.items():
        if not port_is_free("127.0.0.1", port):
            raise StartupError(
                f"port {port} ({name}) on 127.0.0.1 is already in use; stop what holds it or pass "
                f"--{name.replace('_', '-')}-port"
            )


def child_environment(values: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in values}
    env.update(values)
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def wait_until(check_url: str, *, timeout: float, verify: str | bool = True, expect_ok: bool = True) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = requests.get(check_url, timeout=2, verify=verify)
            if not expect_ok or response.status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False


def operator_id(values: dict[str, str], data_dir: Path) -> str:
    """The one operator the stack seeds: LOCAL_OPERATOR_ID, or an id made once and kept in the data folder."""
    if values.get("LOCAL_OPERATOR_ID"):
        return values["LOCAL_OPERATOR_ID"]
    path = data_dir / "operator-id"
    if path.exists():
        return path.read_text().strip()
    oid = str(uuid.uuid4())
    path.write_text(oid)
    return oid


def seed_operator(values: dict[str, str], oid: str) -> None:
    from shared.config import Settings
    from shared.domain.members import Member
    from shared.domain.scope import OrgRef, Role
    from shared.storage.members import MemberRepository
    from shared.storage.tables import TableStorage

    settings = Settings.model_validate({k.lower(): v for k, v in values.items() if k.lower() in Settings.model_fields})
    members = MemberRepository(TableStorage(connection_string=settings.storage_connection_string))
    members.seed(
        Member(
            user_id=oid, org=OrgRef.operator(), role=Role.OPERATOR, created_at=datetime.now(UTC), created_by="local.run"
        )
    )


class Stack:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.data_dir: Path = args.data_dir.resolve()
        self.ports = {name: getattr(args, f"{name}_port") for name in DEFAULT_PORTS}
        self.azurite: AzuriteProcess | None = None
        self.children: list[Child] = []
        self.stopping = False

    def values(self) -> dict[str, str]:
        moved_ports = {DEFAULT_PORTS[n]: p for n, p in self.ports.items() if DEFAULT_PORTS[n] != p}
        return relocate(load_values(), data_dir=self.data_dir, ports=moved_ports)

    def start_child(self, child: Child, env: dict[str, str]) -> None:
        output = open(self.data_dir / "logs" / f"{child.name}.log", "ab")  # noqa: SIM115 - kept open for the child's life
        child.process = subprocess.Popen(
            child.args,
            env=env,
            cwd=REPO_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent(),
        )
        if child not in self.children:
            self.children.append(child)

    def start(self) -> None:
        check_prerequisites(self.ports)
        (self.data_dir / "logs").mkdir(parents=True, exist_ok=True)
        values = self.values()
        write_effective_settings(self.data_dir, values)
        env = child_environment(values)
        py = sys.executable
        try:
            self.azurite = start_azurite(
                self.data_dir / "azurite",
                blob_port=self.ports["blob"],
                queue_port=self.ports["queue"],
                table_port=self.ports["table"],
                log_file=self.data_dir / "logs" / "azurite.log",
            )
        except AzuriteUnavailable as exc:
            raise StartupError(str(exc)) from exc
        sandbox = Child(
            "sandbox",
            [
                py,
                "-m",
                "local.sandbox",
                "--state-dir",
                str(self.data_dir / "sandbox"),
                "--secrets-dir",
                str(self.data_dir / "secrets"),
                "--http-port",
                str(self.ports["sandbox"]),
                "--https-port",
                str(self.ports["sandbox_tls"]),
                "--people-url",  # its sign-in page lists the members one may act as (the development sign-in's list)
                f"http://127.0.0.1:{self.ports['api']}/api/dev/people",
            ],
            restart=False,
        )
        self.start_child(sandbox, env)
        if not wait_until(f"http://127.0.0.1:{self.ports['sandbox']}/_sandbox/clock", timeout=60):
            raise StartupError(
                f"the Partner Center sandbox did not answer; see {self.data_dir / 'logs' / 'sandbox.log'}"
            )
        oid = operator_id(values, self.data_dir)
        seed_operator(values, oid)
        say(f"operator: {oid}")
        self.start_child(Child("api", [py, "-m", "local.api", "--port", str(self.ports["api"])], restart=False), env)
        self.start_child(Child("worker", [py, "-m", "local.worker"], restart=True), env)
        self.start_child(Child("scheduler", [py, "-m", "local.scheduler"], restart=True), env)
        api = f"http://127.0.0.1:{self.ports['api']}/api"
        if not wait_until(f"{api}/health", timeout=60):
            raise StartupError(f"the API did not become healthy; see {self.data_dir / 'logs' / 'api.log'}")
        say(f"sandbox: http://127.0.0.1:{self.ports['sandbox']} and https://127.0.0.1:{self.ports['sandbox_tls']}"
            f"   (open http://127.0.0.1:{self.ports['sandbox']}/ to play resellers and customers)")  # fmt: skip
        say(f"token: python -m local.token --user {oid}   (or: make -s token USER={oid})")
        say(
            "dev provider (for POST /api/providers): "
            f"tenantId={values.get('DEV_PROVIDER_TENANT_ID')} clientId={values.get('DEV_PROVIDER_CLIENT_ID')} "
            f"clientSecretRef={values.get('DEV_PROVIDER_CLIENT_SECRET_REF')} "
            f"refreshTokenRef={values.get('DEV_PROVIDER_REFRESH_TOKEN_REF')}"
        )
        console = f"http://127.0.0.1:{self.ports['api']}/"
        if not (REPO_ROOT / "web" / "dist" / "index.html").is_file():
            say("console: not built (make run builds web/ first)")
        else:
            say(f"console: {console}   (open it and sign in as the operator {oid})")
        say(f"ready: {api}")

    def supervise(self) -> None:
        """Restarts the worker and scheduler if they die; stops everything if anything else does."""
        env = child_environment(self.values())
        while not self.stopping:
            time.sleep(0.5)
            for child in self.children:
                if child.process is None or child.process.poll() is None:
                    continue
                if not child.restart:
                    raise StartupError(
                        f"{child.name} stopped (exit {child.process.returncode}); "
                        f"see {self.data_dir / 'logs' / (child.name + '.log')}"
                    )
                say(f"{child.name} stopped (exit {child.process.returncode}); restarting it")
                self.start_child(child, env)
            if self.azurite and self.azurite.process.poll() is not None:
                raise StartupError("Azurite stopped; see its log in the data folder")

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to every child (and Azurite) at once, one shared grace period, then SIGKILL what is left."""
        self.stopping = True
        processes = [child.process for child in reversed(self.children) if child.process]
        if self.azurite:
            processes.append(self.azurite.process)
        for process in processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stack = Stack(args)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        stack.start()
        stack.supervise()
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        say("stopping")
        return 0
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
