"""Which of the platform's files run for one `POST /api/orders` and for one provisioning message.

A change that needs edits in many files is a change that is hard to make; this counts, after a warm-up, the files
of `functions/` and `shared/` whose code runs (one function call is enough) while the app accepts an order and
while the queue handler provisions it, against a real Azurite and the sandbox. Prints the count and the files."""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from fastapi.testclient import TestClient

from local.azurite import free_port, start_azurite
from local.settings import REPO_ROOT

MEASURED = ("functions", "shared", "function_app.py")


@contextmanager
def files_run() -> Iterator[set[str]]:
    """Collects, while the block runs on any thread, the project files (relative paths) a called function is in."""
    seen: set[str] = set()
    root = str(REPO_ROOT) + "/"

    def profile(frame: FrameType, event: str, _arg: Any) -> None:
        if event == "call":
            name = frame.f_code.co_filename
            if name.startswith(root):
                relative = name[len(root) :]
                if relative.startswith(MEASURED):
                    seen.add(relative)

    sys.setprofile(profile)
    threading.setprofile(profile)  # type: ignore[arg-type]
    try:
        yield seen
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]


def report(label: str, files: set[str]) -> None:
    print(f"{label}: {len(files)} files")
    for name in sorted(files):
        print(f"   {name}")


def main() -> None:
    from functions.http.app import create_app
    from shared.bootstrap import Container
    from shared.messaging import QueueNames
    from tests.support.commerce import drain_queues, ready_shop
    from tests.support.onboarding import Sandbox
    from tests.support.platform import platform_settings
    from tests.support.sandbox import start_sandbox

    with tempfile.TemporaryDirectory() as tmp:
        for folder in ("azurite", "sandbox"):
            (Path(tmp) / folder).mkdir()
        azurite = start_azurite(
            Path(tmp) / "azurite", blob_port=free_port(), queue_port=free_port(), table_port=free_port()
        )
        sandbox = start_sandbox(Path(tmp) / "sandbox")
        try:
            container = Container(platform_settings(azurite.connection_string, sandbox))
            app = create_app(container)
            with TestClient(app, raise_server_exceptions=False) as client:
                shop = ready_shop(client, container, Sandbox(sandbox), sandbox)
                # Outside its `with`, a TestClient serves each request on a new thread, which the profile sees.
                fresh = TestClient(app, raise_server_exceptions=False)
                item = shop["items"][0]
                headers = shop["auth"](shop["resellerStaff"])

                def place() -> str:
                    line = {
                        "catalogItemId": item.catalog_item_id,
                        "quantity": 1,
                        "termDuration": item.term_duration,
                        "billingCycle": item.billing_cycle,
                    }
                    answer = fresh.post(
                        "/api/orders", headers=headers, json={"customerId": shop["customerId"], "lines": [line]}
                    )
                    if answer.status_code != 202:
                        raise RuntimeError(answer.text)
                    return str(answer.json()["id"])

                def provision(order_id: str) -> tuple[set[str], set[str], int]:
                    """Works the provisioning queue until the order is settled: the files of the first message,
                    of every message, and how many messages it took."""
                    first: set[str] = set()
                    every: set[str] = set()
                    handled = 0
                    deadline = time.monotonic() + 300
                    while time.monotonic() < deadline:
                        with files_run() as seen:
                            messages = drain_queues(container, (QueueNames.PROVISIONING,))
                        if messages and not handled:
                            first = set(seen)
                        handled += len(messages)
                        every |= seen
                        order = container.orders.get(shop["customerId"], order_id)
                        if order is not None and order.status.value not in ("accepted", "provisioning"):
                            return first, every, handled
                        time.sleep(0.5)
                    raise RuntimeError("the order was not provisioned in time")

                provision(place())  # warm-up: imports, caches and tokens are not what is counted
                with files_run() as accepting:
                    order_id = place()
                first, every, handled = provision(order_id)
                report("POST /api/orders", accepting)
                report("one provisioning message (the first)", first)
                report(f"provisioning the order to its end ({handled} messages)", every)
        finally:
            sandbox.stop()
            azurite.stop()


if __name__ == "__main__":
    main()
