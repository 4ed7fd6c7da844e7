"""Bearer tokens checked exactly as the HTTP API's JWT authorizer checks them.

For routes that reach a function without API Gateway (the heartbeat's function URL behind the
front door, sauti.function_url) and for the local gateway, so both refuse what AWS refuses:
RS256 only, ``kid`` found in the issuer's JWKS, ``iss`` equal to the issuer, the audience named by
``aud`` (a string or a list) or ``client_id``, and ``exp``/``nbf``/``iat`` against the clock.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

CLOCK_SKEW_SECONDS = 30  # ours: API Gateway does not document its own tolerance
JWKS_PATH = "/.well-known/jwks.json"
JWKS_CACHE_SECONDS = 600
JWKS_TIMEOUT_SECONDS = 2.0

KeySource = Callable[[], dict[str, Any]]


class Unauthorized(Exception):
    """The token would not pass the JWT authorizer: API Gateway answers 401 ``Unauthorized``."""


def verify(authorization: str | None, jwks: dict[str, Any], *, issuer: str, audience: str) -> dict[str, Any]:
    """The claims of a token API Gateway would accept; the ``Bearer`` prefix is optional there too."""
    import jwt  # on first use: the play path's cold start does not pay for PyJWT

    token = (authorization or "").strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    if not token:
        raise Unauthorized
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != "RS256":
            raise Unauthorized
        key = next((k for k in jwks.get("keys", []) if k.get("kid") == header.get("kid")), None)
        if key is None:
            raise Unauthorized
        claims = jwt.decode(
            token,
            jwt.PyJWK(key).key,
            algorithms=["RS256"],
            issuer=issuer,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iss", "sub"], "verify_aud": False},
        )
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise Unauthorized from exc
    found = claims.get("aud", claims.get("client_id"))
    if audience not in (found if isinstance(found, list) else [found]):
        raise Unauthorized
    return claims


def gateway_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway passes them to a function: strings, arrays flattened to ``"[a b]"``."""
    return {name: _flatten(value) for name, value in claims.items()}


def _flatten(value: Any) -> str:
    if isinstance(value, list):
        return "[" + " ".join(str(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


class RemoteKeySet:
    """The issuer's published JWKS over HTTPS, cached per container like API Gateway caches it.

    A refresh that fails keeps the keys already held (a warm container goes on verifying while the
    issuer or the way out is down); with none held yet, every token is refused.
    """

    def __init__(
        self, url: str, *, max_age: float = JWKS_CACHE_SECONDS, timeout: float = JWKS_TIMEOUT_SECONDS
    ):
        self.url = url
        self.max_age = max_age
        self.timeout = timeout
        self._held: tuple[float, dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def __call__(self) -> dict[str, Any]:
        with self._lock:
            if self._held is None or time.monotonic() - self._held[0] > self.max_age:
                try:
                    self._held = (time.monotonic(), self._fetch())
                except (OSError, ValueError):
                    if self._held is None:
                        return {"keys": []}
            return self._held[1]

    def _fetch(self) -> dict[str, Any]:
        if not self.url.startswith(("https://", "http://")):
            raise ValueError(f"not an HTTP URL: {self.url}")
        request = urllib.request.Request(self.url, headers={"accept": "application/json"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - scheme checked
            document = json.loads(response.read(1_000_000))
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise ValueError("not a JWKS document")
        return document
