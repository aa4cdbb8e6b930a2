"""The Microsoft Customer Agreement a customer must have accepted before Partner Center sells to it
(docs/business.md#the-microsoft-customer-agreement). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AgreementStatus(StrEnum):
    """What the customer record says: accepted (Partner Center holds an acceptance) or missing (it holds none)."""

    ACCEPTED = "accepted"
    MISSING = "missing"


@dataclass(frozen=True)
class AgreementContact:
    """The person of the customer's organisation who accepted the agreement."""

    first_name: str
    last_name: str
    email: str
    phone_number: str | None = None


@dataclass(frozen=True)
class CustomerAgreement:
    """The customer's acceptance as Partner Center confirmed it: when it was given, by whom, on which template."""

    accepted_at: datetime
    contact: AgreementContact
    template_id: str | None = None
    confirmed_at: datetime | None = None  # when the platform last read it back from Partner Center


AGREEMENT_MISSING = (
    "the customer has not accepted the Microsoft Customer Agreement: Partner Center sells nothing to it until it does "
    "(record its acceptance on the customer, or its admin accepts it in the storefront)"
)


def agreement_status(agreement: CustomerAgreement | None) -> AgreementStatus:
    return AgreementStatus.MISSING if agreement is None else AgreementStatus.ACCEPTED


def order_refusal(agreement: CustomerAgreement | None) -> str | None:
    """Why an order for the customer is refused before Partner Center is asked (None: the agreement is there)."""
    return AGREEMENT_MISSING if agreement is None else None


def newest_acceptance(acceptances: Iterable[CustomerAgreement]) -> CustomerAgreement | None:
    """The acceptance the customer record shows: the most recent one (Partner Center keeps every one)."""
    return max(acceptances, key=lambda a: a.accepted_at, default=None)


def date_agreed_problem(date_agreed: datetime, now: datetime) -> str | None:
    """An acceptance cannot be dated after the moment it is recorded."""
    if date_agreed > now:
        return "dateAgreed may not be in the future"
    return None


def same_acceptance(recorded: CustomerAgreement | None, confirmed: CustomerAgreement | None) -> bool:
    """Whether a re-read from Partner Center changes nothing worth recording (the read time aside)."""
    if recorded is None or confirmed is None:
        return recorded is confirmed
    return (recorded.accepted_at, recorded.contact, recorded.template_id) == (
        confirmed.accepted_at,
        confirmed.contact,
        confirmed.template_id,
    )
