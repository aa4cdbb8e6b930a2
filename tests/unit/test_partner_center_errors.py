"""Error mapping: every Partner Center answer becomes the typed error callers branch on."""

from __future__ import annotations

import pytest

from shared.partner_center.errors import (
    AppOnlyNotSupported,
    AuthenticationFailed,
    BusinessRuleViolation,
    CancellationWindowPassed,
    CartAlreadySubmitted,
    Conflict,
    ConsentRequired,
    CustomerAgreementMissing,
    Forbidden,
    InvalidRequest,
    NotFound,
    OrderInProgress,
    PartnerCenterError,
    SeatReductionWindowPassed,
    StaleEtag,
    Throttled,
    Unauthorized,
    Unavailable,
    authentication_failed_from_result,
    error_from_response,
)


def body(code: object, description: str = "x") -> dict[str, object]:
    return {"code": code, "description": description, "data": [], "source": "PartnerFD"}


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, 800065, CartAlreadySubmitted),
        (400, 900213, CancellationWindowPassed),
        (400, 900117, CancellationWindowPassed),
        (400, 900214, SeatReductionWindowPassed),
        (400, 900257, SeatReductionWindowPassed),
        (400, 2055, StaleEtag),
        (412, None, StaleEtag),
        (409, 800064, OrderInProgress),
        (409, 800060, OrderInProgress),
        (409, 12345, Conflict),
        (400, 2000, InvalidRequest),
        (400, 800090, BusinessRuleViolation),
        (403, 900329, AppOnlyNotSupported),
        (403, 13605, CustomerAgreementMissing),
        (403, 20002, Forbidden),
        (401, None, Unauthorized),
        (404, 20003, NotFound),
        (429, None, Throttled),
        (503, None, Unavailable),
        (418, None, PartnerCenterError),
    ],
)
def test_status_and_code_map_to_the_typed_error(status: int, code: int | None, expected: type) -> None:
    error = error_from_response(status, body(code) if code else None, request_id="r-1")
    assert type(error) is expected
    assert error.status == status
    assert error.request_id == "r-1"


def test_business_errors_share_one_base_so_callers_can_catch_them_together() -> None:
    for code in (800065, 900213, 900214, 2055):
        assert isinstance(error_from_response(400, body(code)), BusinessRuleViolation)
    assert isinstance(error_from_response(409, body(800064)), BusinessRuleViolation)


def test_a_refused_token_is_a_partner_center_error_so_one_except_catches_both() -> None:
    assert issubclass(AuthenticationFailed, PartnerCenterError)
    assert issubclass(ConsentRequired, PartnerCenterError)


def test_string_codes_compare_as_numbers() -> None:
    error = error_from_response(400, body("800065"))
    assert isinstance(error, CartAlreadySubmitted)
    assert error.code == 800065


def test_error_keeps_description_source_and_data_for_support() -> None:
    error = error_from_response(400, {"Code": 900213, "Description": "168-hour window", "Source": "PartnerFD"})
    assert error.code == 900213
    assert error.description == "168-hour window"
    assert error.source == "PartnerFD"
    assert "900213" in str(error)


def test_throttled_carries_retry_after_and_the_429_message() -> None:
    error = error_from_response(429, {"statusCode": 429, "message": "Rate limit is exceeded."}, retry_after=57.0)
    assert isinstance(error, Throttled)
    assert error.retry_after == 57.0
    assert error.description == "Rate limit is exceeded."


def test_non_json_error_body_becomes_the_description() -> None:
    error = error_from_response(502, "<html>Bad gateway</html>")
    assert isinstance(error, Unavailable)
    assert error.description == "<html>Bad gateway</html>"


def test_entra_error_becomes_authentication_failed_with_the_aadsts_code() -> None:
    error = authentication_failed_from_result(
        {
            "error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1",
            "error_codes": [7000215],
        }
    )
    assert isinstance(error, AuthenticationFailed)
    assert error.error == "invalid_client"
    assert error.aadsts_code == 7000215
    assert "AADSTS7000215" in str(error)


def test_aadsts_code_is_read_from_the_description_when_codes_are_missing() -> None:
    error = authentication_failed_from_result({"error": "invalid_grant", "error_description": "AADSTS70000: bad"})
    assert error.aadsts_code == 70000
