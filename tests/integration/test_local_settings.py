"""local.settings.sample.json carries the sandbox's development provider: POST /api/providers can be called with
its values, and every setting the code reads is in it."""

from __future__ import annotations

import json
from typing import Any

import requests

from local.settings import SAMPLE_FILE
from shared.config import Settings


def test_the_sample_names_the_sandboxs_development_provider(sandbox: Any) -> None:
    values = json.loads(SAMPLE_FILE.read_text())["Values"]
    provider = requests.get(f"{sandbox.http_url}/_sandbox/provider", timeout=10).json()
    assert values["DEV_PROVIDER_TENANT_ID"] == provider["tenantId"]
    assert values["DEV_PROVIDER_CLIENT_ID"] == provider["clientId"]
    assert values["DEV_PROVIDER_CLIENT_SECRET_REF"] == provider["clientSecretRef"]
    assert values["DEV_PROVIDER_REFRESH_TOKEN_REF"] == provider["refreshTokenRef"]


def test_every_setting_the_code_reads_is_in_the_sample() -> None:
    values = json.loads(SAMPLE_FILE.read_text())["Values"]
    assert {name.upper() for name in Settings.model_fields} <= set(values)
