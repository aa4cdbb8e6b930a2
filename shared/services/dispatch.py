"""Routes each queued message to the use case for its type; the same table serves Azure and local."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from shared.messaging import Delivery

if TYPE_CHECKING:
    from shared.bootstrap import Container

log = logging.getLogger(__name__)

MessageHandler = Callable[["Container", Delivery], None]


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

    def dispatch(self, container: Container, queue: str, delivery: Delivery) -> None:
        handler = self._handlers.get((queue, delivery.message.type))
        if handler is None:
            raise UnknownMessageType(f"no handler for {delivery.message.type!r} on queue {queue!r}")
        handler(container, delivery)


dispatcher = Dispatcher()
