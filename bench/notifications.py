"""Notifications: push throughput of one worker against the local FCM, and the time to fan a release
out to 100,000 followers through the local queue.

The fake FCM runs in its own process (as FCM is another machine), so the worker's process measures
only itself. Run with `make bench` (or `.venv/bin/python bench/notifications.py [followers]`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "devtools")]

from sauti_dev.benchmarking import bench_stack  # noqa: E402
from sauti_dev.services import free_port, wait_for_port  # noqa: E402

THROUGHPUT_FOLLOWERS = 10_000
FANOUT_FOLLOWERS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
BASELINE_PUSHES = 300


def start_fake_fcm(folder: Path) -> subprocess.Popen:
    from sauti.notifications.fcm import generate_service_account

    port = free_port()
    key = folder / "service-account.json"
    key.write_text(generate_service_account(f"http://127.0.0.1:{port}/token"))
    os.environ["FCM_API_BASE"] = f"http://127.0.0.1:{port}"
    os.environ["FIREBASE_SERVICE_ACCOUNT"] = str(key)
    fake = subprocess.Popen(
        [sys.executable, "-m", "sauti_dev.fakes.fcm", "--port", str(port), "--service-account", str(key)],
        env={**os.environ, "PYTHONPATH": str(ROOT / "devtools")},
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port)
    return fake


def fake_sends() -> int:
    import requests

    answer = requests.get(f"{os.environ['FCM_API_BASE']}/_fake/messages", params={"limit": 0}, timeout=10)
    return int(answer.json()["sends"])


def followers(artist_id: str, count: int, prefix: str) -> None:
    """``count`` users, each with one push token, following the artist (COPY: seconds, not minutes)."""
    from sauti import db

    with db.transaction() as conn:
        with conn.cursor().copy("COPY users (email, display_name) FROM STDIN") as copy:
            for index in range(count):
                copy.write_row((f"{prefix}-{index}@bench.example", "Bench"))
        conn.execute(
            """INSERT INTO notification_push_tokens (token, user_id, platform)
               SELECT 'tok-' || id, id, (ARRAY['ios', 'android', 'web'])[1 + (random() * 2)::int]
               FROM users WHERE email LIKE %s""",
            (f"{prefix}-%",),
        )
        conn.execute(
            "INSERT INTO artist_follows (user_id, artist_id) SELECT id, %s FROM users WHERE email LIKE %s",
            (artist_id, f"{prefix}-%"),
        )
        conn.execute("ANALYZE users; ANALYZE artist_follows; ANALYZE notification_push_tokens")


def song(artist_id: str, title: str) -> str:
    from sauti.catalog import logic

    rendition = {
        "quality": "normal",
        "codec": "aac",
        "bitrate_kbps": 128,
        "object_key": "audio/x.m4a",
        "size_bytes": 1,
    }
    return logic.create_song(artist_id, title, 200_000, [rendition])


def publish(functions, artist_id: str, song_id: str) -> None:
    event = {
        "source": "sauti.catalog",
        "detail-type": "catalog.changed",
        "detail": {
            "kind": "song",
            "id": song_id,
            "artist_id": artist_id,
            "status": "published",
            "change": "published",
        },
    }
    functions.invoke("NotificationsEventsFunction", event)


def drain(functions, stack) -> None:
    from sauti_dev.queues import drain_once

    while drain_once(functions, stack.queue_urls):
        pass


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="sauti-bench-fcm-") as folder:
        fake = start_fake_fcm(Path(folder))
        try:
            with bench_stack() as stack:
                run(stack)
        finally:
            fake.terminate()
            fake.wait()


def run(stack) -> None:
    from sauti.catalog import logic as catalog
    from sauti.notifications.fcm import Push, build_message, fcm_client
    from sauti_dev.lambdas import LocalFunctions

    functions = LocalFunctions()
    client = fcm_client()

    # naive baseline: one push after another (what a loop over tokens without a pool does)
    pushes = [
        Push(
            f"base-{i}", "android", build_message(f"base-{i}", "android", "t", "b", {}, topic="new_releases")
        )
        for i in range(BASELINE_PUSHES)
    ]
    client.access_token()
    started = time.perf_counter()
    for push in pushes:
        client.send(push)
    naive = BASELINE_PUSHES / (time.perf_counter() - started)

    artist = catalog.create_artist("Bench Wave", "")
    followers(artist, THROUGHPUT_FOLLOWERS, "throughput")
    publish(functions, artist, song(artist, "Throughput"))
    before = fake_sends()
    started = time.perf_counter()
    drain(functions, stack)
    seconds = time.perf_counter() - started
    sent = fake_sends() - before
    print(f"push throughput, one worker ({sent:,} pushes in {seconds:.1f} s, fan-out chunks through SQS)")
    print(f"  ours (concurrent sends, one access token) {sent / seconds:10,.0f} pushes/s   (target >= 500)")
    print(f"  naive baseline (one send after another)   {naive:10,.0f} pushes/s")
    print(f"  access tokens fetched: {client.tokens_fetched}")

    star = catalog.create_artist("Bench Star", "")
    started = time.perf_counter()
    followers(star, FANOUT_FOLLOWERS, "fanout")
    print(
        f"fan-out to {FANOUT_FOLLOWERS:,} followers (set-up of users, tokens, follows: {time.perf_counter() - started:.1f} s)"
    )
    release = song(star, "Hit")
    before = fake_sends()
    started = time.perf_counter()
    publish(functions, star, release)
    queued = time.perf_counter() - started
    drain(functions, stack)
    total = time.perf_counter() - started
    sent = fake_sends() - before
    print(f"  chunks queued after {queued:6.2f} s")
    print(
        f"  every push sent after {total:6.2f} s ({sent:,} pushes, {sent / total:,.0f}/s)   (target < 60 s)"
    )
    publish(functions, star, release)  # published again: nothing is sent twice
    drain(functions, stack)
    print(f"  a second publish sent {fake_sends() - before - sent} more pushes")


if __name__ == "__main__":
    main()
