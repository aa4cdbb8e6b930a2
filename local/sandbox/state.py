"""What "Partner Center" and "Entra ID" hold: one in-memory document behind a lock, snapshotted to disk."""

from __future__ import annotations

import json
import re
import secrets
import string
import threading
import uuid
from pathlib import Path
from typing import Any

from local.sandbox import config as cfg
from local.sandbox.clock import SandboxClock, format_timestamp
from local.sandbox.fileio import write_atomically

STATE_FILE = "state.json"
_SECRET_NAME = re.compile(r"^[A-Za-z0-9-]{1,127}$")


def new_guid() -> str:
    return str(uuid.uuid4())


def new_client_secret() -> str:
    """Shaped like an Entra client secret (40 characters, '~' after a 3-character prefix)."""
    alphabet = string.ascii_letters + string.digits + "._-"
    return secrets.token_hex(2)[:3] + "8Q~" + "".join(secrets.choice(alphabet) for _ in range(34))


def new_refresh_token() -> str:
    """Opaque like Entra's refresh tokens ('1.A...' followed by a long base64url blob)."""
    return "1.AXoA" + secrets.token_urlsafe(240)


def write_secret(secrets_dir: Path, name: str, value: str) -> None:
    """Writes one secret in the local secret store's format: file name = reference, content = value."""
    if not _SECRET_NAME.match(name):
        raise ValueError(f"invalid secret reference name {name!r}")
    write_atomically(Path(secrets_dir) / name, value.encode("utf-8"))


class SandboxState:
    """The sandbox's data; callers hold `lock` while reading or changing `data` and call `save()` after changes."""

    def __init__(self, config: cfg.SandboxConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.data: dict[str, Any] = self._load()
        self.clock = SandboxClock(float(self.data.get("clockOffsetSeconds", 0.0)))

    def _load(self) -> dict[str, Any]:
        path = Path(self.config.state_dir) / STATE_FILE
        data: dict[str, Any] = json.loads(path.read_text("utf-8")) if path.exists() else {}
        for key in ("providers", "resellers", "customers", "refreshTokens", "authCodes", "carts", "orders",
                    "subscriptions", "replays", "partners"):  # fmt: skip
            data.setdefault(key, {})
        data.setdefault("purchases", [])
        for cart in data["carts"].values():
            cart["processing"] = False  # a checkout cut off by a restart never finished
        data.setdefault("version", 1)
        return data

    def save(self) -> None:
        """Snapshots the whole document atomically so a restart keeps what Partner Center holds."""
        with self.lock:
            self.data["clockOffsetSeconds"] = self.clock.offset_seconds
            payload = json.dumps(self.data, indent=1, sort_keys=True).encode("utf-8")
            write_atomically(Path(self.config.state_dir) / STATE_FILE, payload)

    def now_text(self) -> str:
        return format_timestamp(self.clock.now())

    # Providers -------------------------------------------------------------------------------------------------

    def ensure_dev_provider(self) -> dict[str, Any]:
        """The fixed development provider; its secret and refresh token are generated once per state dir."""
        with self.lock:
            provider = self.data["providers"].get(cfg.DEV_PROVIDER_TENANT_ID)
            if provider is None:
                provider = self._new_provider(
                    tenant_id=cfg.DEV_PROVIDER_TENANT_ID,
                    client_id=cfg.DEV_PROVIDER_CLIENT_ID,
                    partner_id=cfg.DEV_PROVIDER_PARTNER_ID,
                    name=cfg.DEV_PROVIDER_NAME,
                    secret_ref=cfg.DEV_PROVIDER_SECRET_REF,
                    refresh_token_ref=cfg.DEV_PROVIDER_REFRESH_TOKEN_REF,
                )
                self.save()
            return provider

    def create_provider(self, name: str) -> dict[str, Any]:
        """Another provider with its own tenant, app, partner ID and secret references."""
        with self.lock:
            taken = {p["partnerId"] for p in self.data["providers"].values()}
            partner_id = str(secrets.randbelow(9_000_000) + 1_000_000)
            while partner_id in taken:
                partner_id = str(secrets.randbelow(9_000_000) + 1_000_000)
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "provider"
            suffix = secrets.token_hex(4)
            provider = self._new_provider(
                tenant_id=new_guid(),
                client_id=new_guid(),
                partner_id=partner_id,
                name=name,
                secret_ref=f"pc-{slug}-{suffix}-client-secret",
                refresh_token_ref=f"pc-{slug}-{suffix}-refresh-token",
            )
            self.save()
            return provider

    def _new_provider(
        self, *, tenant_id: str, client_id: str, partner_id: str, name: str, secret_ref: str, refresh_token_ref: str
    ) -> dict[str, Any]:
        slug = re.sub(r"[^a-z0-9]", "", name.lower())[:20] or "provider"
        suffix = "" if tenant_id == cfg.DEV_PROVIDER_TENANT_ID else secrets.token_hex(2)
        provider = {
            "tenantId": tenant_id,
            "clientId": client_id,
            "clientSecret": new_client_secret(),
            "clientSecretRef": secret_ref,
            "refreshTokenRef": refresh_token_ref,
            "partnerId": partner_id,
            "name": name,
            "domain": f"{slug}{suffix}.onmicrosoft.com",
            "country": "NL",
            "servicePrincipalOid": new_guid(),
            "adminOid": new_guid(),
            "adminName": f"{name} Admin",
            "createdAt": self.now_text(),
        }
        self.data["providers"][tenant_id] = provider
        self.data["resellers"][tenant_id] = {}
        refresh_token = new_refresh_token()
        self.data["refreshTokens"][refresh_token] = {
            "tenantId": tenant_id,
            "clientId": client_id,
            "oid": provider["adminOid"],
            "scope": f"{cfg.PARTNER_CENTER_RESOURCE}/user_impersonation offline_access openid profile",
            "issuedAt": self.now_text(),
            # The seeded token stands for a consent the partner admin gave once; it does not expire.
            "expiresAt": None,
            "supersededAt": None,
        }
        provider["refreshToken"] = refresh_token
        return provider

    def write_provider_secrets(self, provider: dict[str, Any]) -> None:
        """Puts the provider's secret and refresh token where the platform's secret references resolve."""
        write_secret(self.config.secrets_dir, provider["clientSecretRef"], provider["clientSecret"])
        write_secret(self.config.secrets_dir, provider["refreshTokenRef"], provider["refreshToken"])

    def provider_by_tenant(self, tenant: str) -> dict[str, Any] | None:
        """A provider by tenant id (any case) or by its onmicrosoft.com domain, as Entra resolves tenants."""
        tenant_lower = tenant.lower()
        for provider in self.data["providers"].values():
            if provider["tenantId"].lower() == tenant_lower or provider["domain"].lower() == tenant_lower:
                return provider
        return None

    def known_partner_ids(self) -> dict[str, str]:
        """Partner IDs the sandbox knows, with their company names."""
        known = {p["partnerId"]: p["name"] for p in self.data["providers"].values()}
        for resellers in self.data["resellers"].values():
            for reseller in resellers.values():
                known.setdefault(reseller["mpnId"], reseller["name"])
        return known
