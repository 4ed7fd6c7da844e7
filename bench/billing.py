"""Webhook handling latency: signed Stripe events and Apple notifications through the local gateway.

Runs a throw-away local stack (PostgreSQL, Redis, moto) like the tests do, then
times each delivery end to end in-process: signature or chain verification,
the once-only claim, the state change, plan.changed and the notification.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

ROUNDS = 200


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def report(name: str, timings: list[float]) -> None:
    ms = [t * 1000 for t in timings]
    print(
        f"{name:<38} n={len(ms):<4} p50={statistics.median(ms):6.2f} ms  "
        f"p95={percentile(ms, 0.95):6.2f} ms  max={max(ms):6.2f} ms"
    )


def main() -> None:
    from helpers import Api
    from sauti_dev import billing_samples as samples
    from sauti_dev.gateway import LocalGateway
    from sauti_dev.lambdas import LocalFunctions
    from sauti_dev.stack import LocalStack

    stack = LocalStack(data_dir=Path(tempfile.mkdtemp(prefix="sauti-bench-billing-")), isolated=True)
    stack.start()
    try:
        from sauti import db
        from sauti.billing.apple import local_chain_directory
        from sauti.config import config
        from sauti.migrate import apply_migrations

        apply_migrations()
        api = Api(LocalGateway(LocalFunctions()))
        secret = config().get("STRIPE_WEBHOOK_SECRET")
        user_id = str(db.fetch_one("INSERT INTO users (display_name) VALUES ('bench') RETURNING id")["id"])
        subscription = samples.stripe_subscription(user_id)
        start = datetime.now(UTC) - timedelta(days=1)

        def stripe_delivery(i: int, event_id: str | None = None) -> float:
            status = "active" if i % 2 == 0 else "past_due"  # every delivery changes the plan's inputs
            event = samples.stripe_event(
                "customer.subscription.updated",
                {**subscription, "status": status},
                created=start + timedelta(seconds=i),
                event_id=event_id,
            )
            payload = json.dumps(event)
            headers = {"stripe-signature": samples.stripe_signature(payload, secret)}
            began = time.perf_counter()
            response = api.post("/webhooks/stripe", body=payload, headers=headers)
            elapsed = time.perf_counter() - began
            assert response.status == 200, response.body
            return elapsed

        stripe_delivery(-1)  # warm the function
        report("stripe: new event (signed, applied)", [stripe_delivery(i) for i in range(ROUNDS)])
        report(
            "stripe: duplicate event", [stripe_delivery(0, event_id="evt_bench_dup") for _ in range(ROUNDS)]
        )

        chain = local_chain_directory()
        bodies = [
            samples.apple_notification(
                "DID_RENEW",
                samples.apple_transaction(user_id, original_transaction_id="9000"),
                chain,
                signed=start + timedelta(seconds=i),
            )
            for i in range(ROUNDS + 1)
        ]
        api.post("/webhooks/apple", json=bodies[0])

        def apple_delivery(body: dict) -> float:
            began = time.perf_counter()
            response = api.post("/webhooks/apple", json=body)
            elapsed = time.perf_counter() - began
            assert response.status == 200, response.body
            return elapsed

        report("apple: notification (chain verified)", [apple_delivery(body) for body in bodies[1:]])
    finally:
        from sauti import db

        db.discard_connection()
        stack.stop()


if __name__ == "__main__":
    main()
