"""The HTTP application pattern shared by every API function.

``http_app()`` gives a Powertools ``APIGatewayHttpResolver`` with pydantic
validation and the error handlers that turn every failure into problem+json
(RFC 9457): domain errors with their own status and code, validation errors as
422 listing the offending fields, a malformed JSON body as 400, unknown routes
as 404, an unreachable dependency as 503, and anything unexpected as a logged
500 with no detail in the body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import psycopg
import redis
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths

from sauti.db import DatabaseUnavailable
from sauti.errors import DomainError
from sauti.observability import instrumented, logger
from sauti.principal import Principal, principal_from_claims, require_role

PROBLEM_JSON = "application/problem+json"


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


class SautiResolver(APIGatewayHttpResolver):
    """The resolver, plus the caller's principal and a one-line role check."""

    def principal(self) -> Principal:
        """The authenticated caller; 401 when the gateway passed no verified claims."""
        authorizer = self.current_event.raw_event.get("requestContext", {}).get("authorizer") or {}
        return principal_from_claims((authorizer.get("jwt") or {}).get("claims"))

    def require_role(self, *roles: str) -> Principal:
        """The caller, if they hold one of ``roles``; else 401 or 403."""
        return require_role(self.principal(), *roles)


def _carries_nul(event: dict[str, Any]) -> bool:
    """PostgreSQL text cannot hold NUL, so no client text may carry one (raw, or as a JSON escape)."""
    body = "" if event.get("isBase64Encoded") else event.get("body") or ""
    if "\x00" in body or "\\u0000" in body:
        return True
    parameters = {**(event.get("queryStringParameters") or {}), **(event.get("pathParameters") or {})}
    return any("\x00" in str(value) for value in parameters.values())


def _reject_nul(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response:
    if _carries_nul(app.current_event.raw_event):
        return problem(422, "validation_error", "Invalid request", "text may not contain NUL characters")
    return next_middleware(app)


def http_app() -> SautiResolver:
    app = SautiResolver(enable_validation=True)
    app.use(middlewares=[_reject_nul])

    @app.exception_handler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        return problem(exc.status, exc.code, exc.title, exc.detail, headers=exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(exc: RequestValidationError) -> Response:
        return _validation_problem(exc)

    @app.not_found
    def _not_found(_exc: NotFoundError) -> Response:
        return problem(404, "not_found", "Not found", "no such route")

    @app.exception_handler(
        [DatabaseUnavailable, psycopg.OperationalError, redis.RedisError]
    )  # a list: Powertools ignores tuples
    def _dependency_down(exc: Exception) -> Response:
        logger.warning("dependency unavailable", extra={"error": type(exc).__name__})
        return problem(
            503,
            "service_unavailable",
            "Service unavailable",
            "please retry shortly",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")
        return problem(500, "internal_error", "Internal error", "something went wrong on our side")

    return app


def lambda_entry(app: SautiResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda handler of an HTTP function, with the shared decorator stack."""

    @instrumented(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return app.resolve(event, context)

    return handler
