"""Throughput of the local queue path (send, then receive and delete) on a private Azurite."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from local.azurite import free_port, start_azurite
from shared.messaging import Delivery, QueueMessage
from shared.messaging.storage_queues import StorageQueuePublisher, StorageQueueReceiver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data_dir:
        azurite = start_azurite(Path(data_dir), blob_port=free_port(), queue_port=free_port(), table_port=free_port())
        try:
            run(azurite.connection_string, args.messages, args.batch)
        finally:
            azurite.stop()


def run(connection_string: str, count: int, batch: int) -> None:
    queue = "bench-messaging"
    messages = [QueueMessage("bench", f"entity-{n}", payload={"n": n}) for n in range(count)]
    handled = 0

    def handle(delivery: Delivery) -> None:
        nonlocal handled
        handled += 1

    with StorageQueuePublisher(connection_string) as publisher:
        started = time.perf_counter()
        publisher.send_many(queue, messages)
        sent_in = time.perf_counter() - started

    receiver = StorageQueueReceiver(connection_string, queue)
    started = time.perf_counter()
    while handled < count:
        receiver.receive_batch(handle, batch)
    received_in = time.perf_counter() - started
    receiver.close()

    print(f"send:    {count} messages in {sent_in:.2f}s ({count / sent_in:.0f}/s)")
    print(f"receive: {count} messages in {received_in:.2f}s ({count / received_in:.0f}/s, batches of {batch})")


if __name__ == "__main__":
    main()
