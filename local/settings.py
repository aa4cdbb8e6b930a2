"""The local stack's settings: local.settings.sample.json, then local.settings.json, then the environment."""

from __future__ import annotations

import json
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_FILE = REPO_ROOT / "local.settings.sample.json"
OVERRIDE_FILE = REPO_ROOT / "local.settings.json"
DATA_DIR = REPO_ROOT / ".localdata"

# Settings whose values are paths relative to the repository root.
_PATH_SETTINGS = (
    "AUTH_CA_BUNDLE",
    "PARTNER_CENTER_CA_BUNDLE",
    "LOCAL_SECRETS_DIR",
    "WEBHOOK_TRUSTED_ROOTS",
    "DEV_SIGN_IN_KEY_DIR",
)


def load_values(*, include_environment: bool = True) -> dict[str, str]:
    """Every setting as the local processes see it, with relative paths made absolute."""
    values: dict[str, str] = {}
    for path in (SAMPLE_FILE, OVERRIDE_FILE):
        if path.exists():
            values.update({k: str(v) for k, v in json.loads(path.read_text())["Values"].items()})
    if include_environment:
        for name in list(values):
            if name in os.environ:
                values[name] = os.environ[name]
    for name in _PATH_SETTINGS:
        if values.get(name) and not Path(values[name]).is_absolute():
            values[name] = str(REPO_ROOT / values[name])
    return values


def relocate(values: dict[str, str], *, data_dir: Path, ports: dict[int, int]) -> dict[str, str]:
    """The same settings for a stack on other ports and in another data folder (tests run one)."""
    moved: dict[str, str] = {}
    default_data = str(DATA_DIR)
    for name, value in values.items():
        for old, new in ports.items():
            value = value.replace(f"127.0.0.1:{old}", f"127.0.0.1:{new}")
        moved[name] = value.replace(default_data, str(data_dir))
    return moved


def platform_tenant_id(issuer: str) -> str:
    """The platform's Entra tenant, read from the issuer (`https://host/<tenant>/v2.0`)."""
    parts = [p for p in issuer.split("/") if p]
    return parts[-2] if parts and parts[-1] == "v2.0" else parts[-1]


EFFECTIVE_FILE = "effective.settings.json"


def write_effective_settings(data_dir: Path, values: dict[str, str]) -> None:
    """What the running stack uses, so `local.token` signs for the same issuer and audience."""
    (data_dir / EFFECTIVE_FILE).write_text(json.dumps({"Values": values}, indent=2))


def effective_values(data_dir: Path) -> dict[str, str]:
    """The running stack's settings when it left them in data_dir, else the local settings."""
    path = data_dir / EFFECTIVE_FILE
    if path.exists():
        return {k: str(v) for k, v in json.loads(path.read_text())["Values"].items()}
    return load_values()
