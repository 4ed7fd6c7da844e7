"""Recording counted plays: the one function other modules call to write to the plays table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from psycopg import Connection

from sauti.db import Row, transaction


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


def recently_played(user_id: str, *, limit: int, before: datetime | None = None) -> list[Row]:
    """The user's counted plays, newest first (keyset pagination on ``played_at``)."""
    with transaction() as conn:
        return conn.execute(
            """SELECT song_id, played_at, listened_ms, source FROM plays
               WHERE user_id = %s AND (%s::timestamptz IS NULL OR played_at < %s)
               ORDER BY played_at DESC LIMIT %s""",
            (user_id, before, before, limit),
        ).fetchall()


PARTITIONS_LOCK = 7_242_517  # advisory lock: one partition change at a time


def partition_name(day: date) -> str:
    return f"plays_{day:%Y%m%d}"


def ensure_daily_partitions(first_day: date, days: int) -> list[str]:
    """Create the daily partitions from ``first_day`` on that do not exist yet; returns those created.

    Rows that already sit in the default partition for such a day are moved into the new partition.
    """
    created = []
    with transaction() as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PARTITIONS_LOCK,))
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            name = partition_name(day)
            exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL AS found", (name,)).fetchone()
            if exists and exists["found"]:
                continue
            start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
            conn.execute(f"CREATE TABLE {name} (LIKE plays INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            conn.execute(
                f"""WITH moved AS (DELETE FROM plays_default
                                   WHERE played_at >= '{start}' AND played_at < '{end}' RETURNING *)
                    INSERT INTO {name} SELECT * FROM moved"""
            )
            conn.execute(
                f"ALTER TABLE plays ATTACH PARTITION {name} FOR VALUES FROM ('{start}') TO ('{end}')"
            )
            created.append(name)
    return created
