"""What a use case can refuse with; the HTTP layer turns each into problem details."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from shared.domain.scope import Decision

Seen = TypeVar("Seen")


class ServiceError(Exception):
    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions: dict[str, Any] = {}  # extension members of the problem (RFC 9457 section 3.2)


class NotFound(ServiceError):
    status, slug, title = 404, "not-found", "Not found"


class Forbidden(ServiceError):
    status, slug, title = 403, "forbidden", "Forbidden"


class Conflict(ServiceError):
    status, slug, title = 409, "conflict", "Conflict"


class ScheduledChangesWouldBeWiped(Conflict):
    """A mid-term change that would clear the changes scheduled for the next term, not confirmed."""

    slug, title = "scheduled-changes-would-be-wiped", "Scheduled changes would be cleared"

    def __init__(self, warning: str, scheduled_changes: dict[str, Any] | None) -> None:
        super().__init__(warning)
        self.extensions = {"warning": warning, "scheduledChanges": scheduled_changes}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class Invalid(ServiceError):
    status, slug, title = 422, "validation-error", "The request is not valid"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors: list[FieldError] = errors or []


class Unavailable(ServiceError):
    status, slug, title = 503, "unavailable", "A dependency is unavailable"


def require(decision: Decision, not_found: str = "not found") -> None:
    """A scope decision (shared/domain/scope.py) as the use case answers it: nothing when allowed, else 404 with
    what the caller looked for (unless the rule names it), 403 with the rule's reason, 422 naming the field."""
    if decision.allowed:
        return
    if decision.hidden:
        raise NotFound(decision.reason or not_found)
    if decision.refused:
        raise Forbidden(decision.reason)
    raise Invalid(decision.reason, [FieldError(decision.field, decision.field_message)] if decision.field else [])


def narrowed(seen: Seen | Decision, not_found: str = "not found") -> Seen:
    """The answer of a rule that says what the caller sees (a `Narrowing`, a run's `BillingLines`) or refuses it:
    what it sees, or the refusal answered as `require` answers it."""
    if not isinstance(seen, Decision):
        return seen
    require(seen, not_found)
    raise TypeError("a rule answers what the caller sees, or a refusal")


__all__ = [
    "Conflict", "FieldError", "Forbidden", "Invalid", "NotFound", "ScheduledChangesWouldBeWiped", "ServiceError",
    "Unavailable", "narrowed", "require",
]  # fmt: skip
