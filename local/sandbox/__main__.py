"""`python -m local.sandbox`: serves one sandbox app on plain HTTP and on HTTPS in one process."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import uvicorn

from local.sandbox.app import create_app
from local.sandbox.config import SandboxConfig
from local.sandbox.devca import ensure_dev_ca
from local.sandbox.faults import quiet_dropped_connections


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the process, which stops both servers together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _parse(argv: list[str] | None) -> SandboxConfig:
    parser = argparse.ArgumentParser(prog="python -m local.sandbox", description=__doc__)
    parser.add_argument("--state-dir", required=True, type=Path)
    parser.add_argument("--secrets-dir", required=True, type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--http-port", type=int, default=7072)
    parser.add_argument("--https-port", type=int, default=7073)
    parser.add_argument("--cancellation-window-hours", type=int, default=168)
    parser.add_argument("--est-premium-rate", type=Decimal, default=Decimal("0.20"),
                        help="Extended Service Term premium over the one-month price (unconfirmed rate)")  # fmt: skip
    parser.add_argument("--order-completion-seconds", type=float, default=1.0)
    parser.add_argument("--graph-export-seconds", type=float, default=1.0)
    parser.add_argument("--webhook-retry-initial-seconds", type=float, default=0.2)
    parser.add_argument("--webhook-retry-max-seconds", type=float, default=1.0)
    parser.add_argument(
        "--people-url",
        default=os.environ.get("SANDBOX_PEOPLE_URL") or None,
        help="the platform's list of people the console's sign-in page offers (env SANDBOX_PEOPLE_URL)",
    )
    args = parser.parse_args(argv)
    return SandboxConfig(
        state_dir=args.state_dir.resolve(),
        secrets_dir=args.secrets_dir.resolve(),
        host=args.host,
        http_port=args.http_port,
        https_port=args.https_port,
        cancellation_window_hours=args.cancellation_window_hours,
        est_premium_rate=args.est_premium_rate,
        order_completion_seconds=args.order_completion_seconds,
        graph_export_seconds=args.graph_export_seconds,
        webhook_retry_initial_seconds=args.webhook_retry_initial_seconds,
        webhook_retry_max_seconds=args.webhook_retry_max_seconds,
        people_url=args.people_url or None,
    )


def _bind(host: str, port: int) -> socket.socket:
    # IPPROTO_TCP given explicitly: asyncio then sets TCP_NODELAY on accepted connections (no delayed-ACK stalls).
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


async def _serve(config: SandboxConfig, http_sock: socket.socket, https_sock: socket.socket) -> None:
    app = create_app(config)
    certificates = ensure_dev_ca(config.state_dir)
    common = {"log_level": "warning", "access_log": False, "lifespan": "off", "timeout_graceful_shutdown": 3}
    servers = [
        _Server(uvicorn.Config(app, **common)),  # type: ignore[arg-type]
        _Server(
            uvicorn.Config(
                app,
                ssl_certfile=str(certificates.server_cert_path),
                ssl_keyfile=str(certificates.server_key_path),
                **common,  # type: ignore[arg-type]
            )
        ),
    ]
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for server in servers:
            server.should_exit = True

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)
    quiet_dropped_connections()
    tasks = [
        asyncio.create_task(servers[0].serve(sockets=[http_sock])),
        asyncio.create_task(servers[1].serve(sockets=[https_sock])),
    ]
    while not all(server.started for server in servers):
        if any(task.done() for task in tasks):
            stop()
            break
        await asyncio.sleep(0.05)
    else:
        print(f"sandbox: listening on {config.http_url} and {config.https_url}", flush=True)
    await asyncio.gather(*tasks)


def main(argv: list[str] | None = None) -> int:
    config = _parse(argv)
    sockets: list[socket.socket] = []
    for port in (config.http_port, config.https_port):
        try:
            sockets.append(_bind(config.host, port))
        except OSError as exc:
            for sock in sockets:
                sock.close()
            print(f"sandbox: cannot listen on {config.host}:{port}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    try:
        asyncio.run(_serve(config, sockets[0], sockets[1]))
    except KeyboardInterrupt:
        pass
    finally:
        for sock in sockets:
            sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
