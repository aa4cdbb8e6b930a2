"""The web console in headless Chromium against the running local stack: each file of web/e2e is one set of
browser tests (Node's test runner driving Debian's chromium through playwright-core), given the stack's
addresses. Screenshots of every page they visit go to web/screenshots (git-ignored)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.processes import die_with_parent
from local.settings import REPO_ROOT
from tests.e2e.conftest import RunningStack, start_stack

pytestmark = pytest.mark.e2e

WEB = REPO_ROOT / "web"
SPECS = sorted(path.name for path in (WEB / "e2e").glob("*.test.mjs"))


@pytest.fixture(scope="module")
def console_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    assert (WEB / "dist" / "index.html").is_file(), "the console is not built: make web"
    stack = start_stack(
        tmp_path_factory.mktemp("console-stack"),
        RELATIONSHIP_CHECK_FIRST_DELAY_SECONDS="1",
        RELATIONSHIP_CHECK_MAX_DELAY_SECONDS="3",
    )
    assert stack.wait_for("console: ").startswith(f"http://127.0.0.1:{stack.ports['api']}/")
    stack.wait_for("ready: ")
    yield stack
    stack.stop()


def test_every_browser_test_file_is_collected() -> None:
    assert {
        "operator.test.mjs",
        "provider.test.mjs",
        "scope.test.mjs",
        "msal.test.mjs",
        "catalog.test.mjs",
        "orders.test.mjs",
        "subscriptions.test.mjs",
        "billing.test.mjs",
        "audit.test.mjs",
        "worklists.test.mjs",
        "notifications.test.mjs",
        "offboarding.test.mjs",
        "storefront.test.mjs",
        "renewals.test.mjs",
    } <= set(SPECS)


@pytest.mark.parametrize("spec", SPECS)
def test_console_in_chromium(console_stack: RunningStack, spec: str) -> None:
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "the browser tests need Debian's chromium (apt-get install chromium; .ci/run does it)"
    environment = {
        **os.environ,
        "CONSOLE_URL": f"http://127.0.0.1:{console_stack.ports['api']}/",
        "SANDBOX_URL": console_stack.sandbox,
        "CHROMIUM": chromium,
        "SCREENSHOTS": str(WEB / "screenshots"),
    }
    result = subprocess.run(
        ["node", "--test", "--test-reporter=spec", "--test-concurrency=1", str(Path("e2e") / spec)],
        cwd=WEB,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        preexec_fn=die_with_parent(),
    )
    assert result.returncode == 0, f"{spec} failed:\n{result.stdout}\n{result.stderr}"
    assert "✔" in result.stdout and "✖" not in result.stdout, result.stdout
