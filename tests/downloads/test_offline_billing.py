"""Downloads and billing together through billing's real path: signed Stripe events, the job, the bus."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from helpers import AUDIO
from sauti_dev import billing_samples as samples
from sauti_dev.events import scheduled_event
from sauti_dev.queues import drain_once
from sauti_offline.client import NotDownloaded


def _send_stripe(api: Any, event: dict[str, Any]) -> None:
    from sauti.billing.settings import StripeSettings
    from sauti.settings import settings

    payload = json.dumps(event)
    signature = samples.stripe_signature(payload, settings(StripeSettings).stripe_webhook_secret)
    response = api.post("/webhooks/stripe", body=payload, headers={"stripe-signature": signature})
    assert response.status == 200 and response.json()["outcome"] == "applied", response.body


def test_premium_bought_on_stripe_ends_after_grace_and_the_phone_wipes_everything(
    new_user, catalog, phone, api, functions, stack
):
    from sauti import clock

    user = new_user()
    now = datetime.now(UTC)
    subscription = samples.stripe_subscription(user.id)
    _send_stripe(
        api,
        samples.stripe_event("customer.subscription.created", subscription, created=now - timedelta(days=3)),
    )

    # premium: the phone downloads and plays offline
    handset = phone(user, "A")
    handset.make_offline_device()
    first = handset.download(catalog.song("Asubuhi"))
    assert b"".join(handset.play(first)) == AUDIO

    # the renewal fails: past_due starts the grace, and downloads are still allowed
    _send_stripe(
        api,
        samples.stripe_event(
            "invoice.payment_failed",
            samples.stripe_invoice(subscription["id"], paid=False),
            created=now - timedelta(days=2),
        ),
    )
    shown = api.get("/billing/subscription", token=user.token).json()
    assert shown["status"] == "past_due" and shown["plan"] == "premium"
    second = handset.download(catalog.song("Jioni"))
    assert handset.sync()["wipe_all"] is False
    assert sorted(handset.keystore.key_ids()) == sorted([first, second])

    # the clock passes the end of the grace and the daily job runs (`sauti run-job billing-reconcile`)
    grace_until = datetime.fromisoformat(shown["grace_until"])
    job = scheduled_event(grace_until.date())
    fired = datetime.fromisoformat(job["time"].replace("Z", "+00:00"))
    assert fired > grace_until
    with clock.frozen(fired):
        assert functions.invoke("BillingReconcileFunction", job)["plan_changes"] >= 1

        # the bus delivers plan.changed to DownloadsPlanEventsFunction: every key is revoked on the server
        assert drain_once(functions, stack.queue_urls, rule_queues=stack.rule_queues) >= 1
        assert api.get("/downloads", token=user.token).json()["items"] == []

        # and the phone's next sync wipes everything
        answer = handset.sync()
        assert answer["wipe_all"] is True
        assert handset.keystore.key_ids() == []
        for key_id in (first, second):
            with pytest.raises(NotDownloaded):
                handset.play(key_id)
        assert not list((handset.home / "files").glob("*.sauti"))


def test_the_plan_event_consumer_reads_the_plan_uncached(
    new_user, make_premium, catalog, phone, api, functions
):
    from sauti.billing.entitlements import invalidate
    from sauti_dev import sql

    user = new_user()
    make_premium(user.id)
    handset = phone(user, "A")
    handset.make_offline_device()
    handset.download(catalog.song())  # the cache now says premium

    def plan_changed(plan: str) -> dict[str, Any]:
        return {
            **scheduled_event(),
            "source": "sauti.billing",
            "detail-type": "plan.changed",
            "detail": {"user_id": user.id, "plan": plan, "previous_plan": "premium"},
        }

    # a stale "free" while the user is premium revokes nothing
    assert functions.invoke("DownloadsPlanEventsFunction", plan_changed("free")) == {"revoked": 0}

    # premium ended, and the cache has not caught up yet: the consumer still sees it
    sql.execute("UPDATE subscriptions SET status = 'canceled' WHERE user_id = %s", (user.id,))
    assert functions.invoke("DownloadsPlanEventsFunction", plan_changed("free")) == {"revoked": 1}
    invalidate(user.id)
    assert api.get("/downloads", token=user.token).json()["items"] == []
