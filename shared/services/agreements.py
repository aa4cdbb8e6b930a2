"""The Microsoft Customer Agreement: confirmed from Partner Center, recorded there for a customer that accepted it,
and required before anything is ordered (docs/business.md#the-microsoft-customer-agreement)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial

from shared.domain.agreements import (
    AGREEMENT_MISSING,
    AgreementContact,
    CustomerAgreement,
    date_agreed_problem,
    newest_acceptance,
    same_acceptance,
)
from shared.domain.relationships import Customer, Provider, RelationshipStatus
from shared.domain.scope import Principal, may_record_customer_agreement
from shared.partner_center import AgreementContact as PartnerCenterContact
from shared.partner_center import Conflict as PartnerCenterConflict
from shared.partner_center import CustomerAgreement as PartnerCenterAgreement
from shared.partner_center import InvalidRequest as PartnerCenterInvalid
from shared.partner_center import PartnerCenterError
from shared.services.errors import Conflict, FieldError, Invalid, NotFound, Unavailable, require
from shared.services.ports import AgreementPartnerCenter, Audit, Customers, Providers
from shared.storage.audited import audited_update

log = logging.getLogger(__name__)

SYSTEM = "agreement-check"


class AgreementMissing(Conflict):
    """An order for a customer without an accepted Microsoft Customer Agreement: Partner Center would refuse it."""

    slug, title = "customer-agreement-missing", "The Microsoft Customer Agreement is not accepted"

    def __init__(self, detail: str = AGREEMENT_MISSING) -> None:
        super().__init__(detail)


@dataclass(frozen=True)
class AgreementTerms:
    """What a customer is asked to accept: Microsoft's current template and the link to read it at."""

    template_id: str
    agreement_link: str | None


def _now() -> datetime:
    return datetime.now(UTC)


def _from_partner_center(agreement: PartnerCenterAgreement, now: datetime) -> CustomerAgreement | None:
    if agreement.date_agreed is None:
        return None
    contact = agreement.primary_contact
    return CustomerAgreement(
        accepted_at=agreement.date_agreed,
        contact=AgreementContact(contact.first_name, contact.last_name, contact.email, contact.phone_number),
        template_id=agreement.template_id,
        confirmed_at=now,
    )


class CustomerAgreementService:
    def __init__(
        self,
        *,
        providers: Providers,
        customers: Customers,
        audit: Audit,
        client_for: Callable[[Provider], AgreementPartnerCenter],
    ) -> None:
        self._providers = providers
        self._customers = customers
        self._audit = audit
        self._client_for = client_for

    def _provider(self, customer: Customer) -> Provider:
        provider = self._providers.get(customer.provider_id)
        if provider is None:
            raise NotFound(f"provider {customer.provider_id} was not found")
        return provider

    # Confirming what Partner Center holds ----------------------------------------------------------------------

    def confirm(self, provider: Provider, customer: Customer, *, actor: Principal | str = SYSTEM) -> Customer:
        """Reads the customer's acceptances back from Partner Center and records the newest; a change is audited.
        Partner Center errors propagate."""
        if not customer.tenant_id:
            return customer
        now = _now()
        acceptances = self._client_for(provider).list_customer_agreements(customer.tenant_id)
        found = newest_acceptance(a for a in (_from_partner_center(x, now) for x in acceptances) if a is not None)
        if same_acceptance(customer.agreement, found):
            if found is None:
                return customer
            return self._customers.update(
                customer.provider_id, customer.id, lambda c: replace(c, agreement=found) if c.agreement else None
            )

        def change(current: Customer) -> Customer | None:
            if same_acceptance(current.agreement, found):
                return None
            return replace(current, agreement=found, updated_at=now)

        action = "customer.agreementAccepted" if found is not None else "customer.agreementMissing"
        updated: Customer = audited_update(
            self._audit,
            partial(self._customers.update, customer.provider_id, customer.id),
            change,
            actor=actor,
            action=action,
            entity_type="customer",
            entity_id=customer.id,
            org=customer.org,
        )
        return updated

    def confirm_quietly(self, provider: Provider, customer: Customer) -> Customer:
        """`confirm` for the relationship checks: a Partner Center failure leaves the record as it was (the next
        check or the sweep reads it again)."""
        try:
            return self.confirm(provider, customer)
        except PartnerCenterError as error:
            log.warning("agreement of customer %s not read: %s", customer.id, error)
            return customer

    def lost(self, provider_id: str, customer_id: str) -> None:
        """Partner Center refused a checkout with 13605: the record is re-read so it shows what Partner Center has."""
        customer = self._customers.get(provider_id, customer_id)
        provider = self._providers.get(provider_id)
        if customer is None or provider is None:
            return
        self.confirm_quietly(provider, customer)

    # Recording an acceptance -----------------------------------------------------------------------------------

    def terms(self, customer: Customer) -> AgreementTerms:
        """Microsoft's current Microsoft Customer Agreement template (503 when Partner Center cannot say)."""
        try:
            template = self._client_for(self._provider(customer)).get_agreement_template()
        except PartnerCenterError as error:
            raise Unavailable(f"Partner Center did not give the agreement: {type(error).__name__}") from error
        return AgreementTerms(template.template_id, template.agreement_link)

    def record(
        self, principal: Principal, customer_id: str, *, contact: AgreementContact, date_agreed: datetime
    ) -> Customer:
        """Staff record the acceptance a customer gave them: provider staff, the customer's reseller staff."""
        customer = self._customers.visible_to(principal, customer_id)
        if customer is None:
            raise NotFound(f"customer {customer_id} was not found")
        require(may_record_customer_agreement(principal, customer.org))
        return self._attest(principal, customer, contact, date_agreed)

    def accept_in_storefront(self, principal: Principal, customer: Customer, contact: AgreementContact) -> Customer:
        """The customer's admin accepts for its own organisation, now (the storefront checked who it is)."""
        return self._attest(principal, customer, contact, _now())

    def _attest(
        self, actor: Principal, customer: Customer, contact: AgreementContact, date_agreed: datetime
    ) -> Customer:
        if date_agreed.tzinfo is None:
            date_agreed = date_agreed.replace(tzinfo=UTC)
        problem = date_agreed_problem(date_agreed, _now())
        if problem:
            raise Invalid(problem, [FieldError("dateAgreed", problem)])
        if customer.status is not RelationshipStatus.ACTIVE or not customer.tenant_id:
            raise Conflict(
                f"customer {customer.id} is {customer.status.value}: an agreement is recorded for an active customer"
            )
        provider = self._provider(customer)
        client = self._client_for(provider)
        person = PartnerCenterContact(contact.first_name, contact.last_name, contact.email, contact.phone_number)
        try:
            template = client.get_agreement_template()
            client.create_customer_agreement(
                customer.tenant_id,
                contact=person,
                date_agreed=date_agreed,
                template_id=template.template_id,
            )
        except PartnerCenterConflict:
            pass  # 600061: Partner Center already holds this contact's acceptance; the read below shows it
        except PartnerCenterInvalid as error:
            raise Invalid(f"Partner Center refused the acceptance: {error.description or error}") from error
        except PartnerCenterError as error:
            raise Unavailable(f"Partner Center did not record the acceptance: {type(error).__name__}") from error
        try:
            confirmed = self.confirm(provider, customer, actor=actor)
        except PartnerCenterError as error:
            raise Unavailable(f"Partner Center did not confirm the acceptance: {type(error).__name__}") from error
        if confirmed.agreement is None:
            raise Unavailable("Partner Center does not show the acceptance yet; try again shortly")
        return confirmed


__all__ = ["AgreementMissing", "AgreementTerms", "CustomerAgreementService"]
