"""audited_update over Azurite: a read-modify-write under If-Match that retries on 412 and is audited once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from shared.domain.relationships import Provider, ProviderStatus
from shared.storage.audited import audited_update
from tests.support.platform import new_id


def _provider() -> Provider:
    now = datetime.now(UTC)
    return Provider(id=new_id("p-"), name="Before", tenant_id=new_id(), client_id=new_id(), client_secret_ref="s",
                    refresh_token_ref=None, partner_id=None, status=ProviderStatus.CONSENT_REQUIRED,
                    company_name="Contoso", created_at=now, updated_at=now)  # fmt: skip


def _audited_rename(container: Any, provider: Provider, rename: Any) -> Provider:
    updated: Provider = audited_update(
        container.audit,
        partial(container.providers.update, provider.id),
        rename,
        actor="test",
        action="provider.renamed",
        entity_type="provider",
        entity_id=provider.id,
        org=provider.org,
    )
    return updated


def test_a_write_in_between_is_a_412_retried_on_the_new_version_and_audited_once(container: Any) -> None:
    provider = container.providers.add(_provider())
    seen: list[str | None] = []

    def rename(current: Provider) -> Provider:
        seen.append(current.company_name)
        if len(seen) == 1:  # someone else writes between this read and this write: its If-Match fails
            container.providers.update(provider.id, lambda p: replace(p, company_name="Fabrikam"))
        return replace(current, name="After")

    updated = _audited_rename(container, provider, rename)

    assert seen == ["Contoso", "Fabrikam"]
    assert (updated.name, updated.company_name) == ("After", "Fabrikam")
    stored = container.providers.get(provider.id)
    assert (stored.name, stored.company_name) == ("After", "Fabrikam")
    entries, _ = container.audit.page_for_entity(provider.id, limit=10, position=None)
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.action, entry.actor_id, entry.org) == ("provider.renamed", "test", provider.org)
    assert (entry.before["name"], entry.before["companyName"]) == ("Before", "Fabrikam")
    assert (entry.after["name"], entry.after["companyName"]) == ("After", "Fabrikam")


def test_a_change_that_returns_none_writes_and_audits_nothing(container: Any) -> None:
    provider = container.providers.add(_provider())

    unchanged = _audited_rename(container, provider, lambda current: None)

    assert unchanged.name == "Before"
    entries, _ = container.audit.page_for_entity(provider.id, limit=10, position=None)
    assert entries == []
