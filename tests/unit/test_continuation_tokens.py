"""Continuation tokens are opaque and tamper-evident: a forged one is refused, never followed."""

from __future__ import annotations

import base64

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.storage.paging import ContinuationTokens, InvalidContinuationToken

TOKENS = ContinuationTokens("a-signing-secret-for-tests-only")
POSITION = {"PartitionKey": "provider:pa", "RowKey": "r-0042"}


def test_a_token_round_trips_for_the_same_caller_and_query() -> None:
    token = TOKENS.encode(POSITION, binding="alice|audit|x")
    assert token is not None
    assert TOKENS.decode(token, binding="alice|audit|x") == POSITION


def test_no_position_means_no_token() -> None:
    assert TOKENS.encode(None, binding="b") is None
    assert TOKENS.decode(None, binding="b") is None


def test_a_token_from_another_caller_is_refused() -> None:
    token = TOKENS.encode(POSITION, binding="alice|audit|x")
    with pytest.raises(InvalidContinuationToken):
        TOKENS.decode(token, binding="mallory|audit|x")


def test_an_edited_position_is_refused() -> None:
    token = TOKENS.encode(POSITION, binding="alice")
    assert token is not None
    _, mac = token.split(".")
    forged_payload = base64.urlsafe_b64encode(orjson.dumps({"PartitionKey": "provider:pb", "RowKey": ""}))
    with pytest.raises(InvalidContinuationToken):
        TOKENS.decode(forged_payload.decode().rstrip("=") + "." + mac, binding="alice")


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = ContinuationTokens("another-secret-entirely-0000").encode(POSITION, binding="alice")
    with pytest.raises(InvalidContinuationToken):
        TOKENS.decode(token, binding="alice")


@given(st.text(max_size=200))
def test_arbitrary_text_is_refused_not_crashed_on(garbage: str) -> None:
    with pytest.raises(InvalidContinuationToken):
        TOKENS.decode(garbage or "x", binding="alice")
