"""Each queued message reaches the use case registered for its queue and type, and only that one."""

from __future__ import annotations

from typing import Any

import pytest

from shared.messaging import Delivery, QueueMessage
from shared.services.dispatch import Dispatcher, UnknownMessageType


def delivery(message_type: str) -> Delivery:
    return Delivery(message=QueueMessage(type=message_type, entity_id="e1"), delivery_count=1)


def test_message_goes_to_the_handler_of_its_queue_and_type() -> None:
    dispatcher = Dispatcher()
    seen: list[tuple[str, str]] = []

    @dispatcher.register("provisioning", "order.provision")
    def provision(container: Any, d: Delivery) -> None:
        seen.append(("provision", d.message.entity_id))

    @dispatcher.register("relationship-checks", "order.provision")
    def other(container: Any, d: Delivery) -> None:
        seen.append(("other", d.message.entity_id))

    dispatcher.dispatch(None, "provisioning", delivery("order.provision"))  # type: ignore[arg-type]
    assert seen == [("provision", "e1")]
    assert dispatcher.handled_types("provisioning") == {"order.provision"}


def test_unknown_type_is_refused_so_the_message_is_dead_lettered_not_dropped() -> None:
    with pytest.raises(UnknownMessageType):
        Dispatcher().dispatch(None, "provisioning", delivery("nobody.handles.this"))  # type: ignore[arg-type]


def test_a_type_has_one_handler_per_queue() -> None:
    dispatcher = Dispatcher()
    dispatcher.register("provisioning", "x")(lambda c, d: None)
    with pytest.raises(ValueError):
        dispatcher.register("provisioning", "x")(lambda c, d: None)
