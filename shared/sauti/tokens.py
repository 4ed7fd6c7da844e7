"""Signing keys for access tokens (and anything else the API signs for clients to check offline).

RS256, because the HTTP API's built-in JWT authorizer verifies only RSA
signatures. The keys are one JSON setting, ``JWT_SIGNING_KEYS``:

    {"current": "2026-11", "keys": [{"kid": "2026-11", "private_key_pem": "-----BEGIN ..."}]}

Every listed key is published in the JWKS; only ``current`` signs. Rotation is
add (published, not yet current) → make current → remove once the old key's
tokens have expired; a removed key stops verifying. On a laptop the key set
is generated once under the local data folder.
"""

from __future__ import annotations

import base64
import functools
import json
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sauti import clock
from sauti.config import ConfigurationError
from sauti.core_settings import TokenSettings
from sauti.settings import current, settings

ALGORITHM = "RS256"
RSA_KEY_BITS = 2048


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    def public_jwk(self) -> dict[str, str]:
        numbers = self.private_key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": ALGORITHM,
            "kid": self.kid,
            "n": _b64_uint(numbers.n),
            "e": _b64_uint(numbers.e),
        }


@dataclass(frozen=True)
class KeySet:
    current: SigningKey
    keys: tuple[SigningKey, ...]

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [key.public_jwk() for key in self.keys]}


def _b64_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def generate_key_set_json(kid: str | None = None) -> str:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    kid = kid or f"local-{uuid.uuid4().hex[:8]}"
    return json.dumps({"current": kid, "keys": [{"kid": kid, "private_key_pem": pem}]})


def parse_key_set(text: str) -> KeySet:
    try:
        document = json.loads(text)
        loaded = [
            (entry["kid"], serialization.load_pem_private_key(entry["private_key_pem"].encode(), None))
            for entry in document["keys"]
        ]
        current_kid = document["current"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError("JWT_SIGNING_KEYS is malformed") from exc
    keys: list[SigningKey] = []
    for kid, private_key in loaded:
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise ConfigurationError("JWT_SIGNING_KEYS must hold RSA keys")
        keys.append(SigningKey(kid=kid, private_key=private_key))
    current = next((key for key in keys if key.kid == current_kid), None)
    if current is None:
        raise ConfigurationError("JWT_SIGNING_KEYS is malformed")
    return KeySet(current=current, keys=tuple(keys))


@functools.lru_cache(maxsize=4)
def _parsed(text: str) -> KeySet:
    return parse_key_set(text)


def key_set() -> KeySet:
    """The current key set: it follows the setting's text, so a rotated secret takes effect by itself."""
    text = current(TokenSettings, "jwt_signing_keys")
    if text is None:
        raise ConfigurationError("settings not configured: JWT_SIGNING_KEYS")
    return _parsed(text)


def sign(claims: dict[str, Any], *, typ: str = "JWT") -> str:
    """Sign ``claims`` with the current key, naming it in ``kid``."""
    key = key_set().current
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": typ})


def issue_access_token(
    user_id: str, roles: list[str], *, now: float | None = None, session_id: str | None = None
) -> tuple[str, int]:
    """A short-lived access token for ``user_id``; returns the token and its lifetime in seconds.

    ``session_id`` (claim ``sid``) names the refresh-token session the token came from.
    """
    token_settings = settings(TokenSettings)
    issued_at = int(now if now is not None else clock.epoch())
    lifetime = token_settings.access_token_ttl_seconds
    claims = {
        "iss": token_settings.jwt_issuer,
        "aud": token_settings.jwt_audience,
        "sub": user_id,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + lifetime,
        "jti": uuid.uuid4().hex,
        "roles": sorted(roles),
    }
    if session_id:
        claims["sid"] = session_id
    return sign(claims), lifetime
