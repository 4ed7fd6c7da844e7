"""Analytics SQL, and nothing else: counted plays, their daily partitions, the import's staging,
daily rollups and their bookkeeping, the dashboard cache and the module's state row (the cache
generation and the event publisher's cursor). Every function runs inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from psycopg import Connection
from psycopg.types.json import Jsonb

from sauti.db import Row, array_literal, lift_client_deadline

# Advisory locks, held to the end of the transaction that takes them.
ROLLUP_LOCK = 7_242_516  # one rollup at a time
PARTITIONS_LOCK = 7_242_517  # one partition change at a time (shared by imports)
CURSOR_LOCK = 7_242_518  # one play.counted publisher at a time
OFFLINE_LOCK = 7_242_519  # with the user: one offline upload of a user at a time


def lock_rollups(conn: Connection[Row]) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (ROLLUP_LOCK,))


def lock_partitions(conn: Connection[Row], *, shared: bool = False) -> None:
    if shared:
        conn.execute("SELECT pg_advisory_xact_lock_shared(%s)", (PARTITIONS_LOCK,))
    else:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PARTITIONS_LOCK,))


def lock_publisher(conn: Connection[Row]) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (CURSOR_LOCK,))


def set_lock_timeout(conn: Connection[Row], timeout: str) -> None:
    conn.execute(f"SET LOCAL lock_timeout = '{timeout}'")


def set_statement_timeout(conn: Connection[Row], timeout: str) -> None:
    conn.execute(f"SET LOCAL statement_timeout = '{timeout}'")
    lift_client_deadline(conn)  # the client waits as long as the server may work


def set_work_mem(conn: Connection[Row], size: str) -> None:
    conn.execute(f"SET LOCAL work_mem = '{size}'")


def use_repeatable_read(conn: Connection[Row]) -> None:
    """One snapshot for the rest of the transaction; must come before its first query."""
    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


# ---- counted plays


def insert_play(
    conn: Connection[Row],
    *,
    played_at: datetime,
    user_id: str,
    song_id: str,
    listened_ms: int,
    source: str,
    session_id: str | None,
) -> None:
    """A session's play is inserted at most once (a retried request is harmless)."""
    conn.execute(
        """INSERT INTO plays (played_at, user_id, song_id, listened_ms, source, session_id)
           VALUES (%s, %s, %s, %s, %s, %s)
           ON CONFLICT DO NOTHING""",
        (played_at, user_id, song_id, listened_ms, source, session_id),
    )


def plays_of_user(
    conn: Connection[Row], user_id: str, *, limit: int, before: tuple[datetime, str] | None
) -> list[Row]:
    """The user's plays, newest first, keyset-paged on ``(played_at, id)`` after ``before``."""
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


def stage_import(conn: Connection[Row], rows: Iterable[tuple[str, datetime, str, str, int]]) -> int:
    """COPY ``(id, played_at, user_id, song_id, listened_ms)`` rows into a staging table dropped at
    commit; returns how many. ``rows`` is consumed as a stream."""
    conn.execute(
        """CREATE TEMP TABLE plays_import (id uuid, played_at timestamptz, user_id uuid, song_id uuid,
                                           listened_ms integer) ON COMMIT DROP"""
    )
    staged = 0
    with conn.cursor().copy(
        "COPY plays_import (id, played_at, user_id, song_id, listened_ms) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)
            staged += 1
    return staged


def insert_staged_plays(conn: Connection[Row], source: str) -> list[Row]:
    """Insert the staged plays not already there; returns ``{day, plays}`` inserted per day."""
    return conn.execute(
        """WITH inserted AS (
               INSERT INTO plays (id, played_at, user_id, song_id, listened_ms, source)
               SELECT id, played_at, user_id, song_id, listened_ms, %s FROM plays_import
               ON CONFLICT DO NOTHING RETURNING played_at)
           SELECT played_at::date AS day, count(*) AS plays FROM inserted GROUP BY 1 ORDER BY 1""",
        (source,),
    ).fetchall()


# ---- the play.counted publisher


def publish_cursor(conn: Connection[Row]) -> Row | None:
    """``{publish_cursor, publish_cursor_id}``, locked; None before the state row exists."""
    return conn.execute(
        "SELECT publish_cursor, publish_cursor_id::text FROM analytics_state FOR UPDATE"
    ).fetchone()


def move_publish_cursor(conn: Connection[Row], to: datetime, to_id: str) -> None:
    conn.execute(
        """INSERT INTO analytics_state (singleton, publish_cursor, publish_cursor_id)
           VALUES (true, %(to)s, %(id)s)
           ON CONFLICT (singleton) DO UPDATE SET publish_cursor = %(to)s, publish_cursor_id = %(id)s""",
        {"to": to, "id": to_id},
    )


def plays_to_publish(
    conn: Connection[Row],
    *,
    start: datetime,
    start_id: str,
    end: datetime,
    max_delay_days: int,
    limit: int,
) -> list[Row]:
    """Plays recorded after ``(start, start_id)`` up to ``end``, in ``(recorded_at, id)`` order, at most
    ``limit``; imports and plays recorded more than ``max_delay_days`` after being played left out."""
    return conn.execute(
        """SELECT id::text AS play_id, user_id::text, song_id::text, played_at, listened_ms, source,
                  recorded_at
           FROM plays
           WHERE recorded_at >= %(start)s AND (recorded_at, id) > (%(start)s, %(start_id)s::uuid)
             AND recorded_at <= %(end)s
             AND played_at >= %(start)s::timestamptz - make_interval(days => %(delay)s)
             AND source <> 'import'
           ORDER BY recorded_at, id LIMIT %(limit)s""",
        {"start": start, "start_id": start_id, "end": end, "delay": max_delay_days, "limit": limit},
    ).fetchall()


# ---- daily partitions of plays (names are built from dates by the caller, never from input)


def table_exists(conn: Connection[Row], name: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL AS found", (name,)).fetchone()
    return bool(row and row["found"])


def create_day_partition(conn: Connection[Row], name: str, day: date) -> None:
    """Create ``name`` for ``day``, move the day's rows out of the default partition, attach it.

    The default partition is locked against writes before the move, so no insert lands there
    between the move and the ATTACH (which checks the default partition again).
    """
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    conn.execute(f"CREATE TABLE {name} (LIKE plays INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    conn.execute("LOCK TABLE plays_default IN SHARE ROW EXCLUSIVE MODE")
    conn.execute(
        f"""WITH moved AS (DELETE FROM plays_default
                           WHERE played_at >= '{start}' AND played_at < '{end}' RETURNING *)
            INSERT INTO {name} SELECT * FROM moved"""
    )
    conn.execute(f"ALTER TABLE plays ATTACH PARTITION {name} FOR VALUES FROM ('{start}') TO ('{end}')")


def attached_day_partitions(conn: Connection[Row]) -> list[str]:
    rows = conn.execute(
        """SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'plays'::regclass AND c.relname ~ '^plays_[0-9]{8}$'"""
    ).fetchall()
    return [row["name"] for row in rows]


def detached_day_partitions(conn: Connection[Row]) -> list[Row]:
    """``{name, detached_on}`` of every detached day partition (``detached_on`` from its comment)."""
    return conn.execute(
        """SELECT relname AS name, obj_description(oid, 'pg_class') AS detached_on FROM pg_class
           WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace
             AND relname ~ '^plays_detached_[0-9]{8}$'"""
    ).fetchall()


def detach_partition(conn: Connection[Row], name: str, renamed: str, detached_on: date) -> None:
    """Detach ``name`` from plays (ACCESS EXCLUSIVE on plays) and rename it, its comment the day."""
    conn.execute(f"ALTER TABLE plays DETACH PARTITION {name}")
    conn.execute(f"ALTER TABLE {name} RENAME TO {renamed}")
    conn.execute(f"COMMENT ON TABLE {renamed} IS '{detached_on.isoformat()}'")


def drop_table(conn: Connection[Row], name: str) -> None:
    conn.execute(f"DROP TABLE {name}")


# ---- daily rollups

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
    now: datetime = row["now"]
    return now


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


# ---- offline plays (uploaded by the offline device after the fact)
#
# A batch of up to 500 plays travels as arrays unnested in SQL: a few statements for any batch size.
# The arrays are sent as literals (``sauti.db.array_literal``): psycopg's generic list adaptation took
# about a quarter of a batch's time.


def lock_offline_user(conn: Connection[Row], user_id: str) -> None:
    """Serialise a user's offline uploads, so duplicates and overlaps are checked against everything."""
    conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (OFFLINE_LOCK, user_id))


def offline_duplicates(conn: Connection[Row], user_id: str, play_ids: list[str]) -> set[str]:
    """The ``play_ids`` this user's devices already uploaded."""
    rows = conn.execute(
        "SELECT play_id::text FROM offline_plays WHERE user_id = %s AND play_id = ANY(%s::uuid[])",
        (user_id, array_literal(play_ids)),
    ).fetchall()
    return {row["play_id"] for row in rows}


def overlapping_offline_plays(
    conn: Connection[Row], user_id: str, candidates: list[tuple[str, datetime, int]], tolerance_ms: int
) -> set[str]:
    """The candidates ``(play_id, played_at, listened_ms)`` whose listening overlaps, by more than
    ``tolerance_ms``, an offline play of the user already recorded.

    The recorded plays do not overlap each other (this rule kept them out), so only two can overlap a
    candidate: the last one that started before it (does it end too late?) and any that starts while
    it plays. One statement; each candidate costs two probes of ``offline_plays_user_played_idx``."""
    if not candidates:
        return set()
    ids, starts, lengths = (list(column) for column in zip(*candidates, strict=True))
    rows = conn.execute(
        """SELECT c.play_id::text
           FROM unnest(%(ids)s::uuid[], %(starts)s::timestamptz[], %(lengths)s::int[])
                AS c(play_id, played_at, listened_ms)
           WHERE EXISTS (
                     SELECT 1 FROM offline_plays o
                     WHERE o.user_id = %(user)s AND o.played_at >= c.played_at
                       AND o.played_at < c.played_at
                                         + make_interval(secs => (c.listened_ms - %(tol)s) / 1000.0))
              OR EXISTS (
                     SELECT 1 FROM (SELECT o.played_at, o.listened_ms FROM offline_plays o
                                    WHERE o.user_id = %(user)s AND o.played_at < c.played_at
                                    ORDER BY o.played_at DESC LIMIT 1) AS before
                     WHERE before.played_at + make_interval(secs => (before.listened_ms - %(tol)s) / 1000.0)
                           > c.played_at)""",
        {
            "ids": array_literal(ids),
            "starts": array_literal(starts),
            "lengths": array_literal(lengths),
            "user": user_id,
            "tol": tolerance_ms,
        },
    ).fetchall()
    return {row["play_id"] for row in rows}


def insert_offline_plays(
    conn: Connection[Row], user_id: str, plays: list[tuple[str, str, datetime, str, int]]
) -> list[Row]:
    """Insert ``(play_id, id, played_at, song_id, listened_ms)`` into the ledger and, for those the
    ledger took (a concurrent upload of the same play loses there), into ``plays`` as ``offline``.
    Returns ``{play_id, played_at}`` of the plays inserted. Two statements for any batch size."""
    if not plays:
        return []
    play_ids, ids, starts, song_ids, lengths = (list(column) for column in zip(*plays, strict=True))
    return conn.execute(
        """WITH batch AS (
               SELECT * FROM unnest(%(play_ids)s::uuid[], %(ids)s::uuid[], %(starts)s::timestamptz[],
                                    %(songs)s::uuid[], %(lengths)s::int[])
                      AS b(play_id, id, played_at, song_id, listened_ms)),
           taken AS (
               INSERT INTO offline_plays (user_id, play_id, played_at, listened_ms)
               SELECT %(user)s, play_id, played_at, listened_ms FROM batch
               ON CONFLICT DO NOTHING RETURNING play_id),
           counted AS (
               INSERT INTO plays (id, played_at, user_id, song_id, listened_ms, source)
               SELECT b.id, b.played_at, %(user)s, b.song_id, b.listened_ms, 'offline'
               FROM batch b JOIN taken t USING (play_id)
               ON CONFLICT DO NOTHING RETURNING id, played_at)
           SELECT b.play_id::text, c.played_at FROM counted c JOIN batch b USING (id)""",
        {
            "play_ids": array_literal(play_ids),
            "ids": array_literal(ids),
            "starts": array_literal(starts),
            "songs": array_literal(song_ids),
            "lengths": array_literal(lengths),
            "user": user_id,
        },
    ).fetchall()


def song_plays(conn: Connection[Row], first: date, last: date, after: str | None, limit: int) -> list[Row]:
    """``{song_id, plays}`` summed from ``first`` to ``last`` for the songs with plays, by song id."""
    return conn.execute(
        """SELECT song_id::text, sum(plays)::bigint AS plays FROM song_daily_stats
           WHERE day BETWEEN %s AND %s AND (%s::uuid IS NULL OR song_id > %s::uuid)
           GROUP BY song_id HAVING sum(plays) > 0 ORDER BY song_id LIMIT %s""",
        (first, last, after, after, limit),
    ).fetchall()
