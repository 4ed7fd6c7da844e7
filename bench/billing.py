"""Webhook handling latency: signed Stripe events and Apple notifications through the local gateway.

Runs a throw-away local stack (PostgreSQL, Redis, moto) like the tests do, then
times each delivery end to end in-process: signature or chain verification,
the once-only claim, the state change, plan.changed and the notification.
Prints median and p99 in milliseconds.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "devtools"), str(ROOT / "tests")]

from sauti_dev.benchmarking import bench_stack, report, timings_ms  # noqa: E402

ROUNDS = 200


def run() -> None:
    from helpers import Api
    from sauti.billing.settings import StripeSettings
    from sauti.config import config
    from sauti.settings import settings
    from sauti_dev import billing_samples as samples
    from sauti_dev import sql
    from sauti_dev.apple_chain import local_chain_directory
    from sauti_dev.gateway import LocalGateway
    from sauti_dev.lambdas import LocalFunctions

    api = Api(LocalGateway(LocalFunctions()))
    secret = settings(StripeSettings).stripe_webhook_secret
    user_id = str(sql.fetch_one("INSERT INTO users (display_name) VALUES ('bench') RETURNING id")["id"])
    subscription = samples.stripe_subscription(user_id)
    start = datetime.now(UTC) - timedelta(days=1)

    def stripe_request(i: int, event_id: str | None = None) -> dict:
        """A signed delivery, built before the clock starts: only its handling is timed."""
        status = "active" if i % 2 == 0 else "past_due"  # every delivery changes the plan's inputs
        event = samples.stripe_event(
            "customer.subscription.updated",
            {**subscription, "status": status},
            created=start + timedelta(seconds=i),
            event_id=event_id,
        )
        payload = json.dumps(event)
        return {"body": payload, "headers": {"stripe-signature": samples.stripe_signature(payload, secret)}}

    def deliver(path: str, **request) -> None:
        response = api.post(path, **request)
        assert response.status == 200, response.body

    # One extra delivery first, untimed, warms the function.
    new_events = iter([stripe_request(i) for i in range(-1, ROUNDS)])
    samples_ms = timings_ms(lambda: deliver("/webhooks/stripe", **next(new_events)), ROUNDS, 1)
    report("stripe: new event (signed, applied)", samples_ms)

    # The untimed first delivery claims the event id: every timed one is then a duplicate.
    duplicate = stripe_request(0, event_id="evt_bench_dup")
    samples_ms = timings_ms(lambda: deliver("/webhooks/stripe", **duplicate), ROUNDS, 1)
    report("stripe: duplicate event", samples_ms)

    chain = local_chain_directory(config().data_dir)
    bodies = iter(
        [
            samples.apple_notification(
                "DID_RENEW",
                samples.apple_transaction(user_id, original_transaction_id="9000"),
                chain,
                signed=start + timedelta(seconds=i),
            )
            for i in range(ROUNDS + 1)
        ]
    )
    samples_ms = timings_ms(lambda: deliver("/webhooks/apple", json=next(bodies)), ROUNDS, 1)
    report("apple: notification (chain verified)", samples_ms)


def main() -> None:
    with bench_stack("sauti-bench-billing-"):
        run()


if __name__ == "__main__":
    main()
