"""Partner Center's agreement metadata and a customer's agreement acceptances under /v1
(docs/partner-center.md#microsoft-customer-agreement)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request

from local.sandbox.auth import CallerDep, SandboxDep
from local.sandbox.clock import format_timestamp, parse_timestamp
from local.sandbox.partner_center import customer_of
from local.sandbox.state import SandboxState
from local.sandbox.wire import PartnerCenterError, WireResponse, collection, get_ci, read_json

router = APIRouter(prefix="/v1", tags=["Partner Center: agreements"])

MICROSOFT_CUSTOMER_AGREEMENT = "MicrosoftCustomerAgreement"
MICROSOFT_CLOUD_AGREEMENT = "MicrosoftCloudAgreement"
# The template id and link Microsoft's "Get agreement metadata" examples show; a real tenant's may differ.
TEMPLATES: dict[str, dict[str, Any]] = {
    MICROSOFT_CUSTOMER_AGREEMENT: {
        "templateId": "117a69e3-a2d9-4d8b-93cc-e5b3a4f2ef9c",
        "agreementType": MICROSOFT_CUSTOMER_AGREEMENT,
        "agreementLink": "https://aka.ms/customeragreement",
        "versionRank": 0,
    },
    MICROSOFT_CLOUD_AGREEMENT: {
        "templateId": "998b88de-aa99-4388-a42c-1b3517d47490",
        "agreementType": MICROSOFT_CLOUD_AGREEMENT,
        "agreementLink": "https://aka.ms/microsoftcloudagreement",
        "versionRank": 0,
    },
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTACT_FIELDS = ("firstName", "lastName", "email", "phoneNumber")


def _template_of(agreement_type: str) -> dict[str, Any] | None:
    return next((t for name, t in TEMPLATES.items() if name.lower() == agreement_type.lower()), None)


def agreement_view(agreement: dict[str, Any]) -> dict[str, Any]:
    """An acceptance as "Get confirmation of customer acceptance" shows it."""
    return {
        "primaryContact": dict(agreement["primaryContact"]),
        "templateId": agreement["templateId"],
        "dateAgreed": agreement["dateAgreed"],
        "type": agreement["type"],
        "agreementLink": agreement["agreementLink"],
        "userId": agreement.get("userId"),
    }


def has_customer_agreement(customer: dict[str, Any]) -> bool:
    """Whether the customer accepted (or its partner attested) the Microsoft Customer Agreement."""
    return any(a["type"] == MICROSOFT_CUSTOMER_AGREEMENT for a in customer.get("agreements") or [])


def require_customer_agreement(customer: dict[str, Any]) -> None:
    """Checkout refuses a customer without an accepted MCA, 403 code 13605."""
    if not has_customer_agreement(customer):
        raise PartnerCenterError(
            403, 13605,
            f"The customer {customer['tenantId']} has not accepted the Microsoft Customer Agreement and the partner "
            "has not attested its acceptance.",
            source="PCCartService",
        )  # fmt: skip


def global_admin_contact(customer: dict[str, Any]) -> dict[str, str]:
    """The contact an admin-center acceptance records: the customer's global admin (named after its tenant)."""
    return {"firstName": "Global", "lastName": "Administrator", "email": f"admin@{customer['domain']}"}


def record_agreement(
    state: SandboxState, customer: dict[str, Any], *, contact: dict[str, str], date_agreed: str, user_id: str | None
) -> dict[str, Any]:
    """Stores one Microsoft Customer Agreement acceptance on the customer (the caller holds the lock)."""
    template = TEMPLATES[MICROSOFT_CUSTOMER_AGREEMENT]
    agreement = {
        "primaryContact": contact,
        "templateId": template["templateId"],
        "dateAgreed": date_agreed,
        "type": MICROSOFT_CUSTOMER_AGREEMENT,
        "agreementLink": template["agreementLink"],
        "userId": user_id,
        "recordedAt": state.now_text(),
    }
    customer.setdefault("agreements", []).append(agreement)
    return agreement


@router.get("/agreements", summary="Agreement metadata (app+user only)")
async def agreement_metadata(request: Request, caller: CallerDep) -> WireResponse:
    caller.require_app_user()
    wanted = get_ci(dict(request.query_params), "agreementType")
    if wanted:
        template = _template_of(str(wanted))
        # (unconfirmed) an unknown agreementType answers an empty collection rather than an error
        items = [dict(template)] if template else []
    else:
        items = [dict(t) for t in TEMPLATES.values()]
    return WireResponse(collection(items))


def _contact(body: dict[str, Any]) -> dict[str, str]:
    raw = body.get("primaryContact")
    if not isinstance(raw, dict):
        # (unconfirmed) validation failures of an agreement answer 400 code 2000, as other bad bodies do
        raise PartnerCenterError(400, 2000, "primaryContact is required.")
    contact: dict[str, str] = {}
    for name in _CONTACT_FIELDS:
        value = get_ci(raw, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if name == "phoneNumber":
                continue
            raise PartnerCenterError(400, 2000, f"primaryContact.{name} is required.")
        if not isinstance(value, str):
            raise PartnerCenterError(400, 2000, f"primaryContact.{name} must be a string.")
        contact[name] = value.strip()
    if not _EMAIL.match(contact["email"]):
        raise PartnerCenterError(400, 2000, "primaryContact.email is not a valid email address.")
    return contact


@router.post("/customers/{customer_id}/agreements", status_code=201, summary="Attest a customer's acceptance")
async def create_agreement(customer_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    caller.require_app_user()
    body = await read_json(request)
    if not isinstance(body, dict):
        raise PartnerCenterError(400, 2000, "The request body must be an agreement object.")
    agreement_type = body.get("type")
    if not isinstance(agreement_type, str) or agreement_type.lower() != MICROSOFT_CUSTOMER_AGREEMENT.lower():
        # (unconfirmed) the Microsoft Cloud Agreement can no longer be attested; the exact code is not documented
        raise PartnerCenterError(400, 2000, "type must be MicrosoftCustomerAgreement.")
    template = TEMPLATES[MICROSOFT_CUSTOMER_AGREEMENT]
    if str(body.get("templateId") or "").lower() != template["templateId"]:
        raise PartnerCenterError(400, 2000, f"The template id {body.get('templateId')!r} is not a valid template "
                                 "for the Microsoft Customer Agreement.")  # fmt: skip
    contact = _contact(body)
    raw_date = body.get("dateAgreed")
    try:
        agreed = parse_timestamp(str(raw_date)) if isinstance(raw_date, str) and raw_date.strip() else None
    except ValueError:
        agreed = None
    if agreed is None:
        raise PartnerCenterError(400, 2000, "dateAgreed is required and must be an ISO 8601 date.")
    state = sandbox.state
    if agreed > state.clock.now():
        # (unconfirmed) Microsoft refuses an acceptance dated in the future; the code is not documented
        raise PartnerCenterError(400, 2000, "dateAgreed cannot be in the future.")
    with state.lock:
        customer = customer_of(state, caller, customer_id)
        for earlier in customer.get("agreements") or []:
            if earlier["type"] == MICROSOFT_CUSTOMER_AGREEMENT and earlier["primaryContact"] == contact:
                # (unconfirmed) the status of 600061; the code and text are Microsoft's
                raise PartnerCenterError(409, 600061, "A partner confirmed agreement already exists for the customer.")
        agreement = record_agreement(state, customer, contact=contact, date_agreed=format_timestamp(agreed),
                                     user_id=caller.user_id)  # fmt: skip
        state.save()
        return WireResponse(agreement_view(agreement), status_code=201)


@router.get("/customers/{customer_id}/agreements", summary="A customer's agreement acceptances (app+user only)")
async def customer_agreements(
    customer_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> WireResponse:
    caller.require_app_user()
    wanted = get_ci(dict(request.query_params), "agreementType")
    with sandbox.state.lock:
        customer = customer_of(sandbox.state, caller, customer_id)
        items = [
            agreement_view(a)
            for a in customer.get("agreements") or []
            if not wanted or a["type"].lower() == str(wanted).lower()
        ]
    return WireResponse(collection(items))
