"""Throttling and server errors injected by the sandbox: waited, retried, then surfaced as typed errors."""

from __future__ import annotations

from typing import Any

import pytest

from shared.partner_center import RetryPolicy, Throttled, Unavailable
from tests.partner_center.conftest import Control, ProviderClient, build_client


def test_429_is_retried_after_the_retry_after_it_names(dev_client: ProviderClient, faults: Control) -> None:
    dev_client.client.get_legal_business_profile()  # token cached before the faults start
    faults.faults(rate429=1.0, seed=7, retryAfterSeconds=2)
    dev_client.on_sleep = lambda seconds: faults.clear_faults()
    profile = dev_client.client.get_legal_business_profile()
    assert profile.company_name
    assert dev_client.sleeps == [2.0]


def test_429_beyond_the_max_wait_is_raised_as_throttled(
    sandbox: Any, dev_provider: dict[str, Any], tmp_path: Any, faults: Control
) -> None:
    built = build_client(sandbox, dev_provider, tmp_path, retry=RetryPolicy(max_retry_after=1.0))
    built.client.get_legal_business_profile()
    faults.faults(rate429=1.0, seed=7, retryAfterSeconds=5)
    with pytest.raises(Throttled) as raised:
        built.client.get_legal_business_profile()
    assert raised.value.retry_after == 5.0
    assert built.sleeps == []


def test_5xx_is_retried_and_then_succeeds(dev_client: ProviderClient, faults: Control) -> None:
    dev_client.client.get_legal_business_profile()
    faults.faults(rate5xx=1.0, seed=3)
    dev_client.on_sleep = lambda seconds: faults.clear_faults()
    assert dev_client.client.get_legal_business_profile().company_name
    assert len(dev_client.sleeps) == 1


def test_5xx_on_every_attempt_surfaces_as_unavailable(
    sandbox: Any, dev_provider: dict[str, Any], tmp_path: Any, faults: Control
) -> None:
    built = build_client(
        sandbox, dev_provider, tmp_path, retry=RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.02)
    )
    built.client.get_legal_business_profile()
    faults.faults(rate5xx=1.0, seed=3)
    with pytest.raises(Unavailable) as raised:
        built.client.get_legal_business_profile()
    assert raised.value.status in (500, 503)
    assert raised.value.retried
    assert len(built.sleeps) == 2
    assert all(0 <= delay <= 0.02 for delay in built.sleeps)


def test_latency_beyond_the_timeout_is_retried_then_unavailable(
    sandbox: Any, dev_provider: dict[str, Any], tmp_path: Any, faults: Control
) -> None:
    built = build_client(
        sandbox,
        dev_provider,
        tmp_path,
        timeout=0.3,
        retry=RetryPolicy(max_attempts=2, backoff_base=0.01, backoff_max=0.02),
    )
    built.client.get_legal_business_profile()
    faults.faults(latencyMs=1000)
    with pytest.raises(Unavailable) as raised:
        built.client.get_legal_business_profile()
    assert raised.value.status is None
    assert len(built.sleeps) == 1
