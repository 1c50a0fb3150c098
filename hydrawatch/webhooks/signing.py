"""Standard Webhooks (standardwebhooks.com) secrets and signatures: ``v1,<base64 HMAC-SHA256>`` of
``"<webhook-id>.<webhook-timestamp>.<body>"`` keyed by the secret's base64-decoded bytes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time

PREFIX = "whsec_"
MIN_BYTES, MAX_BYTES = 24, 64


class SecretError(ValueError):
    """A webhook secret not of the form whsec_<base64 of 24-64 bytes>."""


def generate_secret(size: int = 32) -> str:
    """A fresh random secret in the ``whsec_`` form."""
    return PREFIX + base64.b64encode(secrets.token_bytes(size)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret; raises SecretError when malformed."""
    if not isinstance(secret, str) or not secret.startswith(PREFIX):
        raise SecretError("a webhook secret must look like whsec_<base64>")
    try:
        key = base64.b64decode(secret[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise SecretError("the part after whsec_ is not valid base64") from None
    if not MIN_BYTES <= len(key) <= MAX_BYTES:
        raise SecretError(f"a webhook secret must decode to {MIN_BYTES}-{MAX_BYTES} bytes, not {len(key)}")
    return key


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` signature."""
    digest = hmac.new(secret_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def sign_headers(msg_id: str, body: bytes, secrets_: list[str], timestamp: int | None = None) -> dict[str, str]:
    """The three Standard Webhooks headers; one signature per secret (space-separated) during a rotation."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": " ".join(signature(s, msg_id, ts, body) for s in secrets_),
    }
