"""Serves the built web console (web/dist) on the API's origin: every path outside /api gets the app, so the
console's own routes survive a reload, while /api stays the API untouched. Hashed assets are cached for good,
index.html never."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from local.settings import REPO_ROOT

# CONSOLE_DIST serves another build (a second local stack beside the first, each with its own build).
DIST = Path(os.environ.get("CONSOLE_DIST") or REPO_ROOT / "web" / "dist")
API_PREFIX = "/api"
_NOT_BUILT = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Console not built</title></head>"
    "<body><main><h1>The console is not built</h1><p>Run <code>make run</code> (it builds <code>web/</code> "
    "when missing or older than its sources).</p></main></body></html>"
)


def console_app(dist: Path = DIST) -> Starlette:
    root = dist.resolve()

    def page(request: Request) -> Response:
        path = request.path_params.get("path", "")
        index = root / "index.html"
        if not index.is_file():
            return HTMLResponse(_NOT_BUILT, status_code=503, headers={"Cache-Control": "no-store"})
        wanted = (root / path).resolve()
        if path and wanted.is_file() and wanted.is_relative_to(root):
            immutable = wanted.parent.name == "assets"
            cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
            return FileResponse(wanted, headers={"Cache-Control": cache})
        return FileResponse(index, headers={"Cache-Control": "no-cache"}, media_type="text/html")

    return Starlette(routes=[Route("/{path:path}", page, methods=["GET", "HEAD"])])


class ConsoleBesideApi:
    """One origin: /api/... to the API, everything else to the console."""

    def __init__(self, api: ASGIApp, console: ASGIApp) -> None:
        self.api, self.console = api, console

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        to_api = scope["type"] != "http" or path == API_PREFIX or path.startswith(API_PREFIX + "/")
        await (self.api if to_api else self.console)(scope, receive, send)
