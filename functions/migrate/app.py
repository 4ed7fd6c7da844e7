"""Applies pending database migrations; the deploy workflow invokes it after each deploy."""

from __future__ import annotations

from typing import Any

from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.migrate import apply_migrations
from sauti.observability import instrumented, logger
from sauti.settings import require

require(CoreSettings, DatabaseSettings)


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    applied = apply_migrations()
    logger.info("migrations applied", extra={"applied": applied})
    return {"applied": applied}
