"""Typed errors for every way a Partner Center call can fail, so callers branch on types, not on status codes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Partner Center's business codes (docs/partner-center.md#errors), grouped by the decision a caller makes on them.
CANCELLATION_WINDOW_CODES = frozenset({900213, 900117})
SEAT_REDUCTION_WINDOW_CODES = frozenset({900214, 900257})
STALE_ETAG_CODES = frozenset({2055})
CART_ALREADY_SUBMITTED_CODES = frozenset({800065})
ORDER_IN_PROGRESS_CODES = frozenset({800060, 800064, 900278})
APP_ONLY_NOT_SUPPORTED_CODES = frozenset({900329})
CUSTOMER_AGREEMENT_MISSING_CODES = frozenset({13605})
INVALID_INPUT_CODES = frozenset({2000, 2001, 600002, 600049, 600050, 600051})
# Custom term end date not a date / not allowed / before the new term (partner-center-api.md §8.1), and
# scheduling changes with auto-renew off (800093, (unconfirmed)).
SCHEDULED_CHANGE_CODES = frozenset({900244, 900245, 900246, 800093})
# (unconfirmed) the code Partner Center answers a transition the subscription is not eligible for.
TRANSITION_NOT_ELIGIBLE_CODES = frozenset({800002})


class PartnerCenterError(Exception):
    """Partner Center refused or failed a call; carries what support needs to trace it."""

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        code: int | str | None = None,
        description: str | None = None,
        source: str | None = None,
        request_id: str | None = None,
        correlation_id: str | None = None,
        data: Any = None,
        retried: bool = False,
    ) -> None:
        self.status = status
        self.code = code
        self.description = description
        self.source = source
        self.request_id = request_id
        self.correlation_id = correlation_id
        self.data = data
        self.retried = retried
        super().__init__(message or self._default_message())

    def _default_message(self) -> str:
        parts = [type(self).__name__]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code is not None:
            parts.append(f"code {self.code}")
        text = " ".join(parts)
        if self.description:
            text += f": {self.description}"
        if self.request_id:
            text += f" (MS-RequestId {self.request_id})"
        return text


class InvalidRequest(PartnerCenterError):
    """400 for malformed input (code 2000 and friends): fix the request, do not retry it."""


class BusinessRuleViolation(PartnerCenterError):
    """400/409 where Partner Center's commerce rules refuse the change (windows, limits, states)."""


class CancellationWindowPassed(BusinessRuleViolation):
    """Cancellation after cancellationAllowedUntilDate (900213 hours, 900117 days)."""


class SeatReductionWindowPassed(BusinessRuleViolation):
    """Seat decrease after the refundable window (900214 hours, 900257 days)."""


class Conflict(BusinessRuleViolation):
    """The resource changed or is busy (409s, stale ETag, an already submitted cart): re-read before acting."""


class StaleEtag(Conflict):
    """400 code 2055 (or 412): the ETag sent in If-Match is no longer current."""


class CartAlreadySubmitted(Conflict):
    """400 code 800065: the cart was checked out before; find its orders instead of buying again."""


class OrderInProgress(Conflict):
    """409 (800060, 800064, 900278): another operation is running; look at the order history later."""


class ScheduledChangeRefused(BusinessRuleViolation):
    """scheduledNextTermInstructions refused: a bad custom term end date (900244-900246) or auto-renew off
    (800093)."""


class TransitionNotEligible(BusinessRuleViolation):
    """A transition (upgrade, trial conversion) the subscription is not eligible for; read the eligibilities."""


class Unauthorized(PartnerCenterError):
    """401: the token was refused (expired, wrong audience, app not registered in Partner Center)."""


class Forbidden(PartnerCenterError):
    """403: the caller may not do this (no relationship with the customer, agreement missing, ...)."""


class AppOnlyNotSupported(Forbidden):
    """403 code 900329: the operation needs an app+user token (Secure Application Model consent)."""


class CustomerAgreementMissing(Forbidden):
    """403 code 13605: the customer has not accepted the Microsoft Customer Agreement (nor the partner attested it)."""


class NotFound(PartnerCenterError):
    """404: the resource does not exist or is not visible to this partner."""


class Throttled(PartnerCenterError):
    """429 beyond what the client may wait: retry after retry_after seconds (schedule, do not spin)."""

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class Unavailable(PartnerCenterError):
    """5xx, timeout or connection failure that outlasted the retries; the outcome of a write is unknown."""


class UnexpectedResponse(PartnerCenterError):
    """An accepted answer whose content cannot be read (missing manifest fields, a price sheet without its columns)."""


class ExportFailed(PartnerCenterError):
    """A Graph reconciliation export ended `failed` for a reason other than "no data" (code 5000)."""


class ExportTimedOut(PartnerCenterError):
    """The export was still running when the wait budget ran out; `operation_url` can be polled again later."""

    def __init__(self, message: str | None = None, *, operation_url: str | None = None, **kwargs: Any) -> None:
        self.operation_url = operation_url
        super().__init__(message, **kwargs)


class AuthenticationFailed(PartnerCenterError):
    """Entra ID refused to issue a token (bad tenant, app, secret or refresh token): nothing reached Partner Center."""

    def __init__(
        self,
        message: str | None = None,
        *,
        error: str | None = None,
        aadsts_code: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.error = error
        self.aadsts_code = aadsts_code
        super().__init__(message, **kwargs)

    def _default_message(self) -> str:
        text = f"token request refused: {self.error or 'error'}"
        if self.aadsts_code is not None:
            text += f" (AADSTS{self.aadsts_code})"
        if self.description:
            text += f": {self.description.splitlines()[0]}"
        return text


class ConsentRequired(AuthenticationFailed):
    """An app+user token is needed but no refresh token is referenced or stored for the provider."""


_AADSTS = re.compile(r"AADSTS(\d+)")


def authentication_failed_from_result(result: Mapping[str, Any]) -> AuthenticationFailed:
    """Turns MSAL's error dict (Entra's OAuth error JSON) into a typed error carrying the AADSTS code."""
    description = str(result.get("error_description") or "")
    codes = result.get("error_codes") or []
    aadsts: int | None = None
    if codes and str(codes[0]).isdigit():
        aadsts = int(codes[0])
    else:
        match = _AADSTS.search(description)
        if match:
            aadsts = int(match.group(1))
    return AuthenticationFailed(
        error=str(result.get("error") or "unknown_error"),
        aadsts_code=aadsts,
        description=description or None,
        code=aadsts,
        correlation_id=result.get("correlation_id"),
    )


def normalise_code(code: Any) -> int | str | None:
    """Codes are numbers in examples and strings in the SDK model: compare them as ints when they are digits."""
    if code is None or isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    text = str(code).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    return text or None


def error_class_for(status: int, code: int | str | None) -> type[PartnerCenterError]:
    """The most specific error type for a status and business code (docs/partner-center.md#errors)."""
    if status == 429:
        return Throttled
    if status >= 500:
        return Unavailable
    if status == 401:
        return Unauthorized
    if status == 403:
        if code in CUSTOMER_AGREEMENT_MISSING_CODES:
            return CustomerAgreementMissing
        return AppOnlyNotSupported if code in APP_ONLY_NOT_SUPPORTED_CODES else Forbidden
    if status == 404:
        return NotFound
    if status == 412 or code in STALE_ETAG_CODES:
        return StaleEtag
    if code in CART_ALREADY_SUBMITTED_CODES:
        return CartAlreadySubmitted
    if code in CANCELLATION_WINDOW_CODES:
        return CancellationWindowPassed
    if code in SEAT_REDUCTION_WINDOW_CODES:
        return SeatReductionWindowPassed
    if code in SCHEDULED_CHANGE_CODES:
        return ScheduledChangeRefused
    if code in TRANSITION_NOT_ELIGIBLE_CODES:
        return TransitionNotEligible
    if status == 409:
        return OrderInProgress if code in ORDER_IN_PROGRESS_CODES else Conflict
    if status == 400:
        if code is None or code in INVALID_INPUT_CODES:
            return InvalidRequest
        return BusinessRuleViolation
    return PartnerCenterError


def error_from_response(
    status: int,
    body: Any,
    *,
    request_id: str | None = None,
    correlation_id: str | None = None,
    retry_after: float | None = None,
    retried: bool = False,
) -> PartnerCenterError:
    """Builds the typed error from an error answer: the {code, description, data, source} body or 429's own shape."""
    code: int | str | None = None
    description: str | None = None
    source: str | None = None
    data: Any = None
    if isinstance(body, Mapping):
        lowered = {str(key).lower(): value for key, value in body.items()}
        nested = lowered.get("error")
        if isinstance(nested, Mapping) and "code" not in lowered:
            # Microsoft Graph wraps its errors: {"error": {"code": "...", "message": "..."}}
            lowered = {str(key).lower(): value for key, value in nested.items()}
        code = normalise_code(lowered.get("code", lowered.get("errorcode")))
        raw_description = lowered.get("description", lowered.get("message"))
        description = None if raw_description is None else str(raw_description)
        source = None if lowered.get("source") is None else str(lowered["source"])
        data = lowered.get("data")
        if code is None and status == 429:
            code = normalise_code(lowered.get("statuscode"))
    elif isinstance(body, str) and body.strip():
        description = body.strip()[:1024]
    cls = error_class_for(status, code)
    kwargs: dict[str, Any] = {
        "status": status,
        "code": code,
        "description": description,
        "source": source,
        "request_id": request_id,
        "correlation_id": correlation_id,
        "data": data,
        "retried": retried,
    }
    if cls is Throttled:
        return Throttled(retry_after=retry_after, **kwargs)
    return cls(**kwargs)
