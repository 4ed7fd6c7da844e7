"""Cloudflare Stream's webhook: a signed "ready" notification marks the video ready (docs/admin.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from sauti.admin import logic
from sauti.admin.settings import AdminSettings
from sauti.http import errors, http_app, lambda_entry
from sauti.settings import require

PUBLIC = ("POST /webhooks/stream",)
app = http_app(public=PUBLIC)
require(AdminSettings)


@app.post("/webhooks/stream", responses=errors(400, 422))
def stream_webhook() -> Response[dict[str, Any]]:
    body = app.current_event.decoded_body or ""
    raw = body.encode() if isinstance(body, str) else body
    result = logic.stream_notification(raw, app.current_event.headers.get("webhook-signature"))
    return Response(200, "application/json", body=result)


lambda_handler: Any = lambda_entry(app)
