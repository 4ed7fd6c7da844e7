"""Demo plays for the catalog's published songs over the last two weeks, rolled up (nothing without songs)."""

from __future__ import annotations

SEED_SOURCE = "seed"
DAYS = 14
PLAYS_PER_DAY = 300


def seed() -> None:
    from sauti.analytics.rollup import catch_up
    from sauti_dev.sql import fetch_one

    if not fetch_one("SELECT 1 FROM plays WHERE source = %s LIMIT 1", (SEED_SOURCE,)):
        _insert_plays()
    catch_up()  # the local stack has no scheduler: roll up whatever finished since the last start


def _insert_plays() -> None:
    from sauti.db import transaction

    with transaction() as conn:
        songs = [
            row["id"]
            for row in conn.execute(
                "SELECT id FROM songs WHERE status = 'published' ORDER BY id LIMIT 20"
            ).fetchall()
        ]
        if not songs:
            return
        conn.execute("SELECT setseed(0.24)")
        # Earlier songs in the list are played more; a few listeners come back to the same song.
        conn.execute(
            """INSERT INTO plays (played_at, user_id, song_id, listened_ms, source)
               SELECT date_trunc('day', now()) - make_interval(days => d) + random() * interval '1 day',
                      md5('seed-listener' || floor(random() * 60)::int)::uuid,
                      (%(songs)s::uuid[])[1 + floor(power(random(), 2) * %(count)s)::int],
                      30000 + floor(random() * 180000)::int, %(source)s
               FROM generate_series(1, %(days)s) AS d, generate_series(1, %(per_day)s)""",
            {
                "songs": songs,
                "count": len(songs),
                "source": SEED_SOURCE,
                "days": DAYS,
                "per_day": PLAYS_PER_DAY,
            },
        )
