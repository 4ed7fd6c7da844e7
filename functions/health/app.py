"""GET /health, and the API's catch-all route that answers 404 problem+json."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.health import Health, check_dependencies
from sauti.http import http_app, lambda_entry
from sauti.settings import require

PUBLIC = ("GET /health", "$default")
app = http_app(public=PUBLIC)
require(CoreSettings, DatabaseSettings)


@app.get("/health", responses={503: {"description": "a dependency is down (the same body)"}})
def health() -> Response[Health]:
    report = check_dependencies()
    return Response(
        status_code=200 if report.healthy else 503,
        content_type="application/json",
        body=report.view(),
        headers={"Cache-Control": "no-store"},
    )


lambda_handler: Any = lambda_entry(app)
