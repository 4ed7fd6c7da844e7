"""GET /health, and the API's catch-all route that answers 404 problem+json."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from sauti.health import check_dependencies
from sauti.http import http_app, lambda_entry, problem

app = http_app()


@app.get("/health")
def health() -> Response[str]:
    report = check_dependencies()
    if report.healthy:
        return Response(200, "application/json", body=report.as_json(), headers={"Cache-Control": "no-store"})
    return problem(
        503,
        "service_unavailable",
        "Service unavailable",
        "failing: " + ", ".join(report.failing),
        headers={"Cache-Control": "no-store", "Retry-After": "5"},
        checks=report.checks,
    )


lambda_handler: Any = lambda_entry(app)
