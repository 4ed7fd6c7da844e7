"""An HTTP function's routes served from a Lambda function URL instead of the HTTP API.

The front door (Cloudflare) sends a few hot routes to a function URL with an origin rule: no API
Gateway request charge (docs/cost.md). Nothing checks the token before the function then, so this
entry does what the HTTP API does for them: it answers only the routes it was given (404 otherwise),
refuses a token the JWT authorizer would refuse (401 ``{"message":"Unauthorized"}``), and hands the
function the event the HTTP API would have built: the route key and the verified claims. The keys
come from the issuer's JWKS (``JWT_ISSUER`` + ``/.well-known/jwks.json``), fetched and cached per
container; ``jwks`` is the seam for the local stack, which serves them in-process.

Before anything else, the request must carry what only the front door adds: the header
``FRONT_DOOR_HEADER`` with ``FRONT_DOOR_SECRET`` (Cloudflare's request-header rule sets it). Anyone
who learns the URL's host and skips Cloudflare gets a 403 for the price of a string comparison:
no token check, no body read, no route match (docs/deploy.md, the front door).
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable
from typing import Any

from sauti import bearer
from sauti.core_settings import FrontDoorSettings, TokenSettings
from sauti.settings import settings

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def _compile(route: str) -> tuple[str, str, re.Pattern[str]]:
    method, path = route.split(" ", 1)
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))
    return method, path, re.compile(f"^{pattern}$")


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", **(headers or {})},
        "body": json.dumps({"message": message}),
        "isBase64Encoded": False,
    }


class FunctionUrlEntry:
    """The Lambda handler of a function URL serving ``routes`` (``"POST /path/{id}"``) of ``handler``."""

    def __init__(self, handler: Handler, routes: tuple[str, ...], jwks: bearer.KeySource | None = None):
        self.handler = handler
        self.routes = tuple(_compile(route) for route in routes)
        self._jwks = jwks

    @property
    def jwks(self) -> bearer.KeySource:
        if self._jwks is None:
            self._jwks = bearer.RemoteKeySet(
                settings(TokenSettings).jwt_issuer.rstrip("/") + bearer.JWKS_PATH
            )
        return self._jwks

    @jwks.setter
    def jwks(self, source: bearer.KeySource) -> None:
        self._jwks = source

    def _from_the_front_door(self, event: dict[str, Any]) -> bool:
        front_door = settings(FrontDoorSettings)
        headers = event.get("headers") or {}
        # Function URLs pass header names in lower case.
        presented = headers.get(front_door.front_door_header.lower()) if isinstance(headers, dict) else None
        return isinstance(presented, str) and hmac.compare_digest(
            presented.encode(), front_door.front_door_secret.encode()
        )

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        if not self._from_the_front_door(event):
            return _plain(403, "Forbidden")
        http = event.get("requestContext", {}).get("http", {})
        method, path = str(http.get("method", "")).upper(), str(event.get("rawPath", ""))
        route = next(
            (f"{m} {p}" for m, p, pattern in self.routes if m == method and pattern.match(path)), None
        )
        if route is None:
            return _plain(404, "Not Found")
        headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
        tokens = settings(TokenSettings)
        try:
            claims = bearer.verify(
                headers.get("authorization"),
                self.jwks(),
                issuer=tokens.jwt_issuer,
                audience=tokens.jwt_audience,
            )
        except bearer.Unauthorized:
            return _plain(401, "Unauthorized", {"www-authenticate": "Bearer"})
        context_ = {**event.get("requestContext", {}), "routeKey": route}
        context_["authorizer"] = {"jwt": {"claims": bearer.gateway_claims(claims), "scopes": None}}
        return self.handler({**event, "routeKey": route, "requestContext": context_}, context)
