"""Every few minutes: the plays counted since the last run, as batched ``play.counted`` events."""

from __future__ import annotations

from typing import Any

from sauti.analytics.play_events import publish_counted_plays
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.observability import instrumented, logger
from sauti.settings import require

require(CoreSettings, DatabaseSettings)


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    published = publish_counted_plays()
    summary = {
        "plays": published.plays,
        "events": published.events,
        "window_start": published.window_start.isoformat(),
        "window_end": published.window_end.isoformat(),
        "backlog": published.backlog,
    }
    logger.info("play.counted published", extra=summary)
    return summary
