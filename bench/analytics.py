"""Analytics benchmark: 5 million plays in one day, the rollup's wall time, the cached dashboard's latency.

Starts its own isolated stack (free ports, a throw-away data folder), like the tests, and stops it.
The plays are generated inside PostgreSQL from a fixed seed, so every run rolls up the same data.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

PLAYS = int(os.environ.get("BENCH_PLAYS", "5000000"))
SONGS = 50_000
USERS = 400_000
ARTIST_SONGS = 20
SEED = 0.4242
CACHED_CALLS = 2_000
GATEWAY_CALLS = 500


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


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
    from sauti.db import fetch_one

    row = fetch_one("SELECT pg_size_pretty(pg_total_relation_size(%s)) AS size", (partition_name(day),))
    return row["size"]


def catalog_fixture() -> tuple[str, str]:
    """An artist account linked to an artist owning the 20 most played songs; returns (user id, artist id)."""
    from sauti.db import fetch_one, transaction

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
    from sauti_dev.stack import LocalStack

    with tempfile.TemporaryDirectory(prefix="sauti-bench-") as data_dir:
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the moto server's request log
        stack = LocalStack(isolated=True, data_dir=Path(data_dir))
        try:
            stack.start()
            run()
        finally:
            from sauti import db

            db.discard_connection()
            stack.stop()


def run() -> None:
    from helpers import Api
    from sauti.analytics.dashboard import artist_stats
    from sauti.analytics.rollup import roll_up_day
    from sauti.migrate import apply_migrations
    from sauti.principal import Principal
    from sauti.tokens import issue_access_token
    from sauti_dev.gateway import LocalGateway
    from sauti_dev.lambdas import LocalFunctions

    apply_migrations()
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
    samples = []
    for _ in range(CACHED_CALLS):
        started = time.perf_counter()
        artist_stats(caller, artist_id, "last_30_days")
        samples.append((time.perf_counter() - started) * 1000)
    print(
        f"dashboard from the cache, {CACHED_CALLS} reads (authorisation + cache row): "
        f"median {statistics.median(samples):.2f} ms, p99 {percentile(samples, 0.99):.2f} ms"
        "  (target p99 < 5 ms)"
    )

    api = Api(LocalGateway(LocalFunctions()))
    token = issue_access_token(user_id, ["artist"])[0]
    samples = []
    for _ in range(GATEWAY_CALLS):
        started = time.perf_counter()
        response = api.get(f"/artists/{artist_id}/stats", token=token, query={"range": "last_30_days"})
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, response.body
    print(
        f"GET /artists/{{id}}/stats through the local gateway, {GATEWAY_CALLS} requests (token check, "
        f"handler, cache): median {statistics.median(samples):.2f} ms, p99 {percentile(samples, 0.99):.2f} ms"
    )


if __name__ == "__main__":
    main()
