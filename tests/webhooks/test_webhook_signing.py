"""Signatures checked by the reference ``standardwebhooks`` library: valid, wrong secret, replayed timestamp,
tampered body, rotation (two signatures), malformed secrets."""

from __future__ import annotations

import time

import orjson
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from hydrawatch.webhooks.signing import SecretError, generate_secret, secret_key, sign_headers

BODY = orjson.dumps({"alert_id": "cmp-1-v1", "campaign_id": "cmp-1", "version": 1, "note": "é ☃"})


def test_signature_verifies_with_the_reference_library(secret: str) -> None:
    headers = sign_headers("cmp-1-v1", BODY, [secret])
    assert Webhook(secret).verify(BODY, headers)["alert_id"] == "cmp-1-v1"
    assert headers["webhook-id"] == "cmp-1-v1"
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 5
    assert headers["webhook-signature"].startswith("v1,")


def test_wrong_secret_fails(secret: str) -> None:
    headers = sign_headers("cmp-1-v1", BODY, [secret])
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(generate_secret()).verify(BODY, headers)


def test_replayed_old_timestamp_fails(secret: str) -> None:
    old = sign_headers("cmp-1-v1", BODY, [secret], timestamp=int(time.time()) - 600)
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(BODY, old)
    # moving the timestamp forward without re-signing breaks the signature
    forged = {**old, "webhook-timestamp": str(int(time.time()))}
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(secret).verify(BODY, forged)


def test_tampered_body_or_id_fails(secret: str) -> None:
    headers = sign_headers("cmp-1-v1", BODY, [secret])
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace(b"cmp-1", b"cmp-2"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, {**headers, "webhook-id": "cmp-1-v2"})


def test_rotation_signs_with_both_secrets(secret: str) -> None:
    new = generate_secret()
    headers = sign_headers("cmp-1-v1", BODY, [new, secret])
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(BODY, headers) and Webhook(secret).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(BODY, headers)


@pytest.mark.parametrize("bad", ["", "secret", "whsec_", "whsec_not base64!", "whsec_c2hvcnQ=", 42])
def test_malformed_secrets_are_refused(bad: object) -> None:
    with pytest.raises(SecretError):
        secret_key(bad)  # type: ignore[arg-type]


def test_generated_secrets_have_the_whsec_form() -> None:
    assert len(secret_key(generate_secret())) == 32
