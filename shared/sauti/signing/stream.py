"""Cloudflare Stream signed tokens, made locally from a Stream signing key (no API call per play).

The token is an RS256 JWT: header ``{alg: RS256, kid}``, claims ``{sub: <video uid>,
kid, nbf, exp}``; the player fetches
``https://customer-<code>.cloudflarestream.com/<token>/manifest/video.m3u8``.
The key is Cloudflare's ``pem`` field (base64 of a PEM) or a plain PEM. The JWS is
assembled here with ``cryptography`` rather than PyJWT to keep the play path's imports small.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from sauti import clock

NOT_BEFORE_SKEW_SECONDS = 30
MAX_LIFETIME_SECONDS = 24 * 3600  # Stream refuses tokens that live longer


@dataclass(frozen=True)
class StreamToken:
    token: str
    manifest_url: str
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load_private_key(text: str) -> Any:
    """The RSA private key from a plain PEM or from base64 of a PEM (Cloudflare's ``pem`` field)."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    raw = text.strip().encode()
    if not raw.startswith(b"-----BEGIN"):
        raw = base64.b64decode(raw)
    return load_pem_private_key(raw, password=None)


class StreamSigner:
    def __init__(self, key_id: str, private_key: Any, customer_code: str):
        self.key_id = key_id
        self.private_key = private_key
        self.customer_code = customer_code
        self._header = _b64(json.dumps({"alg": "RS256", "kid": key_id}, separators=(",", ":")).encode())

    def sign(self, video_uid: str, *, ttl_seconds: int, now: float | None = None) -> StreamToken:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        issued = int(clock.epoch() if now is None else now)
        expires = issued + min(ttl_seconds, MAX_LIFETIME_SECONDS)
        claims = {
            "sub": video_uid,
            "kid": self.key_id,
            "nbf": issued - NOT_BEFORE_SKEW_SECONDS,
            "exp": expires,
        }
        signing_input = f"{self._header}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
        signature = self.private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        token = f"{signing_input}.{_b64(signature)}"
        url = f"https://customer-{self.customer_code}.cloudflarestream.com/{token}/manifest/video.m3u8"
        return StreamToken(token, url, expires)
