"""The local gateway checks bearer tokens exactly as the HTTP API's JWT authorizer does."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from sauti import tokens
from sauti_dev.gateway import Unauthorized


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**overrides):
    now = int(time.time())
    claims = {
        "iss": "http://127.0.0.1:3000",
        "aud": "sauti-api",
        "sub": "user-1",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


def _signed(claims, kid=None, key=None):
    current = tokens.key_set().current
    return jwt.encode(
        claims, key or current.private_key, algorithm="RS256", headers={"kid": kid or current.kid}
    )


def test_a_valid_token_reaches_the_function_with_flattened_claims(gateway, token_for):
    claims = gateway.verify_bearer("Bearer " + token_for("user-1", ["moderator", "artist"]))

    assert claims["sub"] == "user-1"
    from sauti_dev.events import http_event

    event = http_event("GET /x", "GET", "/x", claims=claims)
    flattened = event["requestContext"]["authorizer"]["jwt"]["claims"]
    assert flattened["roles"] == "[artist moderator]"
    assert isinstance(flattened["exp"], str)


def _unsigned_token():
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(_claims()).encode())}."


def _hmac_with_public_key():
    public_pem = (
        tokens.key_set()
        .current.private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = _b64(json.dumps({"alg": "HS256", "kid": tokens.key_set().current.kid}).encode())
    payload = _b64(json.dumps(_claims()).encode())
    import hashlib
    import hmac

    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(mac)}"


def _tampered():
    header, _payload, signature = _signed(_claims()).split(".")
    forged = _b64(json.dumps(_claims(sub="someone-else")).encode())
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda: None, id="missing"),
        pytest.param(lambda: "not-a-jwt", id="garbage"),
        pytest.param(_unsigned_token, id="alg-none"),
        pytest.param(lambda: _signed(_claims(), kid="unknown-kid"), id="wrong-kid"),
        pytest.param(_hmac_with_public_key, id="hs256-keyed-with-public-key"),
        pytest.param(_tampered, id="tampered-payload"),
        pytest.param(lambda: _signed(_claims(aud="someone-else")), id="wrong-audience"),
        pytest.param(lambda: _signed(_claims(iss="https://evil.example")), id="wrong-issuer"),
        pytest.param(lambda: _signed(_claims(exp=int(time.time()) - 120)), id="expired"),
    ],
)
def test_bad_tokens_are_refused_before_any_function_runs(gateway, make_token):
    token = make_token()

    with pytest.raises(Unauthorized):
        gateway.verify_bearer(f"Bearer {token}" if token else None)


def test_a_retired_key_stops_verifying(gateway, token_for, monkeypatch):
    token = token_for("user-1")
    gateway.verify_bearer(f"Bearer {token}")

    # the key set no longer lists the key that signed the token
    monkeypatch.setenv("JWT_SIGNING_KEYS", tokens.generate_key_set_json("next"))
    from sauti.config import config

    config.cache_clear()
    gateway.forget_jwks()
    try:
        with pytest.raises(Unauthorized):
            gateway.verify_bearer(f"Bearer {token}")
    finally:
        monkeypatch.undo()
        config.cache_clear()
        gateway.forget_jwks()


def test_like_api_gateway_the_bearer_prefix_is_optional_and_client_id_may_name_the_audience(gateway):
    assert gateway.verify_bearer(_signed(_claims()))["sub"] == "user-1"
    client_claims = _claims()
    client_claims["client_id"] = client_claims.pop("aud")
    assert gateway.verify_bearer("Bearer " + _signed(client_claims))["sub"] == "user-1"
    with pytest.raises(Unauthorized):
        gateway.verify_bearer("Bearer " + _signed(_claims(aud=["other", "another"])))
