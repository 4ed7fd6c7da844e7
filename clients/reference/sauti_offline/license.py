"""Checking a download license with no network: signature against the cached JWKS, then its claims."""

from __future__ import annotations

import time
from typing import Any

import jwt

LICENSE_AUDIENCE = "sauti-offline"
CLOCK_SKEW_SECONDS = 60


class LicenseInvalid(Exception):
    """The license does not allow this device to play this download now."""


def verify_license(
    token: str,
    jwks: dict[str, Any],
    *,
    device_id: str,
    key_id: str,
    song_id: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The license's claims, if a published key signed it for this device, key and song, and it has not
    expired."""
    try:
        header = jwt.get_unverified_header(token)
        key = next((k for k in jwks.get("keys", []) if k.get("kid") == header.get("kid")), None)
        if key is None or header.get("alg") != "RS256":
            raise LicenseInvalid("signed by an unknown key")
        claims = jwt.decode(
            token,
            jwt.PyJWK(key).key,
            algorithms=["RS256"],
            audience=LICENSE_AUDIENCE,
            leeway=CLOCK_SKEW_SECONDS,
            options={
                "require": ["exp", "iss", "sub", "key_id", "device_id", "song_id"],
                "verify_exp": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise LicenseInvalid(str(exc)) from exc
    if claims["exp"] + CLOCK_SKEW_SECONDS < (time.time() if now is None else now):
        raise LicenseInvalid("the license expired: reconnect to renew it")
    if claims["device_id"] != device_id:
        raise LicenseInvalid("the license belongs to another device")
    if claims["key_id"] != key_id:
        raise LicenseInvalid("the license is for another key")
    if song_id is not None and claims["song_id"] != song_id:
        raise LicenseInvalid("the license is for another song")
    return claims
