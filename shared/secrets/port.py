"""The secret store port: provider client secrets and refresh tokens, referenced by name, never stored in tables."""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

SECRET_NAME_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,127}$")


class SecretNotFound(LookupError):
    """The store holds no secret under that name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"secret {name!r} not found")
        self.name = name


class InvalidSecretName(ValueError):
    """The name breaks Key Vault's secret-name rules, which every store enforces so local and Azure agree."""


def check_secret_name(name: str) -> str:
    """Refuses names Key Vault would refuse, so a name that works locally also works in Azure."""
    if not isinstance(name, str) or not SECRET_NAME_PATTERN.fullmatch(name):
        raise InvalidSecretName(f"secret name {name!r} must match {SECRET_NAME_PATTERN.pattern}")
    return name


@runtime_checkable
class SecretStore(Protocol):
    """Where secrets live: Key Vault in Azure, a folder locally."""

    def get(self, name: str) -> str:
        """The secret's current value; raises SecretNotFound."""
        ...

    def set(self, name: str, value: str) -> None:
        """Stores a new value (a rotated refresh token, a consented user's token)."""
        ...
