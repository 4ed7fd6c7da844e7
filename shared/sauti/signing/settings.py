"""Media links: the CDN token rule, Cloudflare Stream and R2 (catalog, playback and downloads sign)."""

from __future__ import annotations

from sauti.config import Config
from sauti.settings import Settings, setting


class MediaSettings(Settings):
    cdn_base_url: str = setting(
        "http://127.0.0.1:3001", doc="base URL of the media CDN (Cloudflare, R2 behind it)", local_only=True
    )
    cdn_token_secret: str = setting(
        "sauti-local-cdn-token-secret",
        secret=True,
        doc="secret shared with the Cloudflare token-authentication (WAF) rule",
    )
    media_link_ttl_seconds: int = setting(300, doc="lifetime of signed media links (the WAF rule's ttl)")
    media_bucket: str = setting(
        "sauti-media-local", doc="the R2 bucket of audio, ads and images", local_only=True
    )


class StreamSettings(Settings):
    stream_customer_code: str = setting(
        "localdev", doc="Cloudflare Stream customer subdomain code", local_only=True
    )
    stream_key_id: str = setting("local-stream-key", doc="Cloudflare Stream signing key id", local_only=True)
    stream_signing_key: str = setting(
        secret=True, doc="Cloudflare Stream signing key: the `pem` field (base64 of a PEM) or a plain PEM"
    )

    @classmethod
    def prepare_local(cls, source: Config) -> None:
        def generate() -> str:  # cryptography loads only when no key was generated yet
            from sauti.signing.links import generate_stream_key_pem

            return generate_stream_key_pem()

        source.generate_local_secret("STREAM_SIGNING_KEY", "stream-signing-key.pem", generate)


class R2Settings(Settings):
    r2_endpoint_url: str = setting(
        "", doc="R2's S3 endpoint `https://<account>.r2.cloudflarestorage.com`", local_only=True
    )
    r2_access_key_id: str = setting("local", doc="R2 API token's access key id", local_only=True)
    r2_secret_access_key: str = setting("local", secret=True, doc="R2 API token's secret access key")
