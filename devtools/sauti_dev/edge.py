"""A local stand-in for the Cloudflare edge in front of R2: the token-authentication rule, then the bytes.

Every GET/HEAD must carry a token that ``is_timed_hmac_valid_v0`` would accept
(the same check as the WAF rule in docs/catalog.md: HMAC-SHA256 over the path and
issue time, ``verify`` last, ``MEDIA_LINK_TTL_SECONDS`` of life); otherwise 403,
as the rule's Block action answers. Objects come from the local R2 bucket,
with single-range requests answered 206 as Cloudflare does. It also serves the local stand-ins of
the web-app pages the auth emails link to (sauti_dev.web_pages).
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from sauti.settings import settings
from sauti.signing.cdn import is_timed_hmac_valid
from sauti.signing.settings import MediaSettings
from sauti_dev import web_pages

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _object(key: str) -> tuple[bytes, str] | None:
    from botocore.exceptions import ClientError

    from sauti.signing.r2 import client

    try:
        found = client().get_object(Bucket=settings(MediaSettings).media_bucket, Key=key)
    except ClientError:
        return None
    return found["Body"].read(), found.get("ContentType") or "application/octet-stream"


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) of a single ``bytes=`` range; None when unsatisfiable or malformed."""
    match = _RANGE.match(header.strip())
    if match is None or (not match[1] and not match[2]):
        return None
    if not match[1]:  # suffix: the last N bytes
        length = int(match[2])
        return (max(0, size - length), size - 1) if length and size else None
    first = int(match[1])
    last = min(int(match[2]), size - 1) if match[2] else size - 1
    return (first, last) if first <= last and first < size else None


class _EdgeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        page = web_pages.form(path, query)
        if page is not None:
            self._reply(200, page, {"content-type": "text/html; charset=utf-8"})
            return
        media = settings(MediaSettings)
        if not is_timed_hmac_valid(
            self.path,
            secret=media.cdn_token_secret,
            ttl_seconds=media.media_link_ttl_seconds,
        ):
            self._reply(
                403, b"forbidden: missing, expired or invalid token\n", {"content-type": "text/plain"}
            )
            return
        key = unquote(self.path.split("?", 1)[0].lstrip("/"))
        found = _object(key)
        if found is None:
            self._reply(404, b"not found\n", {"content-type": "text/plain"})
            return
        data, content_type = found
        headers = {
            "content-type": content_type,
            "accept-ranges": "bytes",
            "cache-control": "private, max-age=300",
        }
        requested = self.headers.get("range")
        if requested is None:
            self._reply(200, data, headers)
            return
        span = _byte_range(requested, len(data))
        if span is None:
            self._reply(416, b"", {**headers, "content-range": f"bytes */{len(data)}"})
            return
        first, last = span
        self._reply(
            206, data[first : last + 1], {**headers, "content-range": f"bytes {first}-{last}/{len(data)}"}
        )

    do_HEAD = do_GET

    def do_POST(self) -> None:
        body = self.rfile.read(min(int(self.headers.get("content-length") or 0), 64 * 1024))
        answer = web_pages.submit(self.path.partition("?")[0], body)
        if answer is None:
            self._reply(405, b"method not allowed\n", {"content-type": "text/plain"})
            return
        self._reply(answer[0], answer[1], {"content-type": "text/html; charset=utf-8"})

    def log_message(self, format: str, *args: Any) -> None:
        return


def serve_edge(port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Start the edge on a thread; ``.shutdown()`` stops it. Port 0 picks a free one (``server_port``)."""
    server = ThreadingHTTPServer((host, port), _EdgeHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="edge", daemon=True).start()
    return server
