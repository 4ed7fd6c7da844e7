"""How the client talks to the API and fetches signed links (stdlib only; tests plug in their own)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any, Protocol


class Transport(Protocol):
    def call(self, method: str, path: str, body: dict[str, Any] | None, token: str | None) -> tuple[int, Any]:
        """Call the API; returns the status and the decoded JSON body (None when empty)."""

    def fetch(self, url: str) -> Iterator[bytes]:
        """Stream the bytes behind a signed media link."""


class HttpTransport:
    def __init__(self, base_url: str, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def call(self, method: str, path: str, body: dict[str, Any] | None, token: str | None) -> tuple[int, Any]:
        request = urllib.request.Request(  # noqa: S310 - the API's own base URL
            self.base_url + path, method=method, data=None if body is None else json.dumps(body).encode()
        )
        request.add_header("content-type", "application/json")
        if token:
            request.add_header("authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def fetch(self, url: str) -> Iterator[bytes]:
        with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 - signed CDN link
            while chunk := response.read(64 * 1024):
                yield chunk
