"""Partner Center webhook deliveries as the sandbox signs them, and the settings that trust its signing root."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def sign_event(sandbox: Any, body: bytes) -> dict[str, str]:
    """Signs as the sandbox's Partner Center does, with its webhook signing key and certificate URL."""
    state = Path(sandbox.state_dir)
    key = serialization.load_pem_private_key((state / "webhook-signing-key.pem").read_bytes(), password=None)
    signature = key.sign(body, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
    certificate = requests.get(f"{sandbox.http_url}/_sandbox/webhooks/certificate", timeout=10).json()
    return {
        "Authorization": f"Signature {base64.b64encode(signature).decode()}",
        "X-MS-Certificate-Url": certificate["certificateUrl"],
        "X-MS-Signature-Algorithm": "rsa-sha256",
        "Content-Type": "application/json",
    }


def trusting_the_sandbox(sandbox: Any) -> dict[str, str]:
    """Settings under which the app trusts exactly the sandbox's webhook root and host."""
    return {
        "webhook_trusted_cert_hosts": urlsplit(sandbox.https_url).netloc,  # the sandbox serves it on its own port
        "webhook_trusted_roots": str(Path(sandbox.state_dir) / "webhook-root-ca.pem"),
    }
