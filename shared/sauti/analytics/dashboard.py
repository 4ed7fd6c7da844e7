"""Artist and song dashboards: totals through yesterday (UTC), served from the dashboard cache.

A read looks in the cache first (one indexed row). On a miss the answer is computed once from the
daily rollups and saved; a rollup bumps the cache generation, which makes every saved answer stale,
and ``through`` moving to a new yesterday does the same at midnight. The rollup job then recomputes
the stale answers itself (``refresh_stale``), so readers rarely pay for it. Today is never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sauti import clock
from sauti.analytics import store
from sauti.catalog import public as catalog
from sauti.db import transaction
from sauti.errors import Forbidden, NotFound
from sauti.principal import ARTIST, Principal

if TYPE_CHECKING:  # loaded where a response is built: the jobs importing this module skip pydantic
    from sauti.analytics.models import ArtistStats, Range, SongStats

RANGE_DAYS: dict[str, int | None] = {
    "last_7_days": 7,
    "last_30_days": 30,
    "last_365_days": 365,
    "all_time": None,
}
TOP_SONGS = 10
REFRESH_BATCH = 100


def artist_stats(
    caller: Principal, artist_id: str, range_: Range, *, today: date | None = None
) -> ArtistStats:
    from sauti.analytics.models import ArtistStats

    _require_dashboard_role(caller)
    found = catalog.artist_account(artist_id)
    if found is None:
        raise NotFound("no such artist")
    if not caller.is_admin and found["user_id"] != caller.user_id:
        raise Forbidden("only this artist's own account or an admin can see these numbers")
    return ArtistStats.model_validate(_cached("artist", found["id"], range_, today or clock.today()))


def song_stats(caller: Principal, song_id: str, range_: Range, *, today: date | None = None) -> SongStats:
    from sauti.analytics.models import SongStats

    _require_dashboard_role(caller)
    found = catalog.song_summary(song_id)
    if found is None:
        raise NotFound("no such song")
    owner = catalog.artist_account(found["artist_id"])
    own = owner is not None and owner["user_id"] == caller.user_id
    if not caller.is_admin and not own:
        if found["status"] != "published":
            raise NotFound("no such song")
        raise Forbidden("only this song's artist or an admin can see these numbers")
    return SongStats.model_validate(_cached("song", found["id"], range_, today or clock.today()))


def _require_dashboard_role(caller: Principal) -> None:
    if not (caller.is_admin or caller.has_any(ARTIST)):
        raise Forbidden("dashboards are for artists and admins")


def _cached(subject: str, subject_id: str, range_: Range, today: date) -> Any:
    through = today - timedelta(days=1)
    with transaction() as conn:
        body = store.cached_body(conn, subject, subject_id, range_, through)
    if body is not None:
        return body
    return _compute_and_save(subject, subject_id, range_, through)


def _compute_and_save(subject: str, subject_id: str, range_: Range, through: date) -> Any:
    titles = catalog.artist_song_titles(subject_id) if subject == "artist" else _song_title(subject_id)
    with transaction() as conn:
        # One snapshot for the generation and the totals: an answer is never newer than its generation.
        store.use_repeatable_read(conn)
        generation = store.current_generation(conn)
        body = compute(conn, subject, subject_id, titles, range_, through)
    with transaction() as conn:
        store.save_body(conn, subject, subject_id, range_, through, generation, body)
    return body


def refresh_stale(
    *, today: date | None = None, keep_going: Callable[[], bool] = lambda: True, batch: int = REFRESH_BATCH
) -> int:
    """Recompute every saved answer a rollup (or the date moving on) made stale, in batches of
    ``batch`` rows in key order, while ``keep_going()``; returns how many. What is left when time runs
    out is recomputed on its next read, as before."""
    through = (today or clock.today()) - timedelta(days=1)
    after: tuple[str, str, str] | None = None
    refreshed = 0
    while keep_going():
        with transaction() as conn:
            keys = store.stale_cache_keys(conn, through, after, batch)
        for key in keys:
            if not keep_going():
                return refreshed
            _compute_and_save(key["subject"], key["subject_id"], key["range"], through)
            refreshed += 1
        if len(keys) < batch:
            break
        after = (keys[-1]["subject"], keys[-1]["subject_id"], keys[-1]["range"])
    return refreshed


def _song_title(song_id: str) -> dict[str, str]:
    found = catalog.song_summary(song_id)
    return {song_id: found["title"]} if found else {}


def compute(
    conn: Any, subject: str, subject_id: str, titles: dict[str, str], range_: Range, through: date
) -> dict[str, Any]:
    """The dashboard answer from the daily rollups (no cache)."""
    length = RANGE_DAYS[range_]
    first = None if length is None else through - timedelta(days=length - 1)
    song_ids = list(titles)
    per_day = {row["day"]: int(row["plays"]) for row in store.daily_plays(conn, song_ids, first, through)}
    per_song = store.plays_per_song(conn, song_ids, first, through)
    start = first if first is not None else min(per_day, default=None)
    daily = []
    if start is not None:
        daily = [
            {"date": day.isoformat(), "plays": per_day.get(day, 0)}
            for day in (start + timedelta(days=offset) for offset in range((through - start).days + 1))
        ]
    top = sorted(per_song, key=lambda row: (-int(row["plays"]), titles[row["song_id"]], row["song_id"]))
    body: dict[str, Any] = {f"{subject}_id": subject_id}
    body.update(
        {
            "range": range_,
            "through": through.isoformat(),
            "total_plays": sum(per_day.values()),
            "daily": daily,
            "top_songs": [
                {"song_id": row["song_id"], "title": titles[row["song_id"]], "plays": int(row["plays"])}
                for row in top[:TOP_SONGS]
            ],
        }
    )
    return body
