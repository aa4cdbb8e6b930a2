"""The web console: its main bundle's size (gzip, what a browser downloads first) and the dashboard's first load
on the local stack (navigation start to the dashboard's data shown, a fresh browser each time). Targets: under
400 KiB gzip, under 1.5 s."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import uuid

import requests

from bench.stack import local_stack
from local.settings import REPO_ROOT

WEB = REPO_ROOT / "web"
DIST = WEB / "dist"


def bundle_sizes() -> dict[str, float]:
    """KiB gzip of the entry script, and of everything index.html loads before the first page renders."""
    index = (DIST / "index.html").read_text()
    entry = re.search(r'<script type="module"[^>]*src="/([^"]+)"', index)
    if entry is None:
        raise RuntimeError("web/dist/index.html names no entry script: make web")
    preloaded = re.findall(r'<link rel="modulepreload"[^>]*href="/([^"]+)"', index)

    def kib(path: str) -> float:
        return len(gzip.compress((DIST / path).read_bytes(), compresslevel=9)) / 1024

    return {"main": kib(entry.group(1)), "initial": kib(entry.group(1)) + sum(kib(p) for p in preloaded)}


def main() -> None:
    sizes = bundle_sizes()
    print(f"console main bundle: {sizes['main']:.1f} KiB gzip (target < 400); "
          f"with its preloaded modules {sizes['initial']:.1f} KiB")  # fmt: skip
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not chromium:
        raise RuntimeError("the first-load figure needs Debian's chromium (apt-get install chromium)")
    with local_stack() as stack:
        operator = requests.Session()
        operator.headers["Authorization"] = f"Bearer {stack.token(stack.operator)}"
        app = requests.post(f"{stack.sandbox}/_sandbox/providers", json={"name": "Bench Distribution"}, timeout=30)
        app.raise_for_status()
        a = app.json()
        provider = operator.post(f"{stack.api}/providers", json={"name": "Bench Distribution", "partnerCenter": {
            "tenantId": a["tenantId"], "clientId": a["clientId"], "clientSecretRef": a["clientSecretRef"],
            "refreshTokenRef": a["refreshTokenRef"]}}, timeout=60)  # fmt: skip
        provider.raise_for_status()
        admin = f"bench-admin-{uuid.uuid4()}"
        member = {"userId": admin, "orgType": "provider", "orgId": provider.json()["id"], "role": "provider.admin"}
        operator.post(f"{stack.api}/members", json=member, timeout=30).raise_for_status()
        session = requests.post(f"{stack.api}/dev/token", json={"userId": admin}, timeout=30)
        session.raise_for_status()
        origin = stack.api.removesuffix("/api")
        result = subprocess.run(
            ["node", "e2e/first-load.bench.mjs"],
            cwd=WEB,
            env={
                **os.environ,
                "CONSOLE_URL": origin,
                "DEV_SESSION": json.dumps(session.json()),
                "CHROMIUM": chromium,
                "LOADS": "10",
            },  # fmt: skip
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(result.stdout + result.stderr)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print(f"dashboard first load (navigation start to data shown, fresh browser, n={figures['loads']}): "
              f"p50 {figures['p50']:.0f} ms  p90 {figures['p90']:.0f} ms  max {figures['max']:.0f} ms "
              "(target < 1500)")  # fmt: skip


if __name__ == "__main__":
    main()
