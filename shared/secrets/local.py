"""A folder of files as the secret store, so the local stack and tests read secrets the way Azure reads Key Vault."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from shared.secrets.port import SecretNotFound, check_secret_name


class LocalSecretStore:
    """One file per secret: the file name is the reference, the content the value (UTF-8, no trailing newline)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"LocalSecretStore({str(self.directory)!r})"

    def get(self, name: str) -> str:
        """Reads the secret's file; a missing file is SecretNotFound."""
        path = self.directory / check_secret_name(name)
        try:
            return path.read_bytes().decode("utf-8")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise SecretNotFound(name) from None

    def set(self, name: str, value: str) -> None:
        """Writes atomically (temp file in the same folder, then os.replace) so a reader never sees half a value."""
        path = self.directory / check_secret_name(name)
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(value.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp_name, 0o600)
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
