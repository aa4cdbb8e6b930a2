"""Child processes of the local stack and of the tests die with the process that started them, even when it is
killed hard (SIGKILL leaves no chance to clean up): on Linux the kernel sends them SIGTERM (PR_SET_PDEATHSIG), and
a child's SIGTERM ends it within a bounded grace period whatever it was doing."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


_LIBC = _libc()


def die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` for `subprocess.Popen`: the child gets SIGTERM when its parent dies. None where the platform
    has no such thing (the parent's own shutdown still stops its children there)."""
    if _LIBC is None:
        return None
    libc = _LIBC
    parent = os.getpid()

    def arrange() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request was made: go now
            os.kill(os.getpid(), signal.SIGTERM)

    return arrange


STOP_GRACE_SECONDS = 5.0


def stop_on_signals(grace_seconds: float = STOP_GRACE_SECONDS) -> threading.Event:
    """SIGTERM or SIGINT sets the event the process's loops watch, and the process exits within `grace_seconds`
    even when a handler is still waiting (on Partner Center, or on an Azurite that died with the stack): work in
    flight is not lost, since a message not completed is delivered again and every handler is idempotent."""
    stop = threading.Event()

    def on_signal(*_: object) -> None:
        if stop.is_set():
            return
        stop.set()
        deadline = threading.Timer(grace_seconds, os._exit, args=(0,))
        deadline.daemon = True
        deadline.start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return stop


def configure_local_logging(process: str) -> None:
    """Plain lines at LOG_LEVEL (INFO by default) for a local process; the SDKs' transport only at DEBUG."""
    import logging

    from shared.telemetry import quiet_sdk_loggers

    level = (os.environ.get("LOG_LEVEL") or "INFO").strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        level = "INFO"
    logging.basicConfig(level=level, format=f"%(asctime)s {process} %(levelname)s %(message)s")
    quiet_sdk_loggers(level)


__all__ = ["STOP_GRACE_SECONDS", "configure_local_logging", "die_with_parent", "stop_on_signals"]
