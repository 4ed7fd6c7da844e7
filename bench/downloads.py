"""Offline downloads: the reference client's encrypt and decrypt throughput, and download issuance latency.

Run with `make bench` (or `.venv/bin/python bench/downloads.py`).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "devtools"), str(ROOT / "clients" / "reference")]

from sauti_dev.benchmarking import bench_stack, report, timings_ms  # noqa: E402

FILE_MB = 64
ISSUES = 500


def throughput() -> None:
    from sauti.downloads.sealing import new_content_key
    from sauti_offline.vault import decrypt_file, encrypt_to_file

    block = os.urandom(1024 * 1024)
    key = new_content_key()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "song.sauti"
        started = time.perf_counter()
        encrypt_to_file((block for _ in range(FILE_MB)), path, key, "bench-key")
        encrypt_seconds = time.perf_counter() - started
        started = time.perf_counter()
        total = sum(len(chunk) for chunk in decrypt_file(path, key))
        decrypt_seconds = time.perf_counter() - started
    assert total == FILE_MB * 1024 * 1024
    print(f"reference client, {FILE_MB} MB file in 64 KiB chunks (AES-256-GCM)")
    print(f"  encrypt to disk   {FILE_MB / encrypt_seconds:8.1f} MB/s")
    print(f"  decrypt from disk {FILE_MB / decrypt_seconds:8.1f} MB/s")


def issuance() -> None:
    from sauti.catalog import public as catalog
    from sauti.downloads import logic
    from sauti_dev import sql
    from sauti_offline.device import DeviceKey

    user = sql.fetch_one(
        "INSERT INTO users (email, display_name) VALUES ('bench@example.com', 'Bench') RETURNING id"
    )
    assert user is not None
    user_id = str(user["id"])
    sql.execute(
        """INSERT INTO subscriptions (user_id, source, external_id, status, current_period_end,
                                      source_updated_at)
           VALUES (%s, 'stripe', 'sub_bench', 'active', now() + interval '30 days', now())""",
        (user_id,),
    )
    artist = catalog.create_artist("Bench Artist")
    rendition = {
        "quality": "high",
        "codec": "aac",
        "bitrate_kbps": 256,
        "object_key": "audio/bench.m4a",
        "size_bytes": 1,
    }
    songs = [catalog.create_song(artist, f"Song {i}", 200_000, [rendition]) for i in range(ISSUES + 50)]
    device = logic.register_device(user_id, "bench phone", "ios", DeviceKey.generate().public_jwk())
    logic.make_offline_device(user_id, device.device_id)
    queue = iter(songs)
    samples = timings_ms(lambda: logic.issue_download(user_id, next(queue), device.device_id), ISSUES, 50)
    report("POST /downloads logic (key, JWE seal, license, link)", samples)


def main() -> None:
    throughput()
    os.environ["DOWNLOADS_PER_DAY"] = str(ISSUES * 2)
    with bench_stack("sauti-bench-downloads-"):
        issuance()


if __name__ == "__main__":
    main()
