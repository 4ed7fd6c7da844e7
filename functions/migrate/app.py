"""Applies pending database migrations; the deploy workflow invokes it after each deploy."""

from __future__ import annotations

from typing import Any

from sauti.config import load_json_secret
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.migrate import apply_migrations, ensure_app_role
from sauti.observability import instrumented, logger
from sauti.settings import require, settings

require(CoreSettings, DatabaseSettings)


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    applied = apply_migrations()
    logger.info("migrations applied", extra={"applied": applied})
    app_secret = settings(DatabaseSettings).db_app_secret_arn
    if app_secret:
        credentials = load_json_secret(app_secret)
        ensure_app_role(credentials["username"], credentials["password"])
        logger.info("application role granted", extra={"role": credentials["username"]})
    return {"applied": applied, "app_role": bool(app_secret)}
