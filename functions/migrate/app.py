"""Applies pending database migrations. The stack's Migrations custom resource runs it on every
deploy before any other function gets its new code; invoked by hand (any other event) it just runs."""

from __future__ import annotations

from typing import Any

from sauti.config import load_json_secret
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.custom_resource import is_custom_resource_event, serve
from sauti.migrate import apply_migrations, ensure_app_role
from sauti.observability import instrumented, logger
from sauti.settings import require, settings

require(CoreSettings, DatabaseSettings)


def migrate() -> dict[str, Any]:
    applied = apply_migrations()
    logger.info("migrations applied", extra={"applied": applied})
    app_secret = settings(DatabaseSettings).db_app_secret_arn
    if app_secret:
        credentials = load_json_secret(app_secret)
        ensure_app_role(credentials["username"], credentials["password"])
        logger.info("application role granted", extra={"role": credentials["username"]})
    return {"applied": applied, "app_role": bool(app_secret)}


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if is_custom_resource_event(event):
        return serve(event, migrate)
    return migrate()
