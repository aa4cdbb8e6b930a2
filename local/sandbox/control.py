"""The /_sandbox/ control routes: tests and the local stack play Microsoft's other parties through them."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from local.sandbox.agreements import global_admin_contact, has_customer_agreement, record_agreement
from local.sandbox.auth import SandboxDep
from local.sandbox.clock import format_timestamp, parse_timestamp
from local.sandbox.commerce import (
    apply_direct_change,
    publish_subscription_updated,
    settle,
    subscription_view,
    visible_subscriptions,
)
from local.sandbox.context import Sandbox
from local.sandbox.faults import parse_fault_settings
from local.sandbox.partner_center import (
    end_customer,
    find_reseller,
    is_guid,
    new_customer_record,
    parse_relationship_request_url,
    partner_record,
)
from local.sandbox.state import new_guid

router = APIRouter(prefix="/_sandbox", tags=["Sandbox control"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ProviderCreate(_Body):
    name: str = Field(min_length=1, max_length=200)


class ResellerAccept(_Body):
    providerTenantId: str
    partnerId: str = Field(pattern=r"^\d{1,10}$")
    name: str | None = None
    tenantId: str | None = None
    location: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")


class PartnerState(_Body):
    known: bool = Field(default=True, description="false: Partner Center does not know the partner ID (404 3000).")
    agreementSigned: bool = Field(default=True, description="Whether it signed the Microsoft Partner Agreement.")
    name: str | None = Field(default=None, max_length=200, description="Its company name (else a made-up one).")


class CustomerAccept(_Body):
    providerTenantId: str
    resellerPartnerId: str | None = None
    domain: str | None = None
    tenantId: str | None = None
    companyName: str | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    url: str | None = Field(default=None, description="A relationship-request link; names the reseller instead")
    acceptAgreement: bool = Field(
        default=True,
        description="The global admin accepts the Microsoft Customer Agreement as part of the request (unconfirmed)",
    )


class RelationshipEnd(_Body):
    providerTenantId: str
    partnerId: str | None = None
    tenantId: str | None = None


class SubscriptionChange(_Body):
    quantity: int | None = None
    status: str | None = None
    autoRenewEnabled: bool | None = None
    cancelAtEndOfTerm: bool | None = Field(default=None, description="true: expires at the term end (no EST)")
    scheduledNextTermInstructions: dict[str, Any] | None = Field(
        default=None, description="Changes for the next term, as PATCH takes them; null clears them"
    )


class ClockChange(_Body):
    advance: str | None = Field(default=None, examples=["P8D"])
    set: str | None = Field(default=None, examples=["2026-11-01T00:00:00Z"])


def provider_view(sandbox: Sandbox, provider: dict[str, Any]) -> dict[str, Any]:
    """What POST /api/providers takes, plus the raw credentials a test client needs."""
    return {
        "tenantId": provider["tenantId"],
        "clientId": provider["clientId"],
        "clientSecretRef": provider["clientSecretRef"],
        "refreshTokenRef": provider["refreshTokenRef"],
        "partnerId": provider["partnerId"],
        "name": provider["name"],
        "domain": provider["domain"],
        "clientSecret": provider["clientSecret"],
        "refreshToken": provider["refreshToken"],
        "authority": f"{sandbox.config.https_url}/{provider['tenantId']}",
        "partnerCenterUrl": sandbox.config.https_url,
        "caCertificatePem": sandbox.ca_certificate_pem,
    }


def _provider(sandbox: Sandbox, tenant_id: str) -> dict[str, Any]:
    provider = sandbox.state.provider_by_tenant(tenant_id)
    if provider is None:
        raise HTTPException(404, f"no provider with tenant id {tenant_id}")
    return provider


@router.get("/provider", summary="The development provider")
def get_provider(sandbox: SandboxDep) -> dict[str, Any]:
    with sandbox.state.lock:
        return provider_view(sandbox, sandbox.state.ensure_dev_provider())


@router.post("/providers", status_code=201, summary="Another provider with its own Partner Center app")
def create_provider(body: ProviderCreate, sandbox: SandboxDep) -> dict[str, Any]:
    with sandbox.state.lock:
        provider = sandbox.state.create_provider(body.name)
        sandbox.state.write_provider_secrets(provider)
        return provider_view(sandbox, provider)


@router.post("/resellers/accept", summary="A reseller accepts the provider's invitation")
def accept_reseller(body: ResellerAccept, sandbox: SandboxDep) -> dict[str, Any]:
    state = sandbox.state
    with state.lock:
        provider = _provider(sandbox, body.providerTenantId)
        if body.partnerId == provider["partnerId"]:
            raise HTTPException(400, "a provider cannot be its own indirect reseller")
        resellers = state.data["resellers"].setdefault(provider["tenantId"], {})
        reseller = find_reseller(state, provider["tenantId"], mpn_id=body.partnerId, active_only=False)
        if reseller is None:
            # A reseller is one tenant worldwide: reuse the tenant id another provider already knows it by.
            known = next(
                (r for per in state.data["resellers"].values() for r in per.values() if r["mpnId"] == body.partnerId),
                None,
            )
            tenant_id = (body.tenantId or (known["tenantId"] if known else new_guid())).lower()
            if not is_guid(tenant_id):
                raise HTTPException(400, "tenantId must be a GUID")
            reseller = {
                "tenantId": tenant_id,
                "mpnId": body.partnerId,
                "name": body.name or (known["name"] if known else f"Reseller {body.partnerId}"),
                "location": (body.location or (known["location"] if known else "NL")).upper(),
            }
            resellers[tenant_id] = reseller
        elif body.name:
            reseller["name"] = body.name
        reseller["status"] = "active"
        reseller["acceptedAt"] = state.now_text()
        reseller["endedAt"] = None
        state.save()
        return {"tenantId": reseller["tenantId"], "partnerId": reseller["mpnId"], "name": reseller["name"],
                "location": reseller["location"], "status": "active"}  # fmt: skip


def _partner_view(state: Any, partner_id: str) -> dict[str, Any]:
    record = partner_record(state, partner_id)
    if record is None:
        return {"partnerId": partner_id, "known": False, "agreementSigned": False, "name": None}
    return {"partnerId": partner_id, "known": True, "agreementSigned": record["agreementSigned"],
            "name": record["name"]}  # fmt: skip


@router.put("/partners/{partner_id}", summary="A partner's standing in Partner Center: known, MPA signed, name")
def put_partner(
    partner_id: Annotated[str, Path(pattern=r"^\d{1,10}$")], body: PartnerState, sandbox: SandboxDep
) -> dict[str, Any]:
    """Without this every well-formed partner ID is a known partner that signed the Microsoft Partner Agreement
    (except 7777777). Profiles, the agreement status and checkout's partner-of-record check follow what is set."""
    state = sandbox.state
    with state.lock:
        state.data["partners"][partner_id] = {"known": body.known, "agreementSigned": body.agreementSigned,
                                              "name": body.name}  # fmt: skip
        state.save()
        return _partner_view(state, partner_id)


@router.get("/partners/{partner_id}", summary="A partner's standing in Partner Center")
def get_partner(partner_id: Annotated[str, Path(pattern=r"^\d{1,10}$")], sandbox: SandboxDep) -> dict[str, Any]:
    with sandbox.state.lock:
        return _partner_view(sandbox.state, partner_id)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())[:24] or "customer"


@router.post("/customers/accept", summary="A customer's global admin accepts a relationship request")
def accept_customer(body: CustomerAccept, sandbox: SandboxDep) -> dict[str, Any]:
    state = sandbox.state
    with state.lock:
        provider = _provider(sandbox, body.providerTenantId)
        reseller = None
        if body.url:
            provider_tid, reseller_tid = parse_relationship_request_url(body.url)
            if provider_tid is None or provider_tid.lower() != provider["tenantId"].lower():
                raise HTTPException(400, "the link does not name this provider")
            if reseller_tid:
                reseller = find_reseller(state, provider["tenantId"], tenant_id=reseller_tid)
                if reseller is None:
                    raise HTTPException(400, f"the reseller {reseller_tid} the link names is not related")
        elif body.resellerPartnerId:
            reseller = find_reseller(state, provider["tenantId"], mpn_id=body.resellerPartnerId)
            if reseller is None:
                raise HTTPException(400, f"{body.resellerPartnerId} is not an active reseller of this provider")
        tenant_id = (body.tenantId or new_guid()).lower()
        if not is_guid(tenant_id):
            raise HTTPException(400, "tenantId must be a GUID")
        existing = state.data["customers"].get(tenant_id)
        if existing is not None and existing["providerTenantId"] != provider["tenantId"]:
            raise HTTPException(409, "that tenant is a customer of another provider in this sandbox")
        company = body.companyName or (existing["companyName"] if existing else f"Customer {tenant_id[:8]}")
        if existing is not None:
            existing.update(status="active", endedAt=None, resellerTenantId=reseller["tenantId"] if reseller else None)
            customer = existing
        else:
            domain = (body.domain or f"{_slug(company)}{tenant_id[:6]}.onmicrosoft.com").lower()
            if any(c["domain"] == domain for c in state.data["customers"].values()):
                raise HTTPException(409, f"the domain {domain} belongs to another tenant")
            customer = new_customer_record(
                state, provider_tenant_id=provider["tenantId"], tenant_id=tenant_id, company_name=company,
                domain=domain, reseller_tenant_id=reseller["tenantId"] if reseller else None,
                country=(body.country or provider["country"]), billing_profile=None,
            )  # fmt: skip
        if body.acceptAgreement and not has_customer_agreement(customer):
            # (unconfirmed) accepting a relationship request in the admin center accepts the MCA too, with the
            # customer's global admin as the primary contact
            record_agreement(state, customer, contact=global_admin_contact(customer),
                             date_agreed=state.now_text(), user_id=None)  # fmt: skip
        state.save()
    event = (
        "indirect-reseller-relationship-accepted-by-customer"
        if reseller
        else "reseller-relationship-accepted-by-customer"
    )
    sandbox.publish(event, f"{sandbox.config.https_url}/v1/customers/{customer['tenantId']}",
                    {"customerTenantId": customer["tenantId"]})  # fmt: skip
    return {"tenantId": customer["tenantId"], "domain": customer["domain"], "companyName": customer["companyName"],
            "resellerTenantId": customer["resellerTenantId"]}  # fmt: skip


@router.post("/relationships/end", summary="A reseller or customer ends its relationship with the provider")
def end_relationship(body: RelationshipEnd, sandbox: SandboxDep) -> dict[str, Any]:
    if not body.partnerId and not body.tenantId:
        raise HTTPException(400, "name the reseller (partnerId) or the customer or reseller (tenantId)")
    state = sandbox.state
    with state.lock:
        provider = _provider(sandbox, body.providerTenantId)
        reseller = find_reseller(state, provider["tenantId"], mpn_id=body.partnerId, tenant_id=body.tenantId)
        if reseller is not None:
            reseller["status"] = "ended"
            reseller["endedAt"] = state.now_text()
            state.save()
            return {"ended": "reseller", "tenantId": reseller["tenantId"], "partnerId": reseller["mpnId"]}
        customer = state.data["customers"].get((body.tenantId or "").lower())
        if customer is None or customer["providerTenantId"] != provider["tenantId"] or customer["status"] != "active":
            raise HTTPException(404, "no active relationship with that reseller or customer")
        end_customer(state, customer)
        state.save()
        return {"ended": "customer", "tenantId": customer["tenantId"]}


@router.put("/faults", summary="Fault injection on /v1 and the token endpoint; {} clears")
def put_faults(body: dict[str, Any], sandbox: SandboxDep) -> dict[str, Any]:
    try:
        settings = parse_fault_settings(body)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    sandbox.faults.configure(settings)
    return settings.as_wire()


@router.get("/faults", summary="The fault settings in force")
def get_faults(sandbox: SandboxDep) -> dict[str, Any]:
    return sandbox.faults.settings.as_wire()


@router.get("/purchases", summary="Every checkout that bought something")
def list_purchases(sandbox: SandboxDep, customerTenantId: str | None = Query(default=None)) -> dict[str, Any]:  # noqa: N803
    with sandbox.state.lock:
        items = [
            {k: v for k, v in p.items() if k != "providerTenantId"}
            for p in sandbox.state.data["purchases"]
            if customerTenantId is None or p["customerTenantId"] == customerTenantId.lower()
        ]
    return {"totalCount": len(items), "items": items}


@router.get("/subscriptions", summary="The subscriptions the sandbox holds, in Partner Center's shape")
def list_subscriptions(sandbox: SandboxDep, customerTenantId: str | None = Query(default=None)) -> dict[str, Any]:  # noqa: N803
    with sandbox.state.lock:
        settle(sandbox)
        customer = customerTenantId.lower() if customerTenantId else None
        items = [
            {**subscription_view(sandbox, s), "customerTenantId": s["customerTenantId"]}
            for s in visible_subscriptions(sandbox.state, customer)
        ]
    return {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}}


@router.post("/subscriptions/{subscription_id}/change", summary="A change made directly in Partner Center")
def change_subscription(subscription_id: str, body: SubscriptionChange, sandbox: SandboxDep) -> dict[str, Any]:
    with sandbox.state.lock:
        settle(sandbox)
        subscription = sandbox.state.data["subscriptions"].get(subscription_id.lower())
        if subscription is None:
            raise HTTPException(404, f"no subscription {subscription_id}")
        try:
            change = body.model_dump(
                exclude_none=True, include={"quantity", "status", "autoRenewEnabled", "cancelAtEndOfTerm"}
            )
            if "scheduledNextTermInstructions" in body.model_fields_set:
                change["scheduledNextTermInstructions"] = body.scheduledNextTermInstructions
            apply_direct_change(sandbox, subscription, change)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        view = subscription_view(sandbox, subscription)
        sandbox.state.save()
    publish_subscription_updated(sandbox, subscription)
    return view


def _clock_view(sandbox: Sandbox) -> dict[str, Any]:
    now = sandbox.state.clock.now()
    offset = sandbox.state.clock.offset_seconds
    return {"now": format_timestamp(now), "offsetSeconds": round(offset, 3)}


@router.get("/clock", summary="The sandbox clock")
def get_clock(sandbox: SandboxDep) -> dict[str, Any]:
    return _clock_view(sandbox)


@router.post("/clock", summary="Move the sandbox clock: {advance: 'P8D'} or {set: '2026-11-01T00:00:00Z'}")
def move_clock(body: ClockChange, sandbox: SandboxDep) -> dict[str, Any]:
    if (body.advance is None) == (body.set is None):
        raise HTTPException(400, "give exactly one of advance and set")
    with sandbox.state.lock:
        try:
            if body.advance is not None:
                sandbox.state.clock.advance(body.advance)
            else:
                assert body.set is not None
                sandbox.state.clock.set(parse_timestamp(body.set))
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        sandbox.state.save()
        settle(sandbox)
    return _clock_view(sandbox)
