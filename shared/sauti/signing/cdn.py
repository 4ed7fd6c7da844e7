"""CDN links in the format Cloudflare's WAF function ``is_timed_hmac_valid_v0`` checks.

A signed URL is ``<CDN_BASE_URL><path>?verify=<timestamp>-<mac>``: ``mac`` is
HMAC-SHA256 with ``CDN_TOKEN_SECRET`` over the message (the path, plus any query
before ``verify``) immediately followed by the 10-digit issue timestamp, encoded
as URL-safe base64 without padding (the rule's ``"s"`` flag). ``verify`` is always
the last query parameter, and the separator (``?verify=`` or ``&verify=``) is 8
bytes, the rule's ``lengthOfSeparator``. The rule (docs/catalog.md):

    not is_timed_hmac_valid_v0("<CDN_TOKEN_SECRET>", http.request.uri, <ttl>,
                               http.request.timestamp.sec, 8, "s")

The issue timestamp is rounded down to a ``TIME_BUCKET_SECONDS`` bucket, so every
listener of a song gets the same URL for that minute and the edge cache (whose
key ignores ``verify``) is never split per listener.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import quote

from sauti import clock

TIME_BUCKET_SECONDS = 60
_MESSAGE_MAC = re.compile(r"^(?P<message>.+)(?P<separator>[?&]verify=)(?P<ts>\d{10})-(?P<mac>.{43,})$")


@dataclass(frozen=True)
class SignedLink:
    url: str
    expires_at: int  # unix seconds: the WAF rule refuses the link from then on


def _mac(secret: bytes, message: str, timestamp: int) -> str:
    digest = hmac.new(secret, f"{message}{timestamp}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def object_path(object_key: str) -> str:
    """The CDN path of an R2 object key (keys are served at the root of the media domain)."""
    return "/" + quote(object_key.lstrip("/"), safe="/-_.~")


def sign_path(
    path: str, *, secret: str, base_url: str, ttl_seconds: int, now: float | None = None
) -> SignedLink:
    """Sign ``path`` (optionally with a query of its own) for ``ttl_seconds`` from the current time bucket."""
    now = clock.epoch() if now is None else now
    issued = int(now) - int(now) % TIME_BUCKET_SECONDS
    separator = "&" if "?" in path else "?"
    mac = _mac(secret.encode(), path, issued)
    return SignedLink(f"{base_url.rstrip('/')}{path}{separator}verify={issued}-{mac}", issued + ttl_seconds)


def is_timed_hmac_valid(uri: str, *, secret: str, ttl_seconds: int, now: float | None = None) -> bool:
    """What the WAF rule answers for ``uri`` (path and query as received): the local edge's check."""
    match = _MESSAGE_MAC.match(uri)
    if match is None:
        return False
    issued = int(match["ts"])
    now = clock.epoch() if now is None else now
    # Expired, or dated further ahead than a link lives: our signer rounds down, so only a forger with
    # the secret or a broken clock dates a link ahead, and neither gets a link that outlives the ttl.
    if not now < issued + ttl_seconds or issued > now + ttl_seconds:
        return False
    expected = _mac(secret.encode(), match["message"], issued)
    return hmac.compare_digest(expected, match["mac"])
