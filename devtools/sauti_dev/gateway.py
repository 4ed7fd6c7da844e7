"""A local stand-in for the API Gateway HTTP API (payload format 2.0).

It routes requests to the template's functions as API Gateway does (exact
routes before ones with path variables, greedy ``{proxy+}``, then the
``$default`` route), builds the same events, and checks bearer tokens the way
the HTTP API's JWT authorizer does: RS256 only, ``kid`` found in the issuer's
JWKS, ``iss`` equal to the configured issuer, ``aud`` among the audiences, and
``exp``/``nbf``/``iat`` against the clock. Failures answer exactly what API
Gateway answers (401 ``{"message":"Unauthorized"}``), and verified claims reach
the function in ``requestContext.authorizer.jwt.claims`` as strings, with
arrays flattened to ``"[a b]"``. It also plays the front door's origin rules: a route that a
function lists in its ``FrontDoorRoutes`` metadata goes to that function as a function-URL event
(no authorizer; the function checks the token itself, sauti.function_url). CORS follows the
template's configurations (the HTTP API's, or the function URL's on front-door routes) for the origins
of ``CORS_ALLOWED_ORIGINS``, as API Gateway and Lambda apply them.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sauti import bearer
from sauti.core_settings import FrontDoorSettings, TokenSettings
from sauti.settings import settings
from sauti_dev import ports
from sauti_dev.events import http_event
from sauti_dev.lambdas import LocalFunctions
from sauti_dev.template import PROJECT_ROOT, Cors, HttpRoute

JWKS_PATH = bearer.JWKS_PATH
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit: larger requests get 413 from the gateway
JWKS_CACHE_SECONDS = 120


def local_allowed_origins(environ: Mapping[str, str] = os.environ) -> frozenset[str]:
    """The web origins whose pages may call the local API (``CorsAllowedOrigins`` in AWS): by default
    the console's, at both names of this machine."""
    configured = environ.get("CORS_ALLOWED_ORIGINS")
    if configured is None:
        port = environ.get("CONSOLE_PORT") or str(ports.LOCAL_PORTS["CONSOLE_PORT"])
        return frozenset({f"http://127.0.0.1:{port}", f"http://localhost:{port}"})
    return frozenset(origin.strip().rstrip("/") for origin in configured.split(",") if origin.strip())


@dataclass
class GatewayResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class _CompiledRoute:
    route: HttpRoute
    pattern: re.Pattern[str]
    names: tuple[str, ...]
    variables: int
    greedy: bool


def _compile(route: HttpRoute) -> _CompiledRoute:
    names: list[str] = []
    regex = ""
    greedy = False
    for part in route.path.strip("/").split("/"):
        match = re.fullmatch(r"\{([A-Za-z0-9_]+)(\+?)\}", part)
        if match:
            names.append(match[1])
            greedy = greedy or bool(match[2])
            regex += "/(.+)" if match[2] else "/([^/]+)"
        else:
            regex += "/" + re.escape(part)
    return _CompiledRoute(route, re.compile(f"^{regex or '/'}$"), tuple(names), len(names), greedy)


class Unauthorized(Exception):
    pass


class LocalGateway:
    def __init__(self, functions: LocalFunctions | None = None, allowed_origins: Iterable[str] | None = None):
        self.functions = functions or LocalFunctions()
        template = self.functions.template
        self.allowed_origins = (
            frozenset(allowed_origins) if allowed_origins is not None else local_allowed_origins()
        )
        self._api_cors = template.api_cors
        routes = [route for route in template.routes if route.path != "$default"]
        # API Gateway prefers the most specific route: fewer variables, then no greedy variable.
        self._routes = sorted((_compile(route) for route in routes), key=lambda c: (c.greedy, c.variables))
        self._default = next((route for route in template.routes if route.path == "$default"), None)
        # The front door's origin rules: these routes go to a function URL, not to the HTTP API.
        self._front_door = [
            (_compile(HttpRoute(route.split(" ", 1)[0], route.split(" ", 1)[1], spec.logical_id, False)))
            for spec in template.functions.values()
            for route in spec.front_door_routes
        ]
        self._url_cors = {spec.logical_id: spec.url_cors or Cors() for spec in template.functions.values()}
        self._jwks: tuple[float, dict[str, Any]] | None = None
        self._jwks_lock = threading.Lock()

    # -- routing -----------------------------------------------------------------------------------

    def match(self, method: str, path: str) -> tuple[HttpRoute | None, dict[str, str]]:
        for compiled in self._routes:
            if compiled.route.method not in (method, "ANY"):
                continue
            found = compiled.pattern.match(path)
            if found:
                return compiled.route, {
                    name: unquote(v) for name, v in zip(compiled.names, found.groups(), strict=True)
                }
        return self._default, {}

    def handle(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        source_ip: str = "127.0.0.1",
        client_cert: dict[str, Any] | None = None,
    ) -> GatewayResponse:
        """One request. ``client_cert`` stands for a mutual-TLS client certificate (the front door's):
        the plain-HTTP server never has one, like API Gateway's default endpoint, so there the
        client-address header is not believed, as in AWS (sauti.clientaddr)."""
        method = method.upper()
        headers = {name.lower(): value for name, value in (headers or {}).items()}
        if len(body) > MAX_BODY_BYTES:
            return _too_large()
        if method == "OPTIONS" and "access-control-request-method" in headers:
            return self._preflight(path, headers)
        front_door = self._front_door_route(method, path)
        if front_door is not None:
            response = self._function_url(front_door.function, method, path, query, headers, body, source_ip)
            return self._with_cors(response, self._url_cors[front_door.function], headers)
        return self._with_cors(
            self._http_api(method, path, query, headers, body, source_ip, client_cert),
            self._api_cors,
            headers,
        )

    def _http_api(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        source_ip: str,
        client_cert: dict[str, Any] | None,
    ) -> GatewayResponse:
        route, path_parameters = self.match(method, path)
        if route is None:
            return _plain(404, {"message": "Not Found"})
        claims = None
        if route.authorized:
            try:
                claims = self.verify_bearer(headers.get("authorization"))
            except Unauthorized:
                return _plain(401, {"message": "Unauthorized"}, {"www-authenticate": "Bearer"})
        route_key = "$default" if route.path == "$default" else f"{route.method} {route.path}"
        event = http_event(
            route_key,
            method,
            path,
            query=query,
            headers=headers,
            body=body,
            path_parameters=path_parameters,
            claims=claims,
            source_ip=source_ip,
            client_cert=client_cert,
        )
        try:
            result = self.functions.invoke(route.function, event)
        except Exception:  # the function crashed: API Gateway answers a bare 500
            import traceback

            traceback.print_exc()
            return _plain(500, {"message": "Internal Server Error"})
        return _to_response(result)

    # -- CORS --------------------------------------------------------------------------------------

    def _front_door_route(self, method: str, path: str) -> HttpRoute | None:
        return next(
            (c.route for c in self._front_door if c.route.method == method and c.pattern.match(path)), None
        )

    def _origin_allowed(self, headers: dict[str, str]) -> str | None:
        """The value of Access-Control-Allow-Origin for this request, if its origin is allowed."""
        origin = headers.get("origin")
        if origin is None:
            return None
        if "*" in self.allowed_origins:
            return "*"
        return origin if origin.rstrip("/") in self.allowed_origins else None

    def _preflight(self, path: str, headers: dict[str, str]) -> GatewayResponse:
        """API Gateway's (or the function URL's) own answer to a preflight: the configured lists for an
        allowed origin, nothing for any other (the browser then refuses the real request)."""
        front_door = self._front_door_route(headers["access-control-request-method"].upper(), path)
        cors = self._url_cors[front_door.function] if front_door else self._api_cors
        allow_origin = self._origin_allowed(headers)
        if allow_origin is None:
            return GatewayResponse(204, {}, b"")
        return GatewayResponse(
            204,
            {
                "access-control-allow-origin": allow_origin,
                "access-control-allow-methods": ",".join(sorted(cors.allow_methods)),
                "access-control-allow-headers": ",".join(sorted(cors.allow_headers)),
                "access-control-max-age": str(cors.max_age),
                "vary": "origin",
            },
            b"",
        )

    def _with_cors(self, response: GatewayResponse, cors: Cors, headers: dict[str, str]) -> GatewayResponse:
        """The CORS headers of the configuration; a function's own are dropped, as API Gateway does."""
        response.headers = {
            name: value for name, value in response.headers.items() if not name.startswith("access-control-")
        }
        allow_origin = self._origin_allowed(headers)
        if allow_origin is not None:
            response.headers["access-control-allow-origin"] = allow_origin
            if cors.expose_headers:
                response.headers["access-control-expose-headers"] = ",".join(sorted(cors.expose_headers))
            if allow_origin != "*":
                response.headers["vary"] = "origin"
        return response

    def _function_url(
        self,
        function: str,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        source_ip: str,
    ) -> GatewayResponse:
        """A function URL's request: no authorizer and no route key; the function checks the token."""
        entry = self.functions.handler(function)
        entry.jwks = self.jwks  # the keys this stack publishes, without an HTTP round trip to itself
        front_door = settings(FrontDoorSettings)  # Cloudflare's request-header rule adds it
        headers = {**headers, front_door.front_door_header: front_door.front_door_secret}
        event = http_event(
            "$default", method, path, query=query, headers=headers, body=body, source_ip=source_ip
        )
        event["requestContext"]["accountId"] = "anonymous"
        try:
            result = self.functions.invoke(function, event)
        except Exception:  # the function crashed: a function URL answers 502
            import traceback

            traceback.print_exc()
            return _plain(502, {"message": "Internal Server Error"})
        return _to_response(result)

    # -- the JWT authorizer ------------------------------------------------------------------------

    def jwks(self) -> dict[str, Any]:
        """The issuer's published keys, fetched through the API itself and cached like API Gateway does."""
        with self._jwks_lock:
            if self._jwks is None or time.monotonic() - self._jwks[0] > JWKS_CACHE_SECONDS:
                response = self.handle("GET", JWKS_PATH)
                self._jwks = (time.monotonic(), response.json() if response.status == 200 else {"keys": []})
            return self._jwks[1]

    def forget_jwks(self) -> None:
        with self._jwks_lock:
            self._jwks = None

    def verify_bearer(self, authorization: str | None) -> dict[str, Any]:
        """The claims of a token API Gateway would accept (sauti.bearer)."""
        try:
            return bearer.verify(
                authorization,
                self.jwks(),
                issuer=settings(TokenSettings).jwt_issuer,
                audience=settings(TokenSettings).jwt_audience,
            )
        except bearer.Unauthorized as exc:
            raise Unauthorized from exc


def _plain(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> GatewayResponse:
    return GatewayResponse(
        status, {"content-type": "application/json", **(headers or {})}, json.dumps(body).encode()
    )


def _too_large() -> GatewayResponse:
    return _plain(413, {"message": "Request Entity Too Large"})


def _to_response(result: Any) -> GatewayResponse:
    """Payload 2.0 response rules: a dict with statusCode is used as is; anything else is a 200 JSON body."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return GatewayResponse(200, {"content-type": "application/json"}, json.dumps(result).encode())
    headers = {name.lower(): str(value) for name, value in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name.lower()] = ",".join(str(v) for v in values)
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    return GatewayResponse(int(result["statusCode"]), headers, raw, list(result.get("cookies") or []))


class _RequestHandler(BaseHTTPRequestHandler):
    gateway: LocalGateway
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        if self.command == "GET" and path.rstrip("/") == "/docs":
            if "format=json" in query:  # Swagger UI's own link to the document it shows
                self.path = "/openapi.json"
                path, query = self.path, ""
            else:
                self._send(200, {"content-type": "text/html; charset=utf-8"}, swagger_page())
                return
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:  # refused before reading, as API Gateway does
            self.close_connection = True
            refused = _too_large() if length > 0 else _plain(400, {"message": "Bad Request"})
            self._send(refused.status, refused.headers, refused.body)
            return
        body = self.rfile.read(length) if length else b""
        response = self.gateway.handle(
            self.command,
            path,
            query=query,
            headers=dict(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )
        self._send(response.status, response.headers, response.body, response.cookies)

    def _send(self, status: int, headers: dict[str, str], body: bytes, cookies: list[str] = ()) -> None:  # type: ignore[assignment]
        self.send_response(status)
        for name, value in headers.items():
            if name not in ("content-length", "connection"):
                self.send_header(name, value)
        for cookie in cookies:
            self.send_header("set-cookie", cookie)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, PROPFIND, ...) goes through the routes like API Gateway's: the
        # $default route answers it with problem+json, never http.server's HTML 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        print(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}", flush=True)


@functools.cache
def swagger_page() -> bytes:
    """Swagger UI over /openapi.json (the local stack only), with Powertools' bundled assets inlined."""
    from aws_lambda_powertools.event_handler.openapi import swagger_ui
    from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

    assets = Path(swagger_ui.__file__).parent
    html = generate_swagger_html(
        spec=(PROJECT_ROOT / "docs" / "openapi.json").read_text(),
        swagger_js=(assets / "swagger-ui-bundle.min.js").read_text(),
        swagger_css=(assets / "swagger-ui.min.css").read_text(),
        swagger_base_url="",
        oauth2_config=None,
        persist_authorization=True,
    )
    return html.encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # http.server's backlog is 5: a burst of new connections (a test client, a page of thumbnails)
    # got resets. The kernel caps this at net.core.somaxconn (4096 on current Linux).
    request_queue_size = 1024


def serve(gateway: LocalGateway, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    handler = type("GatewayHandler", (_RequestHandler,), {"gateway": gateway})
    server = _Server((host, port), handler)
    threading.Thread(target=server.serve_forever, name="gateway", daemon=True).start()
    return server
