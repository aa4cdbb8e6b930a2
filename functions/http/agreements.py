"""The Microsoft Customer Agreement on a customer: what the record shows, and the bodies that record an acceptance
(docs/api-guide.md#the-microsoft-customer-agreement)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from functions.http.fields import Line30, Line100
from functions.http.relationship_models import Email
from functions.http.responses import moment
from shared.domain.agreements import AgreementContact, CustomerAgreement, agreement_status


class AgreementContactOut(BaseModel):
    firstName: str
    lastName: str
    email: str
    phoneNumber: str | None = None

    @classmethod
    def of(cls, contact: AgreementContact) -> AgreementContactOut:
        return cls(firstName=contact.first_name, lastName=contact.last_name, email=contact.email,
                   phoneNumber=contact.phone_number)  # fmt: skip


class CustomerAgreementOut(BaseModel):
    status: Literal["accepted", "missing"] = Field(
        description="accepted: Partner Center holds the customer's acceptance; missing: it holds none, so orders "
        "for the customer are refused (409) until one is recorded."
    )
    acceptedAt: str | None = Field(description="When the customer accepted it (dateAgreed in Partner Center).")
    contact: AgreementContactOut | None = Field(description="The person of the customer's organisation who accepted.")
    templateId: str | None = Field(default=None, description="The agreement template the acceptance names.")
    confirmedAt: str | None = Field(default=None, description="When it was last read back from Partner Center.")

    @classmethod
    def of(cls, agreement: CustomerAgreement | None) -> CustomerAgreementOut:
        return cls(
            status=agreement_status(agreement).value,
            acceptedAt=moment(agreement.accepted_at) if agreement else None,
            contact=AgreementContactOut.of(agreement.contact) if agreement else None,
            templateId=agreement.template_id if agreement else None,
            confirmedAt=moment(agreement.confirmed_at) if agreement else None,
        )


class _ContactFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    firstName: Line100 = Field(description="First name of the person who accepted.")
    lastName: Line100 = Field(description="Last name of the person who accepted.")
    email: Email
    phoneNumber: Line30 | None = Field(default=None, description="Optional phone number.")

    def contact(self) -> AgreementContact:
        return AgreementContact(self.firstName, self.lastName, self.email, self.phoneNumber or None)


class AgreementAcceptanceIn(_ContactFields):
    dateAgreed: AwareDatetime = Field(
        description="When the customer accepted (ISO 8601 with an offset); may not be in the future."
    )


class StorefrontAgreementIn(_ContactFields):
    """The customer admin accepting for its organisation, now: its own name and e-mail (or a colleague's)."""


class StorefrontAgreementOut(CustomerAgreementOut):
    agreementLink: str | None = Field(description="Microsoft's page with the agreement's text, read before accepting.")
    currentTemplateId: str = Field(description="The template an acceptance given now is recorded against.")
