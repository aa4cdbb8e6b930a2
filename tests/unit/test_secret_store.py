"""Secret stores: the local folder format shared with the sandbox, and the settings that pick a store."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from shared.config import Settings
from shared.secrets import (
    InvalidSecretName,
    KeyVaultSecretStore,
    LocalSecretStore,
    SecretNotFound,
    SecretStore,
    SecretStoreMisconfigured,
    secret_store_from_settings,
)


def settings(**overrides: object) -> Settings:
    base: dict[str, object] = {
        "auth_issuer": "https://issuer.example",
        "auth_audience": "api://csp-platform",
        "auth_jwks_url": "https://issuer.example/keys",
        "signing_secret": "0123456789abcdef0123",
    }
    base.update(overrides)
    return Settings(**base)  # type: ignore[arg-type]


def test_value_is_the_file_content_without_trailing_newline(tmp_path: Path) -> None:
    store = LocalSecretStore(tmp_path)
    store.set("pc-dev-client-secret", "s3cr3t")
    assert (tmp_path / "pc-dev-client-secret").read_bytes() == b"s3cr3t"
    assert store.get("pc-dev-client-secret") == "s3cr3t"


def test_a_file_written_by_another_process_is_read_verbatim(tmp_path: Path) -> None:
    (tmp_path / "pc-dev-refresh-token").write_bytes("r\u00e9fresh".encode())
    assert LocalSecretStore(tmp_path).get("pc-dev-refresh-token") == "r\u00e9fresh"


def test_missing_secret_raises_secret_not_found(tmp_path: Path) -> None:
    with pytest.raises(SecretNotFound) as raised:
        LocalSecretStore(tmp_path / "absent").get("nothing-here")
    assert raised.value.name == "nothing-here"


@pytest.mark.parametrize("name", ["", "../etc", "a/b", "has space", "x" * 128, "under_score", ".hidden"])
def test_names_key_vault_would_refuse_are_refused_locally(tmp_path: Path, name: str) -> None:
    store = LocalSecretStore(tmp_path)
    with pytest.raises(InvalidSecretName):
        store.set(name, "v")
    with pytest.raises(InvalidSecretName):
        store.get(name)


def test_set_replaces_atomically_and_leaves_no_temp_files(tmp_path: Path) -> None:
    store = LocalSecretStore(tmp_path)
    store.set("rotating", "first")
    seen: set[str] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            seen.add(store.get("rotating"))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for index in range(200):
            store.set("rotating", f"value-{index:03d}-" + "x" * 4096)
    finally:
        stop.set()
        thread.join()
    assert all(value == "first" or (value.startswith("value-") and len(value) == 10 + 4096) for value in seen)
    assert sorted(os.listdir(tmp_path)) == ["rotating"]


def test_local_store_satisfies_the_port(tmp_path: Path) -> None:
    assert isinstance(LocalSecretStore(tmp_path), SecretStore)
    assert isinstance(KeyVaultSecretStore("https://example.vault.azure.net"), SecretStore)


def test_settings_pick_the_local_store_and_its_folder(tmp_path: Path) -> None:
    store = secret_store_from_settings(settings(secret_store="local", local_secrets_dir=str(tmp_path)))
    assert isinstance(store, LocalSecretStore)
    assert store.directory == tmp_path


def test_settings_pick_key_vault_without_contacting_it() -> None:
    store = secret_store_from_settings(settings(secret_store="keyvault", key_vault_url="https://kv.vault.azure.net"))
    assert isinstance(store, KeyVaultSecretStore)
    assert store.vault_url == "https://kv.vault.azure.net"
    assert store._client is None


def test_key_vault_without_url_is_a_configuration_error() -> None:
    with pytest.raises(SecretStoreMisconfigured):
        secret_store_from_settings(settings(secret_store="keyvault"))


def test_key_vault_store_refuses_bad_names_before_any_request() -> None:
    with pytest.raises(InvalidSecretName):
        KeyVaultSecretStore("https://kv.vault.azure.net").get("bad/name")
