"""Example values for the OpenAPI document: one per component schema and one problem answer per status, each shaped
as this API really answers (docs/api-guide.md#openapi-document). `functions/http/openapi.py` puts them on every
request body, every answer and every component, and refuses to build a document naming a schema with none here, so
a new model cannot land without one.

They tell one story: the sandbox's development provider (Contoso Distribution) sells Microsoft 365 Business Basic
in the Dutch market through its reseller Fabrikam to the customer Northwind Traders. Ids are what the platform
makes (GUIDs; orders `ord-` and billing runs `br-` followed by 32 hex digits), money is a decimal string at the
currency's minor unit beside its `currency`, moments are ISO 8601 with an offset.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from typing import Any
from urllib.parse import urlencode

import orjson

from shared.domain.billing import visible_fields

# -- who and what ----------------------------------------------------------------------------------------------------

PLATFORM_TENANT_ID = "c2a7e0d4-5b1f-4e8a-9f36-7d0b1a2c3e45"
CONSOLE_CLIENT_ID = "7b3c9e21-4d5a-4f8b-a6c2-9e1d3f5b7a80"
OPERATOR_ID = "4f1e8d2c-6a3b-4c5d-9e7f-0a1b2c3d4e5f"
ALICE_ID = "0b7d3f5a-2c4e-4a6b-8d9f-1e3a5c7b9d20"  # provider.admin of Contoso Distribution
BOB_ID = "6e2a4c8d-0f1b-4d3e-a5c7-9b1d3f5e7a92"  # reseller.admin of Fabrikam

PROVIDER_ID = "d4641516-3b7e-4c2a-9f18-6e0d5a2c7b94"
PROVIDER_TENANT_ID = "3f0c6a52-8d4e-4b9a-9c71-2a5d8e6b4f10"
PROVIDER_CLIENT_ID = "8a1d5c3e-6f2b-4e7a-9d0c-5b3e7f1a2c64"
PROVIDER_PARTNER_ID = "6543210"
PROVIDER_NAME = "Contoso Distribution"

RESELLER_ID = "7c9e2b14-3a5d-4f60-8e1b-2d4c6a8f0b35"
RESELLER_TENANT_ID = "5e8a1c47-9b2d-4e63-a0f5-3c7d9e1b2a68"
RESELLER_PARTNER_ID = "1234567"

CUSTOMER_ID = "b2f4d6e8-1a3c-4e5f-8a7b-9c0d1e2f3a4b"
CUSTOMER_TENANT_ID = "9a6c3e1f-2b4d-4c8e-b7a5-0d2f4e6a8c13"

ORDER_ID = "ord-5b8e2d7a9c1f4e3b8a6d0c2e4f6a8b1d"
SUBSCRIPTION_ID = "e1c3a5b7-9d2f-4e6a-8c0b-3d5f7a9c1e24"
UNKNOWN_SUBSCRIPTION_ID = "f7a9c1e3-5b2d-4f8a-9e0c-6b8d0f2a4c37"
CHANGE_ID = "2d4f6a8c-0e1b-4c3d-9f5e-7a9c1b3d5e86"
RUN_ID = "br-3f9a1c5e7b2d4f60a8c1e3b5d7f9a2c4"
INVOICE_ID = "G000000123"

COUNTRY, CURRENCY = "NL", "EUR"
# Microsoft 365 Business Basic, one-year term billed monthly, in the sandbox's euro markets (local/sandbox/catalog.py).
PRODUCT_ID, SKU_ID, AVAILABILITY_ID = "CFQ7TTC0LH18", "0001", "CFQ7TTC0K971"
OFFER_ID = f"{PRODUCT_ID}:{SKU_ID}:{AVAILABILITY_ID}"
CATALOG_ITEM_ID = f"{OFFER_ID}:P1Y:monthly"
PRODUCT_TITLE = "Microsoft 365 Business Basic"
QUANTITY = 10
# Cost 5.60, the provider's margin 12% (6.272, shown 6.27), the reseller's 15% over that (7.2128, shown 7.21).
COST, RESELLER_PRICE, CUSTOMER_PRICE = "5.60", "6.27", "7.21"
COST_TOTAL, RESELLER_TOTAL, CUSTOMER_TOTAL = "56.00", "62.70", "72.10"


def _moment(day: str, time: str = "09:30:00") -> str:
    return f"2026-{day}T{time}+00:00"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def continuation_token(position: dict[str, str]) -> str:
    """A token shaped as the API issues them (`<payload>.<signature>`, base64url); it opens no real page."""
    payload = orjson.dumps(position, option=orjson.OPT_SORT_KEYS)
    return f"{_b64(payload)}.{_b64(hashlib.sha256(payload).digest()[:16])}"


def page(item: Any, position: dict[str, str] | None = None) -> dict[str, Any]:
    """A page of one item, with a token to the next page when `position` is given (else the last page)."""
    return {"items": [item], "continuationToken": None if position is None else continuation_token(position)}


# -- organisations ---------------------------------------------------------------------------------------------------

PROVIDER_OUT: dict[str, Any] = {
    "id": PROVIDER_ID,
    "name": PROVIDER_NAME,
    "partnerId": PROVIDER_PARTNER_ID,
    "status": "enrolled",
    "tenantId": PROVIDER_TENANT_ID,
    "clientId": PROVIDER_CLIENT_ID,
    "companyName": PROVIDER_NAME,
    "consentGranted": True,
    "createdAt": _moment("09-01", "08:00:00"),
    "updatedAt": _moment("09-01", "08:04:17"),
}

_STATE = "eyJuIjoiVjJ4dGJGWjRZVzVrWlhJIiwicCI6ImQ0NjQxNTE2In0.kQ3vZ8Jr2mTn5cXw"
CONSENT_URL = f"https://login.microsoftonline.com/{PROVIDER_TENANT_ID}/oauth2/v2.0/authorize?" + urlencode(
    {
        "client_id": PROVIDER_CLIENT_ID,
        "response_type": "code",
        "redirect_uri": "https://csp.contoso.example/api/providers/consent/callback",
        "response_mode": "query",
        "scope": "https://api.partnercenter.microsoft.com/user_impersonation offline_access openid profile",
        "state": _STATE,
        "prompt": "consent",
    }
)

RESELLER_INVITATION_URL = (
    "https://partner.microsoft.com/dashboard/account/v3/invitations/indirectreseller"
    f"?providerPartnerId={PROVIDER_PARTNER_ID}&resellerPartnerId={RESELLER_PARTNER_ID}"
)
RESELLER_OUT: dict[str, Any] = {
    "id": RESELLER_ID,
    "providerId": PROVIDER_ID,
    "name": "Fabrikam",
    "partnerId": RESELLER_PARTNER_ID,
    "tenantId": RESELLER_TENANT_ID,
    "contactEmail": "ops@fabrikam.example",
    "status": "active",
    "invitationUrl": RESELLER_INVITATION_URL,
    "invitedAt": _moment("09-02", "10:15:00"),
    "expiresAt": _moment("10-02", "10:15:00"),
    "activatedAt": _moment("09-02", "10:20:31"),
    "endedAt": None,
    "lastCheckedAt": _moment("09-02", "10:20:31"),
    "lastCheckResult": "active",
    "nextCheckAt": None,
    "offboardedAt": None,
    "offboardedBy": None,
    "offboardingReason": None,
    "flag": None,
    "updatedAt": _moment("09-02", "10:20:31"),
}
# Just invited: no tenant yet, the first check queued; Partner Center says it has not signed the Partner Agreement.
RESELLER_INVITATION_OUT: dict[str, Any] = {
    **RESELLER_OUT,
    "tenantId": None,
    "status": "invited",
    "activatedAt": None,
    "lastCheckedAt": None,
    "lastCheckResult": None,
    "nextCheckAt": _moment("09-02", "10:15:00"),
    "flag": "partnerAgreementMissing",
    "updatedAt": _moment("09-02", "10:15:00"),
    "resellerId": RESELLER_ID,
}

CUSTOMER_INVITATION_URL = (
    "https://admin.microsoft.com/Adminportal/Home?invType=IndirectResellerRelationship"
    f"&partnerId={RESELLER_TENANT_ID}&msppId={RESELLER_PARTNER_ID}&indirectCSPId={PROVIDER_TENANT_ID}&DAP=false"
    "#/BillingAccounts/partner-invitation"
)
STOREFRONT_POLICY: dict[str, Any] = {
    "allowedCatalogItemIds": [CATALOG_ITEM_ID],
    "allowSeatDecrease": True,
    "allowRenewalChanges": False,
    "maxTermDuration": "P1Y",
    "approvalThreshold": "500.00",
}
AGREEMENT_CONTACT: dict[str, Any] = {
    "firstName": "Nina",
    "lastName": "Winters",
    "email": "nina.winters@northwindtraders.example",
    "phoneNumber": "+31 20 555 0134",
}
MCA_TEMPLATE_ID = "117a69e3-a2d9-4d8b-93cc-e5b3a4f2ef9c"
CUSTOMER_AGREEMENT_OUT: dict[str, Any] = {
    "status": "accepted",
    "acceptedAt": _moment("09-03", "14:00:00"),
    "contact": AGREEMENT_CONTACT,
    "templateId": MCA_TEMPLATE_ID,
    "confirmedAt": _moment("09-30", "06:00:12"),
}
NO_AGREEMENT_OUT: dict[str, Any] = {
    "status": "missing", "acceptedAt": None, "contact": None, "templateId": None, "confirmedAt": None,
}  # fmt: skip
CUSTOMER_OUT: dict[str, Any] = {
    "id": CUSTOMER_ID,
    "providerId": PROVIDER_ID,
    "resellerId": RESELLER_ID,
    "name": "Northwind Traders",
    "domain": "northwindtraders.onmicrosoft.com",
    "tenantId": CUSTOMER_TENANT_ID,
    "contactEmail": "it@northwindtraders.example",
    "status": "active",
    "origin": "invitation",
    "invitationUrl": CUSTOMER_INVITATION_URL,
    "storefrontEnabled": True,
    "storefrontPolicy": STOREFRONT_POLICY,
    "country": COUNTRY,
    "currency": CURRENCY,
    "marketReadAt": _moment("09-03", "14:02:45"),
    "invitedAt": _moment("09-03", "13:40:00"),
    "expiresAt": _moment("10-03", "13:40:00"),
    "activatedAt": _moment("09-03", "14:02:45"),
    "endedAt": None,
    "failureReason": None,
    "flag": None,
    "lastCheckedAt": _moment("09-30", "06:00:12"),
    "lastCheckResult": "still active",
    "nextCheckAt": None,
    "offboardedAt": None,
    "offboardedBy": None,
    "offboardingReason": None,
    "agreement": CUSTOMER_AGREEMENT_OUT,
    "updatedAt": _moment("09-30", "06:00:12"),
}
# Just invited by its domain: its tenant and market are learnt when the check finds it.
CUSTOMER_CREATED_OUT: dict[str, Any] = {
    **CUSTOMER_OUT,
    "tenantId": None,
    "status": "invited",
    "storefrontEnabled": False,
    "storefrontPolicy": {
        "allowedCatalogItemIds": None,
        "allowSeatDecrease": True,
        "allowRenewalChanges": False,
        "maxTermDuration": "P3Y",
        "approvalThreshold": None,
    },
    "country": None,
    "currency": None,
    "marketReadAt": None,
    "activatedAt": None,
    "lastCheckedAt": None,
    "lastCheckResult": None,
    "nextCheckAt": _moment("09-03", "13:40:00"),
    "agreement": NO_AGREEMENT_OUT,
    "updatedAt": _moment("09-03", "13:40:00"),
    "customerId": CUSTOMER_ID,
}

ADDRESS_IN: dict[str, Any] = {
    "country": COUNTRY,
    "city": "Utrecht",
    "addressLine1": "Oudegracht 100",
    "postalCode": "3511 AX",
    "firstName": "Sanne",
    "lastName": "de Vries",
    "phoneNumber": "+31 30 123 4567",
}
BILLING_PROFILE_IN: dict[str, Any] = {
    "email": "finance@wingtiptoys.example",
    "culture": "nl-NL",
    "language": "nl",
    "defaultAddress": ADDRESS_IN,
}
COMPANY_PROFILE_IN: dict[str, Any] = {"companyName": "Wingtip Toys", "domainPrefix": "wingtiptoys"}

# -- catalog, pricing, orders ------------------------------------------------------------------------------------------

# As provider staff read it: with the cost, the switch and the dates (a reseller or customer reads only `price`).
PROMOTION_ID = "39NFJQT1Q5KL:0001:39NFJQT1Q5KL"
PROMOTION_ITEM_OUT: dict[str, Any] = {
    "catalogItemId": CATALOG_ITEM_ID,
    "title": "Microsoft 365 Business Basic",
    "termDuration": "P1Y",
    "billingCycle": "monthly",
    "currency": CURRENCY,
    "price": "6.16",
    "promotionalPrice": "5.70",
}
PROMOTION_OUT: dict[str, Any] = {
    "id": PROMOTION_ID,
    "country": COUNTRY,
    "name": "Microsoft 365 Business Basic annual 15% off",
    "description": "15% off Microsoft 365 Business Basic on one-year terms.",
    "startDate": "2024-01-01T00:00:00+00:00",
    "endDate": "2035-12-31T23:59:59+00:00",
    "discountPercent": "15",
    "minimumQuantity": 1,
    "maximumQuantity": 300,
    "firstPurchaseOnly": False,
    "items": [PROMOTION_ITEM_OUT],
}
CATALOG_ITEM_OUT: dict[str, Any] = {
    "catalogItemId": CATALOG_ITEM_ID,
    "offerId": OFFER_ID,
    "productId": PRODUCT_ID,
    "skuId": SKU_ID,
    "availabilityId": AVAILABILITY_ID,
    "title": PRODUCT_TITLE,
    "skuTitle": PRODUCT_TITLE,
    "productFamily": "OnlineServicesNCE",
    "productType": "OnlineServicesNCE",
    "country": COUNTRY,
    "currency": CURRENCY,
    "termDuration": "P1Y",
    "billingCycle": "monthly",
    "minQuantity": 1,
    "maxQuantity": 300,
    "isAddon": False,
    "isTrial": False,
    "prerequisiteSkus": [],
    "cancellationWindow": "P7D",
    "status": "active",
    "price": COST,
    "monthlyEquivalent": COST,
    "cost": COST,
    "sellable": True,
    "firstSeen": _moment("09-01", "08:05:02"),
    "lastSeen": _moment("10-01", "02:00:09"),
    "retiredAt": None,
}
MARKET_SYNC_OUT: dict[str, Any] = {
    "country": COUNTRY,
    "added": 2,
    "updated": 1,
    "retired": 0,
    "unchanged": 52,
    "reactivated": 0,
    "priced": 55,
    "priceSheet": "loaded",
    "priceSheetError": None,
    "retirementSkipped": False,
}
OVERRIDE_OUT: dict[str, Any] = {"catalogItemId": CATALOG_ITEM_ID, "currency": CURRENCY, "price": "6.10"}
PRICING_OUT: dict[str, Any] = {
    "margin": "0.12",
    "overrides": [OVERRIDE_OUT],
    "updatedAt": _moment("09-02", "11:00:00"),
    "updatedBy": ALICE_ID,
}
ORDER_LINE_IN: dict[str, Any] = {
    "catalogItemId": CATALOG_ITEM_ID,
    "quantity": QUANTITY,
    "termDuration": "P1Y",
    "billingCycle": "monthly",
    "promotionId": "39NFJQT1Q5KL:0001:39NFJQT1Q5KL",
}
# As provider staff read it: every price tier (reseller staff read no providerCost, customers only customerPrice).
ORDER_LINE_OUT: dict[str, Any] = {
    "lineNumber": 1,
    "catalogItemId": CATALOG_ITEM_ID,
    "offerId": OFFER_ID,
    "title": PRODUCT_TITLE,
    "quantity": QUANTITY,
    "termDuration": "P1Y",
    "billingCycle": "monthly",
    "status": "pending",
    "subscriptionId": None,
    "error": None,
    "promotionId": None,
    "currency": CURRENCY,
    "providerCost": COST,
    "providerCostTotal": COST_TOTAL,
    "resellerPrice": RESELLER_PRICE,
    "resellerPriceTotal": RESELLER_TOTAL,
    "customerPrice": CUSTOMER_PRICE,
    "customerPriceTotal": CUSTOMER_TOTAL,
}
ORDER_TOTALS: dict[str, Any] = {
    "currency": CURRENCY,
    "providerCost": COST_TOTAL,
    "resellerPrice": RESELLER_TOTAL,
    "customerPrice": CUSTOMER_TOTAL,
}
ORDER_OUT: dict[str, Any] = {
    "id": ORDER_ID,
    "customerId": CUSTOMER_ID,
    "resellerId": RESELLER_ID,
    "status": "accepted",
    "source": "staff",
    "lines": [ORDER_LINE_OUT],
    "totals": ORDER_TOTALS,
    "createdBy": ALICE_ID,
    "createdAt": _moment("10-01"),
    "updatedAt": _moment("10-01"),
    "failureReason": None,
    "rejectionReason": None,
}

# -- subscriptions -----------------------------------------------------------------------------------------------------

WINDOW_ENDS_AT = _moment("10-08", "09:31:12")
CHANGE_OUT: dict[str, Any] = {
    "id": CHANGE_ID,
    "kind": "quantity",
    "value": 12,
    "requestedBy": BOB_ID,
    "requestedAt": _moment("10-02", "15:12:40"),
    "status": "pending",
    "error": None,
}
SUBSCRIPTION_OUT: dict[str, Any] = {
    "id": SUBSCRIPTION_ID,
    "customerId": CUSTOMER_ID,
    "resellerId": RESELLER_ID,
    "catalogItemId": CATALOG_ITEM_ID,
    "offerId": OFFER_ID,
    "name": PRODUCT_TITLE,
    "quantity": QUANTITY,
    "status": "active",
    "autoRenew": True,
    "termDuration": "P1Y",
    "billingCycle": "monthly",
    "termStartDate": "2026-10-01T00:00:00+00:00",
    "termEndDate": "2027-09-30T00:00:00+00:00",
    "cancellationWindowEndsAt": WINDOW_ENDS_AT,
    "removableQuantity": QUANTITY,
    "lots": [{"quantity": QUANTITY, "windowEndsAt": WINDOW_ENDS_AT}],
    "partnerIdOnRecord": RESELLER_PARTNER_ID,
    "orderId": ORDER_ID,
    "pendingChange": CHANGE_OUT,
    "syncedAt": _moment("10-02", "15:00:03"),
    "flag": None,
    "endOfTerm": "renewWithChanges",
    "endOfTermDate": "2027-09-30",
    "scheduledChanges": None,
    "isTrial": False,
    "trialEndDate": None,
    "extendedServiceTerm": None,
    "upgradedFrom": None,
    "upgradedTo": None,
}
UPGRADE_OFFER_ID = "CFQ7TTC0LCHC:0002:CFQ7TTC0LJ0X"  # Business Standard in the sandbox's catalog
SCHEDULED_CHANGES_OUT: dict[str, Any] = {
    "catalogItemId": f"{UPGRADE_OFFER_ID}:P1Y:annual",
    "name": "Microsoft 365 Business Standard",
    "quantity": 15,
    "termDuration": "P1Y",
    "billingCycle": "annual",
    "customTermEndDate": None,
}
SUBSCRIPTION_OUT["scheduledChanges"] = SCHEDULED_CHANGES_OUT
EST_OUT: dict[str, Any] = {"startDate": "2027-10-01", "endDate": "2027-10-31", "premiumRate": "0.20"}
EST_PRICE_OUT: dict[str, Any] = {"unitPrice": "7.20", "total": "72.00", "currency": "USD", "premiumRate": "0.20"}
NEXT_TERM_OUT: dict[str, Any] = {**{k: v for k, v in SCHEDULED_CHANGES_OUT.items() if k != "customTermEndDate"},
                                 "unitPrice": "150.00", "total": "2250.00", "currency": "USD"}  # fmt: skip
TARGET_OUT: dict[str, Any] = {"catalogItemId": f"{UPGRADE_OFFER_ID}:P1Y:annual",
                              "name": "Microsoft 365 Business Standard", "termDuration": "P1Y",
                              "billingCycle": "annual", "unitPrice": "150.00", "currency": "USD"}  # fmt: skip
RENEWAL_OUT: dict[str, Any] = {"subscriptionId": SUBSCRIPTION_ID, "endOfTerm": "renewWithChanges",
                               "endOfTermDate": "2027-09-30", "scheduledChanges": SCHEDULED_CHANGES_OUT,
                               "nextTerm": NEXT_TERM_OUT, "targets": [TARGET_OUT]}  # fmt: skip
UPGRADE_OUT: dict[str, Any] = {"catalogItemId": f"{UPGRADE_OFFER_ID}:P1Y:monthly",
                               "name": "Microsoft 365 Business Standard", "eligible": True,
                               "transitionTypes": ["transitionWithLicenseTransfer", "transitionOnly"], "reasons": [],
                               "unitPrice": "12.50", "currency": "USD", "termDuration": "P1Y",
                               "billingCycle": "monthly"}  # fmt: skip
RENEWAL_ITEM_OUT: dict[str, Any] = {"subscriptionId": SUBSCRIPTION_ID, "customerId": CUSTOMER_ID,
                                    "customerName": "Contoso Ltd", "resellerId": RESELLER_ID,
                                    "resellerName": "Fabrikam Partners", "name": "Microsoft 365 Business Basic",
                                    "catalogItemId": f"{UPGRADE_OFFER_ID}:P1Y:annual", "renewalDate": "2027-09-30",
                                    "endOfTerm": "renewWithChanges", "quantity": 15, "termDuration": "P1Y",
                                    "billingCycle": "annual",
                                    "price": {"unitPrice": "150.00", "total": "2250.00",
                                              "currency": "USD"}}  # fmt: skip

# -- billing (as provider staff read it: every tier, the cost, the counts; docs/api-guide.md#billing) ----------------

INVOICE_REF: dict[str, Any] = {"invoiceId": INVOICE_ID, "currency": CURRENCY}
RUN_COUNTS: dict[str, Any] = {
    "lines": 12,
    "discrepancies": 1,
    "billableLines": 11,
    "unpricedLines": 0,
    "discrepanciesByKind": {"unknownSubscription": 1},
}
RUN_SUMMARY_OUT: dict[str, Any] = {
    "id": RUN_ID,
    "period": "2026-10",
    "kind": "billed",
    "status": "completed",
    "attempt": 1,
    "invoiceId": INVOICE_ID,
    "invoices": [INVOICE_REF],
    "createdAt": _moment("11-06", "03:00:00"),
    "startedAt": _moment("11-06", "03:00:02"),
    "completedAt": _moment("11-06", "03:01:47"),
    "failureReason": None,
    "counts": RUN_COUNTS,
    "current": True,
}
RESELLER_TOTAL_OUT: dict[str, Any] = {"resellerId": RESELLER_ID, "amount": "745.20", "currency": CURRENCY}
CUSTOMER_TOTAL_OUT: dict[str, Any] = {
    "customerId": CUSTOMER_ID,
    "resellerId": RESELLER_ID,
    "amount": "857.10",
    "currency": CURRENCY,
}
COST_TOTAL_OUT: dict[str, Any] = {"currency": CURRENCY, "amount": "688.60"}
CURRENCY_TOTAL_OUT: dict[str, Any] = {
    "currency": CURRENCY,
    "customers": "857.10",
    "resellers": "745.20",
    "providerCost": "688.60",
}
TOTALS: dict[str, Any] = {
    "currency": CURRENCY,
    "currencies": [CURRENCY],
    "resellers": [RESELLER_TOTAL_OUT],
    "customers": [CUSTOMER_TOTAL_OUT],
    "providerCost": [COST_TOTAL_OUT],
    "byCurrency": [CURRENCY_TOTAL_OUT],
}
LINE_OUT: dict[str, Any] = {
    "lineItemIds": ["9f2c4e1a7b3d5e60:0"],
    "invoiceNumber": INVOICE_ID,
    "subscriptionId": SUBSCRIPTION_ID,
    "customerId": CUSTOMER_ID,
    "resellerId": RESELLER_ID,
    "customerTenantId": CUSTOMER_TENANT_ID,
    "catalogItemId": CATALOG_ITEM_ID,
    "chargeType": "new",
    "chargeStartDate": "2026-10-01",
    "chargeEndDate": "2026-10-31",
    "quantity": QUANTITY,
    "currency": CURRENCY,
    "unitPrice": COST,
    "effectiveUnitPrice": COST,
    "proration": "1",
    "providerCost": COST_TOTAL,
    "resellerCharge": RESELLER_TOTAL,
    "customerCharge": CUSTOMER_TOTAL,
    "billable": True,
}
DISCREPANCY_OUT: dict[str, Any] = {
    "kind": "unknownSubscription",
    "subscriptionId": UNKNOWN_SUBSCRIPTION_ID,
    "customerId": CUSTOMER_ID,
    "resellerId": RESELLER_ID,
    "amount": "23.00",
    "currency": CURRENCY,
    "detail": "Microsoft charged a subscription the platform does not know",
    "lineItemIds": ["41d7b0e9c2a6f385:7"],
}
# What a customer admin reads of a line: its own tier only.
CUSTOMER_LINE: dict[str, Any] = {name: LINE_OUT[name] for name in visible_fields("customer")}


def _csv(fields: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    """As GET /api/billing/runs/{id}/lines?format=csv writes lines (functions/http/billing.py): a header of the
    caller's fields, lists joined by spaces, unknown values empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fields)
    for row in rows:
        values = [row.get(name) for name in fields]
        writer.writerow([" ".join(v) if isinstance(v, list) else ("" if v is None else v) for v in values])
    return buffer.getvalue()


# Answers other than JSON, by media type.
MEDIA_EXAMPLES: dict[str, str] = {"text/csv": _csv(visible_fields("provider"), [LINE_OUT])}

# -- members, audit, configuration -----------------------------------------------------------------------------------

MEMBER_OUT: dict[str, Any] = {
    "userId": ALICE_ID,
    "orgType": "provider",
    "orgId": PROVIDER_ID,
    "role": "provider.admin",
    "createdAt": _moment("09-01", "08:10:00"),
    "createdBy": OPERATOR_ID,
}
AUDIT_ENTRY_OUT: dict[str, Any] = {
    "id": "8209153000000-3f9a1c5e7b2d",
    "at": _moment("10-01"),
    "actorId": ALICE_ID,
    "actorOrg": f"provider:{PROVIDER_ID}",
    "action": "resellerPricing.replaced",
    "entityType": "resellerPricing",
    "entityId": RESELLER_ID,
    "orgType": "reseller",
    "orgId": RESELLER_ID,
    "before": {**PRICING_OUT, "margin": "0.10"},
    "after": {**PRICING_OUT, "updatedAt": _moment("10-01")},
}
_JWT_HEADER = {"alg": "RS256", "kid": "sandbox-user-1", "typ": "JWT"}
_JWT_CLAIMS = {"aud": "api://csp-platform", "oid": ALICE_ID, "tid": PLATFORM_TENANT_ID, "exp": 1790850600}
DEV_ACCESS_TOKEN = ".".join(
    (_b64(orjson.dumps(_JWT_HEADER)), _b64(orjson.dumps(_JWT_CLAIMS)), _b64(hashlib.sha512(b"example").digest()))
)

# -- problems (docs/api-guide.md#problem-types; titles as functions/http/problems.py and the services write them) ----


def _problem(status: int, slug: str, title: str, detail: str, instance: str | None, **more: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:csp-platform:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    return {**body, **more}


PROBLEM_EXAMPLES: dict[int, dict[str, Any]] = {
    400: _problem(400, "invalid-continuation-token", "Invalid continuation token",
                  "continuation token is not valid for this query", "/api/resellers",
                  errors=[{"field": "continuationToken", "message": "continuation token is not valid for this query"}]),
    401: _problem(401, "unauthorized", "Unauthorized", "an Authorization: Bearer token is required",
                  f"/api/resellers/{RESELLER_ID}"),
    403: _problem(403, "forbidden", "Forbidden", "only the provider's staff see or set what a reseller pays",
                  f"/api/resellers/{RESELLER_ID}/pricing"),
    404: _problem(404, "not-found", "Not found", "reseller no-such-reseller was not found",
                  "/api/resellers/no-such-reseller"),
    409: _problem(409, "conflict", "Conflict",
                  f"reseller {RESELLER_ID} is invited: customers can be added once it is active",
                  "/api/customer-invitations"),
    412: _problem(412, "precondition-failed", "The resource changed since it was read",
                  f"resellerPricing of {RESELLER_ID} changed since it was read",
                  f"/api/resellers/{RESELLER_ID}/pricing"),
    # The body check answers before any route: no instance.
    413: _problem(413, "payload-too-large", "Payload too large", "the request body is larger than 1048576 bytes",
                  None),
    415: _problem(415, "unsupported-media-type", "Unsupported Media Type",
                  "the request body must be application/json, not text/plain", None),
    422: _problem(422, "validation-error", "The request is not valid",
                  "name: must not contain control characters or bidirectional overrides (found U+0007); "
                  "contactEmail: is required", "/api/reseller-invitations",
                  errors=[{"field": "name",
                           "message": "must not contain control characters or bidirectional overrides (found U+0007)"},
                          {"field": "contactEmail", "message": "is required"}]),
    503: _problem(503, "unavailable", "Service Unavailable",
                  "storage is not answering; nothing was changed, try again shortly", f"/api/customers/{CUSTOMER_ID}"),
}  # fmt: skip

AGREEMENT_MISSING_PROBLEM = _problem(
    409, "customer-agreement-missing", "The Microsoft Customer Agreement is not accepted",
    "the customer has not accepted the Microsoft Customer Agreement: Partner Center sells nothing to it until it does "
    "(record its acceptance on the customer, or its admin accepts it in the storefront)", "/api/orders",
)  # fmt: skip

# Operations whose refusals of a status differ from the rest, by operationId.
OPERATION_PROBLEM_EXAMPLES: dict[str, dict[int, dict[str, Any]]] = {
    "receivePartnerCenterEvent": {
        400: _problem(400, "invalid-event", "Bad Request", "the event body names no EventName", None),
        401: _problem(401, "invalid-signature", "Unauthorized",
                      "the event's signature was refused: bad_signature: the signature does not match the body", None),
        404: _problem(404, "not-found", "Not found", "provider no-such-provider was not found",
                      "/api/webhooks/partner-center"),
    },
    "placeOrder": {409: AGREEMENT_MISSING_PROBLEM},
    "placeStorefrontOrder": {409: {**AGREEMENT_MISSING_PROBLEM, "instance": "/api/storefront/orders"}},
    "completeConsent": {
        400: _problem(400, "invalid-consent-state", "Invalid consent state",
                      "this consent state was already used or is unknown", "/api/providers/consent/callback"),
    },
}  # fmt: skip

# -- one example per component schema ----------------------------------------------------------------------------------

SCHEMA_EXAMPLES: dict[str, Any] = {
    # shapes shared by every route
    "Problem": PROBLEM_EXAMPLES[422],
    "FieldErrorOut": {"field": "lines[0].quantity", "message": "must be a whole number"},
    "OrgType": "provider",
    "Role": "provider.admin",
    # any JSON value (an audit entry's before and after)
    "JsonValue": {"margin": "0.12", "overrides": []},
    # health and configuration
    "HealthChecks": {"tables": "ok", "queue": "ok", "partnerCenter": "ok"},
    "HealthOut": {"status": "ok", "checks": {"tables": "ok", "queue": "ok", "partnerCenter": "ok"}},
    "ConsoleAuth": {
        "clientId": CONSOLE_CLIENT_ID,
        "authority": f"https://login.microsoftonline.com/{PLATFORM_TENANT_ID}",
        "knownAuthorities": ["login.microsoftonline.com"],
        "scopes": ["api://csp-platform/access_as_user"],
    },
    # members and audit
    "MeOut": {
        "userId": ALICE_ID,
        "tenantId": PLATFORM_TENANT_ID,
        "orgType": "provider",
        "orgId": PROVIDER_ID,
        "role": "provider.admin",
    },
    "MemberIn": {"userId": ALICE_ID, "orgType": "provider", "orgId": PROVIDER_ID, "role": "provider.admin"},
    "MemberOut": MEMBER_OUT,
    "MemberPage": {"items": [MEMBER_OUT]},
    "MemberPatch": {"role": "provider.staff"},
    "AuditEntryOut": AUDIT_ENTRY_OUT,
    "AuditPage": page(AUDIT_ENTRY_OUT, {"pk": "feed|provider|2026-10-01", "rk": "8209153000000-3f9a1c5e7b2d"}),
    # providers
    "PartnerCenterApp": {
        "tenantId": PROVIDER_TENANT_ID,
        "clientId": PROVIDER_CLIENT_ID,
        "clientSecretRef": "pc-dev-client-secret",
        "refreshTokenRef": "pc-dev-refresh-token",
    },
    "ProviderOut": PROVIDER_OUT,
    "ProviderPage": page(PROVIDER_OUT),
    "ConsentUrlOut": {"consentUrl": CONSENT_URL},
    "ResellerCounts": {"invited": 1, "active": 3, "ended": 0, "expired": 0},
    "CustomerCounts": {"invited": 2, "active": 14, "ended": 1, "expired": 0, "creating": 0, "failed": 0},
    "LastBillingRun": {
        "id": RUN_ID,
        "period": "2026-10",
        "kind": "billed",
        "status": "completed",
        "discrepancies": 1,
        "completedAt": RUN_SUMMARY_OUT["completedAt"],
    },
    "MarginIn": {"margin": "0.12"},
    "MarginOut": {"margin": "0.12", "updatedAt": _moment("09-01", "08:30:00"), "updatedBy": ALICE_ID},
    # resellers and customers
    "ResellerInvitationIn": {
        "partnerId": RESELLER_PARTNER_ID,
        "name": "Fabrikam",
        "contactEmail": "ops@fabrikam.example",
    },
    "ResellerInvitationOut": RESELLER_INVITATION_OUT,
    "ResellerOut": RESELLER_OUT,
    "ResellerPage": page(RESELLER_OUT, {"pk": PROVIDER_ID, "rk": RESELLER_ID}),
    "CustomerInvitationIn": {
        "resellerId": RESELLER_ID,
        "name": "Northwind Traders",
        "domain": "northwindtraders.onmicrosoft.com",
        "contactEmail": "it@northwindtraders.example",
    },
    "AddressIn": ADDRESS_IN,
    "BillingProfileIn": BILLING_PROFILE_IN,
    "CompanyProfileIn": COMPANY_PROFILE_IN,
    "NewCustomerIn": {
        "resellerId": RESELLER_ID,
        "companyProfile": COMPANY_PROFILE_IN,
        "billingProfile": BILLING_PROFILE_IN,
    },
    "StorefrontPolicyIn": STOREFRONT_POLICY,
    "StorefrontPolicyOut": STOREFRONT_POLICY,
    "CustomerOut": CUSTOMER_OUT,
    "CustomerCreatedOut": CUSTOMER_CREATED_OUT,
    "CustomerPage": page(CUSTOMER_OUT),
    "CustomerPatchWithPricing": {"storefrontEnabled": True, "storefrontPolicy": STOREFRONT_POLICY, "margin": "0.15"},
    "ResellerPatch": {"name": "Fabrikam Cloud Services", "contactEmail": "partners@fabrikam.example"},
    "OffboardIn": {"reason": "Contract ended on 30 September; subscriptions run to their term end."},
    "AgreementContactOut": AGREEMENT_CONTACT,
    "CustomerAgreementOut": CUSTOMER_AGREEMENT_OUT,
    "AgreementAcceptanceIn": {**AGREEMENT_CONTACT, "dateAgreed": _moment("09-03", "14:00:00")},
    "StorefrontAgreementIn": {k: v for k, v in AGREEMENT_CONTACT.items() if k != "phoneNumber"},
    "StorefrontAgreementOut": {
        **CUSTOMER_AGREEMENT_OUT,
        "agreementLink": "https://aka.ms/customeragreement",
        "currentTemplateId": MCA_TEMPLATE_ID,
    },
    "SubscriptionsSyncOut": {"customerId": CUSTOMER_ID, "synced": 3},
    # pricing
    "OverrideIn": {"catalogItemId": CATALOG_ITEM_ID, "price": "6.10"},
    "OverrideOut": OVERRIDE_OUT,
    "PricingIn": {"margin": "0.12", "overrides": [{"catalogItemId": CATALOG_ITEM_ID, "price": "6.10"}]},
    "PricingOut": PRICING_OUT,
    # catalog
    "CatalogItemOut": CATALOG_ITEM_OUT,
    "CatalogPageOut": page(CATALOG_ITEM_OUT, {"pk": f"{PROVIDER_ID}|{COUNTRY}", "rk": CATALOG_ITEM_ID}),
    "CatalogSettingsIn": {"newItemsSellable": False, "promotionPassThrough": "0.5"},
    "CatalogSettingsOut": {"newItemsSellable": False, "promotionPassThrough": "0.5"},
    "PromotionItemOut": PROMOTION_ITEM_OUT,
    "PromotionOut": PROMOTION_OUT,
    "PromotionsOut": {"items": [PROMOTION_OUT]},
    "MarketsOut": {"items": ["US", "NL", "DE"]},
    "SellableIn": {"sellable": False, "country": COUNTRY},
    "SellableItemOut": {"catalogItemId": CATALOG_ITEM_ID, "country": COUNTRY, "sellable": False, "status": "active"},
    "SellableOut": {
        "items": [{"catalogItemId": CATALOG_ITEM_ID, "country": COUNTRY, "sellable": False, "status": "active"}]
    },
    "SyncIn": {"country": COUNTRY},
    "MarketSyncOut": MARKET_SYNC_OUT,
    "SyncOut": {**MARKET_SYNC_OUT, "markets": [MARKET_SYNC_OUT]},
    # orders
    "OrderLineIn": ORDER_LINE_IN,
    "OrderIn": {"customerId": CUSTOMER_ID, "lines": [ORDER_LINE_IN]},
    "StorefrontOrderIn": {"lines": [ORDER_LINE_IN]},
    "RejectIn": {"reason": "The customer asked for Business Standard instead; please order it again."},
    "OrderLineOut": ORDER_LINE_OUT,
    "OrderTotals": ORDER_TOTALS,
    "OrderOut": ORDER_OUT,
    "OrderPage": page(ORDER_OUT, {"pk": CUSTOMER_ID, "rk": ORDER_ID}),
    # subscriptions
    "LotOut": {"quantity": QUANTITY, "windowEndsAt": WINDOW_ENDS_AT},
    "ChangeOut": CHANGE_OUT,
    "SubscriptionOut": SUBSCRIPTION_OUT,
    "SubscriptionPage": page(SUBSCRIPTION_OUT),
    "SubscriptionPatch": {"quantity": 12},
    "ScheduledChangesOut": SCHEDULED_CHANGES_OUT,
    "ExtendedServiceTermOut": EST_OUT,
    "ExtendedServiceTermPriceOut": EST_PRICE_OUT,
    "NextTermOut": NEXT_TERM_OUT,
    "TargetOut": TARGET_OUT,
    "RenewalOut": RENEWAL_OUT,
    "RenewalIn": {"quantity": 15, "catalogItemId": f"{UPGRADE_OFFER_ID}:P1Y:annual"},
    "UpgradeOut": UPGRADE_OUT,
    "UpgradePage": {"items": [UPGRADE_OUT]},
    "UpgradeIn": {
        "toCatalogItemId": f"{UPGRADE_OFFER_ID}:P1Y:monthly",
        "quantity": 10,
        "transitionType": "transitionWithLicenseTransfer",
    },  # fmt: skip
    "PriceOut": {"unitPrice": "150.00", "total": "2250.00", "currency": "USD"},
    "RenewalItemOut": RENEWAL_ITEM_OUT,
    "RenewalPage": page(RENEWAL_ITEM_OUT),
    "StorefrontChangeIn": {"autoRenew": False},
    # billing
    "RunIn": {"period": "2026-10", "kind": "billed"},
    "InvoiceRef": INVOICE_REF,
    "RunCounts": RUN_COUNTS,
    "RunSummaryOut": RUN_SUMMARY_OUT,
    "ResellerTotal": RESELLER_TOTAL_OUT,
    "CustomerTotal": CUSTOMER_TOTAL_OUT,
    "CostTotal": COST_TOTAL_OUT,
    "CurrencyTotal": CURRENCY_TOTAL_OUT,
    "Totals": TOTALS,
    "RunOut": {**RUN_SUMMARY_OUT, "totals": TOTALS},
    "RunPage": page(RUN_SUMMARY_OUT, {"pk": PROVIDER_ID, "rk": RUN_ID}),
    "LineOut": LINE_OUT,
    "LinePage": page(LINE_OUT, {"member": "0", "skip": "50"}),
    "DiscrepancyOut": DISCREPANCY_OUT,
    "DiscrepancyPage": page(DISCREPANCY_OUT),
    # storefront (a customer admin: its own charges only)
    "ChargesOut": {
        "period": "2026-10",
        "runId": RUN_ID,
        "kind": "billed",
        "currency": CURRENCY,
        "total": CUSTOMER_TOTAL,
        "items": [CUSTOMER_LINE],
    },
    # webhooks
    "EventReceivedOut": {"received": "subscription-updated", "duplicate": False},
    # the local stack's development sign-in (local/dev_sign_in.py)
    "Person": {
        "userId": ALICE_ID,
        "orgType": "provider",
        "orgId": PROVIDER_ID,
        "orgName": PROVIDER_NAME,
        "role": "provider.admin",
    },
    "PeopleOut": {
        "items": [
            {
                "userId": OPERATOR_ID,
                "orgType": "operator",
                "orgId": "platform",
                "orgName": "Platform operator",
                "role": "operator",
            },
            {
                "userId": ALICE_ID,
                "orgType": "provider",
                "orgId": PROVIDER_ID,
                "orgName": PROVIDER_NAME,
                "role": "provider.admin",
            },
        ]
    },
    "DevTokenIn": {"userId": ALICE_ID},
    "DevTokenOut": {"accessToken": DEV_ACCESS_TOKEN, "expiresOn": _moment("10-01", "10:30:00"), "userId": ALICE_ID},
}
SCHEMA_EXAMPLES["ConsoleConfig"] = {"auth": SCHEMA_EXAMPLES["ConsoleAuth"], "devSignIn": False}
SCHEMA_EXAMPLES["ProviderIn"] = {"name": PROVIDER_NAME, "partnerCenter": SCHEMA_EXAMPLES["PartnerCenterApp"]}
SCHEMA_EXAMPLES["ProviderSummaryOut"] = {
    "providerId": PROVIDER_ID,
    "resellers": SCHEMA_EXAMPLES["ResellerCounts"],
    "customers": SCHEMA_EXAMPLES["CustomerCounts"],
    "ordersInFlight": 2,
    "lastBillingRun": SCHEMA_EXAMPLES["LastBillingRun"],
}

# -- event subscriptions (outbound webhooks) ------------------------------------------------------------------------

ENDPOINT_ID = "es-9c2e4a6b8d0f41a3b5c7d9e1f3a5b7c9"
DELIVERY_ID = "dl-4b6d8f0a2c4e46a8b0d2f4a6c8e0b2d4"
SIGNING_SECRET_EXAMPLE = "whsec_3q2-7wHk9yT0bVx4mZcR1sLp8uNfAe6DgJiKoWq5YtE"
EVENT_SUBSCRIPTION_OUT: dict[str, Any] = {
    "id": ENDPOINT_ID,
    "url": "https://hooks.fabrikam.example/csp-events",
    "events": ["order.failed", "order.pendingApproval"],
    "description": "Fabrikam's service desk",
    "enabled": True,
    "ownerType": "reseller",
    "ownerId": RESELLER_ID,
    "createdAt": _moment("10-01", "09:00:00"),
    "createdBy": BOB_ID,
    "updatedAt": _moment("10-01", "09:00:00"),
    "secretRotatedAt": None,
}
EVENT_OUT: dict[str, Any] = {
    "id": "evt-7d9f1b3d5f7a49c1e3a5c7e9b1d3f5a7",
    "type": "order.pendingApproval",
    "occurredAt": _moment("10-02", "14:05:10"),
    "providerId": PROVIDER_ID,
    "resellerId": RESELLER_ID,
    "customerId": CUSTOMER_ID,
    "data": {"orderId": ORDER_ID, "status": "pendingApproval", "source": "storefront",
             "customerPriceTotal": "72.10", "currency": CURRENCY},
}  # fmt: skip
ATTEMPT_OUT: dict[str, Any] = {
    "number": 1,
    "at": _moment("10-02", "14:05:11"),
    "statusCode": 200,
    "error": None,
    "durationMs": 182,
    "round": 0,
}
DELIVERY_OUT: dict[str, Any] = {
    "id": DELIVERY_ID,
    "eventId": EVENT_OUT["id"],
    "eventType": EVENT_OUT["type"],
    "status": "delivered",
    "createdAt": _moment("10-02", "14:05:10"),
    "nextAttemptAt": None,
    "round": 0,
    "attempts": [ATTEMPT_OUT],
    "event": EVENT_OUT,
}
SCHEMA_EXAMPLES.update({
    "EventSubscriptionIn": {"url": EVENT_SUBSCRIPTION_OUT["url"], "events": ["order.pendingApproval", "order.failed"],
                            "description": "Fabrikam's service desk"},
    "EventSubscriptionPatch": {"enabled": False},
    "EventSubscriptionOut": EVENT_SUBSCRIPTION_OUT,
    "EventSubscriptionSecretOut": {**EVENT_SUBSCRIPTION_OUT, "secret": SIGNING_SECRET_EXAMPLE},
    "EventSubscriptionPage": page(EVENT_SUBSCRIPTION_OUT),
    "AttemptOut": ATTEMPT_OUT,
    "EventOut": EVENT_OUT,
    "DeliveryOut": DELIVERY_OUT,
    "DeliveryPage": page(DELIVERY_OUT),
})  # fmt: skip

__all__ = ["MEDIA_EXAMPLES", "OPERATION_PROBLEM_EXAMPLES", "PROBLEM_EXAMPLES", "SCHEMA_EXAMPLES", "continuation_token"]
