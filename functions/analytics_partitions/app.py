"""Daily upkeep of the plays partitions: the next days created ahead, old rolled-up days detached."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sauti.analytics.partitions import maintain_partitions
from sauti.analytics.settings import AnalyticsSettings
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.observability import instrumented, logger
from sauti.settings import require

require(CoreSettings, DatabaseSettings, AnalyticsSettings)


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    upkeep = asdict(maintain_partitions())
    # Not extra=upkeep: "created" is a reserved LogRecord attribute, and logging refuses to overwrite it.
    logger.info("plays partitions maintained", extra={"partitions": upkeep})
    return upkeep
