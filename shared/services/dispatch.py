"""Routes each queued message to the use case for its type; the same table serves Azure and local.

A handler is a plain function of the delivery and the services it uses, named as the container names them
(`def provision_order(delivery: Delivery, provisioning_service: ProvisioningService) -> None`); `dispatch` has the
container supply them (as `Container.call` does for sweeps, shared/bootstrap.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from shared.messaging import Delivery

if TYPE_CHECKING:
    from shared.bootstrap import Container

log = logging.getLogger(__name__)

MessageHandler = Callable[..., None]  # (delivery, **the container members its parameters name)


class UnknownMessageType(Exception):
    """No use case handles this type on this queue: the message is dead-lettered, not dropped."""


class Dispatcher:
    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str], MessageHandler] = {}

    def register(self, queue: str, message_type: str) -> Callable[[MessageHandler], MessageHandler]:
        def add(handler: MessageHandler) -> MessageHandler:
            key = (queue, message_type)
            if key in self._handlers and self._handlers[key] is not handler:
                raise ValueError(f"{message_type} on {queue} already has a handler")
            self._handlers[key] = handler
            return handler

        return add

    def handled_types(self, queue: str) -> set[str]:
        return {message_type for q, message_type in self._handlers if q == queue}

    def handler_for(self, queue: str, message_type: str) -> MessageHandler:
        handler = self._handlers.get((queue, message_type))
        if handler is None:
            raise UnknownMessageType(f"no handler for {message_type!r} on queue {queue!r}")
        return handler

    def dispatch(self, container: Container, queue: str, delivery: Delivery) -> None:
        """Calls the type's handler with the delivery and the container members it names, as `Container.call`
        does (the names are read once per handler; each member is built once per container)."""
        from shared.bootstrap import dependencies_of

        handler = self.handler_for(queue, delivery.message.type)
        handler(delivery, **{name: getattr(container, name) for name in dependencies_of(handler, 1)})


dispatcher = Dispatcher()
