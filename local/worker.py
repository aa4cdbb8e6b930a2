"""Receives from the local Storage queues and calls the same dispatcher as functions/queues.py."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta

from shared.bootstrap import get_container
from shared.messaging import Delivery, QueueNames
from shared.messaging.storage_queues import run_forever
from shared.services.handlers import dispatcher

log = logging.getLogger("local.worker")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    container = get_container()
    settings = container.settings
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    def handler_for(queue: str):  # type: ignore[no-untyped-def]
        def handle(delivery: Delivery) -> None:
            dispatcher.dispatch(container, queue, delivery)

        return handle

    run_forever(
        settings.storage_connection_string,
        stop,
        {queue: handler_for(queue) for queue in QueueNames.ALL},
        max_attempts=settings.queue_max_attempts,
        visibility_timeout=timedelta(seconds=30),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
