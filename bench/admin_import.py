"""Catalog import benchmark: 1,000,000 songs (with their artists, albums and one rendition each) from JSON
Lines, the whole of `sauti catalog import` (parse and check every line, COPY into temporary tables,
set-based upserts, one transaction), then the same file again (everything exists: updates). Beside it,
the naive way: one INSERT per row (executemany), on a sample.

Starts its own isolated stack (free ports, a throw-away data folder), like the tests, and stops it.
BENCH_IMPORT_SONGS changes the size.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "devtools"), str(ROOT / "tests")]

from sauti_dev.benchmarking import bench_stack  # noqa: E402

SONGS = int(os.environ.get("BENCH_IMPORT_SONGS", "1000000"))
SONGS_PER_ALBUM = 10
ALBUMS_PER_ARTIST = 10
NAIVE_SONGS = 20_000


def catalog_lines(songs: int) -> list[bytes]:
    lines: list[bytes] = []
    albums = max(1, songs // SONGS_PER_ALBUM)
    artists = max(1, albums // ALBUMS_PER_ARTIST)
    for artist in range(artists):
        lines.append(json.dumps({"type": "artist", "ref": f"a{artist}", "name": f"Artist {artist}"}).encode())
    for album in range(albums):
        lines.append(
            json.dumps(
                {
                    "type": "album",
                    "ref": f"al{album}",
                    "artist": f"a{album // ALBUMS_PER_ARTIST % artists}",
                    "title": f"Album {album}",
                    "release_date": "2024-05-01",
                }
            ).encode()
        )
    for song in range(songs):
        album = song // SONGS_PER_ALBUM
        lines.append(
            json.dumps(
                {
                    "type": "song",
                    "ref": f"s{song}",
                    "artist": f"a{album // ALBUMS_PER_ARTIST % artists}",
                    "album": f"al{album}",
                    "track_number": song % SONGS_PER_ALBUM + 1,
                    "title": f"Song {song}",
                    "duration_ms": 180_000 + song % 60_000,
                    "explicit": False,
                    "isrc": f"KEA{song:09d}",
                    "status": "published",
                    "renditions": [
                        {
                            "quality": "normal",
                            "codec": "aac",
                            "bitrate_kbps": 128,
                            "object_key": f"audio/s{song}/normal.m4a",
                        }
                    ],
                }
            ).encode()
        )
    return lines


def delivered(keys: Sequence[str]) -> dict[str, dict[str, Any] | None]:
    """R2 as the label left it, every object there: the benchmark measures the import, not a million
    HEADs to the local S3 (on R2 they go 16 at a time, sauti.admin.media.HEAD_WORKERS)."""
    return {key: {"size_bytes": 4096, "content_type": "audio/mp4"} for key in keys}


def naive_rate(songs: int) -> float:
    """One INSERT per song and per rendition (what a simple loop would do), songs per second."""
    from sauti.catalog import store
    from sauti.db import transaction

    with transaction() as conn:
        conn.execute("SELECT set_config('statement_timeout', '0', true)")
        artist_id = store.insert_artist(conn, "Naive")
        started = time.perf_counter()
        with conn.cursor() as cursor:
            cursor.executemany(
                """INSERT INTO songs (artist_id, title, duration_ms, status, published_at)
                   VALUES (%s, %s, %s, 'published', now()) RETURNING id""",
                [(artist_id, f"Naive {n}", 180_000) for n in range(songs)],
                returning=True,
            )
            ids = []
            while True:
                ids.append(cursor.fetchone()["id"])
                if not cursor.nextset():
                    break
            cursor.executemany(
                """INSERT INTO song_renditions (song_id, quality, codec, bitrate_kbps, object_key)
                   VALUES (%s, 'normal', 'aac', 128, %s)""",
                [(song_id, f"audio/{song_id}.m4a") for song_id in ids],
            )
        return songs / (time.perf_counter() - started)


def main() -> None:
    with bench_stack("sauti-bench-import-") as stack:
        from sauti import db
        from sauti.admin.audit import CLI_IMPORT
        from sauti.admin.logic import import_lines

        # The production database's defaults (RDS, db.t4g.small: a quarter of its 2 GB as shared buffers,
        # max_wal_size 2 GB) rather than the local server's 128 MB and 1 GB.
        with db.connection().cursor() as cursor:
            cursor.execute("ALTER SYSTEM SET max_wal_size = '2GB'")
            cursor.execute("ALTER SYSTEM SET shared_buffers = '512MB'")
        db.discard_connection()
        stack.postgres.stop()
        stack.postgres.start()

        lines = catalog_lines(SONGS)
        size_mb = sum(len(line) + 1 for line in lines) / 1e6
        print(f"catalog: {SONGS:,} songs, {len(lines):,} lines, {size_mb:,.0f} MB of JSON Lines")
        for label in ("first import (all new)", "second import (all exist)"):
            started = time.perf_counter()
            result = import_lines(CLI_IMPORT, lines, lookup=delivered)
            seconds = time.perf_counter() - started
            assert result["imported"]["song"] == SONGS
            print(f"{label:<34} {seconds:8.1f} s   {SONGS / seconds:12,.0f} songs per second")
        naive = naive_rate(min(NAIVE_SONGS, SONGS))
        print(
            f"{'naive: one INSERT per row':<34} {'':10}   {naive:12,.0f} songs per second "
            f"(on {min(NAIVE_SONGS, SONGS):,} songs)"
        )


if __name__ == "__main__":
    main()
