"""The Azure Functions entry point: the FastAPI app over HTTP, plus the queue and timer blueprints."""

from __future__ import annotations

from typing import Any

import azure.functions as func

from functions import queues, timers
from functions.http.app import create_app
from shared.config import get_settings, running_under_functions_host
from shared.telemetry import configure_telemetry


def build(http_app: Any) -> func.AsgiFunctionApp:
    """The function app the host indexes; tests build the same one over an app with test settings."""
    function_app = func.AsgiFunctionApp(app=http_app, http_auth_level=func.AuthLevel.ANONYMOUS)
    function_app.register_functions(queues.bp)
    function_app.register_functions(timers.bp)
    return function_app


def start_up() -> None:
    """Under the Functions host a missing or malformed setting stops indexing with its name, not the first request.

    Anywhere else (a test, a tool importing this module) nothing is read here: the first request reads and checks
    the settings through get_settings().
    """
    if running_under_functions_host():
        configure_telemetry(get_settings())


start_up()
app = build(create_app())
