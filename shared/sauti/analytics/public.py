"""What other modules may call in analytics."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sauti.analytics import rollup, store
from sauti.analytics.dashboard import top_songs
from sauti.db import transaction

__all__ = ["song_plays", "top_songs"]


def song_plays(
    *, days: int, after: str | None = None, limit: int = 10_000, today: date | None = None
) -> list[dict[str, Any]]:
    """``{song_id, plays}`` of every song played over the last ``days`` finished days (UTC), ordered by
    song id, ``limit`` at a time after ``after`` (for search's ranking)."""
    through = (today or rollup.today_utc()) - timedelta(days=1)
    with transaction() as conn:
        return store.song_plays(conn, through - timedelta(days=days - 1), through, after, limit)
