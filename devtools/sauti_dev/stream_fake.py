"""A local stand-in for Cloudflare Stream's API: direct creator uploads, then the signed webhook.

``POST /client/v4/accounts/{account}/stream/direct_upload`` (Bearer token checked) answers a uid and a
one-time ``uploadURL`` on this server, as Stream does. A POST of the file to that URL is accepted once;
then the fake "encodes" it and delivers Stream's webhook, signed like Stream's
(``Webhook-Signature: time=<t>,sig1=<hex HMAC-SHA256 of "t.body">``) with a "ready" notification
carrying a duration and a thumbnail. ``deliver`` sends the notification: an HTTP POST to the local API
under ``make dev``, or a callable in the tests.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Deliver = Callable[[bytes, dict[str, str]], Any]
_DIRECT_UPLOAD = re.compile(r"^/client/v4/accounts/([^/]+)/stream/direct_upload$")
_UPLOAD = re.compile(r"^/upload/([0-9a-f]{32})$")


def http_deliver(url: str) -> Deliver:
    """Deliver notifications to a webhook URL (the local API under ``make dev``)."""

    def deliver(body: bytes, headers: dict[str, str]) -> Any:
        import urllib.request

        request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status

    return deliver


@dataclass
class FakeStream:
    account_id: str
    api_token: str
    webhook_secret: str
    deliver: Deliver
    duration_seconds: float = 184.2
    refuse_next_uploads: int = 0  # a flaky link: answer this many uploads 500, the URL stays usable
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"

    def notification(self, uid: str) -> dict[str, Any]:
        return {
            "uid": uid,
            "readyToStream": True,
            "status": {"state": "ready", "pctComplete": "100.000000", "errorReasonCode": ""},
            "duration": self.duration_seconds,
            "thumbnail": f"https://customer-localdev.cloudflarestream.com/{uid}/thumbnails/thumbnail.jpg",
            "meta": self.uploads.get(uid, {}).get("meta", {}),
            "requireSignedURLs": True,
        }

    def signed(
        self, payload: dict[str, Any], *, timestamp: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers Stream would send for ``payload``."""
        from sauti import clock
        from sauti.admin.stream import sign

        body = json.dumps(payload).encode()
        signature = sign(body, self.webhook_secret, int(clock.epoch()) if timestamp is None else timestamp)
        return body, {"content-type": "application/json", "webhook-signature": signature}

    def start(self, port: int = 0) -> FakeStream:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                # Stream lets a browser on any origin post to a direct upload URL (the console does).
                self.send_header("access-control-allow-origin", "*")
                self.end_headers()
                self.wfile.write(body)

            def do_OPTIONS(self) -> None:
                self.send_response(204)
                self.send_header("access-control-allow-origin", "*")
                self.send_header("access-control-allow-methods", "POST")
                self.send_header("access-control-allow-headers", "*")
                self.send_header("content-length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if match := _DIRECT_UPLOAD.match(self.path):
                    fake._direct_upload(self, match[1], body)
                elif match := _UPLOAD.match(self.path):
                    fake._upload(self, match[1], body)
                else:
                    self._reply(404, {"success": False, "errors": [{"code": 10000, "message": "not found"}]})

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, name="fake-stream", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()

    def _direct_upload(self, handler: Any, account_id: str, body: bytes) -> None:
        if (
            handler.headers.get("authorization") != f"Bearer {self.api_token}"
            or account_id != self.account_id
        ):
            handler._reply(
                403, {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}]}
            )
            return
        try:
            request = json.loads(body)
            max_duration = int(request["maxDurationSeconds"])
        except (ValueError, KeyError, TypeError):
            handler._reply(400, {"success": False, "errors": [{"code": 10005, "message": "bad request"}]})
            return
        uid = uuid.uuid4().hex
        self.requests.append(request)
        self.uploads[uid] = {"meta": request.get("meta") or {}, "max_duration": max_duration, "bytes": None}
        handler._reply(
            200,
            {
                "success": True,
                "errors": [],
                "messages": [],
                "result": {"uploadURL": f"{self.base_url}/upload/{uid}", "uid": uid},
            },
        )

    def _upload(self, handler: Any, uid: str, body: bytes) -> None:
        upload = self.uploads.get(uid)
        if upload is not None and self.refuse_next_uploads > 0:
            self.refuse_next_uploads -= 1
            handler._reply(500, {"success": False, "errors": [{"code": 10002, "message": "try again"}]})
            return
        if upload is None or upload["bytes"] is not None or not body:
            handler._reply(400, {"success": False, "errors": [{"code": 10005, "message": "upload refused"}]})
            return
        upload["bytes"] = len(body)
        # Stream notifies a little later; delivering before answering keeps the tests deterministic.
        body_out, headers = self.signed(self.notification(uid))
        self.deliver(body_out, headers)
        handler._reply(200, {"success": True, "errors": [], "messages": [], "result": None})


def start_fake_stream(deliver: Deliver, port: int = 0) -> FakeStream:
    """The fake, with the configured account, token and webhook secret (the local defaults)."""
    from sauti.admin.settings import AdminSettings
    from sauti.settings import settings

    config = settings(AdminSettings)
    return FakeStream(
        account_id=config.cloudflare_account_id,
        api_token=config.stream_api_token,
        webhook_secret=config.stream_webhook_secret,
        deliver=deliver,
    ).start(port)
