"""Notifications: push throughput of one worker against the local FCM, and the time to fan a release
out to 100,000 followers through the local queue.

The fake FCM runs in its own process (FCM is another machine), so the worker's process measures only
itself. Each figure goes through the whole path: the fan-out chunks on the (moto) queue, the worker
claiming followers in PostgreSQL, the pushes, the settling. The naive baseline is the same path with
one send at a time (FCM_CONCURRENCY=1). FCM answers in tens of milliseconds over the internet; the
``+20 ms`` lines add that latency to every send of the fake, which is where concurrent sends matter.

Run with `make bench` (or `.venv/bin/python bench/notifications.py [followers]`).
"""

from __future__ import annotations

import os
import signal
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
BASELINE_FOLLOWERS = 1_000
FANOUT_FOLLOWERS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
LATENT_FOLLOWERS = 2_000
LATENCY_MS = 20
FAKE_PROCESSES = (
    2  # one Python process answers ~1,500 requests/s: the fake, not the worker, would be measured
)


class FakeFcmProcess:
    def __init__(self, folder: Path):
        from sauti.notifications.fcm import generate_service_account

        self.port = free_port()
        self.key = folder / "service-account.json"
        self.key.write_text(generate_service_account(f"http://127.0.0.1:{self.port}/token"))
        os.environ["FCM_API_BASE"] = f"http://127.0.0.1:{self.port}"
        os.environ["FIREBASE_SERVICE_ACCOUNT"] = str(self.key)
        self.process: subprocess.Popen | None = None

    def start(self, latency_ms: float = 0) -> None:
        self.stop()
        command = [sys.executable, "-m", "sauti_dev.fakes.fcm", "--port", str(self.port)]
        command += ["--service-account", str(self.key), "--latency-ms", str(latency_ms)]
        command += ["--processes", str(FAKE_PROCESSES)]
        self.process = subprocess.Popen(
            command,
            env={**os.environ, "PYTHONPATH": str(ROOT / "devtools")},
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the fake and the processes it forked
            self.process.wait()
            self.process = None

    def sends(self) -> int:
        import requests

        answer = requests.get(f"http://127.0.0.1:{self.port}/_fake/messages", params={"limit": 0}, timeout=10)
        return int(answer.json()["sends"])


def followers(artist_id: str, count: int, prefix: str) -> None:
    """``count`` users, each with one push token, following the artist (COPY: seconds, not minutes)."""
    from sauti import db

    with db.transaction() as conn:
        conn.execute("SET LOCAL statement_timeout = 0")
        with conn.cursor().copy("COPY users (email, display_name) FROM STDIN") as copy:
            for index in range(count):
                copy.write_row((f"{prefix}.{index}@bench.example", "Bench"))
        conn.execute(
            """INSERT INTO notification_push_tokens (token, user_id, platform)
               SELECT 'tok-' || id, id, (ARRAY['ios', 'android', 'web'])[1 + (random() * 2)::int]
               FROM users WHERE email LIKE %s""",
            (f"{prefix}.%",),
        )
        conn.execute(
            "INSERT INTO artist_follows (user_id, artist_id) SELECT id, %s FROM users WHERE email LIKE %s",
            (artist_id, f"{prefix}.%"),
        )
    with db.transaction() as conn:
        conn.execute("ANALYZE users")
        conn.execute("ANALYZE artist_follows")
        conn.execute("ANALYZE notification_push_tokens")


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
    detail = {
        "kind": "song",
        "id": song_id,
        "artist_id": artist_id,
        "status": "published",
        "change": "published",
    }
    functions.invoke(
        "NotificationsEventsFunction",
        {"source": "sauti.catalog", "detail-type": "catalog.changed", "detail": detail},
    )


def drain(functions, stack) -> None:
    """Feed the worker until the queue is empty, messages waiting for a retry included."""
    from sauti.aws import client
    from sauti_dev.queues import drain_once

    url = stack.queue_urls["NotificationsQueue"]
    while True:
        if drain_once(functions, stack.queue_urls):
            continue
        attributes = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        if (
            attributes["ApproximateNumberOfMessages"]
            == attributes["ApproximateNumberOfMessagesNotVisible"]
            == "0"
        ):
            return
        time.sleep(0.5)


def release_to(functions, stack, fake: FakeFcmProcess, count: int, name: str) -> tuple[int, float, float]:
    """A new artist with ``count`` followers publishes: (pushes sent, seconds to queue, seconds in all).
    Also prints the CPU the worker's process used per 1,000 pushes (what the machine's load does not
    change much; the shared benchmark machine is often busy)."""
    from sauti.catalog import logic as catalog

    artist = catalog.create_artist(name, "")
    followers(artist, count, name.lower().replace(" ", "-"))
    release = song(artist, "Hit")
    before = fake.sends()
    cpu, started = time.process_time(), time.perf_counter()
    publish(functions, artist, release)
    queued = time.perf_counter() - started
    drain(functions, stack)
    seconds, sent = time.perf_counter() - started, fake.sends() - before
    cpu = time.process_time() - cpu
    print(
        f"    ({name}: worker process CPU {cpu:.1f} s,"
        f" {sent / cpu:,.0f} pushes per CPU-second;"
        f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    return sent, queued, seconds


def with_concurrency(value: str | None) -> None:
    from sauti.config import config

    if value is None:
        os.environ.pop("FCM_CONCURRENCY", None)
    else:
        os.environ["FCM_CONCURRENCY"] = value
    config.cache_clear()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="sauti-bench-fcm-") as folder:
        fake = FakeFcmProcess(Path(folder))
        try:
            fake.start()
            with bench_stack() as stack:
                run(stack, fake)
        finally:
            fake.stop()


def rate_line(label: str, sent: int, seconds: float, note: str = "") -> None:
    print(f"  {label:<44} {sent / seconds:8,.0f} pushes/s  ({sent:,} in {seconds:5.1f} s){note}")


def run(stack, fake: FakeFcmProcess) -> None:
    from sauti.notifications.fcm import fcm_client
    from sauti_dev.lambdas import LocalFunctions

    functions = LocalFunctions()
    print("push throughput of one worker (fan-out chunks through SQS, PostgreSQL claims, FCM sends)")
    sent, _, seconds = release_to(functions, stack, fake, THROUGHPUT_FOLLOWERS, "Throughput")
    rate_line("ours (32 sends in flight, one access token)", sent, seconds, "   target >= 500")
    print(f"  access tokens fetched for all of it: {fcm_client().tokens_fetched}")
    with_concurrency("1")
    sent, _, seconds = release_to(functions, stack, fake, BASELINE_FOLLOWERS, "Baseline")
    rate_line("naive baseline (one send at a time)", sent, seconds)

    fake.start(LATENCY_MS)
    sent, _, seconds = release_to(functions, stack, fake, LATENT_FOLLOWERS // 10, "Latent Baseline")
    rate_line(f"naive baseline, FCM +{LATENCY_MS} ms", sent, seconds)
    with_concurrency(None)
    sent, _, seconds = release_to(functions, stack, fake, LATENT_FOLLOWERS, "Latent")
    rate_line(f"ours, FCM +{LATENCY_MS} ms", sent, seconds)
    fake.start()

    print(f"fan-out of one release to {FANOUT_FOLLOWERS:,} followers (each with a device), one local worker")
    sent, queued, seconds = release_to(functions, stack, fake, FANOUT_FOLLOWERS, "Fanout Star")
    print(f"  chunks queued after {queued:.2f} s; every push sent after {seconds:.1f} s   target < 60 s")
    rate_line("", sent, seconds)


if __name__ == "__main__":
    main()
