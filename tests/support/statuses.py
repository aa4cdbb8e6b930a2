"""Every status the OpenAPI document promises is one the tests have seen the API answer
(docs/api-guide.md#openapi-document).

This plugin records the method, documented path and status of every answer of the API the tests receive, in
process (the test client) and over HTTP (the running stack), on every xdist worker; when the whole suite has run
and passed, the session fails if an operation documents a status no test reached. A run of part of the suite
(paths, `-k`, `-m`, `--lf`) only records, unless ANSWERS_CHECK=1; ANSWERS_SEEN_FILE names a file to write what
was not reached to.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

Answer = tuple[str, str, str]  # (method, documented path, status)
_seen: set[Answer] = set()
_METHODS = ("get", "put", "post", "patch", "delete")


@cache
def document() -> dict[str, Any]:
    from local.api import create_local_api

    return create_local_api().openapi()


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    """Documented paths as patterns, the most literal first (`/api/providers/consent/callback` before
    `/api/providers/{provider_id}/...`)."""
    paths = sorted(document()["paths"], key=lambda p: (p.count("{"), -len(p)))
    from functions.http.problems import path_pattern

    return [(path_pattern(p), p) for p in paths]


def documented_path(path: str) -> str | None:
    """The documented path a request's path is an instance of, or None for one the API does not document."""
    if not path.startswith("/api/"):
        return None
    for pattern, template in _templates():
        if pattern.match(path):
            return template
    return None


def record(method: str, path: str, status: int) -> None:
    template = documented_path(path)
    if template is not None:
        _seen.add((method.lower(), template, str(status)))


def promised() -> set[Answer]:
    """Every (method, path, status) the document names."""
    return {
        (method, path, status)
        for path, operations in document()["paths"].items()
        for method, operation in operations.items()
        if method in _METHODS
        for status in operation.get("responses", {})
        if status.isdigit()
    }


def unreached(seen: Iterable[Answer]) -> list[Answer]:
    return sorted(promised() - set(seen))


def _watch_http_clients() -> None:
    """Records the answers the test client (httpx) and `requests` (the running stack) receive."""
    import httpx
    import requests

    httpx_send = httpx.Client.send

    def send_httpx(self: httpx.Client, request: httpx.Request, *args: Any, **kwargs: Any) -> httpx.Response:
        response = httpx_send(self, request, *args, **kwargs)
        record(request.method, request.url.path, response.status_code)
        return response

    requests_send = requests.Session.send

    def send_requests(self: requests.Session, request: Any, **kwargs: Any) -> requests.Response:
        response = requests_send(self, request, **kwargs)
        record(str(request.method), (request.path_url or "/").split("?", 1)[0], response.status_code)
        return response

    httpx.Client.send = send_httpx  # type: ignore[method-assign]
    requests.Session.send = send_requests  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    _watch_http_clients()
    config.stash[_merged] = set()


_merged = pytest.StashKey[set[Answer]]()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist's controller gathers what each worker saw."""
    seen = getattr(node, "workeroutput", {}).get("answersSeen", [])
    node.config.stash[_merged].update(tuple(answer) for answer in seen)


def _whole_suite(config: pytest.Config) -> bool:
    args = [str(arg).rstrip("/") for arg in config.args]
    return (
        args in ([], ["tests"])
        and not config.getoption("keyword")
        and not config.getoption("markexpr")
        and not config.getoption("lf", False)
        and not config.getoption("deselect", None)
    )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if hasattr(config, "workerinput"):  # an xdist worker: hand what it saw to the controller
        config.workeroutput["answersSeen"] = sorted(_seen)  # type: ignore[attr-defined]
        return
    seen = _seen | config.stash[_merged]
    report_to = os.environ.get("ANSWERS_SEEN_FILE")
    if report_to:  # what the run reached, for a look at the gaps after a partial run
        Path(report_to).write_text("\n".join(" ".join(a) for a in unreached(seen)) + "\n", encoding="utf-8")
    forced = os.environ.get("ANSWERS_CHECK") == "1"  # check a partial run too
    if exitstatus != 0 or session.testsfailed or not (forced or _whole_suite(config)):
        return
    missing = unreached(seen)
    if missing:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        lines = [f"  {method.upper()} {path} {status}" for method, path, status in missing]
        message = "documented statuses no test reached (test them, or stop documenting them):\n" + "\n".join(lines)
        if reporter is not None:
            reporter.write_line(message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
