"""Sign-in: every token defect is a 401; a valid token of a non-member is a 403."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from local.sandbox.keys import load_or_create_user_signing_key
from shared.domain.scope import OrgRef, Role
from tests.support.platform import AUDIENCE, PLATFORM_TENANT, issuer_of


@pytest.fixture(scope="module")
def operator_id(add_member_module: Callable[[OrgRef, Role], str]) -> str:
    return add_member_module(OrgRef.operator(), Role.OPERATOR)


@pytest.fixture(scope="module")
def add_member_module(container: Any) -> Callable[[OrgRef, Role], str]:
    from tests.support.platform import member, new_id

    def add(org: OrgRef, role: Role) -> str:
        user_id = new_id("u-")
        container.members.add(member(user_id, org, role))
        return user_id

    return add


def claims_for(sandbox: Any, user: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": issuer_of(sandbox),
        "aud": AUDIENCE,
        "oid": user,
        "sub": user,
        "tid": PLATFORM_TENANT,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "ver": "2.0",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def signed(sandbox: Any, claims: dict[str, Any]) -> str:
    key = load_or_create_user_signing_key(Path(sandbox.state_dir))
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def assert_unauthorized(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/api/me", headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401
    assert "Bearer" in response.headers.get("www-authenticate", "")


def test_valid_token_of_a_member_is_accepted(client: TestClient, sandbox: Any, operator_id: str) -> None:
    response = client.get(
        "/api/me", headers={"Authorization": f"Bearer {signed(sandbox, claims_for(sandbox, operator_id))}"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "userId": operator_id,
        "tenantId": PLATFORM_TENANT,
        "orgType": "operator",
        "orgId": "platform",
        "role": "operator",
    }


def test_no_token_is_401(client: TestClient) -> None:
    assert_unauthorized(client, {})


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer not-a-jwt", "Bearer a.b.c"])
def test_garbage_is_401(client: TestClient, header: str) -> None:
    assert_unauthorized(client, {"Authorization": header})


def test_wrong_signature_is_401(client: TestClient, sandbox: Any, operator_id: str) -> None:
    real_kid = load_or_create_user_signing_key(Path(sandbox.state_dir)).kid
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims_for(sandbox, operator_id), other_key, algorithm="RS256", headers={"kid": real_kid})
    assert_unauthorized(client, {"Authorization": f"Bearer {token}"})


def test_alg_none_is_401(client: TestClient, sandbox: Any, operator_id: str) -> None:
    kid = load_or_create_user_signing_key(Path(sandbox.state_dir)).kid
    token = f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{b64(claims_for(sandbox, operator_id))}."
    assert_unauthorized(client, {"Authorization": f"Bearer {token}"})


def test_hs256_signed_with_the_public_key_is_401(client: TestClient, sandbox: Any, operator_id: str) -> None:
    key = load_or_create_user_signing_key(Path(sandbox.state_dir))
    public_pem = key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    import hashlib
    import hmac

    header = b64({"alg": "HS256", "typ": "JWT", "kid": key.kid})
    payload = b64(claims_for(sandbox, operator_id))
    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    token = f"{header}.{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    assert_unauthorized(client, {"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"iss": "https://login.microsoftonline.com/other-tenant/v2.0"}, id="wrong-issuer"),
        pytest.param({"aud": "api://someone-else"}, id="wrong-audience"),
        pytest.param(
            {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200, "nbf": int(time.time()) - 7200},
            id="expired",
        ),
        pytest.param({"nbf": int(time.time()) + 3600}, id="not-yet-valid"),
        pytest.param({"exp": None}, id="no-expiry"),
        pytest.param({"oid": None}, id="no-user"),
        pytest.param({"tid": "0b4c7a2e-1d3f-4e5a-8b6c-9d0e1f2a3b4c"}, id="foreign-tenant"),
        pytest.param({"tid": None}, id="no-tenant"),
    ],
)
def test_token_with_bad_claims_is_401(
    client: TestClient, sandbox: Any, operator_id: str, changes: dict[str, Any]
) -> None:
    assert_unauthorized(
        client, {"Authorization": f"Bearer {signed(sandbox, claims_for(sandbox, operator_id, **changes))}"}
    )


def test_small_clock_skew_is_tolerated(client: TestClient, sandbox: Any, operator_id: str) -> None:
    token = signed(sandbox, claims_for(sandbox, operator_id, nbf=int(time.time()) + 20))
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_valid_token_of_someone_who_is_not_a_member_is_403(client: TestClient, sandbox: Any) -> None:
    token = signed(sandbox, claims_for(sandbox, "not-a-member-0000"))
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.json()["type"].endswith("not-a-member")


WRONG_TYPE = {
    "iss": 123,
    "aud": 42,
    "exp": str(int(time.time()) + 600),
    "nbf": str(int(time.time())),
    "iat": str(int(time.time())),
    "sub": 7,
    "oid": ["someone"],
    "tid": 1,
}


@pytest.mark.parametrize("claim", sorted(WRONG_TYPE))
def test_each_claim_rule_refuses_a_token_without_the_claim(
    client: TestClient, sandbox: Any, operator_id: str, claim: str
) -> None:
    """One row of CLAIM_RULES each: the claim is required."""
    from shared.auth.tokens import CLAIM_RULES

    assert claim in CLAIM_RULES
    token = signed(sandbox, claims_for(sandbox, operator_id, **{claim: None}))
    assert_unauthorized(client, {"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("claim", sorted(WRONG_TYPE))
def test_each_claim_rule_refuses_a_claim_of_the_wrong_json_type(
    client: TestClient, sandbox: Any, operator_id: str, claim: str
) -> None:
    """NumericDates are JSON numbers (RFC 7519), not numeric strings; who and where are strings."""
    key = load_or_create_user_signing_key(Path(sandbox.state_dir))
    claims = claims_for(sandbox, operator_id, **{claim: WRONG_TYPE[claim]})
    token = jwt.api_jws.encode(json.dumps(claims).encode(), key.private_key, algorithm="RS256",
                               headers={"kid": key.kid, "typ": "JWT"})  # fmt: skip
    assert_unauthorized(client, {"Authorization": f"Bearer {token}"})


def test_every_claim_rule_has_its_rows_here() -> None:
    from shared.auth.tokens import CLAIM_RULES

    assert set(CLAIM_RULES) == set(WRONG_TYPE)
