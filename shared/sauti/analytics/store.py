"""Analytics SQL: daily rollups, rollup bookkeeping, the dashboard cache and the module's state row."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from psycopg import Connection
from psycopg.types.json import Jsonb

from sauti.db import Row

ROLLUP_LOCK = 7_242_516  # advisory lock: one rollup at a time

# Per listener first (the cap applies to one user's plays of one song in one day), then per song.
_ROLLUP_SQL = """
INSERT INTO song_daily_stats (day, song_id, plays, listeners, raw_plays)
SELECT %(day)s, song_id, sum(least(n, %(cap)s)), count(*), sum(n)
FROM (SELECT song_id, user_id, count(*) AS n
      FROM plays WHERE played_at >= %(start)s AND played_at < %(end)s
      GROUP BY song_id, user_id) AS per_listener
GROUP BY song_id
"""


def rollup_day(conn: Connection[Row], day: date, cap: int) -> Row:
    """Replace the day's per-song totals; returns ``{raw_plays, counted_plays, songs}``."""
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    conn.execute("DELETE FROM song_daily_stats WHERE day = %s", (day,))
    conn.execute(_ROLLUP_SQL, {"day": day, "cap": cap, "start": start, "end": end})
    totals = conn.execute(
        """SELECT coalesce(sum(raw_plays), 0)::bigint AS raw_plays,
                  coalesce(sum(plays), 0)::bigint AS counted_plays, count(*)::int AS songs
           FROM song_daily_stats WHERE day = %s""",
        (day,),
    ).fetchone()
    assert totals is not None
    return totals


def database_time(conn: Connection[Row]) -> datetime:
    row = conn.execute("SELECT clock_timestamp() AS now").fetchone()
    assert row is not None
    return row["now"]


def mark_done(
    conn: Connection[Row], day: date, totals: Row, cap: int, duration_ms: int, *, rolled_up_at: datetime
) -> None:
    """``rolled_up_at``: plays recorded after it may be missing from the totals (found as late)."""
    conn.execute(
        """INSERT INTO rollup_days (day, status, rolled_up_at, raw_plays, counted_plays, songs, daily_cap,
                                    duration_ms)
           VALUES (%(day)s, 'done', %(rolled_up_at)s, %(raw_plays)s, %(counted_plays)s, %(songs)s, %(cap)s,
                   %(duration_ms)s)
           ON CONFLICT (day) DO UPDATE SET status = 'done', rolled_up_at = EXCLUDED.rolled_up_at,
               raw_plays = EXCLUDED.raw_plays, counted_plays = EXCLUDED.counted_plays,
               songs = EXCLUDED.songs, daily_cap = EXCLUDED.daily_cap, duration_ms = EXCLUDED.duration_ms""",
        {"day": day, "cap": cap, "duration_ms": duration_ms, "rolled_up_at": rolled_up_at, **totals},
    )


def mark_pending(conn: Connection[Row], days: list[date]) -> None:
    """Days whose raw plays changed after (or before) their rollup: the next catch-up rolls them up."""
    conn.execute(
        """INSERT INTO rollup_days (day, status) SELECT unnest(%s::date[]), 'pending'
           ON CONFLICT (day) DO UPDATE SET status = 'pending' WHERE rollup_days.status <> 'archived'""",
        (days,),
    )


def mark_archived(conn: Connection[Row], day: date) -> None:
    """The day's raw partition was detached: its totals are final."""
    conn.execute("UPDATE rollup_days SET status = 'archived' WHERE day = %s", (day,))


def is_done(conn: Connection[Row], day: date) -> bool:
    row = conn.execute("SELECT status FROM rollup_days WHERE day = %s FOR UPDATE", (day,)).fetchone()
    return row is not None and row["status"] == "done"


def archived_days(conn: Connection[Row], days: list[date] | None = None) -> set[date]:
    """The archived days among ``days`` (all of them when None)."""
    rows = conn.execute(
        """SELECT day FROM rollup_days
           WHERE status = 'archived' AND (%(days)s::date[] IS NULL OR day = ANY(%(days)s::date[]))""",
        {"days": days},
    ).fetchall()
    return {row["day"] for row in rows}


def days_to_roll_up(conn: Connection[Row], yesterday: date, late_window_days: int) -> list[date]:
    """Every finished day not rolled up since the first day known, plus recent days with late plays.

    The first day known is the earliest of the rollup bookkeeping and the raw plays, so a fresh
    system starts at its first play, and a stopped schedule resumes where it stopped.
    """
    rows = conn.execute(
        """WITH bounds AS (
               SELECT least((SELECT min(day) FROM rollup_days),
                            (SELECT min(played_at) FROM plays)::date) AS first_day)
           SELECT d::date AS day FROM bounds, generate_series(bounds.first_day, %(yesterday)s, '1 day') AS d
           WHERE NOT EXISTS (SELECT 1 FROM rollup_days r
                             WHERE r.day = d::date AND r.status IN ('done', 'archived'))
           UNION
           SELECT r.day FROM rollup_days r
           WHERE r.status = 'done' AND r.day > %(yesterday)s::date - %(late)s AND r.day <= %(yesterday)s
             AND EXISTS (SELECT 1 FROM plays p
                         WHERE p.played_at >= r.day AND p.played_at < r.day + 1
                           AND p.recorded_at > r.rolled_up_at)
           ORDER BY day""",
        {"yesterday": yesterday, "late": late_window_days},
    ).fetchall()
    return [row["day"] for row in rows]


def bump_generation(conn: Connection[Row]) -> int:
    """Make every cached dashboard answer stale."""
    row = conn.execute(
        """INSERT INTO analytics_state (singleton, rollup_generation) VALUES (true, 1)
           ON CONFLICT (singleton) DO UPDATE SET rollup_generation = analytics_state.rollup_generation + 1
           RETURNING rollup_generation"""
    ).fetchone()
    assert row is not None
    return int(row["rollup_generation"])


def current_generation(conn: Connection[Row]) -> int:
    row = conn.execute(
        "SELECT coalesce((SELECT rollup_generation FROM analytics_state), 0) AS generation"
    ).fetchone()
    return int(row["generation"]) if row else 0


def cached_body(conn: Connection[Row], subject: str, subject_id: str, range_: str, through: date) -> Any:
    row = conn.execute(
        """SELECT c.body FROM dashboard_cache c
           WHERE c.subject = %s AND c.subject_id = %s AND c.range = %s AND c.through = %s
             AND c.generation = coalesce((SELECT rollup_generation FROM analytics_state), 0)""",
        (subject, subject_id, range_, through),
    ).fetchone()
    return row["body"] if row else None


def stale_cache_keys(
    conn: Connection[Row], through: date, after: tuple[str, str, str] | None, limit: int
) -> list[Row]:
    """Keys of saved answers not valid for ``through`` and the current generation, after ``after``."""
    return conn.execute(
        """SELECT subject, subject_id::text, range FROM dashboard_cache
           WHERE (through <> %(through)s
                  OR generation <> coalesce((SELECT rollup_generation FROM analytics_state), 0))
             AND (%(subject)s::text IS NULL
                  OR (subject, subject_id, range) > (%(subject)s, %(subject_id)s::uuid, %(range)s))
           ORDER BY subject, subject_id, range LIMIT %(limit)s""",
        {
            "through": through,
            "subject": after[0] if after else None,
            "subject_id": after[1] if after else None,
            "range": after[2] if after else None,
            "limit": limit,
        },
    ).fetchall()


def save_body(
    conn: Connection[Row],
    subject: str,
    subject_id: str,
    range_: str,
    through: date,
    generation: int,
    body: Any,
) -> None:
    # A slower reader computing from an older generation never overwrites a newer answer.
    conn.execute(
        """INSERT INTO dashboard_cache (subject, subject_id, range, through, generation, body)
           VALUES (%s, %s, %s, %s, %s, %s)
           ON CONFLICT (subject, subject_id, range) DO UPDATE
               SET through = EXCLUDED.through, generation = EXCLUDED.generation, body = EXCLUDED.body,
                   computed_at = now()
               WHERE dashboard_cache.generation <= EXCLUDED.generation""",
        (subject, subject_id, range_, through, generation, Jsonb(body)),
    )


def daily_plays(conn: Connection[Row], song_ids: list[str], first: date | None, last: date) -> list[Row]:
    """``{day, plays}`` summed over the songs, for the days that had any, ``first`` (or ever) to ``last``."""
    return conn.execute(
        """SELECT day, sum(plays)::bigint AS plays FROM song_daily_stats
           WHERE song_id = ANY(%s::uuid[]) AND (%s::date IS NULL OR day >= %s) AND day <= %s
           GROUP BY day ORDER BY day""",
        (song_ids, first, first, last),
    ).fetchall()


def plays_per_song(conn: Connection[Row], song_ids: list[str], first: date | None, last: date) -> list[Row]:
    return conn.execute(
        """SELECT song_id::text, sum(plays)::bigint AS plays FROM song_daily_stats
           WHERE song_id = ANY(%s::uuid[]) AND (%s::date IS NULL OR day >= %s) AND day <= %s
           GROUP BY song_id HAVING sum(plays) > 0""",
        (song_ids, first, first, last),
    ).fetchall()
