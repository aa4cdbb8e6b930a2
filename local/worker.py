"""Receives from the local Storage queues and calls the same dispatcher as functions/queues.py.

Several receiving threads, as the Functions host runs several invocations at once: a handler waiting on
Partner Center (a Retry-After, a back-off) does not hold up the others."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from local.processes import STOP_GRACE_SECONDS, configure_local_logging, stop_on_signals
from shared.bootstrap import get_container
from shared.messaging import Delivery, QueueNames
from shared.messaging.storage_queues import run_forever
from shared.services.handlers import dispatcher
from shared.telemetry import correlation_scope

log = logging.getLogger("local.worker")


def main() -> int:
    configure_local_logging("worker")
    container = get_container()
    settings = container.settings
    stop = stop_on_signals()

    def handler_for(queue: str) -> Callable[[Delivery], None]:
        def handle(delivery: Delivery) -> None:
            with correlation_scope(delivery.message.correlation_id):
                dispatcher.dispatch(container, queue, delivery)

        return handle

    handlers = {queue: handler_for(queue) for queue in QueueNames.ALL}
    threads = [
        threading.Thread(
            target=run_forever,
            args=(settings.storage_connection_string, stop, handlers),
            kwargs={
                "max_attempts": settings.queue_max_attempts,
                "visibility_timeout": timedelta(seconds=30),
                "batch_size": 2,
            },
            name=f"receiver-{n}",
            daemon=True,
        )
        for n in range(max(1, int(os.environ.get("LOCAL_WORKER_THREADS", "8"))))
    ]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads) and not stop.is_set():
        stop.wait(0.5)
    deadline = time.monotonic() + STOP_GRACE_SECONDS  # one grace period for all receivers, not one each
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
