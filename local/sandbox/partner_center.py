"""Partner Center's partner, reseller and customer operations under /v1 (docs/partner-center.md#customers)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import string
import uuid
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from local.sandbox import catalog
from local.sandbox.auth import Caller, CallerDep, SandboxDep
from local.sandbox.state import SandboxState, new_guid
from local.sandbox.wire import PartnerCenterError, WireResponse, collection, get_ci, link, read_json

router = APIRouter(prefix="/v1", tags=["Partner Center: partners, resellers, customers"])

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$")
_DEFAULT_PAGE_SIZE = 500  # (unconfirmed) the service's default and maximum page sizes are undocumented
_MAX_PAGE_SIZE = 2000
_FILTER_FIELDS = {"companyname", "domain", "indirectreseller", "indirectcloudsolutionprovider"}
# Countries whose customers need an organization registration number and a phone number (600049-600051).
_REGISTRATION_COUNTRIES = frozenset({"AM", "AZ", "BY", "HU", "IN", "KZ", "KG", "MD", "RU", "TJ", "UZ", "UA"})


def is_guid(value: str) -> bool:
    return bool(_GUID.match(value))


# Profiles ----------------------------------------------------------------------------------------------------------


@router.get("/profiles/legalbusiness", summary="Legal business profile (app-only or app+user)")
async def legal_business_profile(caller: CallerDep) -> WireResponse:
    provider = caller.provider
    address = {"country": provider["country"], "city": "Utrecht", "addressLine1": "Stationsplein 1",
               "postalCode": "3511 ED"}  # fmt: skip
    email = f"partners@{provider['domain']}"
    return WireResponse(
        {
            "companyName": provider["name"],
            "address": address,
            "primaryContact": {
                "firstName": "Eva",
                "lastName": "de Vries",
                "email": email,
                "phoneNumber": "+31301234567",
            },  # fmt: skip
            "companyApproverAddress": address,
            "companyApproverEmail": email,
            "vettingStatus": "authorized",
            "vettingSubStatus": "none",
            "profileType": "LegalBusinessProfile",
            "links": {"self": link("/profiles/legalbusiness")},
            "attributes": {"objectType": "LegalBusinessProfile"},
        }
    )


# A partner ID the sandbox never knows unless a test registers it: the reference's "could not be found" example.
UNKNOWN_PARTNER_EXAMPLE = "7777777"
_PARTNER_ID = re.compile(r"^\d{1,10}$")


def partner_record(state: SandboxState, mpn_id: str) -> dict[str, Any] | None:
    """The partner a partner ID names in the sandbox's world, `{mpnId, name, agreementSigned, tenantId}`; None when
    Partner Center would not know it. Sandbox choice: every well-formed ID (digits) is a known partner that signed
    the Microsoft Partner Agreement, except 7777777 and what `PUT /_sandbox/partners/{id}` says otherwise, so an
    invitation can be checked before the reseller accepts it."""
    known = state.known_partner_ids()
    registered = state.data["partners"].get(mpn_id)
    if registered is not None and not registered["known"]:
        return None
    unregistered = registered is None and mpn_id not in known
    if unregistered and (not _PARTNER_ID.match(mpn_id) or mpn_id == UNKNOWN_PARTNER_EXAMPLE):
        return None
    name = (registered or {}).get("name") or known.get(mpn_id) or f"Partner {mpn_id}"
    signed = True if registered is None else bool(registered["agreementSigned"])
    return {"mpnId": mpn_id, "name": name, "agreementSigned": signed, "tenantId": _partner_tenant(state, mpn_id)}


def partner_by_tenant(state: SandboxState, tenant_id: str) -> dict[str, Any] | None:
    """The partner whose CSP tenant this is (a provider, or a reseller that accepted an invitation); None: none."""
    for provider in state.data["providers"].values():
        if provider["tenantId"].lower() == tenant_id.lower():
            return partner_record(state, provider["partnerId"])
    for resellers in state.data["resellers"].values():
        for reseller in resellers.values():
            if reseller["tenantId"].lower() == tenant_id.lower():
                return partner_record(state, reseller["mpnId"])
    return None


def _partner_tenant(state: SandboxState, mpn_id: str) -> str | None:
    for resellers in state.data["resellers"].values():
        for reseller in resellers.values():
            if reseller["mpnId"] == mpn_id:
                return str(reseller["tenantId"])
    return None


def is_provider_partner_id(state: SandboxState, mpn_id: str) -> bool:
    return any(p["partnerId"] == mpn_id for p in state.data["providers"].values())


@router.get("/profiles/mpn", summary="Partner network profile (app+user only)")
async def mpn_profile(request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    caller.require_app_user()
    mpn_id = get_ci(dict(request.query_params), "mpnId")
    if mpn_id is None:
        name, mpn_id = caller.provider["name"], caller.provider["partnerId"]
    else:
        with sandbox.state.lock:
            partner = partner_record(sandbox.state, mpn_id)
        if partner is None:
            raise PartnerCenterError(404, 3000, f"Partner Organization with partner_id {mpn_id} could not be found")
        name = partner["name"]
    return WireResponse(
        {
            "partnerName": name,
            "mpnId": mpn_id,
            "profileType": "MpnProfile",
            "links": {"self": link("/profiles/mpn")},
            "attributes": {"objectType": "MpnProfile"},
        }
    )


@router.get("/profiles/organization", summary="Organization profile (app+user only)")
async def organization_profile(caller: CallerDep) -> WireResponse:
    caller.require_app_user()
    provider = caller.provider
    return WireResponse(
        {
            "id": provider["tenantId"],
            "companyName": provider["name"],
            "defaultAddress": {
                "country": provider["country"],
                "city": "Utrecht",
                "addressLine1": "Stationsplein 1",
                "postalCode": "3511 ED",
            },  # fmt: skip
            "tenantId": provider["tenantId"],
            "domain": provider["domain"],
            "email": f"partners@{provider['domain']}",
            "language": "en",
            "culture": "en-US",
            "profileType": "OrganizationProfile",
            "links": {"self": link("/profiles/organization")},
            "attributes": {
                "etag": hashlib.sha256(provider["tenantId"].encode()).hexdigest()[:16],
                "objectType": "OrganizationProfile",
            },
        }
    )


def _compliance_error(code: int, description: str) -> PartnerCenterError:
    return PartnerCenterError(400, code, description, source="ComplianceController")


@router.get("/compliance/csp/agreementstatus", summary="Reseller Microsoft Partner Agreement status (app+user only)")
async def agreement_status(request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    """`{"isAgreementSigned": true}` for a reseller that signed; otherwise the 400s of
    docs/partner-center.md#reseller-verification. (unconfirmed) Whether an unsigned reseller is answered 200 with
    `isAgreementSigned: false` or 400 2203 (by partner ID) / 2206 (by tenant id): the sandbox answers the 400s,
    the client reads both as unsigned."""
    caller.require_app_user()
    params = dict(request.query_params)
    mpn_id, tenant_id = get_ci(params, "mpnId"), get_ci(params, "tenantId")
    if mpn_id is None and tenant_id is None:
        raise _compliance_error(2001, "Either mpnId or tenantId must be provided.")
    if mpn_id is not None and tenant_id is not None:
        raise _compliance_error(2000, "Only one of mpnId and tenantId may be provided.")
    with sandbox.state.lock:
        if mpn_id is not None:
            if not mpn_id.isdigit():
                raise _compliance_error(2000, "MpnId must be numeric.")
            partner = partner_record(sandbox.state, mpn_id)
            if partner is None:
                raise _compliance_error(2200, f"MPN ID {mpn_id} is not valid or has not been migrated.")
            if is_provider_partner_id(sandbox.state, mpn_id):
                # (unconfirmed) a provider's own partner ID has no indirect-reseller enrollment
                raise _compliance_error(2204, f"MPN ID {mpn_id} is not enrolled as an indirect reseller.")
            if not partner["agreementSigned"]:
                raise _compliance_error(2203, f"MPN ID {mpn_id} has not signed the Microsoft Partner Agreement for "
                                        "this region.")  # fmt: skip
        else:
            assert tenant_id is not None
            if not is_guid(tenant_id):
                raise _compliance_error(2000, "Tenant Id must be a GUID.")
            partner = partner_by_tenant(sandbox.state, tenant_id)
            if partner is None:
                raise _compliance_error(2205, f"No account was found for tenant id {tenant_id}.")
            if not partner["agreementSigned"]:
                raise _compliance_error(2206, f"No Microsoft Partner Agreement was found for tenant id {tenant_id}.")
    return WireResponse({"isAgreementSigned": True})


# Indirect resellers ------------------------------------------------------------------------------------------------


def reseller_view(reseller: dict[str, Any], *, with_state: bool = True) -> dict[str, Any]:
    view = {
        "id": reseller["tenantId"],
        "name": reseller["name"],
        "relationshipType": "is_indirect_cloud_solution_provider_of",
        "state": "Active",
        "mpnId": reseller["mpnId"],
        "location": reseller.get("location", "NL"),
        "attributes": {"objectType": "PartnerRelationship"},
    }
    if not with_state:
        del view["state"], view["location"]
    return view


def active_resellers(state: SandboxState, provider_tenant_id: str) -> list[dict[str, Any]]:
    resellers = state.data["resellers"].get(provider_tenant_id, {}).values()
    return sorted((r for r in resellers if r["status"] == "active"), key=lambda r: (r["acceptedAt"], r["tenantId"]))


def find_reseller(state: SandboxState, provider_tenant_id: str, *, tenant_id: str | None = None,
                  mpn_id: str | None = None, active_only: bool = True) -> dict[str, Any] | None:  # fmt: skip
    for reseller in state.data["resellers"].get(provider_tenant_id, {}).values():
        if active_only and reseller["status"] != "active":
            continue
        if tenant_id is not None and reseller["tenantId"].lower() == tenant_id.lower():
            return reseller
        if mpn_id is not None and reseller["mpnId"] == mpn_id:
            return reseller
    return None


@router.get("/relationships", summary="The provider's indirect resellers (app+user only)")
async def relationships(request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    caller.require_app_user()
    kind = (get_ci(dict(request.query_params), "relationship_type") or "").lower().replace("_", "")
    if kind not in ("isindirectcloudsolutionproviderof", "isindirectresellerof"):
        raise PartnerCenterError(400, 2000, "relationship_type must be IsIndirectCloudSolutionProviderOf or "
                                 "IsIndirectResellerOf.")  # fmt: skip
    items: list[dict[str, Any]] = []
    if kind == "isindirectcloudsolutionproviderof":
        with sandbox.state.lock:
            items = [reseller_view(r) for r in active_resellers(sandbox.state, caller.tenant_id)]
    return WireResponse(collection(items))


# Customers ---------------------------------------------------------------------------------------------------------


def relationship_request_url(provider: dict[str, Any], reseller: dict[str, Any] | None) -> str:
    """The admin-center link a customer's global admin opens; it names the reseller when there is one."""
    # (unconfirmed) which tenant goes in partnerId and which in indirectCSPId: reseller and provider respectively.
    base = "https://admin.microsoft.com/Adminportal/Home"
    if reseller is None:
        query = f"invType=ResellerRelationship&partnerId={provider['tenantId']}&msppId=0&DAP=false"
    else:
        query = (f"invType=IndirectResellerRelationship&partnerId={reseller['tenantId']}&msppId={reseller['mpnId']}"
                 f"&indirectCSPId={provider['tenantId']}&DAP=false")  # fmt: skip
    return f"{base}?{query}#/BillingAccounts/partner-invitation"


def parse_relationship_request_url(url: str) -> tuple[str | None, str | None]:
    """(provider tenant id, reseller tenant id) named by a relationship-request link."""
    params = {k.lower(): v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    if params.get("invtype", "").lower() == "indirectresellerrelationship":
        return params.get("indirectcspid"), params.get("partnerid")
    return params.get("partnerid"), None


@router.get("/customers/relationshiprequests", summary="Relationship-request link (app+user only)")
async def relationship_request(request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    caller.require_app_user()
    reseller_id = get_ci(dict(request.query_params), "indirectResellerId")
    reseller = None
    if reseller_id:
        with sandbox.state.lock:
            reseller = find_reseller(sandbox.state, caller.tenant_id, tenant_id=reseller_id)
        if reseller is None:
            # (unconfirmed) the code Partner Center uses for a reseller that is not related to the provider
            raise PartnerCenterError(400, 800016, f"{reseller_id} is not a valid indirect reseller of this partner.")
    return WireResponse(
        {
            "url": relationship_request_url(caller.provider, reseller),
            "attributes": {"objectType": "RelationshipRequest"},
        }
    )


def _customer_reseller(state: SandboxState, customer: dict[str, Any]) -> dict[str, Any] | None:
    if not customer.get("resellerTenantId"):
        return None
    return find_reseller(state, customer["providerTenantId"], tenant_id=customer["resellerTenantId"], active_only=False)


def _company_address(customer: dict[str, Any]) -> dict[str, Any]:
    market = catalog.MARKETS.get(customer["country"])
    profile = customer.get("billingProfile") or {}
    given = profile.get("defaultAddress") if isinstance(profile.get("defaultAddress"), dict) else None
    if given:
        return {k: given[k] for k in ("country", "region", "city", "state", "addressLine1", "addressLine2",
                                      "postalCode", "phoneNumber") if given.get(k)}  # fmt: skip
    address: dict[str, Any] = {"country": customer["country"]}
    if market is not None:
        address.update(city=market.city, addressLine1=market.address_line1, postalCode=market.postal_code)
        if market.state:
            address.update(region=market.state.lower(), state=market.state)
    address["phoneNumber"] = "1234567890"
    return address


def billing_profile_of(customer: dict[str, Any]) -> dict[str, Any]:
    """The customer's billing profile as Microsoft's "get a customer by ID" shows it: the one it was created with,
    or (a customer who accepted a relationship request) one derived from its country and tenant, the same on
    every read."""
    if customer.get("billingProfile"):
        profile: dict[str, Any] = customer["billingProfile"]
        return profile
    market = catalog.MARKETS.get(customer["country"])
    company = customer["companyName"]
    address = {**_company_address(customer), "firstName": "Billing", "lastName": "Contact"}
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"billing/{customer['tenantId']}")),
        "firstName": "Billing",
        "lastName": "Contact",
        "email": f"billing@{customer['domain']}",
        "culture": market.culture if market else "en-US",
        "language": market.language if market else "en",
        "companyName": company,
        "defaultAddress": address,
        "attributes": {"etag": str(int(uuid.UUID(customer["tenantId"]).int % 10**18)),
                       "objectType": "CustomerBillingProfile"},
    }  # fmt: skip


def customer_view(state: SandboxState, customer: dict[str, Any], *, full: bool) -> dict[str, Any]:
    """List items are short; the single GET has Microsoft's full shape ("Get a customer by ID")."""
    tenant = customer["tenantId"]
    view: dict[str, Any] = {"id": tenant}
    if full:
        view["commerceId"] = customer["commerceId"]
    view["companyProfile"] = {
        "tenantId": tenant,
        "domain": customer["domain"],
        "companyName": customer["companyName"],
    }
    if full:
        profile = billing_profile_of(customer)
        view["companyProfile"]["address"] = _company_address(customer)
        view["companyProfile"]["email"] = profile.get("email")
        view["companyProfile"]["links"] = {"self": link(f"/customers/{tenant}/profiles/company")}
        view["companyProfile"]["attributes"] = {"etag": profile["attributes"]["etag"],
                                                "objectType": "CustomerCompanyProfile"}  # fmt: skip
        view["billingProfile"] = {
            **{k: v for k, v in profile.items() if k != "attributes"},
            "links": {"self": link(f"/customers/{tenant}/profiles/billing")},
            "attributes": profile["attributes"],
        }
    else:
        view["companyProfile"]["attributes"] = {"objectType": "CustomerCompanyProfile"}
    view["relationshipToPartner"] = "reseller"
    if full:
        view["allowDelegatedAccess"] = True
        view["customDomains"] = [customer["domain"]]
        if customer.get("resellerTenantId"):
            view["associatedPartnerId"] = customer["resellerTenantId"]
    view["links"] = {"self": link(f"/customers/{tenant}")}
    view["attributes"] = {"objectType": "Customer"}
    return view


def customer_of(state: SandboxState, caller: Caller, customer_id: str) -> dict[str, Any]:
    """A customer the caller has an active relationship with; anything else is refused as Partner Center does."""
    customer = state.data["customers"].get(customer_id.lower())
    if customer is None or customer["providerTenantId"] != caller.tenant_id or customer["status"] != "active":
        # (unconfirmed) unknown and ended customers answer alike: 403 "no commerce relationship"
        raise PartnerCenterError(403, 20002, f"Partner does not have a relationship with the customer {customer_id}.")
    return customer


def _matches(state: SandboxState, customer: dict[str, Any], field: str, value: str) -> bool:
    value = value.lower()
    if field == "companyname":
        return customer["companyName"].lower().startswith(value)
    if field == "domain":
        return customer["domain"].lower().startswith(value)
    if field == "indirectreseller":
        return bool(customer.get("resellerTenantId")) and customer["resellerTenantId"].lower().startswith(value)
    return customer["providerTenantId"].lower().startswith(value)


def _parse_filter(raw: str | None) -> tuple[str, str] | None:
    if not raw:
        return None
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise PartnerCenterError(400, 2000, "The filter is not valid JSON.") from exc
    if not isinstance(parsed, dict):
        raise PartnerCenterError(400, 2000, "The filter must be a JSON object.")
    field = str(get_ci(parsed, "Field") or "").lower()
    operator = str(get_ci(parsed, "Operator") or "").lower()
    value = get_ci(parsed, "Value")
    if field not in _FILTER_FIELDS or not isinstance(value, str):
        raise PartnerCenterError(400, 2000, f"Invalid filter field: {get_ci(parsed, 'Field')}.")
    if operator != "starts_with":
        raise PartnerCenterError(400, 2000, "Customer search supports only the starts_with operator.")
    return field, value


def _encode_token(payload: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode("ascii")


def _decode_token(token: str) -> dict[str, Any]:
    try:
        payload = json.loads(base64.b64decode(token.encode("ascii"), validate=True))
        assert isinstance(payload, dict)
        return payload
    except (ValueError, binascii.Error, AssertionError, UnicodeEncodeError) as exc:
        raise PartnerCenterError(400, 2000, "The continuation token is not valid.") from exc


@router.get("/customers", summary="Customers, seek-paged (app-only or app+user)")
async def list_customers(request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    params = dict(request.query_params)
    size_text = get_ci(params, "size")
    try:
        size = int(size_text) if size_text is not None else _DEFAULT_PAGE_SIZE
    except ValueError:
        raise PartnerCenterError(400, 2000, "size must be an integer.") from None
    if not 1 <= size <= _MAX_PAGE_SIZE:
        raise PartnerCenterError(400, 2000, f"size must be between 1 and {_MAX_PAGE_SIZE}.")
    raw_filter = get_ci(params, "filter")
    after: list[str] | None = None
    if (get_ci(params, "seekOperation") or "").lower() == "next":
        token = request.headers.get("MS-ContinuationToken")
        if not token:
            raise PartnerCenterError(400, 2000, "The MS-ContinuationToken header is required with seekOperation=Next.")
        payload = _decode_token(token)
        after, raw_filter = payload.get("after"), payload.get("filter", raw_filter)
    condition = _parse_filter(raw_filter)
    with sandbox.state.lock:
        state = sandbox.state
        customers = sorted(
            (c for c in state.data["customers"].values()
             if c["providerTenantId"] == caller.tenant_id and c["status"] == "active"),
            key=lambda c: (c["createdAt"], c["tenantId"]),
        )  # fmt: skip
        if condition is not None:
            customers = [c for c in customers if _matches(state, c, *condition)]
        if after is not None:
            customers = [c for c in customers if [c["createdAt"], c["tenantId"]] > list(after)]
        page, rest = customers[:size], customers[size:]
        items = [customer_view(state, c, full=False) for c in page]
    query = f"size={size}" + (f"&filter={quote(raw_filter)}" if raw_filter else "")
    body = collection(items)
    links: dict[str, Any] = {"self": link(f"/customers?{query}")}
    if rest:
        token = _encode_token({"after": [page[-1]["createdAt"], page[-1]["tenantId"]], "filter": raw_filter})
        body["continuationToken"] = token
        links["next"] = link(
            f"/customers?size={size}&seekOperation=Next", headers=[{"key": "MS-ContinuationToken", "value": token}]
        )
    body["links"] = links
    body["attributes"] = body.pop("attributes")
    return WireResponse(body)


@router.get("/customers/{customer_id}", summary="One customer (app-only or app+user)")
async def get_customer(customer_id: str, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    with sandbox.state.lock:
        customer = customer_of(sandbox.state, caller, customer_id)
        return WireResponse(customer_view(sandbox.state, customer, full=True))


@router.patch("/customers/{customer_id}", summary="End the relationship (relationshipToPartner: none)")
async def patch_customer(customer_id: str, request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    body = await read_json(request)
    with sandbox.state.lock:
        customer = customer_of(sandbox.state, caller, customer_id)
        if str(body.get("relationshipToPartner", "")).lower() != "none":
            raise PartnerCenterError(400, 2000, "Only relationshipToPartner 'none' can be set on a customer.")
        end_customer(sandbox.state, customer)
        view = customer_view(sandbox.state, customer, full=True)
        view["relationshipToPartner"] = "none"
        sandbox.state.save()
    return WireResponse(view)


def end_customer(state: SandboxState, customer: dict[str, Any]) -> None:
    customer["status"] = "ended"
    customer["endedAt"] = state.now_text()


@router.get("/customers/{customer_id}/relationships", summary="Indirect resellers of a customer (app+user only)")
async def customer_relationships(customer_id: str, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    caller.require_app_user()
    with sandbox.state.lock:
        customer = customer_of(sandbox.state, caller, customer_id)
        reseller = _customer_reseller(sandbox.state, customer)
        items = [reseller_view(reseller, with_state=False)] if reseller and reseller["status"] == "active" else []
    return WireResponse(collection(items))


def domain_taken(state: SandboxState, domain: str) -> bool:
    """Tenants keep their domains after a relationship ends, so every customer and provider counts."""
    domain = domain.lower()
    return any(c["domain"].lower() == domain for c in state.data["customers"].values()) or any(
        p["domain"].lower() == domain for p in state.data["providers"].values()
    )


@router.head("/domains/{domain}", summary="Domain availability: 200 taken, 404 available")
async def check_domain(domain: str, caller: CallerDep, sandbox: SandboxDep) -> Response:
    with sandbox.state.lock:
        taken = domain_taken(sandbox.state, domain)
    return Response(status_code=200 if taken else 404)


def new_customer_record(
    state: SandboxState, *, provider_tenant_id: str, tenant_id: str, company_name: str, domain: str,
    reseller_tenant_id: str | None, country: str, billing_profile: dict[str, Any] | None,
) -> dict[str, Any]:  # fmt: skip
    customer = {
        "tenantId": tenant_id.lower(),
        "commerceId": tenant_id.lower(),
        "providerTenantId": provider_tenant_id,
        "companyName": company_name,
        "domain": domain.lower(),
        "resellerTenantId": reseller_tenant_id,
        "country": country.upper(),
        "billingProfile": billing_profile,
        "status": "active",
        "createdAt": state.now_text(),
        "endedAt": None,
    }
    state.data["customers"][customer["tenantId"]] = customer
    return customer


def _required(profile: dict[str, Any], name: str, where: str) -> str:
    value = profile.get(name)
    if not isinstance(value, str) or not value.strip():
        raise PartnerCenterError(400, 2000, f"{where}.{name} is required.")
    return value.strip()


def _password() -> str:
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(10))
    return secrets.choice(string.ascii_uppercase) + core + secrets.choice("!#$%&*") + secrets.choice(string.digits)


@router.post("/customers", status_code=201, summary="Create a customer (app+user only with associatedPartnerId)")
async def create_customer(request: Request, caller: CallerDep, sandbox: SandboxDep) -> WireResponse:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise PartnerCenterError(400, 2000, "The request body must be a customer object.")
    associated = body.get("associatedPartnerId")
    if associated:
        caller.require_app_user()
    company = body.get("companyProfile") or {}
    billing = body.get("billingProfile") or {}
    if not isinstance(company, dict) or not isinstance(billing, dict):
        raise PartnerCenterError(400, 2000, "companyProfile and billingProfile must be objects.")
    domain = _required(company, "domain", "companyProfile").lower()
    if "." not in domain:
        domain = f"{domain}.onmicrosoft.com"
    if not _DOMAIN.match(domain):
        raise PartnerCenterError(400, 2000, f"The domain {domain} is not valid.")
    for name in ("email", "culture", "language", "companyName"):
        _required(billing, name, "billingProfile")
    address = billing.get("defaultAddress")
    if not isinstance(address, dict):
        raise PartnerCenterError(400, 2000, "billingProfile.defaultAddress is required.")
    country = _required(address, "country", "defaultAddress").upper()
    _required(address, "addressLine1", "defaultAddress")
    if len(country) != 2:
        raise PartnerCenterError(400, 2000, "defaultAddress.country must be a two-letter ISO code.")
    if country in _REGISTRATION_COUNTRIES:
        if not company.get("organizationRegistrationNumber"):
            raise PartnerCenterError(400, 600049, "Organization registration number is required for this country.")
        if not address.get("phoneNumber"):
            raise PartnerCenterError(400, 600051, "Phone number is required for this country.")
    with sandbox.state.lock:
        state = sandbox.state
        reseller = None
        if associated:
            reseller = find_reseller(state, caller.tenant_id, tenant_id=str(associated))
            if reseller is None:
                # (unconfirmed) the code for an associatedPartnerId that is not a related indirect reseller
                raise PartnerCenterError(400, 2000, f"The associated partner {associated} is not an indirect reseller "
                                         "of this partner.")  # fmt: skip
        if domain_taken(state, domain):
            # (unconfirmed) the status and code Partner Center uses for a domain that is already taken
            raise PartnerCenterError(409, 2000, f"The domain {domain} is already in use. Choose another domain.")
        billing_profile = {
            "id": str(uuid.uuid4()),
            **{k: v for k, v in billing.items() if k != "attributes"},
            "attributes": {"etag": str(secrets.randbelow(10**18)), "objectType": "CustomerBillingProfile"},
        }
        customer = new_customer_record(
            state, provider_tenant_id=caller.tenant_id, tenant_id=new_guid(),
            company_name=billing["companyName"].strip(), domain=domain,
            reseller_tenant_id=reseller["tenantId"] if reseller else None, country=country,
            billing_profile=billing_profile,
        )  # fmt: skip
        view = customer_view(state, customer, full=True)
        state.save()
    view["userCredentials"] = {"userName": "admin", "password": _password()}
    view["attributes"] = view.pop("attributes")
    return WireResponse(view, status_code=201)
