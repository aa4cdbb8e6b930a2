"""Logs carry the correlation id of their request or message, never a secret, and reach Application Insights."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn
from fastapi import FastAPI

from local.azurite import free_port
from shared.config import Settings
from shared.secrets import LocalSecretStore
from shared.telemetry import (
    CORRELATION_HEADER,
    REDACTED,
    CorrelationMiddleware,
    JsonFormatter,
    configure_telemetry,
    correlation_id_from_headers,
    correlation_scope,
    current_correlation_id,
    forget_secrets,
    install_log_filters,
    redact,
    register_secret,
)

REPO = Path(__file__).resolve().parents[2]
# A JWT as Entra issues them (header {"alg":"RS256","typ":"JWT"}); the signature part is made up.
JWT = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJvaWQiOiIxMjMiLCJhdWQiOiJhcGk6Ly9jc3AtcGxhdGZvcm0ifQ."
    "c2lnbmF0dXJlLW1hZGUtdXAtZm9yLXRoZS10ZXN0"
)


@pytest.fixture(autouse=True)
def isolated_logging() -> Iterator[None]:
    """Each test installs the filters afresh and leaves the process's logging as it found it."""
    factory = logging.getLogRecordFactory()
    forget_secrets()
    install_log_filters()
    yield
    logging.setLogRecordFactory(factory)
    forget_secrets()


@contextmanager
def json_lines(logger_name: str) -> Iterator[list[dict[str, Any]]]:
    """Every line `logger_name` writes, through the JSON formatter, parsed back."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    lines: list[dict[str, Any]] = []
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, in a thread."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def probe_app(logger_name: str) -> CorrelationMiddleware:
    """An app whose one (sync, thread-pooled) route logs and answers the correlation id it runs under."""
    app = FastAPI()
    log = logging.getLogger(logger_name)

    @app.get("/probe")
    def probe() -> dict[str, str | None]:
        log.info("probing")
        return {"correlationId": current_correlation_id()}

    return CorrelationMiddleware(app)


# Correlation ----------------------------------------------------------------------------------------------------


def test_log_lines_carry_the_correlation_id_of_their_scope() -> None:
    name = f"test.{uuid.uuid4().hex}"
    with json_lines(name) as lines:
        logging.getLogger(name).info("before")
        with correlation_scope() as outer:
            logging.getLogger(name).info("outer")
            with correlation_scope("0f8fad5b-d9cb-469f-a165-70867728950e"):
                logging.getLogger(name).info("inner")
            logging.getLogger(name).info("outer again")
    assert [(line["message"], line["correlationId"]) for line in lines] == [
        ("before", None),
        ("outer", outer),
        ("inner", "0f8fad5b-d9cb-469f-a165-70867728950e"),
        ("outer again", outer),
    ]
    assert uuid.UUID(outer)


def test_concurrent_handlers_each_keep_their_own_correlation_id() -> None:
    name = f"test.{uuid.uuid4().hex}"

    async def handle(index: int) -> str:
        with correlation_scope() as correlation_id:
            await asyncio.sleep(0.01 * (5 - index))
            logging.getLogger(name).info("handled %d", index)
            return correlation_id

    async def all_of_them() -> list[str]:
        return await asyncio.gather(*(handle(i) for i in range(5)))

    with json_lines(name) as lines:
        ids = asyncio.run(all_of_them())
    assert len(set(ids)) == 5
    assert {line["message"]: line["correlationId"] for line in lines} == {f"handled {i}": ids[i] for i in range(5)}


def test_a_guid_correlation_header_is_taken_and_anything_else_is_not() -> None:
    given = "6F9619FF-8B86-D011-B42D-00CF4FC964FF"
    assert correlation_id_from_headers({"X-Correlation-Id": given}) == given.lower()
    assert correlation_id_from_headers({"x-correlation-id": "drop table; --"}) is None
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    assert correlation_id_from_headers({"traceparent": traceparent}) == "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"
    assert correlation_id_from_headers({"traceparent": "00-" + "0" * 32 + "-00f067aa0ba902b7-01"}) is None


def test_the_api_echoes_the_callers_correlation_id_and_logs_under_it() -> None:
    name = f"test.{uuid.uuid4().hex}"
    given = str(uuid.uuid4())
    with json_lines(name) as lines, serve(probe_app(name)) as base:
        response = requests.get(f"{base}/probe", headers={CORRELATION_HEADER: given}, timeout=10)
    assert response.status_code == 200
    assert response.headers[CORRELATION_HEADER] == given
    assert response.json() == {"correlationId": given}
    assert [line["correlationId"] for line in lines if line["message"] == "probing"] == [given]


def test_the_api_makes_a_correlation_id_when_the_caller_gives_none_or_a_bad_one() -> None:
    name = f"test.{uuid.uuid4().hex}"
    with serve(probe_app(name)) as base:
        first = requests.get(f"{base}/probe", timeout=10)
        second = requests.get(f"{base}/probe", headers={CORRELATION_HEADER: "not-a-guid"}, timeout=10)
    ids = [first.headers[CORRELATION_HEADER], second.headers[CORRELATION_HEADER]]
    assert ids[0] != ids[1]
    assert [str(uuid.UUID(i)) for i in ids] == ids
    assert [first.json()["correlationId"], second.json()["correlationId"]] == ids


def test_the_api_takes_the_trace_id_of_a_traceparent() -> None:
    with serve(probe_app("test.traceparent")) as base:
        response = requests.get(
            f"{base}/probe",
            headers={"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
            timeout=10,
        )
    assert response.headers[CORRELATION_HEADER] == "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"


# Redaction ------------------------------------------------------------------------------------------------------


def test_a_flow_that_logs_secret_bearing_messages_never_logs_a_secret(tmp_path: Path) -> None:
    store = LocalSecretStore(tmp_path / "secrets")
    store.set("pc-client-secret", "Zx8Q~client-secret-value-0123456789")
    store.set("pc-refresh-token", "0.ARoA-refresh-token-value-abcdefghijklmnop")
    name = f"test.{uuid.uuid4().hex}"
    log = logging.getLogger(name)
    with json_lines(name) as lines, correlation_scope() as correlation_id:
        client_secret = store.get("pc-client-secret")
        refresh_token = store.get("pc-refresh-token")
        register_secret(client_secret)
        register_secret(refresh_token)
        log.info(
            "token request body: grant_type=refresh_token&client_id=8a1d5c3e&client_secret=%s&refresh_token=%s",
            client_secret,
            refresh_token,
        )
        log.info("sent headers %s", {"Authorization": f"Bearer {JWT}", "MS-CorrelationId": correlation_id})
        log.info("token answer %s", json.dumps({"access_token": JWT, "refresh_token": refresh_token}))
        log.warning("secret as a bare value: %s", client_secret, extra={"detail": f"value {refresh_token}"})
        try:
            raise RuntimeError(f"Partner Center refused client secret {client_secret}")
        except RuntimeError:
            log.exception("enrollment failed")
    written = json.dumps(lines)
    for secret in (client_secret, refresh_token, JWT, "eyJ"):
        assert secret not in written
    assert written.count(REDACTED) >= 7
    assert all(line["correlationId"] == correlation_id for line in lines)
    assert "client_id=8a1d5c3e" in written and correlation_id in written  # only secrets go
    assert "RuntimeError" in lines[-1]["exception"]


def test_secrets_are_recognised_by_shape_without_being_registered() -> None:
    assert JWT not in redact(f"id_token {JWT}")
    assert redact("Authorization: Basic dXNlcjpwYXNz") == f"Authorization: {REDACTED}"
    assert redact("curl -H 'authorization: Bearer abc.def-ghi_jkl'") == f"curl -H 'authorization: {REDACTED}'"
    assert "Eby8vd" not in redact(
        "AccountName=dev;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq==;"
    )
    assert redact('{"client_secret": "abc123456"}') == f'{{"client_secret": "{REDACTED}"}}'


def test_ordinary_messages_pass_unchanged() -> None:
    for message in (
        "provisioned 3 seats for customer c-1 (order o-9)",
        "Partner Center answered 429, Retry-After 60, attempt 2 of 8",
        "refresh token for provider p-1 rotated",
        "queue relationship-checks: message 5f0c dead-lettered after 8 deliveries",
    ):
        assert redact(message) == message


def test_short_values_are_not_registered_as_secrets() -> None:
    register_secret("abc")
    assert redact("abc abc") == "abc abc"


# Set-up and Application Insights ---------------------------------------------------------------------------------


def _settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "auth_issuer": "https://login.microsoftonline.com/t/v2.0",
        "auth_audience": "api://csp-platform",
        "auth_jwks_url": "https://login.microsoftonline.com/t/discovery/v2.0/keys",
        "signing_secret": "signing-secret-for-telemetry-tests-0123456789",
        "storage_account_name": "stexample",
    }
    values.update(overrides)
    return Settings(**values)


def test_configure_telemetry_hands_the_connection_string_and_the_apps_identity_to_azure_monitor() -> None:
    calls: list[dict[str, Any]] = []
    connection = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://example/"
    client_id = str(uuid.uuid4())
    root = logging.getLogger()
    level = root.level
    try:
        settings = _settings(applicationinsights_connection_string=connection, azure_client_id=client_id)
        configure_telemetry(settings, stream=io.StringIO(), configure_monitor=lambda **kw: calls.append(kw))
        configure_telemetry(settings, stream=io.StringIO(), configure_monitor=lambda **kw: calls.append(kw))
    finally:
        root.setLevel(level)
        for handler in [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]:
            root.removeHandler(handler)
    assert len(calls) == 1  # once per process: a second call must not add a second exporter
    assert calls[0]["connection_string"] == connection
    assert calls[0]["logger_name"] == ""
    assert type(calls[0]["credential"]).__name__ == "ManagedIdentityCredential"
    assert redact(settings.signing_secret) == REDACTED  # the settings' own secrets are registered


def test_azure_monitor_takes_the_keywords_configure_telemetry_passes() -> None:
    from azure.monitor.opentelemetry import configure_azure_monitor

    documented = configure_azure_monitor.__doc__ or ""
    for keyword in ("connection_string", "credential", "logger_name"):
        assert f" {keyword}:" in documented


def test_exported_telemetry_carries_the_correlation_id_and_never_a_secret() -> None:
    """Runs configure_telemetry in a fresh process that exports to a loopback ingestion endpoint."""
    received: list[bytes] = []

    class Ingestion(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            received.append(gzip.decompress(body) if self.headers.get("content-encoding") == "gzip" else body)
            answer = b'{"itemsReceived": 1, "itemsAccepted": 1, "errors": []}'
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ingestion)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = "Zx8Q~exported-client-secret-0123456789"
    correlation_id = str(uuid.uuid4())
    program = f"""
import logging
from azure.monitor.opentelemetry import configure_azure_monitor
from opentelemetry._logs import get_logger_provider
from shared.config import Settings
from shared.telemetry import configure_telemetry, correlation_scope, register_secret

settings = Settings(
    auth_issuer="https://login.microsoftonline.com/t/v2.0", auth_audience="api://csp-platform",
    auth_jwks_url="https://login.microsoftonline.com/t/discovery/v2.0/keys", storage_account_name="stexample",
    signing_secret="signing-secret-for-telemetry-tests-0123456789",
    applicationinsights_connection_string="InstrumentationKey=00000000-0000-0000-0000-000000000001;"
    "IngestionEndpoint=http://127.0.0.1:{server.server_address[1]}/",
)
configure_telemetry(settings, configure_monitor=lambda **options: configure_azure_monitor(
    **options, disable_offline_storage=True, enable_live_metrics=False, enable_performance_counters=False))
register_secret({secret!r})
with correlation_scope({correlation_id!r}):
    logging.getLogger("enrollment").warning("token call failed for client secret %s", {secret!r})
get_logger_provider().force_flush()
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APPLICATIONINSIGHTS", "OTEL_"))}
    env.update(PYTHONPATH=str(REPO), APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL="true")
    try:
        result = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    items = [item for body in received for item in json.loads(body)]
    messages = [item["data"]["baseData"] for item in items if item["data"]["baseType"] == "MessageData"]
    assert [m["message"] for m in messages] == [f"token call failed for client secret {REDACTED}"]
    assert messages[0]["properties"]["correlation_id"] == correlation_id
    assert secret not in json.dumps(items) and secret not in result.stderr
