"""Recording counted plays: the one function other modules call to write to the plays table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from psycopg import Connection
from psycopg.errors import LockNotAvailable

from sauti import clock
from sauti.analytics import store
from sauti.db import Row, transaction
from sauti.observability import logger

MIN_COUNTED_MS = 30_000  # a play counts when at least 30 s were listened (the contract's rule)


@dataclass(frozen=True)
class CountedPlay:
    user_id: str
    song_id: str
    played_at: datetime
    listened_ms: int
    source: str = "unknown"
    session_id: str | None = None


def record_play(play: CountedPlay, conn: Connection[Row] | None = None) -> None:
    """Insert one counted play; the caller has already applied the 30-second rule.

    Pass ``conn`` to write inside the caller's transaction. A session's play is
    recorded at most once (a retried request is harmless).
    """
    if conn is not None:
        _insert(conn, play)
        return
    with transaction() as own:
        _insert(own, play)


def _insert(conn: Connection[Row], play: CountedPlay) -> None:
    store.insert_play(
        conn,
        played_at=play.played_at,
        user_id=play.user_id,
        song_id=play.song_id,
        listened_ms=play.listened_ms,
        source=play.source,
        session_id=play.session_id,
    )


def recently_played(user_id: str, *, limit: int, before: tuple[datetime, str] | None = None) -> list[Row]:
    """The user's counted plays, newest first, keyset-paged on ``(played_at, id)`` (``before`` is the
    last row of the previous page), so plays at the same instant are neither skipped nor repeated."""
    with transaction() as conn:
        return store.plays_of_user(conn, user_id, limit=limit, before=before)


# How long partition DDL waits for a table lock before giving up until the next run: a waiting
# ALTER TABLE queues every insert behind it.
PARTITION_LOCK_TIMEOUT = "5s"


def top_songs(song_ids: list[str], *, days: int, limit: int, today: date | None = None) -> list[str]:
    """The most played of ``song_ids`` over the last ``days`` finished days (UTC), most first (ties in
    the order given); songs without plays there are left out. For the catalog's artist pages."""
    if not song_ids:
        return []
    through = (today or clock.today()) - timedelta(days=1)
    with transaction() as conn:
        rows = store.plays_per_song(conn, song_ids, through - timedelta(days=days - 1), through)
    position = {song_id: index for index, song_id in enumerate(song_ids)}
    ranked = sorted(rows, key=lambda row: (-int(row["plays"]), position.get(row["song_id"], len(position))))
    return [row["song_id"] for row in ranked[:limit]]


def song_plays(
    *, days: int, after: str | None = None, limit: int = 10_000, today: date | None = None
) -> list[Row]:
    """``{song_id, plays}`` of every song played over the last ``days`` finished days (UTC), ordered by
    song id, ``limit`` at a time after ``after`` (for search's ranking)."""
    through = (today or clock.today()) - timedelta(days=1)
    with transaction() as conn:
        return store.song_plays(conn, through - timedelta(days=days - 1), through, after, limit)


class TodayHasNoPartition(ValueError):
    """Today's partition is never created on a live table: it would lock out today's inserts."""


def partition_name(day: date) -> str:
    return f"plays_{day:%Y%m%d}"


def ensure_daily_partitions(first_day: date, days: int, *, today: date | None = None) -> list[str]:
    """Create the daily partitions from ``first_day`` on that do not exist yet; returns those created.

    Meant for days ahead (the upkeep job creates them from tomorrow on) and for old history; today is
    refused, since its live inserts would wait for the move. One transaction per day: the default
    partition is locked against writes (SHARE ROW EXCLUSIVE) before the rows already waiting there
    for the day are moved, so no insert lands between the move and the ATTACH, which checks the
    default partition again. A day whose locks are not granted within ``PARTITION_LOCK_TIMEOUT`` is
    skipped (logged) and left to the next run.
    """
    today = today or clock.today()
    wanted = [first_day + timedelta(days=offset) for offset in range(days)]
    if today in wanted:
        raise TodayHasNoPartition(f"{today} is today (UTC): its plays stay in the default partition")
    created = []
    for day in wanted:
        try:
            if _create_partition(day):
                created.append(partition_name(day))
        except LockNotAvailable:
            logger.warning("partition not created: lock timeout, next run retries", extra={"day": str(day)})
    return created


def _create_partition(day: date) -> bool:
    name = partition_name(day)
    with transaction() as conn:
        store.lock_partitions(conn)
        store.set_lock_timeout(conn, PARTITION_LOCK_TIMEOUT)
        if store.table_exists(conn, name):
            return False
        store.create_day_partition(conn, name, day)
    return True
