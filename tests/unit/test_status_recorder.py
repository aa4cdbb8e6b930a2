"""The record of answers the suite checks the OpenAPI document against (tests/support/statuses.py): each request is
counted under the documented path it is an instance of, and what was never answered is what the check reports."""

from __future__ import annotations

from tests.support.statuses import documented_path, promised, unreached


def test_a_request_counts_under_the_most_literal_documented_path() -> None:
    assert documented_path("/api/providers/consent/callback") == "/api/providers/consent/callback"
    assert documented_path("/api/providers/p-1/consent") == "/api/providers/{provider_id}/consent"
    assert documented_path("/api/orders/o-1/approve") == "/api/orders/{order_id}/approve"
    assert documented_path("/api/storefront/orders") == "/api/storefront/orders"


def test_what_is_not_the_api_is_not_counted() -> None:
    assert documented_path("/v1/customers/c-1/subscriptions") is None
    assert documented_path("/api/nowhere/at/all") is None


def test_what_was_never_answered_is_reported_and_nothing_else() -> None:
    everything = promised()
    assert len(everything) > 300
    answered = {answer for answer in everything if answer[2] != "409"}
    missing = unreached(answered)
    assert missing and all(status == "409" for _, _, status in missing)
    assert unreached(everything) == []
