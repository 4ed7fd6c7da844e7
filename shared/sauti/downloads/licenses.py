"""Download licenses: JWS signed with the access-token keys, so a phone checks them offline via the JWKS."""

from __future__ import annotations

import time

from sauti import tokens
from sauti.config import config

LICENSE_AUDIENCE = "sauti-offline"
LICENSE_TYPE = "sauti-license+jwt"


def issue_license(
    *, download_id: str, key_id: str, device_id: str, user_id: str, song_id: str, now: float | None = None
) -> tuple[str, int]:
    """The license and its expiry (unix seconds): offline play is allowed until then without reconnecting."""
    issued_at = int(time.time() if now is None else now)
    expires_at = issued_at + config().int("OFFLINE_LICENSE_DAYS") * 86_400
    claims = {
        "iss": config().get("JWT_ISSUER"),
        "aud": LICENSE_AUDIENCE,
        "sub": user_id,
        "download_id": download_id,
        "key_id": key_id,
        "device_id": device_id,
        "song_id": song_id,
        "iat": issued_at,
        "exp": expires_at,
    }
    return tokens.sign(claims, typ=LICENSE_TYPE), expires_at
