"""Outbound events (shared/domain/notifications.py): the signature recipe the README documents, who receives which
event, which URLs an endpoint may have, and when a failing delivery is retried and given up."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.config import settings_problems
from shared.domain.notifications import (
    GIVE_UP_AFTER,
    Endpoint,
    Event,
    EventType,
    addresses_problem,
    delivery_id,
    event_id,
    in_scope,
    next_attempt_at,
    owner_of,
    receives,
    retry_delay,
    signature_header,
    url_problem,
    verify_signature,
)
from shared.domain.scope import OrgRef, OrgType

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 10, 2, 14, 5, 10, tzinfo=UTC)
SECRET = "whsec_test-secret"
BODY = b'{"id":"evt-1","type":"order.failed","data":{"orderId":"ord-1"}}'


def readme_recipe() -> Any:
    """The verify_signature function exactly as README.md#receiving-events prints it."""
    text = (REPO / "README.md").read_text()
    match = re.search(r"<!-- signature-recipe -->\n```python\n(.*?)```\n<!-- /signature-recipe -->", text, re.S)
    assert match, "README.md lost its signature recipe"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), "README.md", "exec"), namespace)  # noqa: S102 - the documented code, run as written
    return namespace["verify_signature"]


# -- signatures ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("verify", [verify_signature, readme_recipe()], ids=["platform", "readme"])
def test_a_delivery_signed_by_the_platform_verifies_with_the_documented_recipe(verify: Any) -> None:
    t = int(NOW.timestamp())
    header = signature_header(SECRET, t, BODY)
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header)
    assert verify(SECRET, header, BODY, t + 10)


@pytest.mark.parametrize("verify", [verify_signature, readme_recipe()], ids=["platform", "readme"])
def test_a_tampered_body_another_secret_or_an_old_timestamp_does_not_verify(verify: Any) -> None:
    t = int(NOW.timestamp())
    header = signature_header(SECRET, t, BODY)
    assert not verify(SECRET, header, BODY.replace(b"ord-1", b"ord-2"), t)
    assert not verify("whsec_another", header, BODY, t)
    assert not verify(SECRET, header, BODY, t + 301)  # more than five minutes later: a replayed capture
    assert not verify(SECRET, header, BODY, t - 301)
    assert verify(SECRET, header, BODY, t + 300)
    assert not verify(SECRET, header.replace(f"t={t}", f"t={t + 1}"), BODY, t)  # the timestamp is signed too
    assert not verify(SECRET, "v1=" + header.split("v1=")[1], BODY, t)  # no timestamp
    assert not verify(SECRET, "garbage", BODY, t)


def test_a_header_with_a_second_signature_verifies_by_either_so_secrets_can_be_rolled() -> None:
    t = int(NOW.timestamp())
    header = signature_header(SECRET, t, BODY) + ",v1=" + "0" * 64
    assert verify_signature(SECRET, header, BODY, t)
    assert readme_recipe()(SECRET, header, BODY, t)


# -- who receives what ------------------------------------------------------------------------------------------------


def endpoint(provider_id: str = "p-1", reseller_id: str | None = None, **changes: Any) -> Endpoint:
    values: dict[str, Any] = {
        "id": "es-1", "provider_id": provider_id, "reseller_id": reseller_id, "url": "https://hooks.example/x",
        "events": frozenset(EventType) - {EventType.PING}, "description": None, "enabled": True,
        "secret_ref": "event-endpoint-es-1", "created_at": NOW, "created_by": "u-1", "updated_at": NOW,
    }  # fmt: skip
    values.update(changes)
    return Endpoint(**values)


def event(provider_id: str = "p-1", reseller_id: str | None = "r-1", kind: EventType = EventType.ORDER_FAILED) -> Event:
    return Event(event_id(kind, "x"), kind, NOW, provider_id, reseller_id, "c-1" if reseller_id else None, {})


def test_a_providers_endpoint_gets_every_event_of_its_provider_and_none_of_another() -> None:
    mine = endpoint()
    assert receives(mine, event(reseller_id="r-1"))
    assert receives(mine, event(reseller_id="r-2"))
    assert receives(mine, event(reseller_id=None, kind=EventType.BILLING_RUN_COMPLETED))
    assert not receives(mine, event(provider_id="p-2"))


def test_a_resellers_endpoint_gets_only_its_own_resellers_events() -> None:
    theirs = endpoint(reseller_id="r-1")
    assert receives(theirs, event(reseller_id="r-1"))
    assert not receives(theirs, event(reseller_id="r-2"))
    assert not receives(theirs, event(reseller_id=None, kind=EventType.BILLING_RUN_COMPLETED))
    assert not receives(theirs, event(provider_id="p-2", reseller_id="r-1"))  # the same id under another provider
    assert not in_scope("p-1", "r-1", event(provider_id="p-2", reseller_id="r-1"))


def test_an_endpoint_gets_only_the_events_it_chose_and_nothing_while_disabled() -> None:
    chosen = endpoint(events=frozenset({EventType.ORDER_PENDING_APPROVAL}))
    assert receives(chosen, event(kind=EventType.ORDER_PENDING_APPROVAL))
    assert not receives(chosen, event(kind=EventType.ORDER_FAILED))
    assert not receives(endpoint(enabled=False), event())
    assert not receives(endpoint(), event(kind=EventType.PING))  # a ping goes to the endpoint it was asked for


def test_only_providers_and_resellers_own_endpoints() -> None:
    assert owner_of(OrgRef(OrgType.PROVIDER, "p-1")) == ("p-1", None)
    assert owner_of(OrgRef(OrgType.RESELLER, "r-1", provider_id="p-1")) == ("p-1", "r-1")
    assert owner_of(OrgRef(OrgType.CUSTOMER, "c-1", provider_id="p-1", reseller_id="r-1")) is None
    assert owner_of(OrgRef.operator()) is None


def test_one_delivery_per_event_and_endpoint() -> None:
    assert delivery_id("evt-1", "es-1") == delivery_id("evt-1", "es-1")
    assert delivery_id("evt-1", "es-1") != delivery_id("evt-1", "es-2")
    assert event_id(EventType.ORDER_FAILED, "ord-1") == event_id(EventType.ORDER_FAILED, "ord-1")
    assert event_id(EventType.ORDER_FAILED, "ord-1") != event_id(EventType.ORDER_PENDING_APPROVAL, "ord-1")


# -- URLs ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/x", "must be https"),
        ("ftp://hooks.example.com/x", "must be an absolute https URL"),
        ("https:///x", "must be an absolute https URL"),
        ("https://user:pw@hooks.example.com/x", "must not carry credentials"),
        ("https://api.platform.example/hook", "must not be the platform's own host"),
        ("https://API.PLATFORM.EXAMPLE:8443/hook", "must not be the platform's own host"),
        ("http://127.0.0.1:7072/x", "must be https"),  # loopback only where it is allowed
    ],
)
def test_a_url_deliveries_may_not_go_to_is_refused_with_its_reason(url: str, reason: str) -> None:
    problem = url_problem(url, allow_loopback=False, own_base_urls=["https://api.platform.example"])
    assert problem is not None and problem.startswith(reason), problem


def test_the_local_stack_may_deliver_over_http_to_loopback_but_not_to_its_own_api() -> None:
    own = ["http://127.0.0.1:7071"]
    assert url_problem("http://127.0.0.1:7072/_sandbox/receivers/a", allow_loopback=True, own_base_urls=own) is None
    assert url_problem("http://localhost:7072/x", allow_loopback=True, own_base_urls=own) is None
    assert url_problem("http://127.0.0.1:7071/api/x", allow_loopback=True, own_base_urls=own) is not None
    assert url_problem("http://10.0.0.5/x", allow_loopback=True, own_base_urls=own) == "must be https"
    assert url_problem("https://hooks.example.com/x", allow_loopback=False, own_base_urls=own) is None


@pytest.mark.parametrize(
    ("address", "what"),
    [
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata endpoint
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("fd00::1", "private"),
        ("fe80::1", "link-local"),
        ("::ffff:10.0.0.1", "private"),  # an IPv4-mapped private address
        ("100.64.0.1", "not public"),  # carrier-grade NAT
    ],
)
def test_an_address_that_is_not_public_is_refused(address: str, what: str) -> None:
    problem = addresses_problem([address], allow_loopback=False)
    assert problem is not None and what in problem, problem


def test_one_private_address_among_public_ones_is_refused_and_loopback_only_where_allowed() -> None:
    assert addresses_problem(["93.184.216.34"], allow_loopback=False) is None
    assert addresses_problem(["2606:2800:220:1:248:1893:25c8:1946"], allow_loopback=False) is None
    assert addresses_problem(["93.184.216.34", "10.0.0.1"], allow_loopback=False) is not None
    assert addresses_problem(["127.0.0.1"], allow_loopback=True) is None
    assert addresses_problem([], allow_loopback=True) == "does not resolve"


def test_loopback_webhooks_are_refused_in_azure() -> None:
    from tests.process.test_settings_validation import production_settings

    problems = settings_problems(production_settings(event_webhooks_allow_loopback=True), production=True)
    assert "EVENT_WEBHOOKS_ALLOW_LOOPBACK" in problems


# -- retries ---------------------------------------------------------------------------------------------------------


def test_a_failing_delivery_backs_off_then_every_six_hours() -> None:
    assert [retry_delay(n) for n in range(1, 8)] == [
        timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
        timedelta(hours=6), timedelta(hours=6), timedelta(hours=6),
    ]  # fmt: skip


def test_a_delivery_is_tried_for_a_day_then_dead_lettered() -> None:
    first = NOW
    at, failures, schedule = first, 0, [first]
    while True:
        failures += 1
        following = next_attempt_at(first, failures, at)
        if following is None:
            break
        at = following
        schedule.append(at)
    assert schedule[1] - schedule[0] == timedelta(minutes=1)
    assert schedule[-1] == first + GIVE_UP_AFTER  # the last attempt is a day after the first
    assert len(schedule) == 9
    assert next_attempt_at(first, 3, first + timedelta(hours=23, minutes=50)) == first + GIVE_UP_AFTER
    assert next_attempt_at(first, 9, first + GIVE_UP_AFTER) is None
