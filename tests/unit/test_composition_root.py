"""Queue handlers and sweeps name the container members they use, and the container has each under that name with
that type (shared/bootstrap.py, Container.call)."""

from __future__ import annotations

import inspect
from functools import cached_property

import pytest

from shared.bootstrap import Container, dependencies_of
from shared.messaging import QueueNames
from shared.services.handlers import dispatcher
from shared.services.sweeps import TIMERS

HANDLERS = {
    f"{queue}:{message_type}": dispatcher.handler_for(queue, message_type)
    for queue in QueueNames.ALL
    for message_type in sorted(dispatcher.handled_types(queue))
}


def member_type(name: str) -> str:
    """The type a member is, written as an annotation: a property's return type, a method as a Callable."""
    member = inspect.getattr_static(Container, name)
    if isinstance(member, cached_property):
        return str(inspect.get_annotations(member.func)["return"])
    signature = inspect.signature(member)
    parameters = [str(p.annotation) for p in list(signature.parameters.values())[1:]]
    return f"Callable[[{', '.join(parameters)}], {signature.return_annotation}]"


def test_every_message_type_has_a_handler() -> None:
    assert len(HANDLERS) == 10


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_a_handler_takes_the_delivery_then_container_members_of_the_types_it_declares(name: str) -> None:
    handler = HANDLERS[name]
    names = dependencies_of(handler, 1)
    assert names, "a handler uses at least one service"
    parameters = inspect.signature(handler).parameters
    assert {n: str(parameters[n].annotation) for n in names} == {n: member_type(n) for n in names}


@pytest.mark.parametrize("timer", sorted(TIMERS))
def test_a_sweep_takes_only_container_members_of_the_types_it_declares(timer: str) -> None:
    _, sweep = TIMERS[timer]
    names = dependencies_of(sweep, 0)
    parameters = inspect.signature(sweep).parameters
    assert len(names) == len(parameters)
    assert {n: str(parameters[n].annotation) for n in names} == {n: member_type(n) for n in names}


def test_a_use_case_naming_no_member_is_refused_before_anything_is_built() -> None:
    def sweep(provisioner: object) -> None:
        raise AssertionError("not called")

    container = Container()
    with pytest.raises(TypeError, match="provisioner"):
        container.call(sweep)
    assert "settings" not in container.__dict__


def test_a_parameter_with_a_default_is_left_to_its_default() -> None:
    def use_case(settings: object, now: str = "default") -> str:
        return now

    assert dependencies_of(use_case, 0) == ("settings",)
