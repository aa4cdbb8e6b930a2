"""audited_update with an in-memory update that loses one If-Match race (the Azurite version: tests/integration)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.domain.scope import OrgRef, OrgType
from shared.storage.audited import audited_update

ORG = OrgRef(OrgType.PROVIDER, "p-1")


class Trail:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def record(self, **entry: Any) -> Any:
        self.entries.append(entry)


class Row:
    """A stored value with an ETag; `racing` writes once between the first read and its write."""

    def __init__(self, value: int, racing: int | None = None) -> None:
        self.value, self.etag, self.racing = value, 0, racing

    def update(self, change: Callable[[int], int | None]) -> int:
        while True:
            read, etag = self.value, self.etag
            changed = change(read)
            if changed is None:
                return read
            if self.racing is not None:
                self.value, self.etag, self.racing = self.racing, self.etag + 1, None
            if etag != self.etag:
                continue  # 412: read again
            self.value, self.etag = changed, etag + 1
            return changed


def _add_one(trail: Trail, row: Row, change: Callable[[int], int | None] = lambda n: n + 1) -> int:
    return audited_update(trail, row.update, change, actor="test", action="n.changed", entity_type="n",
                          entity_id="n-1", org=ORG)  # fmt: skip


def test_the_entry_has_the_version_the_change_was_applied_to_after_a_lost_race() -> None:
    trail, row = Trail(), Row(1, racing=10)
    assert _add_one(trail, row) == 11
    assert [(e["before"], e["after"]) for e in trail.entries] == [(10, 11)]


def test_a_change_that_writes_nothing_is_not_audited() -> None:
    trail, row = Trail(), Row(1)
    assert _add_one(trail, row, lambda n: None) == 1
    assert trail.entries == []
