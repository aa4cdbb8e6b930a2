"""Each queued message reaches the use case registered for its queue and type, and only that one."""

from __future__ import annotations

import pytest

from shared.bootstrap import Container
from shared.messaging import Delivery, QueueMessage
from shared.services.handlers import Dispatcher, UnknownMessageType


def delivery(message_type: str) -> Delivery:
    return Delivery(message=QueueMessage(type=message_type, entity_id="e1"), delivery_count=1)


def test_message_goes_to_the_handler_of_its_queue_and_type() -> None:
    dispatcher = Dispatcher()
    seen: list[tuple[str, str]] = []

    @dispatcher.register("provisioning", "order.provision")
    def provision(d: Delivery) -> None:
        seen.append(("provision", d.message.entity_id))

    @dispatcher.register("relationship-checks", "order.provision")
    def other(d: Delivery) -> None:
        seen.append(("other", d.message.entity_id))

    dispatcher.dispatch(Container(), "provisioning", delivery("order.provision"))
    assert seen == [("provision", "e1")]
    assert dispatcher.handled_types("provisioning") == {"order.provision"}


def test_unknown_type_is_refused_so_the_message_is_dead_lettered_not_dropped() -> None:
    with pytest.raises(UnknownMessageType):
        Dispatcher().dispatch(Container(), "provisioning", delivery("nobody.handles.this"))


def test_a_type_has_one_handler_per_queue() -> None:
    dispatcher = Dispatcher()
    dispatcher.register("provisioning", "x")(lambda d: None)
    with pytest.raises(ValueError):
        dispatcher.register("provisioning", "x")(lambda d: None)


def test_a_handler_is_given_the_container_members_its_parameters_name() -> None:
    dispatcher = Dispatcher()
    container = Container()
    container.__dict__["publisher"] = publisher = object()  # as if built: a cached_property reads it from here
    seen: list[tuple[str, object]] = []

    @dispatcher.register("provisioning", "order.provision")
    def provision(d: Delivery, publisher: object) -> None:
        seen.append((d.message.entity_id, publisher))

    dispatcher.dispatch(container, "provisioning", delivery("order.provision"))
    assert seen == [("e1", publisher)]
    assert "provisioning_service" not in container.__dict__  # nothing it does not name is built


def test_a_handler_asking_for_what_the_container_lacks_is_refused() -> None:
    dispatcher = Dispatcher()
    dispatcher.register("provisioning", "order.provision")(lambda d, provisioner: None)
    with pytest.raises(TypeError, match="provisioner"):
        dispatcher.dispatch(Container(), "provisioning", delivery("order.provision"))
