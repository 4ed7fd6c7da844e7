"""Cloudflare Stream: direct creator uploads, and the signatures of Stream's webhook.

Calls go through the standard library (no SDK to load) with the configured timeout.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from pydantic import ValidationError

from sauti import clock
from sauti.admin.errors import BadSignature, StreamUnavailable
from sauti.admin.models import StreamNotification
from sauti.admin.settings import AdminSettings
from sauti.errors import ValidationFailed
from sauti.settings import settings

UPLOAD_URL_SECONDS = 3600  # Stream's default: a direct upload URL must be used within an hour


def direct_upload(meta: dict[str, str]) -> tuple[str, str, datetime]:
    """(uid, uploadURL, expiry) of a new one-time upload; signed URLs required to play the video."""
    config = settings(AdminSettings)
    expiry = clock.now() + timedelta(seconds=UPLOAD_URL_SECONDS)
    body = {
        "maxDurationSeconds": config.stream_max_duration_seconds,
        "requireSignedURLs": True,
        "expiry": clock.iso(expiry),
        "meta": meta,
    }
    url = (
        f"{config.stream_api_base.rstrip('/')}/client/v4/accounts/{config.cloudflare_account_id}"
        "/stream/direct_upload"
    )
    if not url.startswith(("https://", "http://")):
        raise StreamUnavailable("STREAM_API_BASE must be an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {config.stream_api_token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=config.stream_timeout_seconds) as response:  # noqa: S310
            answer = json.loads(response.read())
        result = answer["result"]
        return str(result["uid"]), str(result["uploadURL"]), expiry
    except (urllib.error.URLError, OSError, ValueError, KeyError, TypeError) as exc:
        raise StreamUnavailable("Cloudflare Stream did not accept the upload; retry shortly") from exc


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The ``Webhook-Signature`` header Stream sends: ``time=<t>,sig1=<hex HMAC-SHA256 of "t.body">``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"time={timestamp},sig1={mac}"


def verify(body: bytes, header: str | None) -> int:
    """The signed time of a genuine, recent notification; else BadSignature (400)."""
    config = settings(AdminSettings)
    parts = dict(item.split("=", 1) for item in (header or "").split(",") if "=" in item)
    try:
        timestamp = int(parts.get("time", ""))
    except ValueError:
        raise BadSignature("missing or malformed Webhook-Signature") from None
    expected = sign(body, config.stream_webhook_secret, timestamp).split("sig1=", 1)[1]
    if not hmac.compare_digest(expected, parts.get("sig1", "")):
        raise BadSignature("the signature does not match")
    if abs(clock.epoch() - timestamp) > config.stream_webhook_tolerance_seconds:
        raise BadSignature("the signature is too old or from the future")
    return timestamp


def parse_notification(body: bytes) -> StreamNotification:
    """The signed body as a notification; 422 (Stream stops retrying) when it is not one's shape."""
    try:
        return StreamNotification.model_validate_json(body)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise BadSignature("the body is not JSON") from None
        names = sorted({".".join(str(part) for part in error["loc"]) or "body" for error in exc.errors()})
        raise ValidationFailed(f"not a Stream notification: invalid fields: {', '.join(names)}") from None
