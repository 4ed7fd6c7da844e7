"""Offline plays: the time to accept a batch of 500 (POST /me/offline-plays logic, in-process), next to
a naive baseline that records the same plays one call per play; and, apart, the time pydantic takes to
validate such a request body (the route does it before the logic runs).

Target: a batch of 500 in under 50 ms. Run with `make bench` (or `.venv/bin/python bench/offline_plays.py`).
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "devtools"), str(ROOT / "clients" / "reference")]

from sauti_dev.benchmarking import bench_stack, report, timings_ms  # noqa: E402

BATCH = 500
BATCHES = 30
WARM_UP = 5
KEYS = 50
LISTENED_MS = 100_000  # every song lasts 200 s; plays follow each other 101 s apart, never overlapping
BASELINE_BATCHES = 2


def _offline_user(name: str, songs: list[str]) -> tuple[str, str, list[str]]:
    """A premium user with an offline device holding one download of each song: (user, device, keys)."""
    from sauti.downloads import logic
    from sauti_dev import sql as db
    from sauti_offline.device import DeviceKey

    user = db.fetch_one(
        "INSERT INTO users (email, display_name) VALUES (%s, 'Bench') RETURNING id", (f"{name}@example.com",)
    )
    assert user is not None
    user_id = str(user["id"])
    db.execute(
        """INSERT INTO subscriptions (user_id, source, external_id, status, current_period_end,
                                      source_updated_at)
           VALUES (%s, 'stripe', %s, 'active', now() + interval '30 days', now())""",
        (user_id, f"sub_{name}"),
    )
    device = logic.register_device(user_id, "bench phone", "ios", DeviceKey.generate().public_jwk())
    logic.make_offline_device(user_id, device.device_id)
    keys = [logic.issue_download(user_id, song, device.device_id).key_id for song in songs]
    return user_id, device.device_id, keys


def main() -> None:
    with bench_stack("sauti-bench-offline-plays-"):
        from sauti import clock
        from sauti.catalog import logic as catalog
        from sauti.downloads.models import OfflinePlaysIn
        from sauti.downloads.offline_plays import record_offline_plays

        artist = catalog.create_artist("Bench Artist")
        rendition = {
            "quality": "high",
            "codec": "aac",
            "bitrate_kbps": 256,
            "object_key": "a.m4a",
            "size_bytes": 1,
        }
        songs = [catalog.create_song(artist, f"Song {i}", 200_000, [rendition]) for i in range(KEYS)]
        start = clock.now() + timedelta(minutes=1)  # after every download was issued
        now = start + timedelta(days=25)  # the uploads arrive later, within the licenses' 30 days
        step = timedelta(milliseconds=LISTENED_MS + 1_000)

        def bodies(device_id: str, keys: list[str], count: int) -> list[str]:
            """``count`` request bodies of 500 plays each, one after the other in time, as JSON."""
            at, made = start, []
            for _ in range(count):
                plays = []
                for index in range(BATCH):
                    plays.append(
                        {
                            "play_id": str(uuid.uuid4()),
                            "key_id": keys[index % KEYS],
                            "played_at": at.isoformat(),
                            "listened_ms": LISTENED_MS,
                        }
                    )
                    at += step
                made.append(json.dumps({"device_id": device_id, "plays": plays}))
            return made

        user_id, device_id, keys = _offline_user("bench", songs)
        raw = bodies(device_id, keys, WARM_UP + BATCHES)
        parse_feed = iter(raw)
        report(
            f"  parsing the request: {BATCH} plays validated (pydantic)",
            timings_ms(lambda: OfflinePlaysIn.model_validate_json(next(parse_feed)), BATCHES, WARM_UP),
        )
        feed = iter([OfflinePlaysIn.model_validate_json(body) for body in raw])

        def one_batch() -> None:
            body = next(feed)
            result = record_offline_plays(user_id, body.device_id, body.plays, now=now)
            assert result.accepted == BATCH, result.refused[:3]

        report(f"POST /me/offline-plays logic, a batch of {BATCH}", timings_ms(one_batch, BATCHES, WARM_UP))

        naive_user, naive_device, naive_keys = _offline_user("naive", songs)
        naive_raw = bodies(naive_device, naive_keys, 1 + BASELINE_BATCHES)
        naive_feed = iter([OfflinePlaysIn.model_validate_json(body) for body in naive_raw])

        def one_play_at_a_time() -> None:
            for play in next(naive_feed).plays:
                record_offline_plays(naive_user, naive_device, [play], now=now)

        report(
            f"naive baseline: the same {BATCH} plays, one call each",
            timings_ms(one_play_at_a_time, BASELINE_BATCHES, 1),
        )


if __name__ == "__main__":
    main()
