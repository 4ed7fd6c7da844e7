"""Latency of POST /playback/sessions (in-process, warm caches, real Redis and PostgreSQL) and of each signer.

Run with `make bench` (or `.venv/bin/python bench/catalog.py`). Prints median and p99 in milliseconds.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "devtools"))

from sauti_dev.benchmarking import bench_stack, report, timings_ms  # noqa: E402

CALLS = 3000
SIGNER_CALLS = 2000
WARM_UP = 200


def figures(name: str, call: Callable[[], object], calls: int) -> None:
    report(name, timings_ms(call, calls, warm_up=min(WARM_UP, calls)))


def main() -> None:
    with bench_stack("sauti-bench-catalog-"):
        run()


def run() -> None:
    from sauti.billing.entitlements import entitlements_for
    from sauti.catalog import public as logic
    from sauti.signing import links, r2
    from sauti.tokens import issue_access_token
    from sauti_dev import sql
    from sauti_dev.events import http_event
    from sauti_dev.gateway import LocalGateway
    from sauti_dev.lambdas import LambdaContext, LocalFunctions

    artist = logic.create_artist("Bench Artist")
    renditions = [
        {"quality": q, "codec": "aac", "bitrate_kbps": b, "object_key": f"audio/bench/{q}.m4a"}
        for q, b in (("low", 48), ("normal", 128), ("high", 256))
    ]
    song_id = logic.create_song(artist, "Bench Song", 200_000, renditions)
    logic.create_ad("Bench Ad", "Bench Co.", "ads/bench.m4a", 5000)
    users = {}
    for plan in ("free", "premium"):
        user_id = str(
            sql.fetch_one(
                "INSERT INTO users (email, display_name) VALUES (%s, 'b') RETURNING id", (f"{plan}@bench",)
            )["id"]
        )
        if plan == "premium":
            sql.execute(
                """INSERT INTO subscriptions (user_id, source, external_id, status, current_period_end,
                                              source_updated_at)
                   VALUES (%s, 'stripe', 'bench', 'active', now() + interval '30 days', now())""",
                (user_id,),
            )
        entitlements_for(user_id)
        users[plan] = user_id

    functions = LocalFunctions()
    handler = functions.handler("PlaybackFunction")
    body = json.dumps({"song_id": song_id, "device_id": "bench"}).encode()
    print(f"POST /playback/sessions, song {song_id}, warm caches")
    for plan, user_id in users.items():
        event = http_event(
            "POST /playback/sessions",
            "POST",
            "/playback/sessions",
            headers={"content-type": "application/json"},
            body=body,
            claims={"sub": user_id, "roles": "[]"},
        )
        context = LambdaContext(function_name="PlaybackFunction")

        def direct(event=event, context=context) -> None:
            result = handler(event, context)
            assert result["statusCode"] == 201, result

        figures(f"handler, {plan} user (lambda_handler, in-process)", direct, CALLS)

    gateway = LocalGateway(functions)
    for plan, user_id in users.items():
        headers = {
            "content-type": "application/json",
            "authorization": "Bearer " + issue_access_token(user_id, [])[0],
        }

        def through_gateway(headers=headers) -> None:
            response = gateway.handle("POST", "/playback/sessions", headers=headers, body=body)
            assert response.status == 201, response.body

        figures(f"local gateway (JWT check + handler), {plan} user", through_gateway, CALLS)

    print("signers, per operation")
    figures(
        "CDN token link (HMAC-SHA256, is_timed_hmac_valid_v0)",
        lambda: links.sign_object("audio/x/high.m4a"),
        SIGNER_CALLS,
    )
    figures(
        "Stream signed token (RS256, 2048-bit)",
        lambda: links.sign_video("5d5bc37ffcf54c9b82e996823bffbb81"),
        SIGNER_CALLS,
    )
    figures(
        "R2 presigned GET (SigV4, boto3)", lambda: r2.presigned_download_url("audio/x/high.m4a"), SIGNER_CALLS
    )
    figures(
        "R2 presigned PUT (SigV4, boto3)",
        lambda: r2.presigned_upload_url("uploads/x.wav", "audio/wav"),
        SIGNER_CALLS,
    )


if __name__ == "__main__":
    main()
