"""Builds the platform against the test run's own Azurite and sandbox, and signs users' tokens."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.sandbox.keys import load_or_create_user_signing_key
from local.sandbox.tokens import issue_user_token, sign
from shared.config import Settings
from shared.domain.members import Member
from shared.domain.scope import OrgRef, OrgType, Role

PLATFORM_TENANT = "c2a7e0d4-5b1f-4e8a-9f36-7d0b1a2c3e45"
AUDIENCE = "api://csp-platform"


def issuer_of(sandbox: Any) -> str:
    return f"{sandbox.https_url}/{PLATFORM_TENANT}/v2.0"


def platform_settings(azurite_connection: str, sandbox: Any, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "storage_connection_string": azurite_connection,
        "queue_backend": "storage",
        "auth_issuer": issuer_of(sandbox),
        "auth_audience": AUDIENCE,
        "auth_jwks_url": f"{sandbox.https_url}/{PLATFORM_TENANT}/discovery/v2.0/keys",
        "auth_ca_bundle": str(sandbox.ca_cert_path),
        "partner_center_url": sandbox.https_url,
        "partner_center_authority_host": sandbox.https_url,
        "graph_url": sandbox.https_url,
        "price_sheet_url": sandbox.https_url,
        "partner_center_ca_bundle": str(sandbox.ca_cert_path),
        "secret_store": "local",
        "local_secrets_dir": str(sandbox.secrets_dir),
        "signing_secret": "test-signing-secret-0123456789abcdef",
        "public_base_url": "http://testserver",
        "relationship_check_first_delay_seconds": 1,
        "relationship_check_max_delay_seconds": 2,
    }
    values.update(overrides)
    return Settings(**values)


def dead_storage_connection() -> str:
    """A connection string to Azurite's well-known account on a port nothing listens on: storage that is down."""
    from local.azurite import free_port

    dead = f"127.0.0.1:{free_port()}"
    return (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
        f"BlobEndpoint=http://{dead}/devstoreaccount1;QueueEndpoint=http://{dead}/devstoreaccount1;"
        f"TableEndpoint=http://{dead}/devstoreaccount1;"
    )


def user_token(sandbox: Any, oid: str, **claims: Any) -> str:
    """A valid token for `oid`, as Entra would issue it to a user of the platform."""
    if not claims:
        return issue_user_token(
            Path(sandbox.state_dir), issuer=issuer_of(sandbox), audience=AUDIENCE, oid=oid, tid=PLATFORM_TENANT
        )
    key = load_or_create_user_signing_key(Path(sandbox.state_dir))
    now = int(time.time())
    body = {
        "iss": issuer_of(sandbox),
        "aud": AUDIENCE,
        "oid": oid,
        "sub": oid,
        "tid": PLATFORM_TENANT,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "ver": "2.0",
    }
    body.update(claims)
    return sign(key, {k: v for k, v in body.items() if v is not None})


def new_id(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4()}"


def member(user_id: str, org: OrgRef, role: Role) -> Member:
    return Member(user_id=user_id, org=org, role=role, created_at=datetime.now(UTC), created_by="test")


def provider_org() -> OrgRef:
    return OrgRef(OrgType.PROVIDER, new_id("p-"))


def reseller_org(provider: OrgRef) -> OrgRef:
    return OrgRef(OrgType.RESELLER, new_id("r-"), provider_id=provider.org_id)


def customer_org(reseller: OrgRef) -> OrgRef:
    return OrgRef(OrgType.CUSTOMER, new_id("c-"), provider_id=reseller.provider_id, reseller_id=reseller.org_id)
