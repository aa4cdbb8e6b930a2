"""Health: whether each dependency answers right now."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass

import requests

Check = Callable[[], None]


@dataclass(frozen=True)
class HealthReport:
    checks: dict[str, str]

    @property
    def healthy(self) -> bool:
        return all(value == "ok" for value in self.checks.values())


def run_checks(checks: dict[str, Check], *, timeout_seconds: float = 5.0) -> HealthReport:
    """Runs every check at once, each bounded in time; a check that raises or hangs is down."""
    results: dict[str, str] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(checks) or 1) as pool:
        futures = {name: pool.submit(check) for name, check in checks.items()}
        for name, future in futures.items():
            try:
                future.result(timeout=timeout_seconds)
                results[name] = "ok"
            except concurrent.futures.TimeoutError:
                results[name] = "timeout"
            except Exception as exc:  # noqa: BLE001 - any failure means the dependency is down
                results[name] = f"down: {type(exc).__name__}"
    return HealthReport(results)


def http_reachable(url: str, *, verify: str | bool = True, timeout_seconds: float = 3.0) -> Check:
    """Up when the host answers HTTP at all below 500 (Partner Center answers 401 without a token)."""

    def check() -> None:
        session = requests.Session()
        session.trust_env = False
        response = session.get(url, timeout=timeout_seconds, verify=verify, allow_redirects=False)
        if response.status_code >= 500:
            raise ConnectionError(f"{url} answered {response.status_code}")

    return check
