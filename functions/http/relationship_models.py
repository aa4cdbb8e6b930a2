"""Request bodies of the provider, reseller and customer routes, validated before anything is done."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from functions.http.fields import Line2, Line20, Line30, Line50, Line100, Line200, Name, Reason, StrictFlag

Guid = Annotated[
    str, StringConstraints(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
]
SecretRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,127}$")]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
PartnerId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{5,10}$")]
Domain = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=253,
        pattern=r"^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    ),
]
Id = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartnerCenterApp(Strict):
    tenantId: Guid = Field(description="The provider's partner tenant (Entra directory) id.")
    clientId: Guid = Field(description="The Entra app registered in the provider's Partner Center account.")
    clientSecretRef: SecretRef = Field(description="Name of the app's client secret in the secret store.")
    refreshTokenRef: SecretRef | None = Field(
        default=None, description="Name of a partner admin's refresh token (app+user) in the secret store, if any."
    )


class ProviderIn(Strict):
    name: Name
    partnerCenter: PartnerCenterApp


class ResellerInvitationIn(Strict):
    partnerId: PartnerId = Field(description="The reseller's partner ID (MPN ID), used for partner of record.")
    name: Name
    contactEmail: Email


class CustomerInvitationIn(Strict):
    resellerId: Id
    name: Name
    domain: Domain | None = Field(default=None, description="The customer's existing tenant domain.")
    tenantId: Guid | None = Field(default=None, description="Or the customer's tenant id.")
    contactEmail: Email

    @model_validator(mode="after")
    def _one_identity(self) -> CustomerInvitationIn:
        if not self.domain and not self.tenantId:
            raise ValueError("give the customer's domain or its tenantId")
        return self


class CompanyProfileIn(Strict):
    companyName: Name
    domainPrefix: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9][a-z0-9]{1,26}$")
    ] = Field(description="The new tenant's initial domain is <domainPrefix>.onmicrosoft.com (letters and digits).")


class AddressIn(Strict):
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    city: Line100
    addressLine1: Name
    addressLine2: Line200 | None = None
    postalCode: Line20
    state: Line2 | None = None
    firstName: Line50
    lastName: Line50
    phoneNumber: Line30 | None = None


class BillingProfileIn(Strict):
    email: Email
    culture: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}-[A-Z]{2}$")] = Field(examples=["nl-NL"])
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] = Field(examples=["nl"])
    defaultAddress: AddressIn


class NewCustomerIn(Strict):
    resellerId: Id
    companyProfile: CompanyProfileIn
    billingProfile: BillingProfileIn


class StorefrontPolicyIn(Strict):
    allowedCatalogItemIds: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] | None = Field(
        default=None, max_length=1000, description="The items the customer may buy; null: every sellable item."
    )
    allowSeatDecrease: StrictFlag = True
    allowRenewalChanges: StrictFlag = Field(
        default=False, description="The customer may schedule changes for its next terms (PUT/DELETE .../renewal)."
    )
    maxTermDuration: Literal["P1M", "P1Y", "P3Y"] = "P3Y"
    approvalThreshold: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}(\.[0-9]{1,4})?$")] | None = Field(
        default=None, description="An order whose total (customer price) is above this waits for approval."
    )


class CustomerPatch(Strict):
    name: Name | None = Field(default=None, description="The customer's name as the platform shows it.")
    contactEmail: Email | None = Field(default=None, description="Who the reseller and provider reach there.")
    storefrontEnabled: StrictFlag | None = None
    storefrontPolicy: StorefrontPolicyIn | None = None


class ResellerPatch(Strict):
    """PATCH /api/resellers/{id}: fields not sent are kept."""

    name: Name | None = Field(default=None, description="Provider staff only: how the provider knows the reseller.")
    contactEmail: Email | None = Field(default=None, description="The reseller's contact for the provider.")


class OffboardIn(Strict):
    reason: Reason | None = Field(default=None, description="Why, for the record (shown with the offboarded badge).")
