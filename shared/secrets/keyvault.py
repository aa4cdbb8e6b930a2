"""Azure Key Vault as the secret store, read with the Function app's managed identity."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from shared.secrets.port import SecretNotFound, check_secret_name

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from azure.keyvault.secrets import SecretClient


class KeyVaultSecretStore:
    """Secrets in one Key Vault; the SecretClient is built on first use so construction does no I/O."""

    def __init__(
        self,
        vault_url: str,
        credential: TokenCredential | None = None,
        *,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        self.vault_url = vault_url
        self._credential = credential
        self._client_options = dict(client_options or {})
        self._client: SecretClient | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"KeyVaultSecretStore({self.vault_url!r})"

    def _secret_client(self) -> SecretClient:
        with self._lock:
            if self._client is None:
                from azure.keyvault.secrets import SecretClient

                credential = self._credential
                if credential is None:
                    from azure.identity import DefaultAzureCredential

                    credential = DefaultAzureCredential()
                    self._credential = credential
                self._client = SecretClient(self.vault_url, credential, **self._client_options)
            return self._client

    def get(self, name: str) -> str:
        """The latest version's value; a missing (or deleted) secret is SecretNotFound."""
        from azure.core.exceptions import ResourceNotFoundError

        check_secret_name(name)
        try:
            secret = self._secret_client().get_secret(name)
        except ResourceNotFoundError:
            raise SecretNotFound(name) from None
        if secret.value is None:
            raise SecretNotFound(name)
        return secret.value

    def set(self, name: str, value: str) -> None:
        """Adds a new version; Key Vault keeps the old ones for recovery."""
        check_secret_name(name)
        self._secret_client().set_secret(name, value)
