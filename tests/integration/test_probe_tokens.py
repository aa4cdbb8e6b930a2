"""The token corpus on a sample of routes of every family (one operation per OpenAPI tag that takes a bearer
token, read from the document, so a new family is sampled without a new test): every defective token is a 401
problem, whatever the route, and the same request with a good token is not."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from functions.http.app import create_app
from local.sandbox.keys import load_or_create_user_signing_key
from shared.bootstrap import Container
from shared.domain.scope import OrgRef, Role
from tests.integration.test_auth import claims_for, signed
from tests.support.platform import member, new_id

pytestmark = pytest.mark.probe


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def corpus(sandbox: Any, user: str) -> dict[str, str]:
    """Every kind of bad token, each otherwise like a good one for `user`."""
    key = load_or_create_user_signing_key(Path(sandbox.state_dir))
    now = int(time.time())
    good = claims_for(sandbox, user)

    def signed_with(**changes: Any) -> str:
        return signed(sandbox, claims_for(sandbox, user, **changes))

    header_none = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": key.kid}).encode())
    payload = _b64(json.dumps(good).encode())
    public_pem = key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header_hs = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": key.kid}).encode())
    mac = hmac.new(public_pem, f"{header_hs}.{payload}".encode(), hashlib.sha256).digest()
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "alg-none": f"{header_none}.{payload}.",
        "hs256-with-the-public-key": f"{header_hs}.{payload}.{_b64(mac)}",
        "wrong-issuer": signed_with(iss="https://login.microsoftonline.com/another-tenant/v2.0"),
        "wrong-audience": signed_with(aud="api://someone-else"),
        "wrong-tenant": signed_with(tid="0b4c7a2e-1d3f-4e5a-8b6c-9d0e1f2a3b4c"),
        "expired": signed_with(exp=now - 3600, iat=now - 7200, nbf=now - 7200),
        "not-yet-valid": signed_with(nbf=now + 3600),
        "unknown-key": jwt.encode(good, stranger, algorithm="RS256", headers={"kid": "not-a-published-key"}),
        "garbage": "this-is-not.a-token",
    }


def sample_of_every_family(document: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """tag -> (method, path with placeholder ids) of its first operation that takes a bearer token."""
    sample: dict[str, tuple[str, str]] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not operation.get("security"):
                continue
            for tag in operation.get("tags", ["untagged"]):
                if tag not in sample:
                    concrete = "/".join("probe-id" if p.startswith("{") else p for p in path.split("/"))
                    sample[tag] = (method.upper(), concrete)
    return sample


def test_every_defective_token_is_401_on_a_route_of_every_family(
    client: TestClient, container: Container, sandbox: Any
) -> None:
    operator = new_id("u-")
    container.members.add(member(operator, OrgRef.operator(), Role.OPERATOR))
    sample = sample_of_every_family(create_app(container).openapi())
    assert len(sample) >= 10, sample
    bad_tokens = corpus(sandbox, operator)
    checked = 0
    accepted: list[str] = []
    for family, (method, path) in sample.items():
        for defect, token in bad_tokens.items():
            answer = client.request(method, path, headers={"Authorization": f"Bearer {token}"}, json={})
            checked += 1
            if answer.status_code != 401 or not answer.headers["content-type"].startswith("application/problem"):
                accepted.append(f"{family} {method} {path} with {defect}: {answer.status_code} {answer.text[:160]}")
    good = signed(sandbox, claims_for(sandbox, operator))
    method, path = sample["members"]
    assert client.request(method, path, headers={"Authorization": f"Bearer {good}"}).status_code != 401
    print(f"\ntoken corpus: {len(bad_tokens)} defects x {len(sample)} families = {checked} requests, "
          f"{len(accepted)} not refused with 401")  # fmt: skip
    assert not accepted, "\n".join(accepted)
