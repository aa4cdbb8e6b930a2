"""Telemetry: JSON logs carrying the correlation id, secrets redacted, exported to Application Insights in Azure."""

from __future__ import annotations

import logging
import re
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, TextIO

import orjson

if TYPE_CHECKING:
    from shared.config import Settings

CORRELATION_HEADER: Final = "x-correlation-id"
TRACEPARENT_HEADER: Final = "traceparent"
REDACTED: Final = "[REDACTED]"
# Shorter registered values would blank out ordinary words; real secrets and tokens are far longer.
MIN_REGISTERED_SECRET_LENGTH: Final = 8

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

# (unconfirmed) Partner Center documents MS-CorrelationId as a GUID; ids of any other shape are replaced.
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")


# Correlation ----------------------------------------------------------------------------------------------------


def new_correlation_id() -> str:
    """A fresh id, GUID-shaped because it is also sent to Partner Center as MS-CorrelationId."""
    return str(uuid.uuid4())


def current_correlation_id() -> str | None:
    """The id of the request or message being handled in this context, if any."""
    return _correlation_id.get()


@contextmanager
def correlation_scope(correlation_id: str | None = None) -> Iterator[str]:
    """Everything logged or sent to Partner Center inside carries this id (a new one when None)."""
    value = correlation_id or new_correlation_id()
    token = _correlation_id.set(value)
    try:
        yield value
    finally:
        _correlation_id.reset(token)


def correlation_id_from_headers(headers: Mapping[str, str]) -> str | None:
    """The caller's x-correlation-id when it is a GUID, else the W3C traceparent's trace id as a GUID, else None."""
    lowered = {k.lower(): v.strip() for k, v in headers.items()}
    given = lowered.get(CORRELATION_HEADER, "")
    if _GUID.match(given):
        return given.lower()
    trace = _TRACEPARENT.match(lowered.get(TRACEPARENT_HEADER, "").lower())
    if trace and trace.group(1) != "0" * 32:
        return str(uuid.UUID(hex=trace.group(1)))
    return None


# Redaction ------------------------------------------------------------------------------------------------------

_SECRET_KEYS = (
    r"client_secret|clientsecret|refresh_token|refreshtoken|access_token|accesstoken|id_token|client_assertion"
    r"|password|signing_secret|accountkey|sharedaccesskey|sharedaccesssignature|sig"
)
_PATTERNS: Final = (
    # JSON Web Tokens (access, id and refresh tokens issued as JWTs): three base64url parts, the first `{"`.
    (re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), REDACTED),
    # Authorization headers, whatever the scheme: the whole value goes.
    (
        re.compile(r"(?i)(\bauthorization[\"']?\s*[:=]\s*[\"']?)(?:bearer\s+|basic\s+)?[^\"',;\r\n}]+"),
        r"\1" + REDACTED,
    ),
    # A bearer token wherever it appears on its own.
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1" + REDACTED),
    # key=value, key: value and "key": "value" pairs of secret-bearing names (form bodies, JSON, connection strings).
    (
        re.compile(rf"(?i)([\"']?\b(?:{_SECRET_KEYS})\b[\"']?\s*[:=]\s*[\"']?)([^\"'&\s,;}}]+)"),
        r"\1" + REDACTED,
    ),
)

_registered: set[str] = set()
_registered_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remembers a secret value (read from the secret store or settings) so no log line ever shows it."""
    if value and len(value) >= MIN_REGISTERED_SECRET_LENGTH:
        with _registered_lock:
            _registered.add(value)


def forget_secrets() -> None:
    """Drops every registered value (a test isolating itself, or a process reloading its settings)."""
    with _registered_lock:
        _registered.clear()


def redact(text: str) -> str:
    """The text with registered secret values, JWTs, bearer tokens, Authorization values and secret pairs removed."""
    with _registered_lock:
        known = sorted(_registered, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and traceback text) without secrets before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


class CorrelationFilter(logging.Filter):
    """Stamps the context's correlation id on the record (`correlation_id`), unless the caller gave one."""

    def filter(self, record: logging.LogRecord) -> bool:
        stamp_correlation(record)
        return True


def stamp_correlation(record: logging.LogRecord) -> None:
    """Application Insights exports extra record attributes as custom dimensions, so the id becomes searchable."""
    if getattr(record, "correlation_id", None) is None:
        record.correlation_id = current_correlation_id()


def redact_record(record: logging.LogRecord) -> None:
    """Formats the message, redacts it, and drops a traceback object whose text carried a secret (idempotent)."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is the handler's to report, unredacted args are not ours to keep
        message = str(record.msg)
    cleaned = redact(message)
    if cleaned != message or record.args:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[0] is not None:
        text = record.exc_text or logging.Formatter().formatException(record.exc_info)
        cleaned_text = redact(text)
        record.exc_text = cleaned_text
        if cleaned_text != text:
            record.exc_info = None  # exporters read the exception object itself; only the redacted text may leave
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


_factory_lock = threading.Lock()
_installed_factory: Callable[..., logging.LogRecord] | None = None


def install_log_filters() -> None:
    """Redacts and stamps every record of the process, whichever handler (host, Azure Monitor, JSON) takes it.

    A record factory rather than handler filters: it also covers handlers added later (the Functions worker's,
    the Azure Monitor exporter's, a test's), and loggers that do not propagate to the root.
    """
    global _installed_factory
    with _factory_lock:
        current = logging.getLogRecordFactory()
        if current is _installed_factory:
            return
        previous = current

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            stamp_correlation(record)
            redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed_factory = factory


# JSON logs ------------------------------------------------------------------------------------------------------

_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "correlation_id",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, correlationId, extras and the exception."""

    def format(self, record: logging.LogRecord) -> str:
        redact_record(record)
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlationId": getattr(record, "correlation_id", None) or current_correlation_id(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                plain = isinstance(value, int | float | bool | type(None))
                entry[key] = value if plain else redact(str(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        return orjson.dumps(entry, default=str).decode()


# Set-up ---------------------------------------------------------------------------------------------------------

_JSON_HANDLER_NAME: Final = "csp-platform-json"
# Loggers that log every HTTP call at INFO (the Azure SDKs' transport: 50 MB an hour in a busy worker; the exporter's
# own calls would be exported again, call after call): WARNING and above, unless LOG_LEVEL is DEBUG.
QUIET_LOGGERS: Final = (
    "azure",
    "azure.core.pipeline.policies.http_logging_policy",
    "azure.monitor.opentelemetry",
    "azure.identity",
    "msal",
    "urllib3",
)
_configured_monitor: str | None = None
_setup_lock = threading.Lock()


def quiet_sdk_loggers(log_level: str | int) -> None:
    """SDK transport logs at WARNING; LOG_LEVEL=DEBUG lets them through for a debugging session."""
    level = logging.getLevelName(log_level) if isinstance(log_level, str) else log_level
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if level == logging.DEBUG else max(logging.WARNING, level))


def configure_telemetry(
    settings: Settings,
    *,
    stream: TextIO | None = None,
    configure_monitor: Callable[..., None] | None = None,
) -> None:
    """Log level, redaction and correlation for the process; JSON lines when nothing else handles the root logger;
    Application Insights (lazily imported) when APPLICATIONINSIGHTS_CONNECTION_STRING is set. Safe to call twice."""
    global _configured_monitor
    for secret in _settings_secrets(settings):
        register_secret(secret)
    install_log_filters()
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    quiet_sdk_loggers(settings.log_level)
    with _setup_lock:
        if stream is not None or not root.handlers:
            _replace_json_handler(root, stream or sys.stderr)
        connection = settings.applicationinsights_connection_string
        if connection and _configured_monitor != connection:
            configure = configure_monitor or _configure_azure_monitor
            configure(connection_string=connection, credential=_monitor_credential(settings), logger_name="")
            _configured_monitor = connection


def _replace_json_handler(root: logging.Logger, stream: TextIO) -> None:
    for handler in [h for h in root.handlers if h.get_name() == _JSON_HANDLER_NAME]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream)
    handler.set_name(_JSON_HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)


def _configure_azure_monitor(**options: Any) -> None:
    from azure.monitor.opentelemetry import configure_azure_monitor

    configure_azure_monitor(**options)


def _monitor_credential(settings: Settings) -> Any:
    """Application Insights refuses local (key) auth in the template, so Azure signs in with the app's identity."""
    if not settings.azure_client_id:
        return None
    from azure.identity import ManagedIdentityCredential

    return ManagedIdentityCredential(client_id=settings.azure_client_id)


def _settings_secrets(settings: Settings) -> Iterable[str | None]:
    yield settings.signing_secret
    for connection in (settings.storage_connection_string, settings.servicebus_connection_string):
        for part in (connection or "").split(";"):
            key, _, value = part.partition("=")
            if key.strip().lower() in {"accountkey", "sharedaccesskey", "sharedaccesssignature"}:
                yield value.strip()


# ASGI -----------------------------------------------------------------------------------------------------------


class CorrelationMiddleware:
    """Takes the caller's x-correlation-id (or traceparent) or makes one, runs the request in its scope, and
    echoes it as x-correlation-id on the answer, so a front end can quote it and support can find every line."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __getattr__(self, name: str) -> Any:
        if name == "app":
            raise AttributeError(name)
        return getattr(self.app, name)  # the wrapped app's state, routes and openapi stay reachable

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers") or []}
        correlation_id = correlation_id_from_headers(headers) or current_correlation_id() or new_correlation_id()
        header_name = CORRELATION_HEADER.encode()

        async def send_with_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers") or [] if k.lower() != header_name]
                message = {**message, "headers": [*kept, (header_name, correlation_id.encode())]}
            await send(message)

        with correlation_scope(correlation_id):
            await self.app(scope, receive, send_with_id)
