"""Recording counted plays: the one function other modules call to write to the plays table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from psycopg import Connection
from psycopg.errors import LockNotAvailable

from sauti.db import Row, transaction
from sauti.observability import logger


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
    sql = """INSERT INTO plays (played_at, user_id, song_id, listened_ms, source, session_id)
             VALUES (%s, %s, %s, %s, %s, %s)
             ON CONFLICT DO NOTHING"""
    params = (play.played_at, play.user_id, play.song_id, play.listened_ms, play.source, play.session_id)
    if conn is not None:
        conn.execute(sql, params)
        return
    with transaction() as own:
        own.execute(sql, params)


def recently_played(user_id: str, *, limit: int, before: tuple[datetime, str] | None = None) -> list[Row]:
    """The user's counted plays, newest first, keyset-paged on ``(played_at, id)`` (``before`` is the
    last row of the previous page), so plays at the same instant are neither skipped nor repeated."""
    with transaction() as conn:
        return conn.execute(
            """SELECT id::text, song_id, played_at, listened_ms, source FROM plays
               WHERE user_id = %(user)s
                 AND (%(at)s::timestamptz IS NULL OR (played_at, id) < (%(at)s, %(id)s::uuid))
               ORDER BY played_at DESC, id DESC LIMIT %(limit)s""",
            {
                "user": user_id,
                "at": before[0] if before else None,
                "id": before[1] if before else None,
                "limit": limit,
            },
        ).fetchall()


PARTITIONS_LOCK = 7_242_517  # advisory lock: one partition change at a time
# How long partition DDL waits for a table lock before giving up until the next run: a waiting
# ALTER TABLE queues every insert behind it.
PARTITION_LOCK_TIMEOUT = "5s"


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
    today = today or datetime.now(UTC).date()
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
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    with transaction() as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PARTITIONS_LOCK,))
        conn.execute(f"SET LOCAL lock_timeout = '{PARTITION_LOCK_TIMEOUT}'")
        exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL AS found", (name,)).fetchone()
        if exists and exists["found"]:
            return False
        conn.execute(f"CREATE TABLE {name} (LIKE plays INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        conn.execute("LOCK TABLE plays_default IN SHARE ROW EXCLUSIVE MODE")
        conn.execute(
            f"""WITH moved AS (DELETE FROM plays_default
                               WHERE played_at >= '{start}' AND played_at < '{end}' RETURNING *)
                INSERT INTO {name} SELECT * FROM moved"""
        )
        conn.execute(f"ALTER TABLE plays ATTACH PARTITION {name} FOR VALUES FROM ('{start}') TO ('{end}')")
    return True
