"""The HTTP application pattern shared by every API function.

``http_app(public=...)`` gives a Powertools ``APIGatewayHttpResolver`` with pydantic
validation and the error handlers that turn every failure into problem+json
(RFC 9457): domain errors with their own status and code, validation errors as
422 listing the offending fields, a malformed JSON body as 400, unknown routes
as 404, an unreachable dependency as 503, and anything unexpected as a logged
500 with no detail in the body.

Authentication by default: every route needs a verified principal unless its
route key (``"POST /auth/login"``, as in ``template.yaml``) is in the ``public``
list the function's ``app.py`` declares at its top. The principal is read from
the authorizer's claims once per request, here, before any route runs; routes
ask ``app.principal()``. The OpenAPI document gets each route's security and its
problem+json responses (401 and 503 on every authenticated route, 422 where the
route takes input, plus what the route declares with ``errors(...)``).
"""

from __future__ import annotations

import base64
import inspect
import json
from collections.abc import Callable, Iterable
from typing import Annotated, Any

import psycopg
import redis
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Header, Query
from aws_lambda_powertools.logging import correlation_paths

from sauti import paging
from sauti.db import DatabaseUnavailable, interactive
from sauti.errors import DomainError, Unauthorized
from sauti.observability import instrumented, logger
from sauti.principal import Principal, principal_from_claims, require_role

PROBLEM_JSON = "application/problem+json"
JSON = "application/json"
# Lambda refuses a synchronous response over 6 MB (API Gateway then answers 500 with no detail);
# with a margin for the headers and the envelope. Every route is bounded well under it by construction
# (paged lists, bounded request lists); this is the last guard.
RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024 - 64 * 1024
BEARER = "bearer"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "stable snake_case machine code"},
    },
    "additionalProperties": True,
    "examples": [
        {
            "type": "https://docs.sauti.app/problems/not_found",
            "title": "Not found",
            "status": 404,
            "detail": "no such playlist",
            "code": "not_found",
        }
    ],
}
# What API Gateway itself answers (application/json, no `code`): its JWT authorizer's 401 to a missing or
# refused token, before any function runs. HTTP APIs cannot reshape it, so the document says so.
GATEWAY_MESSAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"type": "string", "examples": ["Unauthorized"]}},
    "description": "API Gateway's own answer, before any function runs",
}
# The document's shared components (the devtools' OpenAPI merge adds them once to the merged document).
COMPONENTS: dict[str, dict[str, Any]] = {
    "Problem": PROBLEM_SCHEMA,
    "GatewayMessage": GATEWAY_MESSAGE_SCHEMA,
    "Unauthorized": {
        "anyOf": [{"$ref": "#/components/schemas/Problem"}, {"$ref": "#/components/schemas/GatewayMessage"}],
        "description": "the gateway's refusal of the token, or the function's problem (an account deleted,"
        " a token from before its sessions were ended)",
    },
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_PROBLEM_TITLES = {
    400: "Malformed request (`malformed_json`: the body is not JSON)",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed (see Allow)",
    409: "Conflict",
    412: "Version conflict",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests (see Retry-After)",
    503: "A dependency is unavailable (see Retry-After)",
}
RETRY_AFTER = {
    "Retry-After": {"description": "seconds to wait before trying again", "schema": {"type": "string"}}
}
# Headers of the contract (the CORS lists of template.yaml name every header the document does: a test).
ETAG = {
    "ETag": {"description": "the version, quoted: send it back as `If-Match`", "schema": {"type": "string"}}
}
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=1000,
        description='the `ETag` last seen (`"<version>"`, several comma-separated, or `*`); a stale one is'
        " 412 `version_conflict` and nothing changes",
    ),
]
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def errors(*statuses: int) -> dict[int, Any]:
    """The OpenAPI responses of a route's problem+json errors: ``@app.get(..., responses=errors(404))``."""
    return {status: _problem_response(status) for status in statuses}


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _PROBLEM_TITLES.get(status, "Problem"),
        "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
    }
    if status in (429, 503):
        response["headers"] = RETRY_AFTER
    return response


def _gateway_unauthorized() -> dict[str, Any]:
    """401 on a route behind the JWT authorizer: the gateway's JSON or the function's problem."""
    schema = {"$ref": "#/components/schemas/Unauthorized"}
    return {
        "description": 'no valid access token: API Gateway\'s own `{"message": "Unauthorized"}`, or a'
        " problem from the function",
        "headers": {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
        "content": {JSON: {"schema": schema}, PROBLEM_JSON: {"schema": schema}},
    }


def problem(
    status: int, code: str, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body = {
        "type": f"https://docs.sauti.app/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return Response(status_code=status, content_type=PROBLEM_JSON, body=json.dumps(body), headers=headers)


def _validation_problem(exc: RequestValidationError) -> Response:
    errors = exc.errors()
    if any(tuple(error.get("loc", ()))[:1] == ("response",) for error in errors):
        # Powertools reports our own answer not matching its model the same way: that is our bug.
        logger.error("response does not match its model", extra={"errors": str(errors)[:2000]})
        return problem(500, "internal_error", "Internal error", "something went wrong on our side")
    if any(error.get("type") == "json_invalid" for error in errors):
        return problem(400, "malformed_json", "Malformed JSON", "the request body is not valid JSON")
    fields = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body",
            "message": error.get("msg", "invalid"),
            "type": error.get("type", "invalid"),
        }
        for error in errors
    ]
    names = ", ".join(sorted({item["field"] for item in fields}))
    return problem(422, "validation_error", "Invalid request", f"invalid fields: {names}", errors=fields)


def route_key(method: str, rule: str) -> str:
    """API Gateway's route key (``GET /songs/{id}``) of a Powertools rule (``/songs/<id>``)."""
    return f"{method.upper()} {rule.replace('<', '{').replace('>', '}')}"


_ROUTE_SIGNATURE = inspect.signature(APIGatewayHttpResolver.route)


class SautiResolver(APIGatewayHttpResolver):
    """The resolver, with authentication by default, the caller's principal and a one-line role check."""

    def __init__(self, public: Iterable[str] = (), raw_bodies: Iterable[str] = ()):
        super().__init__(enable_validation=True)
        self.public_routes = frozenset(public)
        self.raw_body_routes = frozenset(raw_bodies)  # bodies the route reads itself (JSON Lines)

    def route(self, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        """Powertools' route, with each operation's security and problem+json responses documented."""
        bound = _ROUTE_SIGNATURE.bind(self, *args, **kwargs)
        bound.apply_defaults()
        options = bound.arguments
        method = options["method"]
        methods = [method] if isinstance(method, str) else list(method)
        public = all(route_key(item, options["rule"]) in self.public_routes for item in methods)
        status = options["status_code"]
        success: dict[str, Any] = {"description": options["response_description"]}  # model filled in
        if status == 204:
            success = {"description": "No content", "content": {}}  # no body, not a JSON null
        takes_body = any(item.upper() in _BODY_METHODS for item in methods)
        options["responses"] = {
            status: success,
            # Every route: a bad value (422), a dependency down (503); behind the authorizer, the
            # gateway's or the function's 401 and a suspended account's 403 (sauti.principal).
            **({} if public else {401: _gateway_unauthorized(), **errors(403)}),
            **errors(*((400, 415) if takes_body else ()), 422, 503),
            **(options["responses"] or {}),
        }
        if not public and options["security"] is None:
            options["security"] = [{BEARER: []}]

        def register(func: Callable[..., Any]) -> Callable[..., Any]:
            if options["operation_id"] is None:  # the handler's name: a generated client's method name
                options["operation_id"] = func.__name__
            registered: Callable[..., Any] = APIGatewayHttpResolver.route(*bound.args, **bound.kwargs)(func)
            return registered

        return register

    def authenticate(self, event: dict[str, Any]) -> None:
        """Read the caller from the verified claims once; 401 unless the route is public."""
        authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
        claims = (authorizer.get("jwt") or {}).get("claims")
        if event.get("routeKey") in self.public_routes:
            self.append_context(principal=None)
            return
        headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
        self.append_context(principal=principal_from_claims(claims, headers.get("authorization")))

    def principal(self) -> Principal:
        """The authenticated caller (only a public route can have none: 401 there)."""
        found = self.context.get("principal")
        if not isinstance(found, Principal):
            raise Unauthorized()
        return found

    def require_role(self, *roles: str) -> Principal:
        """The caller, if they hold one of ``roles``; else 403."""
        return require_role(self.principal(), *roles)


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return not media_type or media_type == "application/json" or media_type.endswith("+json")


def with_json_content_type(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its content type spelled the one way Powertools' body parser reads as JSON.

    Powertools 3 reads a body as JSON only when the header starts with ``application/json`` (case and
    all) and raises on anything else, an empty body included. By the time this runs, a body is known
    to be JSON (any case, parameters, ``+json``; JSON is always UTF-8), and no body is no body
    whatever its declared type: both become ``application/json``.
    """
    headers = {
        name: value for name, value in (event.get("headers") or {}).items() if name.lower() != "content-type"
    }
    return {**event, "headers": {**headers, "content-type": JSON}}


def _request_problem(event: dict[str, Any], raw_body: bool = False) -> Response | None:
    """Refuse, before any route runs, what no route can read: a body that is not JSON, JSON too deep
    or with numbers too long for Python to parse, and NUL characters (PostgreSQL text cannot hold
    them) in the body, the query or the path."""
    body = event.get("body") or ""
    if body and raw_body:
        if event.get("isBase64Encoded"):
            try:
                body = base64.b64decode(body).decode("utf-8", "replace")
            except ValueError:
                return problem(400, "malformed_body", "Malformed body", "the body is not valid base64")
    elif body:
        headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
        if not _is_json(headers.get("content-type", "")):
            return problem(415, "unsupported_media_type", "Unsupported media type", "send the body as JSON")
        try:
            if event.get("isBase64Encoded"):
                body = base64.b64decode(body).decode("utf-8", "replace")
            json.loads(body)
        except (ValueError, RecursionError):
            return problem(400, "malformed_json", "Malformed JSON", "the request body is not valid JSON")
    parameters = {**(event.get("queryStringParameters") or {}), **(event.get("pathParameters") or {})}
    if "\x00" in body or "\\u0000" in body or any("\x00" in str(value) for value in parameters.values()):
        return problem(422, "validation_error", "Invalid request", "text may not contain NUL characters")
    return None


DEPENDENCY_ERRORS = (DatabaseUnavailable, psycopg.OperationalError, redis.RedisError)


def _dependency_problem(exc: Exception) -> Response:
    logger.warning("dependency unavailable", extra={"error": type(exc).__name__})
    return problem(
        503,
        "service_unavailable",
        "Service unavailable",
        "please retry shortly",
        headers={"Retry-After": "5"},
    )


def http_app(*, public: Iterable[str] = (), raw_bodies: Iterable[str] = ()) -> SautiResolver:
    """The resolver of one function; ``public`` lists the route keys that need no principal,
    ``raw_bodies`` those whose body is not JSON and read by the route itself (JSON Lines)."""
    app = SautiResolver(public=public, raw_bodies=raw_bodies)

    @app.exception_handler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        return problem(exc.status, exc.code, exc.title, exc.detail, headers=exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(exc: RequestValidationError) -> Response:
        return _validation_problem(exc)

    @app.exception_handler(RequestUnsupportedContentType)  # never raised after with_json_content_type
    def _unsupported_media_type(_exc: RequestUnsupportedContentType) -> Response:
        return problem(415, "unsupported_media_type", "Unsupported media type", "send the body as JSON")

    @app.not_found
    def _not_found(_exc: NotFoundError) -> Response:
        return problem(404, "not_found", "Not found", "no such route")

    @app.exception_handler(list(DEPENDENCY_ERRORS))  # a list: Powertools ignores tuples
    def _dependency_down(exc: Exception) -> Response:
        return _dependency_problem(exc)

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")
        return problem(500, "internal_error", "Internal error", "something went wrong on our side")

    return app


def lambda_entry(app: SautiResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda handler of an HTTP function, with the shared decorator stack.

    Requests no route can read are refused here, before the resolver (whose own body parsing
    would otherwise fail on them with an unexpected error). Every request runs
    ``sauti.db.interactive()``: its database round trips give up after ``DB_REQUEST_DEADLINE_MS``.
    """

    @instrumented(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        with interactive():  # someone waits: the request's database deadline, not a job's
            return _handle(event, context)

    def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raw_body = event.get("routeKey") in app.raw_body_routes
        refused = _request_problem(event, raw_body)
        if refused is None:
            try:
                app.authenticate(event)  # looks the account up: the database or Redis may be down
            except DomainError as exc:
                refused = problem(exc.status, exc.code, exc.title, exc.detail, headers=exc.headers)
            except DEPENDENCY_ERRORS as exc:
                refused = _dependency_problem(exc)
        if refused is not None:
            app.clear_context()
            return {
                "statusCode": refused.status_code,
                "headers": {name: str(value) for name, value in refused.headers.items()},
                "body": refused.body,
                "isBase64Encoded": False,
            }
        readable = event if raw_body else with_json_content_type(event)
        return _within_response_limit(app.resolve(readable, context))

    return handler


def _within_response_limit(result: dict[str, Any]) -> dict[str, Any]:
    """The response, unless it is too large for Lambda to return: then a logged 500 problem."""
    if len(result.get("body") or "") <= RESPONSE_LIMIT_BYTES:
        return result
    logger.error("response over the Lambda limit", extra={"bytes": len(result["body"])})
    too_large = problem(500, "response_too_large", "Internal error", "the answer was too large to send")
    return {
        "statusCode": too_large.status_code,
        "headers": {name: str(value) for name, value in too_large.headers.items()},
        "body": too_large.body,
        "isBase64Encoded": False,
    }


# The query parameters of every list route: ``limit: Limit = paging.DEFAULT_LIMIT, cursor: Cursor = None``.
# Each cursor's pattern is the whole check (sauti.paging), so the document and the server agree.
Limit = Annotated[int, Query(ge=1, le=paging.MAX_LIMIT)]
_OPAQUE = "opaque: the `next_cursor` of the page before"
Cursor = Annotated[str | None, Query(pattern=paging.CURSOR_PATTERN, description=_OPAQUE)]
RankCursor = Annotated[str | None, Query(pattern=paging.RANK_CURSOR_PATTERN, description=_OPAQUE)]
IdCursor = Annotated[str | None, Query(pattern=paging.ID_CURSOR_PATTERN, description=_OPAQUE)]
