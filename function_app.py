"""The Azure Functions entry point: the FastAPI app over HTTP, plus the queue and timer blueprints."""

from __future__ import annotations

from typing import Any

import azure.functions as func

from functions import queues, timers
from functions.http.app import create_app


def build(http_app: Any) -> func.AsgiFunctionApp:
    """The function app the host indexes; tests build the same one over an app with test settings."""
    function_app = func.AsgiFunctionApp(app=http_app, http_auth_level=func.AuthLevel.ANONYMOUS)
    function_app.register_functions(queues.bp)
    function_app.register_functions(timers.bp)
    return function_app


app = build(create_app())
