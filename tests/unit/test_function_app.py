"""function_app indexes as the Functions host would index it: every function and binding checked."""

from __future__ import annotations

import importlib
import os
import sys

import azure.functions as func
import pytest
from croniter import croniter

from shared.config import Settings
from shared.messaging import QueueNames
from shared.services.sweeps import TIMERS

_INDEXED: dict[str, func.FunctionBuilder] = {}


def functions_by_name() -> dict[str, func.FunctionBuilder]:
    """Imports function_app afresh with no settings at all and lists its functions, once (as the host does)."""
    if not _INDEXED:
        with pytest.MonkeyPatch.context() as patch:
            for name in list(os.environ):
                # FUNCTIONS_* and WEBSITE_* mark the Functions host, under which settings are checked at import.
                prefixes = {"AUTH", "SIGNING", "STORAGE", "PARTNER", "QUEUE", "FUNCTIONS", "WEBSITE"}
                if name.isupper() and name.split("_")[0] in prefixes:
                    patch.delenv(name)
            sys.modules.pop("function_app", None)
            module = importlib.import_module("function_app")
            _INDEXED.update({f.get_function_name(): f for f in module.app.get_functions()})
    return _INDEXED


def test_indexing_needs_no_settings_and_does_no_io() -> None:
    assert "http_app_func" in functions_by_name()


def test_http_function_serves_every_route_anonymously_to_the_host() -> None:
    http = functions_by_name()["http_app_func"]
    trigger = http.get_trigger()
    assert trigger.type == "httpTrigger"
    assert trigger.route == "/{*route}"
    assert trigger.auth_level == func.AuthLevel.ANONYMOUS  # the app checks bearer tokens itself
    assert {str(getattr(m, "value", m)) for m in trigger.methods} >= {"GET", "POST", "PUT", "PATCH", "DELETE"}


def test_every_queue_has_a_service_bus_trigger() -> None:
    triggers = {
        f.get_trigger().queue_name: f.get_trigger()
        for f in functions_by_name().values()
        if f.get_trigger().type == "serviceBusTrigger"
    }
    assert set(triggers) == set(QueueNames.ALL)
    for trigger in triggers.values():
        assert trigger.connection == "ServiceBusConnection"


def test_every_timer_reads_its_schedule_from_a_setting_that_holds_valid_ncrontab() -> None:
    timers = {
        name: f.get_trigger() for name, f in functions_by_name().items() if f.get_trigger().type == "timerTrigger"
    }
    assert set(timers) == set(TIMERS)
    for name, trigger in timers.items():
        setting, _ = TIMERS[name]
        assert trigger.schedule == f"%{setting}%"
        default = Settings.model_fields[setting.lower()].default
        assert len(default.split()) == 6
        assert croniter.is_valid(default, second_at_beginning=True)


def test_function_names_are_unique_and_valid() -> None:
    names = list(functions_by_name())
    assert len(names) == len(set(names))
    assert all(name.replace("_", "").isalnum() for name in names)
