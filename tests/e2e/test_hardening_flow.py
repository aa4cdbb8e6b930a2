"""What an outside probe found, tried again through the running stack (`local.run`, over HTTP) as a newcomer
would: every case is a problem-details 4xx (or the 401 or 503 it should be), never a 500 or a dropped
connection, and nothing is bought. The last test stops the stack's Azurite: it runs last."""

from __future__ import annotations

import base64
import os
import signal
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
import requests

from tests.e2e.conftest import Market, RunningStack, control, eventually, ready_to_sell, start_stack
from tests.e2e.test_local_stack import _pid_of

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    stack = start_stack(tmp_path_factory.mktemp("hardening-stack"), RELATIONSHIP_CHECK_FIRST_DELAY_SECONDS="1",
                        RELATIONSHIP_CHECK_MAX_DELAY_SECONDS="3")  # fmt: skip
    operator = stack.session(stack.wait_for("operator: "))
    stack.wait_for("ready: ")
    app = control(stack, "POST", "providers", {"name": "Probe Distribution"})
    provider = operator.post(f"{stack.api}/providers", json={"name": "Probe Distribution", "partnerCenter": {
        "tenantId": app["tenantId"], "clientId": app["clientId"], "clientSecretRef": app["clientSecretRef"],
        "refreshTokenRef": app["refreshTokenRef"]}}, timeout=60)  # fmt: skip
    assert provider.status_code == 201, provider.text
    admin_id = f"probe-admin-{uuid.uuid4()}"
    added = operator.post(f"{stack.api}/members", json={"userId": admin_id, "orgType": "provider",
                          "orgId": provider.json()["id"], "role": "provider.admin"}, timeout=30)  # fmt: skip
    assert added.status_code == 201, added.text
    yield {"stack": stack, "admin": stack.session(admin_id), "api": stack.api, "provider": provider.json()}
    stack.stop()


def problem(answer: requests.Response, *statuses: int) -> dict[str, Any]:
    assert answer.status_code in statuses, (answer.status_code, answer.text[:300])
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.headers
    return answer.json()  # type: ignore[no-any-return]


def test_a_month_that_does_not_exist_is_refused(running: dict[str, Any]) -> None:
    admin, api = running["admin"], running["api"]
    problem(admin.get(f"{api}/billing/runs", params={"period": "0000-01"}, timeout=30), 422)
    problem(admin.post(f"{api}/billing/runs", json={"period": "0000-01", "kind": "billed"}, timeout=30), 422)


def test_an_id_of_thirty_thousand_characters_is_a_4xx(running: dict[str, Any]) -> None:
    admin, api = running["admin"], running["api"]
    for family in ("customers", "orders", "subscriptions"):
        answer = admin.get(f"{api}/{family}/{'x' * 30_000}", timeout=30)
        assert 400 <= answer.status_code < 500, (family, answer.status_code)


def test_a_market_partner_center_does_not_sell_in_is_422(running: dict[str, Any]) -> None:
    refused = problem(running["admin"].post(f"{running['api']}/catalog/sync", json={"country": "AA"}, timeout=60), 422)
    assert any(error["field"] == "country" for error in refused["errors"]), refused


def test_numbers_are_strict_in_bodies_and_queries(running: dict[str, Any]) -> None:
    admin, api = running["admin"], running["api"]
    for quantity in ("3", True, 3.0):
        line = {"catalogItemId": "P:S:A:P1M:monthly", "quantity": quantity, "termDuration": "P1M",
                "billingCycle": "monthly"}  # fmt: skip
        refused = problem(admin.post(f"{api}/orders", json={"customerId": "c", "lines": [line]}, timeout=30), 422)
        assert any(error["field"] == "lines[0].quantity" for error in refused["errors"]), refused
    refused = problem(admin.get(f"{api}/resellers", params={"limit": "3.0"}, timeout=30), 422)
    assert refused["errors"] == [{"field": "limit", "message": "must be a whole number written in digits"}], refused


def test_a_filter_naming_someone_outside_the_callers_scope_is_404(running: dict[str, Any]) -> None:
    problem(running["admin"].get(f"{running['api']}/customers", params={"resellerId": "nobody"}, timeout=30), 404)


def test_free_text_with_control_or_bidi_characters_is_422(running: dict[str, Any]) -> None:
    admin, api = running["admin"], running["api"]
    for name in ("Fabrikam\u202eTI", "Fabrikam\x00", "Fab\x07rikam"):
        body = {"partnerId": "1234567", "name": name, "contactEmail": "it@f.example"}
        problem(admin.post(f"{api}/reseller-invitations", json=body, timeout=30), 422)
    assert admin.get(f"{api}/resellers", timeout=30).json()["items"] == []  # nothing was created


def test_a_wrong_method_names_every_method_of_the_path_and_the_document_says_so(running: dict[str, Any]) -> None:
    api = running["api"]
    answer = problem(running["admin"].put(f"{api}/customers/some-id", json={}, timeout=30), 405)
    assert answer["status"] == 405
    allowed = {m.strip() for m in running["admin"].put(f"{api}/customers/some-id", timeout=30).headers["Allow"]
               .split(",")}  # fmt: skip
    assert {"GET", "PATCH"} <= allowed
    document = requests.get(f"{api}/openapi.json", timeout=30).json()
    orders = document["paths"]["/api/orders"]["post"]["responses"]
    assert {"400", "413", "422"} <= orders.keys()
    assert list(orders["422"]["content"]) == ["application/problem+json"]


def test_a_body_of_another_media_type_is_415_and_a_key_named_twice_422(running: dict[str, Any]) -> None:
    admin, api = running["admin"], running["api"]
    body = '{"partnerId": "1234567", "name": "Fabrikam", "contactEmail": "it@f.example"}'
    for media_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        answer = admin.post(f"{api}/reseller-invitations", data=body, headers={"Content-Type": media_type}, timeout=30)
        assert "application/json" in problem(answer, 415)["detail"]
    twice = '{"partnerId": "1234567", "name": "Fabrikam", "name": "Northwind", "contactEmail": "it@f.example"}'
    problem(admin.post(f"{api}/reseller-invitations", data=twice, headers={"Content-Type": "application/json"},
                       timeout=30), 422)  # fmt: skip
    assert admin.get(f"{api}/resellers", timeout=30).json()["items"] == []


def test_a_chunked_body_over_the_limit_is_413(running: dict[str, Any]) -> None:
    padding = "x" * 1_100_000  # over the local MAX_BODY_BYTES (1 MiB)
    chunks = iter([b'{"partnerId": "1234567", "name": "', padding.encode(), b'", "contactEmail": "it@f.example"}'])
    answer = running["admin"].post(f"{running['api']}/reseller-invitations", data=chunks,
                                   headers={"Content-Type": "application/json"}, timeout=60)  # fmt: skip
    problem(answer, 413)


def test_a_token_with_a_claim_of_the_wrong_type_or_missing_is_401(running: dict[str, Any]) -> None:
    import jwt

    from local.sandbox.keys import load_or_create_user_signing_key
    from local.settings import effective_values, platform_tenant_id

    stack: RunningStack = running["stack"]
    values = effective_values(stack.data_dir)
    key = load_or_create_user_signing_key(stack.data_dir / "sandbox")
    user = stack.wait_for("operator: ")
    now = int(time.time())
    good = {"iss": values["AUTH_ISSUER"], "aud": values["AUTH_AUDIENCE"], "oid": user, "sub": user,
            "tid": platform_tenant_id(values["AUTH_ISSUER"]), "iat": now, "nbf": now, "exp": now + 600}  # fmt: skip
    for changed in ({"exp": str(now + 600)}, {"nbf": None}, {"sub": None}):
        claims = {k: v for k, v in {**good, **changed}.items() if v is not None}
        token = jwt.api_jws.encode(orjson.dumps(claims), key.private_key, algorithm="RS256", headers={"kid": key.kid})
        answer = requests.get(f"{running['api']}/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        problem(answer, 401)
    token = jwt.encode(good, key.private_key, algorithm="RS256", headers={"kid": key.kid})
    assert requests.get(f"{running['api']}/me", headers={"Authorization": f"Bearer {token}"}, timeout=30).ok


@pytest.fixture(scope="module")
def seller(running: dict[str, Any]) -> Market:
    """Another provider on the same stack, with a reseller and an active customer (its events are the ones
    replayed at the probe provider's URL)."""
    return ready_to_sell(running["stack"], "Webhook Distribution", catalog=False)


def signed_event(stack: RunningStack, event_name: str, resource_uri: str) -> tuple[bytes, dict[str, str]]:
    """An event signed as the stack's Partner Center signs one: its webhook signing key, its certificate URL."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    body = orjson.dumps({"EventName": event_name, "ResourceUri": resource_uri, "ResourceName": "subscription",
                         "AuditUri": None, "ResourceChangeUtcDate": datetime.now(UTC).isoformat()})  # fmt: skip
    key = serialization.load_pem_private_key((stack.data_dir / "sandbox" / "webhook-signing-key.pem").read_bytes(),
                                             password=None)  # fmt: skip
    assert isinstance(key, rsa.RSAPrivateKey)
    signature = base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()
    certificate = control(stack, "GET", "webhooks/certificate")["certificateUrl"]
    return body, {"Authorization": f"Signature {signature}", "X-MS-Certificate-Url": certificate,
                  "X-MS-Signature-Algorithm": "rsa-sha256", "Content-Type": "application/json"}  # fmt: skip


def deliver(stack: RunningStack, provider_id: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(f"{stack.api}/webhooks/partner-center", params={"provider": provider_id}, data=body,
                         headers=headers, timeout=60)  # fmt: skip


def test_twenty_parallel_copies_of_one_event_queue_it_once(running: dict[str, Any], seller: Market) -> None:
    stack: RunningStack = running["stack"]
    pc = control(stack, "GET", "webhooks/certificate")["certificateUrl"].split("/cert/")[0]
    for _ in range(10):
        resource = f"{pc}/webhooks/v1/customers/{seller.tenant_id}/subscriptions/{uuid.uuid4()}"
        body, headers = signed_event(stack, "subscription-updated", resource)
        with ThreadPoolExecutor(max_workers=20) as pool:
            copies = [pool.submit(deliver, stack, seller.provider_id, body, headers) for _ in range(20)]
            answers = [copy.result() for copy in copies]
        first = [a for a in answers if a.status_code == 200 and a.json()["duplicate"] is False]
        assert len(first) == 1, [(a.status_code, a.text[:120]) for a in answers]
        for other in answers:  # every other copy is a replay, or told to come back while the first queues it
            assert (other.status_code, other.status_code == 503 and "Retry-After" in other.headers) in (
                (200, False), (503, True)), (other.status_code, other.text[:200])  # fmt: skip
        again = deliver(stack, seller.provider_id, body, headers)
        assert again.status_code == 200 and again.json()["duplicate"] is True


def test_an_event_is_bound_to_the_provider_whose_url_received_it(running: dict[str, Any], seller: Market) -> None:
    stack: RunningStack = running["stack"]
    probe = running["provider"]["id"]
    pc = control(stack, "GET", "webhooks/certificate")["certificateUrl"].split("/cert/")[0]
    theirs = signed_event(stack, "subscription-updated",
                          f"{pc}/webhooks/v1/customers/{seller.tenant_id}/subscriptions/{uuid.uuid4()}")  # fmt: skip
    for _ in range(3):  # replayed: refused each time, written to the trail once
        assert "another provider" in problem(deliver(stack, probe, *theirs), 401)["detail"]
    unknown = signed_event(stack, "subscription-updated",
                           f"{pc}/webhooks/v1/customers/{uuid.uuid4()}/subscriptions/{uuid.uuid4()}")  # fmt: skip
    assert "does not have" in problem(deliver(stack, probe, *unknown), 401)["detail"]
    hint = signed_event(
        stack, "reseller-relationship-accepted-by-customer", f"{pc}/webhooks/v1/customers/{uuid.uuid4()}"
    )
    assert deliver(stack, probe, *hint).status_code == 200  # a hint: one check of the probe's own invitations
    invoice = signed_event(stack, "invoice-ready", f"{pc}/webhooks/v1/invoices/D0{uuid.uuid4().hex[:8]}")
    assert deliver(stack, probe, *invoice).status_code == 200  # names no customer: no effect
    trail = running["admin"].get(f"{stack.api}/audit", params={"actorId": "partner-center-webhook"}, timeout=30)
    assert trail.status_code == 200, trail.text
    refusals = sorted((e["action"], e["after"]["reason"]) for e in trail.json()["items"])
    assert refusals == [("webhook.refused", "unknown_customer"), ("webhook.refused", "wrong_provider")]
    theirs_trail = seller.admin.get(f"{stack.api}/audit", params={"actorId": "partner-center-webhook"}, timeout=30)
    assert theirs_trail.status_code == 200 and theirs_trail.json()["items"] == []  # the probe's refusals are its own


def test_pricing_has_an_etag_from_its_first_read(seller: Market, running: dict[str, Any]) -> None:
    url = f"{running['api']}/customers/{seller.customer_id}/pricing"
    first = seller.admin.get(url, timeout=30)
    assert first.status_code == 200 and first.headers.get("ETag"), first.headers
    body = {"margin": "0.10", "overrides": []}
    stored = seller.admin.put(url, json=body, headers={"If-Match": first.headers["ETag"]}, timeout=30)
    assert stored.status_code == 200, stored.text
    assert stored.headers["ETag"] != first.headers["ETag"]
    problem(seller.admin.put(url, json=body, headers={"If-Match": first.headers["ETag"]}, timeout=30), 412)


def test_with_storage_frozen_health_is_503_with_retry_after_until_it_thaws(running: dict[str, Any]) -> None:
    stack: RunningStack = running["stack"]
    azurite = _pid_of("azurite", stack.data_dir)
    os.kill(azurite, signal.SIGSTOP)  # it accepts connections and answers nothing
    try:
        health = requests.get(f"{running['api']}/health", timeout=60)
        assert health.status_code == 503 and int(health.headers["Retry-After"]) > 0, (health.status_code, health.text)
    finally:
        os.kill(azurite, signal.SIGCONT)
    eventually(lambda: requests.get(f"{running['api']}/health", timeout=60).status_code, lambda code: code == 200)


def test_with_storage_down_a_request_is_a_fast_503_with_retry_after(running: dict[str, Any]) -> None:
    stack: RunningStack = running["stack"]
    os.kill(_pid_of("azurite", stack.data_dir), signal.SIGKILL)
    answer = running["admin"].get(f"{running['api']}/resellers", timeout=60)  # the SDK's own back-off: minutes
    problem(answer, 503)
    assert int(answer.headers["Retry-After"]) > 0
