"""GET /api/health: 200 while tables, the queue and Partner Center answer; 503 when any is down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from functions.http.app import create_app
from local.azurite import free_port, start_azurite
from shared.bootstrap import Container
from tests.support.platform import platform_settings


def test_health_is_ok_then_503_when_azurite_stops(tmp_path: Path, sandbox: Any) -> None:
    azurite = start_azurite(tmp_path, blob_port=free_port(), queue_port=free_port(), table_port=free_port())
    try:
        client = TestClient(create_app(Container(platform_settings(azurite.connection_string, sandbox))))
        healthy = client.get("/api/health")
        assert healthy.status_code == 200, healthy.text
        assert healthy.json() == {"status": "ok", "checks": {"tables": "ok", "queue": "ok", "partnerCenter": "ok"}}
    finally:
        azurite.stop()
    down = client.get("/api/health")
    assert down.status_code == 503
    assert int(down.headers["Retry-After"]) > 0  # a 503 says when to come back, here too
    assert down.json()["status"] == "unavailable"
    assert down.json()["checks"]["tables"] != "ok" and down.json()["checks"]["queue"] != "ok"
    assert down.json()["checks"]["partnerCenter"] == "ok"


def test_health_is_503_when_partner_center_is_unreachable(storage_connection_string: str, sandbox: Any) -> None:
    settings = platform_settings(
        storage_connection_string, sandbox, partner_center_url=f"https://127.0.0.1:{free_port()}"
    )
    response = TestClient(create_app(Container(settings))).get("/api/health")
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    checks = response.json()["checks"]
    assert checks["tables"] == "ok" and checks["queue"] == "ok" and checks["partnerCenter"] != "ok"


def test_health_needs_no_token(client: TestClient) -> None:
    assert client.get("/api/health").status_code == 200
