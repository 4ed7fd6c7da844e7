"""The configured signers: what playback and the other modules call to get a media link."""

from __future__ import annotations

import functools

from sauti.config import config
from sauti.signing import cdn
from sauti.signing.stream import StreamSigner, StreamToken, load_private_key


@functools.cache
def _cdn_settings() -> tuple[str, str, int]:
    settings = config()
    return (
        settings.get("CDN_TOKEN_SECRET"),
        settings.get("CDN_BASE_URL"),
        settings.int("MEDIA_LINK_TTL_SECONDS"),
    )


def sign_object(object_key: str, *, now: float | None = None) -> cdn.SignedLink:
    """A CDN link to an R2 object, valid for MEDIA_LINK_TTL_SECONDS from the current time bucket."""
    secret, base_url, ttl = _cdn_settings()
    return cdn.sign_path(
        cdn.object_path(object_key), secret=secret, base_url=base_url, ttl_seconds=ttl, now=now
    )


def _generate_stream_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@functools.cache
def stream_signer() -> StreamSigner:
    settings = config()
    settings.generate_local_secret("STREAM_SIGNING_KEY", "stream-signing-key.pem", _generate_stream_key_pem)
    return StreamSigner(
        settings.get("STREAM_KEY_ID"),
        load_private_key(settings.get("STREAM_SIGNING_KEY")),
        settings.get("STREAM_CUSTOMER_CODE"),
    )


def sign_video(stream_uid: str, *, now: float | None = None) -> StreamToken:
    return stream_signer().sign(stream_uid, ttl_seconds=config().int("MEDIA_LINK_TTL_SECONDS"), now=now)


def reset() -> None:
    """Forget the cached keys and settings (after the configuration changed)."""
    _cdn_settings.cache_clear()
    stream_signer.cache_clear()
