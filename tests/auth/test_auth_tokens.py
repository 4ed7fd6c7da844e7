"""Access tokens against a real protected route (GET /me), the published keys, and key rotation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from sauti import tokens
from sauti.config import config
from sauti.core_settings import TokenSettings
from sauti.settings import settings


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(sub: str, **overrides) -> dict:
    now = int(time.time())
    return {
        "iss": settings(TokenSettings).jwt_issuer,
        "aud": "sauti-api",
        "sub": sub,
        "iat": now,
        "exp": now + 600,
        **overrides,
    }


def _signed(claims: dict, kid: str | None = None) -> str:
    current = tokens.key_set().current
    return jwt.encode(claims, current.private_key, algorithm="RS256", headers={"kid": kid or current.kid})


def _alg_none(sub: str) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": tokens.key_set().current.kid}).encode())
    return f"{header}.{_b64(json.dumps(_claims(sub)).encode())}."


def _hmac_keyed_with_the_public_key(sub: str) -> str:
    public_pem = (
        tokens.key_set()
        .current.private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": tokens.key_set().current.kid}).encode())
    payload = _b64(json.dumps(_claims(sub)).encode())
    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(mac)}"


def _tampered(sub: str) -> str:
    header, _payload, signature = _signed(_claims(sub)).split(".")
    return f"{header}.{_b64(json.dumps(_claims(sub, roles=['super_admin'])).encode())}.{signature}"


BAD_TOKENS = {
    "alg-none": _alg_none,
    "wrong-kid": lambda sub: _signed(_claims(sub), kid="no-such-key"),
    "hs256-keyed-with-the-public-key": _hmac_keyed_with_the_public_key,
    "tampered-payload": _tampered,
    "wrong-audience": lambda sub: _signed(_claims(sub, aud="another-api")),
    "wrong-issuer": lambda sub: _signed(_claims(sub, iss="https://evil.example")),
    "expired": lambda sub: _signed(_claims(sub, iat=int(time.time()) - 1000, exp=int(time.time()) - 120)),
    "signed-by-another-key": lambda sub: jwt.encode(
        _claims(sub),
        tokens.parse_key_set(tokens.generate_key_set_json()).current.private_key,
        algorithm="RS256",
        headers={"kid": tokens.key_set().current.kid},
    ),
}


@pytest.mark.parametrize("name", list(BAD_TOKENS))
def test_bad_tokens_get_api_gateways_401_on_a_protected_route(api, new_user, name):
    user = new_user()
    assert api.get("/me", token=_signed(_claims(user.id))).status == 200  # the same claims, well signed

    response = api.get("/me", token=BAD_TOKENS[name](user.id))

    assert response.status == 401
    assert response.json() == {"message": "Unauthorized"}


def test_the_jwks_publishes_rsa_public_keys_named_by_kid(api):
    keys = api.get("/.well-known/jwks.json").json()["keys"]

    assert [key["kid"] for key in keys] == [tokens.key_set().current.kid]
    assert all(key["kty"] == "RSA" and key["alg"] == "RS256" and "d" not in key for key in keys)


def test_the_discovery_document_names_the_issuer_and_the_jwks(api):
    document = api.get("/.well-known/openid-configuration").json()

    assert document["issuer"] == settings(TokenSettings).jwt_issuer
    assert document["jwks_uri"] == settings(TokenSettings).jwt_issuer + "/.well-known/jwks.json"


@pytest.fixture
def key_file_setting(monkeypatch, gateway):
    """Set JWT_SIGNING_KEYS as an operator would in the secret, and make every cache see it."""

    def apply(key_set_json: str) -> None:
        monkeypatch.setenv("JWT_SIGNING_KEYS", key_set_json)
        config.cache_clear()
        gateway.forget_jwks()  # API Gateway re-reads the JWKS within minutes; the local one on demand

    yield apply
    monkeypatch.undo()
    config.cache_clear()
    gateway.forget_jwks()


def _with_key(key_set_json: str, kid: str, *, current: bool) -> str:
    document = json.loads(key_set_json)
    added = json.loads(tokens.generate_key_set_json(kid))["keys"][0]
    document["keys"].append(added)
    if current:
        document["current"] = kid
    return json.dumps(document)


def test_a_second_key_becomes_current_without_logging_anyone_out(api, signup, key_file_setting):
    from sauti.config import config
    from sauti.tokens import key_set

    key_set()  # makes sure the local key set exists
    original = (config().data_dir / "secrets" / "jwt-signing-keys.json").read_text()
    account = signup()
    old_kid = jwt.get_unverified_header(account["access_token"])["kid"]

    # 1. add the new key, published but not yet signing
    key_file_setting(_with_key(original, "next", current=False))
    assert {k["kid"] for k in api.get("/.well-known/jwks.json").json()["keys"]} == {old_kid, "next"}
    assert api.get("/me", token=account["access_token"]).status == 200

    # 2. make it current: new tokens carry the new kid, old ones still verify
    both = _with_key(original, "next", current=True)
    key_file_setting(both)
    refreshed = api.post("/auth/refresh", json={"refresh_token": account["refresh_token"]}).json()
    assert jwt.get_unverified_header(refreshed["access_token"])["kid"] == "next"
    assert api.get("/me", token=refreshed["access_token"]).status == 200
    assert api.get("/me", token=account["access_token"]).status == 200

    # 3. remove the old key once its tokens have expired: anything it signed stops verifying
    document = json.loads(both)
    document["keys"] = [key for key in document["keys"] if key["kid"] == "next"]
    key_file_setting(json.dumps(document))
    assert api.get("/me", token=account["access_token"]).status == 401
    assert api.get("/me", token=refreshed["access_token"]).status == 200
