"""The admin module's settings (README, configuration table)."""

from __future__ import annotations

from sauti.settings import Settings, setting


class AdminSettings(Settings):
    upload_url_ttl_seconds: int = setting(900, doc="lifetime of a presigned R2 upload URL")
    upload_max_bytes: int = setting(1_073_741_824, doc="largest audio file an upload URL is signed for")
    stream_api_base: str = setting(
        "http://127.0.0.1:3002",
        doc="the Cloudflare API host (`https://api.cloudflare.com`); Stream calls go to "
        "`{STREAM_API_BASE}/client/v4/accounts/{CLOUDFLARE_ACCOUNT_ID}/stream/...`",
        local_only=True,
    )
    cloudflare_account_id: str = setting("local-account", doc="the Cloudflare account id", local_only=True)
    stream_api_token: str = setting(
        "local-stream-api-token", doc="a Cloudflare API token allowed to edit Stream", secret=True
    )
    stream_webhook_secret: str = setting(
        "local-stream-webhook-secret", doc="secret of Stream's webhook signatures", secret=True
    )
    stream_webhook_tolerance_seconds: int = setting(
        300, doc="how far a Stream webhook's signed time may be from now"
    )
    stream_max_duration_seconds: int = setting(3600, doc="longest video a Stream direct upload accepts")
    stream_timeout_seconds: float = setting(5, doc="timeout of each call to the Stream API")
    reports_per_hour: int = setting(20, doc="reports one user may file in an hour")
