"""The configured signers: what playback and the other modules call to get a media link."""

from __future__ import annotations

import functools

from sauti.settings import settings
from sauti.signing import cdn
from sauti.signing.settings import MediaSettings, StreamSettings
from sauti.signing.stream import StreamSigner, StreamToken, load_private_key


def _cdn_settings() -> tuple[str, str, int]:
    media = settings(MediaSettings)
    return media.cdn_token_secret, media.cdn_base_url, media.media_link_ttl_seconds


def sign_object(object_key: str, *, now: float | None = None) -> cdn.SignedLink:
    """A CDN link to an R2 object, valid for MEDIA_LINK_TTL_SECONDS from the current time bucket."""
    secret, base_url, ttl = _cdn_settings()
    return cdn.sign_path(
        cdn.object_path(object_key), secret=secret, base_url=base_url, ttl_seconds=ttl, now=now
    )


def generate_stream_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@functools.cache
def stream_signer() -> StreamSigner:
    stream = settings(StreamSettings)
    return StreamSigner(
        stream.stream_key_id, load_private_key(stream.stream_signing_key), stream.stream_customer_code
    )


def sign_video(stream_uid: str, *, now: float | None = None) -> StreamToken:
    return stream_signer().sign(
        stream_uid, ttl_seconds=settings(MediaSettings).media_link_ttl_seconds, now=now
    )


def reset() -> None:
    """Forget the cached keys and settings (after the configuration changed)."""
    stream_signer.cache_clear()
