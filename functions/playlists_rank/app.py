"""Every few minutes: views and plays of public playlists flushed from Redis to PostgreSQL, then the day,
week and month rankings computed and cached (what GET /playlists/top serves).

With ``detail.date`` (``sauti run-job playlists-rank --date D``) it acts as if D were today: it flushes D
and the day before, and ranks the periods ending on D.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sauti.observability import instrumented, logger
from sauti.playlists.logic import flush_and_rank
from sauti.playlists.settings import PlaylistsSettings
from sauti.settings import require

require(PlaylistsSettings)


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    wanted = (event.get("detail") or {}).get("date")
    try:
        today = date.fromisoformat(wanted) if wanted else None
    except (TypeError, ValueError):
        logger.warning("playlists-rank event with a malformed date ignored")
        return {"flushed": 0, "ranked": {}}
    result = flush_and_rank(today)
    logger.info("playlist views flushed and ranked", extra=result)
    return result
