"""The daily rollup job: shortly after midnight UTC, every finished day not yet rolled up.

With ``detail.date`` (``sauti run-job analytics-rollup --date D``) it rolls up that day only. Either
way it then recomputes the cached dashboard answers made stale, while time is left.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sauti.analytics.dashboard import refresh_stale
from sauti.analytics.rollup import catch_up, roll_up_day
from sauti.analytics.settings import AnalyticsSettings
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.events import domain_event, publish_events
from sauti.observability import instrumented, logger
from sauti.settings import require

require(CoreSettings, DatabaseSettings, AnalyticsSettings)

SAFETY_MARGIN_MS = 5_000


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    wanted = (event.get("detail") or {}).get("date")
    if wanted:
        done = [roll_up_day(date.fromisoformat(wanted))]
    else:
        # Start another day only while twice the slowest day so far still fits in the time left.
        done = catch_up(
            keep_going=lambda longest_ms: (
                context.get_remaining_time_in_millis() > 2 * longest_ms + SAFETY_MARGIN_MS
            )
        )
    if done:
        # Search re-ranks by the new totals (docs/search.md); a lost event is caught up by the next one.
        try:
            publish_events(
                domain_event("analytics", "rollup.completed", {"date": r.day.isoformat()}) for r in done
            )
        except Exception:
            logger.exception("rollup.completed not published")
    # Then recompute the cached dashboards the rollup made stale, in the time left.
    refreshed = refresh_stale(keep_going=lambda: context.get_remaining_time_in_millis() > SAFETY_MARGIN_MS)
    return {
        "refreshed_dashboards": refreshed,
        "rolled_up": [
            {
                "day": r.day.isoformat(),
                "raw_plays": r.raw_plays,
                "counted_plays": r.counted_plays,
                "songs": r.songs,
            }
            for r in done
        ],
    }
