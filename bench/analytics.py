"""Analytics benchmark: 5 million plays in one day, the rollup's wall time, the cached dashboard's latency.

Starts its own isolated stack (free ports, a throw-away data folder), like the tests, and stops it.
The plays are generated inside PostgreSQL from a fixed seed, so every run rolls up the same data.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "devtools"), str(ROOT / "tests")]

from sauti_dev.benchmarking import bench_stack, report, timings_ms  # noqa: E402

PLAYS = int(os.environ.get("BENCH_PLAYS", "5000000"))
SONGS = 50_000
USERS = 400_000
ARTIST_SONGS = 20
SEED = 0.4242
CACHED_CALLS = 2_000
GATEWAY_CALLS = 500


def generate(day) -> float:
    """The day's plays straight into a new partition (indexes built once, on attach)."""
    from sauti.analytics.plays import partition_name
    from sauti.db import transaction

    name, start, end = partition_name(day), day.isoformat(), (day + timedelta(days=1)).isoformat()
    started = time.perf_counter()
    with transaction() as conn:
        conn.execute("SET LOCAL statement_timeout = 0")
        conn.execute(f"DROP TABLE IF EXISTS {name}")
        conn.execute(f"CREATE TABLE {name} (LIKE plays INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        conn.execute("SELECT setseed(%s)", (SEED,))
        # Popular songs get most plays (cubed), heavy listeners replay (squared): the daily cap bites.
        conn.execute(
            f"""INSERT INTO {name} (id, played_at, user_id, song_id, listened_ms, source)
                SELECT md5('play' || i)::uuid,
                       %s::timestamptz + random() * interval '1 day',
                       md5('user' || floor({USERS} * power(random(), 2))::int)::uuid,
                       md5('song' || floor({SONGS} * power(random(), 3))::int)::uuid,
                       30000 + floor(random() * 200000)::int, 'bench'
                FROM generate_series(1, %s) AS i""",
            (start, PLAYS),
        )
        conn.execute(f"ALTER TABLE plays ATTACH PARTITION {name} FOR VALUES FROM ('{start}') TO ('{end}')")
        conn.execute(f"ANALYZE {name}")
    return time.perf_counter() - started


def partition_size(day) -> str:
    from sauti.analytics.plays import partition_name
    from sauti_dev.sql import fetch_one

    row = fetch_one("SELECT pg_size_pretty(pg_total_relation_size(%s)) AS size", (partition_name(day),))
    return row["size"]


def catalog_fixture() -> tuple[str, str]:
    """An artist account linked to an artist owning the 20 most played songs; returns (user id, artist id)."""
    from sauti.db import transaction
    from sauti_dev.sql import fetch_one

    user = fetch_one(
        "INSERT INTO users (email, display_name, roles) VALUES ('bench@example.com', 'Bench', "
        "'{artist}') RETURNING id::text"
    )
    artist = fetch_one(
        "INSERT INTO artists (name, user_id) VALUES ('Bench Artist', %s) RETURNING id::text", (user["id"],)
    )
    with transaction() as conn:
        for index in range(ARTIST_SONGS):
            conn.execute(
                """INSERT INTO songs (id, artist_id, title, duration_ms, status)
                   VALUES (md5('song' || %s)::uuid, %s, %s, 200000, 'published')""",
                (index, artist["id"], f"Song {index}"),
            )
    return user["id"], artist["id"]


def main() -> None:
    with bench_stack("sauti-bench-analytics-"):
        run()


def run() -> None:
    from helpers import Api
    from sauti.analytics.dashboard import artist_stats
    from sauti.analytics.rollup import roll_up_day
    from sauti.principal import Principal
    from sauti.tokens import issue_access_token
    from sauti_dev.gateway import LocalGateway
    from sauti_dev.lambdas import LocalFunctions

    day = datetime.now(UTC).date() - timedelta(days=1)
    user_id, artist_id = catalog_fixture()
    print(f"generated {PLAYS:,} plays for {day} (seed {SEED}) in {generate(day):.1f} s")
    print(f"the day's partition with its indexes: {partition_size(day)}")

    started = time.perf_counter()
    rollup = roll_up_day(day)
    rollup_seconds = time.perf_counter() - started
    print(
        f"rollup of {day}: {rollup_seconds:.1f} s wall time  (target < 60 s): "
        f"{rollup.raw_plays:,} raw plays -> {rollup.counted_plays:,} counted after the daily cap, "
        f"{rollup.songs:,} songs"
    )

    caller = Principal(user_id, frozenset({"artist"}))
    started = time.perf_counter()
    artist_stats(caller, artist_id, "last_30_days")
    print(f"dashboard, first read (computed and saved): {(time.perf_counter() - started) * 1000:.2f} ms")
    # The first read above filled the cache: every timed read is served from it.
    samples = timings_ms(lambda: artist_stats(caller, artist_id, "last_30_days"), CACHED_CALLS, warm_up=0)
    report("dashboard from the cache (authorisation + cache row)", samples, note="(target p99 < 5 ms)")

    api = Api(LocalGateway(LocalFunctions()))
    token = issue_access_token(user_id, ["artist"])[0]

    def stats_request() -> None:
        response = api.get(f"/artists/{artist_id}/stats", token=token, query={"range": "last_30_days"})
        assert response.status == 200, response.body

    samples = timings_ms(stats_request, GATEWAY_CALLS, warm_up=0)
    report("GET /artists/{id}/stats (gateway, token, handler, cache)", samples)


if __name__ == "__main__":
    main()
