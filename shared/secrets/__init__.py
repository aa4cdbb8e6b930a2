"""Secret store: Key Vault in Azure, a folder of files locally, one port for both."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from shared.secrets.keyvault import KeyVaultSecretStore
from shared.secrets.local import LocalSecretStore
from shared.secrets.port import InvalidSecretName, SecretNotFound, SecretStore, check_secret_name

if TYPE_CHECKING:
    from shared.config import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_LOCAL_SECRETS_DIR = REPO_ROOT / ".localdata" / "secrets"


class SecretStoreMisconfigured(ValueError):
    """The settings name a secret store without what it needs (a Key Vault URL)."""


def secret_store_from_settings(settings: Settings) -> SecretStore:
    """The store the settings ask for; nothing is read or contacted until the first get/set."""
    if settings.secret_store == "keyvault":
        if not settings.key_vault_url:
            raise SecretStoreMisconfigured("SECRET_STORE=keyvault needs KEY_VAULT_URL")
        return KeyVaultSecretStore(settings.key_vault_url)
    return LocalSecretStore(settings.local_secrets_dir or DEFAULT_LOCAL_SECRETS_DIR)


__all__ = [
    "DEFAULT_LOCAL_SECRETS_DIR",
    "InvalidSecretName",
    "KeyVaultSecretStore",
    "LocalSecretStore",
    "SecretNotFound",
    "SecretStore",
    "SecretStoreMisconfigured",
    "check_secret_name",
    "secret_store_from_settings",
]
