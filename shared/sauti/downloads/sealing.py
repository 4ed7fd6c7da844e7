"""Content keys: drawn per download, sealed to the device's public key, never stored."""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from sauti.errors import ValidationFailed

CONTENT_KEY_BYTES = 32


class InvalidDeviceKey(ValidationFailed):
    code, title = "invalid_public_key", "Invalid device public key"


def parse_device_public_key(jwk: dict[str, object]) -> ECKey:
    """A P-256 public JWK, checked to be a real point on the curve; private parts are refused."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise InvalidDeviceKey("public_key must be an EC P-256 JWK")
    if "d" in jwk:
        raise InvalidDeviceKey("public_key must not contain the private key")
    if not all(isinstance(jwk.get(name), str) for name in ("x", "y")):
        raise InvalidDeviceKey("public_key needs the coordinates x and y as base64url strings")
    try:
        key = ECKey.import_key({name: jwk[name] for name in ("kty", "crv", "x", "y")})  # type: ignore[misc]
        public = key.public_key
        if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
            raise ValueError("not P-256")
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidDeviceKey("public_key is not a valid P-256 point") from exc
    return key


def new_content_key() -> bytes:
    return secrets.token_bytes(CONTENT_KEY_BYTES)


def seal_content_key(content_key: bytes, device_public_key: ECKey, key_id: str) -> str:
    """A compact JWE (ECDH-ES direct key agreement, A256GCM) that only the device's private key opens."""
    return jwe.encrypt_compact(
        {"alg": "ECDH-ES", "enc": "A256GCM", "kid": key_id}, content_key, device_public_key
    )
