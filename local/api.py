"""Serves the FastAPI app with uvicorn, as the Functions host serves it in Azure, with what only the local stack
has beside it: the built web console on the same origin and, while DEV_SIGN_IN_KEY_DIR is set, the development
sign-in."""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI

from functions.http.app import create_app
from local.console import ConsoleBesideApi, console_app
from local.dev_sign_in import router as dev_sign_in_router
from local.processes import configure_local_logging
from shared.bootstrap import Container


def create_local_api(container: Container | None = None) -> FastAPI:
    """The API of the local stack: the app Azure runs, plus the development sign-in routes (they answer 404
    while the setting is off)."""
    app = create_app(container)
    app.include_router(dev_sign_in_router)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7071)
    args = parser.parse_args(argv)
    configure_local_logging("api")
    api: FastAPI = create_local_api()
    uvicorn.run(
        ConsoleBesideApi(api, console_app()), host=args.host, port=args.port, log_level="warning", access_log=False
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
