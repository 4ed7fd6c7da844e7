"""Download licenses: JWS signed with the access-token keys, so a phone checks them offline via the JWKS."""

from __future__ import annotations

from sauti import clock, tokens
from sauti.core_settings import TokenSettings
from sauti.downloads.settings import DownloadsSettings
from sauti.settings import settings

LICENSE_AUDIENCE = "sauti-offline"
LICENSE_TYPE = "sauti-license+jwt"


def issue_license(
    *, download_id: str, key_id: str, device_id: str, user_id: str, song_id: str, now: float | None = None
) -> tuple[str, int]:
    """The license and its expiry (unix seconds): offline play is allowed until then without reconnecting."""
    issued_at = int(clock.epoch() if now is None else now)
    expires_at = issued_at + settings(DownloadsSettings).offline_license_days * 86_400
    claims = {
        "iss": settings(TokenSettings).jwt_issuer,
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
