"""Playlists, in-process through the function's handler (real PostgreSQL and Redis, warm caches).

Run with `make bench` (or `.venv/bin/python bench/playlists.py`). Prints median and p99 in milliseconds:
the first page of a 10,000-track playlist, adding 100 tracks to a 9,900-track playlist (beside the naive
baseline: dense positions, where an insert at the top shifts every row), moving 10 items,
GET /playlists/top, and what one counted view costs (time and Redis round trips).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "devtools"))

from sauti_dev.benchmarking import bench_stack, report  # noqa: E402

CALLS = 1000
WRITE_CALLS = 300
DISTINCT_SONGS = 200


def main() -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"load average {load} on {os.cpu_count()} cores: wall times grow with it; this process's CPU does not"
    )
    with bench_stack("sauti-bench-playlists-"):
        run()


def measure(name: str, call: Callable[[], object], calls: int, warm_up: int = 50) -> None:
    """Wall-clock median and p99 of ``call``, and this process's CPU time per call (median)."""
    for _ in range(warm_up):
        call()
    wall, cpu = [], []
    for _ in range(calls):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    report(name, wall, f"cpu {statistics.median(cpu):.2f} ms")


def _user(email: str, premium: bool = False) -> str:
    from sauti_dev import sql as db

    user_id = str(
        db.fetch_one("INSERT INTO users (email, display_name) VALUES (%s, 'b') RETURNING id", (email,))["id"]
    )
    if premium:
        db.execute(
            """INSERT INTO subscriptions (user_id, source, external_id, status, current_period_end,
                                          source_updated_at)
               VALUES (%s, 'stripe', %s, 'active', now() + interval '30 days', now())""",
            (user_id, f"bench-{email}"),
        )
    return user_id


class Caller:
    """Requests straight to PlaylistsFunction's handler, as API Gateway would send them."""

    def __init__(self) -> None:
        from sauti_dev.lambdas import LambdaContext, LocalFunctions

        self.handler = LocalFunctions().handler("PlaylistsFunction")
        self.context = LambdaContext(function_name="PlaylistsFunction")

    def __call__(
        self, user_id: str, method: str, route: str, path: str, body: Any = None, query: str = ""
    ) -> Any:
        from sauti_dev.events import http_event

        event = http_event(
            f"{method} {route}",
            method,
            path,
            query=query,
            headers={"content-type": "application/json"} if body is not None else {},
            body=json.dumps(body).encode() if body is not None else b"",
            claims={"sub": user_id, "roles": "[]"},
        )
        result = self.handler(event, self.context)
        return result["statusCode"], json.loads(result["body"]) if result.get("body") else None


def run() -> None:
    import psycopg

    from sauti.catalog import logic as catalog
    from sauti.db import transaction
    from sauti.playlists import counters
    from sauti_dev import sql as db

    artist = catalog.create_artist("Bench Artist")
    renditions = [
        {"quality": "normal", "codec": "aac", "bitrate_kbps": 128, "object_key": "audio/bench/n.m4a"}
    ]
    songs = [catalog.create_song(artist, f"Song {i}", 200_000, renditions) for i in range(DISTINCT_SONGS)]
    catalog.songs(songs)  # warm the catalog's cache, as steady traffic keeps it
    owner, viewer = _user("owner@bench", premium=True), _user("viewer@bench")
    call = Caller()
    route = "/playlists/{playlist_id}"

    def make_playlist(tracks: int) -> str:
        status, created = call(
            owner, "POST", "/playlists", "/playlists", {"name": "Bench", "visibility": "public"}
        )
        assert status == 201, created
        for start in range(0, tracks, 100):
            batch = [songs[(start + i) % DISTINCT_SONGS] for i in range(min(100, tracks - start))]
            path = f"/playlists/{created['id']}/tracks"
            assert call(owner, "POST", route + "/tracks", path, {"song_ids": batch})[0] == 201
        return created["id"]

    big = make_playlist(10_000)
    print(f"a public playlist of 10,000 tracks ({DISTINCT_SONGS} distinct songs), warm caches")

    def read_first_page() -> None:
        status, body = call(owner, "GET", route, f"/playlists/{big}", query="limit=100")
        assert status == 200 and len(body["tracks"]["items"]) == 100, body

    measure("GET /playlists/{id}, first page of 100 (owner)", read_first_page, CALLS)

    # -- adding 100 tracks to a 9,900-track playlist (removed again, untimed, after each add)
    medium = make_playlist(9_900)
    hundred = [songs[i % DISTINCT_SONGS] for i in range(100)]
    path = f"/playlists/{medium}/tracks"
    pending: list[list[str]] = []

    def add_hundred(body: dict[str, Any]) -> None:
        status, added = call(owner, "POST", route + "/tracks", path, body)
        assert status == 201, added
        pending.append([item["item_id"] for item in added["items"]])

    for label, body in (
        ("end", {"song_ids": hundred}),
        ("top", {"song_ids": hundred, "before_item_id": _first_item(medium)}),
    ):
        wall, cpu = [], []
        for _ in range(WRITE_CALLS + 20):
            started, started_cpu = time.perf_counter(), time.process_time()
            add_hundred(body)
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
            assert call(owner, "DELETE", route + "/tracks", path, {"item_ids": pending.pop()})[0] == 200
        report(
            f"POST /playlists/{{id}}/tracks, 100 songs onto 9,900 ({label})",
            wall[20:],
            f"cpu {statistics.median(cpu[20:]):.2f} ms",
        )

    def dense_shift() -> None:
        with transaction() as conn, conn.transaction():
            conn.execute("UPDATE playlist_items SET rank = rank + 100 WHERE playlist_id = %s", (medium,))
            raise psycopg.Rollback()

    measure("  naive baseline: dense positions, shift 9,900 rows (SQL only)", dense_shift, WRITE_CALLS, 20)

    # -- moving 10 items, spread over the playlist, before one of two items in turn
    rows = db.fetch_all("SELECT id::text FROM playlist_items WHERE playlist_id = %s ORDER BY rank", (big,))
    moving = [rows[i * 997]["id"] for i in range(10)]
    targets = [rows[5_003]["id"], rows[1_501]["id"]]
    turn = [0]

    def move() -> None:
        turn[0] += 1
        body = {"item_ids": moving, "before_item_id": targets[turn[0] % 2]}
        status, answer = call(owner, "POST", route + "/tracks/move", f"/playlists/{big}/tracks/move", body)
        assert status == 200, answer

    measure("POST /playlists/{id}/tracks/move, 10 items of 10,000", move, WRITE_CALLS, 20)

    # -- the ranking: views by 200 accounts, the job, then GET /playlists/top
    from sauti.playlists.logic import flush_and_rank

    viewers = [_user(f"v{i}@bench") for i in range(200)]
    for index, account in enumerate(viewers):
        counters.count("viewers", big if index % 2 else medium, account, _today(), 1000)
    flush_and_rank()

    def top() -> None:
        status, body = call(viewer, "GET", "/playlists/top", "/playlists/top", query="period=week")
        assert status == 200 and len(body["items"]) == 2, body

    measure("GET /playlists/top (cached ranking)", top, CALLS)

    # -- one view: time and Redis round trips
    accounts = iter(_user(f"w{i}@bench") for i in range(CALLS + 50))
    measure(
        "one view counted (counters.count: EVALSHA)",
        lambda: counters.count("viewers", big, next(accounts), _today(), 1000),
        CALLS,
    )
    one_view = _round_trips(lambda: counters.count("viewers", big, viewer, _today(), 1000))
    print(f"{'Redis round trips of one counted view':<58} {one_view}")
    owner_read = _round_trips(lambda: call(owner, "GET", route, f"/playlists/{big}"))
    viewer_read = _round_trips(lambda: call(_user("fresh@bench"), "GET", route, f"/playlists/{big}"))
    print(f"{'Redis round trips of GET /playlists/{id}: owner, viewer':<58} {owner_read}, {viewer_read}")


def _first_item(playlist_id: str) -> str:
    from sauti_dev import sql as db

    return db.fetch_one(
        "SELECT id::text FROM playlist_items WHERE playlist_id = %s ORDER BY rank LIMIT 1", (playlist_id,)
    )["id"]


def _today() -> Any:
    from sauti import clock

    return clock.today()


def _round_trips(action: Callable[[], object]) -> int:
    """How many requests the Redis client sends while ``action`` runs (a pipeline or script is one)."""
    from redis.connection import Connection

    original = Connection.send_packed_command
    sent = [0]

    def counting(self: Connection, command: Any, check_health: bool = True) -> None:
        sent[0] += 1
        original(self, command, check_health)

    Connection.send_packed_command = counting  # type: ignore[method-assign]
    try:
        action()
    finally:
        Connection.send_packed_command = original  # type: ignore[method-assign]
    return sent[0]


if __name__ == "__main__":
    main()
