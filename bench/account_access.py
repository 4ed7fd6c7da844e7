"""What refusing deleted and suspended accounts costs each authenticated request (docs/auth.md).

The check (`sauti.auth.access.check_access`) is one Redis GET; the naive baseline beside it reads the
account's state from PostgreSQL on every request. Then POST /playback/sessions in-process (warm caches)
with the check, and a block's effect. Run with `make bench` (or `.venv/bin/python bench/account_access.py`).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "devtools"))

from sauti_dev.benchmarking import bench_stack, report, timings_ms  # noqa: E402

CALLS = 5000
REQUESTS = 2000


def main() -> None:
    with bench_stack("sauti-bench-access-"):
        run()


def run() -> None:
    from sauti.auth import store
    from sauti.auth.access import check_access
    from sauti.catalog import logic
    from sauti.principal import principal_from_claims
    from sauti_dev import sql as db
    from sauti_dev.events import http_event
    from sauti_dev.lambdas import LambdaContext, LocalFunctions

    user_id = str(
        db.fetch_one("INSERT INTO users (email, display_name) VALUES ('a@bench', 'b') RETURNING id")["id"]
    )
    issued_at = int(time.time())

    print("The account check on every authenticated request (real Redis and PostgreSQL on this machine)")
    report("check_access: one Redis GET (ours)", timings_ms(lambda: check_access(user_id, issued_at), CALLS))
    report(
        "naive: the account's state from PostgreSQL", timings_ms(lambda: store.account_state(user_id), CALLS)
    )
    claims = {"sub": user_id, "roles": "[]", "iat": str(issued_at)}
    report(
        "principal_from_claims (the check included)", timings_ms(lambda: principal_from_claims(claims), CALLS)
    )

    artist = logic.create_artist("Bench Artist")
    renditions = [{"quality": "low", "codec": "aac", "bitrate_kbps": 48, "object_key": "audio/bench/low.m4a"}]
    song_id = logic.create_song(artist, "Bench Song", 200_000, renditions)
    handler = LocalFunctions().handler("PlaybackFunction")
    event = http_event(
        "POST /playback/sessions",
        "POST",
        "/playback/sessions",
        headers={"content-type": "application/json"},
        body=json.dumps({"song_id": song_id}).encode(),
        claims=claims,
    )
    context = LambdaContext(function_name="PlaybackFunction")
    assert handler(event, context)["statusCode"] == 201
    report(
        "POST /playback/sessions, warm caches, check included",
        timings_ms(lambda: handler(event, context), REQUESTS),
    )


if __name__ == "__main__":
    main()
