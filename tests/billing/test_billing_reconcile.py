"""The daily job and late renewals: the renewal margin, and every ended Stripe subscription re-read first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sauti_dev import billing_samples as samples
from sauti_dev.events import scheduled_event

MARGIN = timedelta(hours=24)  # BILLING_RENEWAL_MARGIN_HOURS


def _job_at(moment: datetime) -> dict[str, Any]:
    return {**scheduled_event(), "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}


def _subscribed(send_stripe, user, period_end: datetime) -> dict[str, Any]:
    subscription = samples.stripe_subscription(user.id, period_end=period_end)
    created = period_end - timedelta(days=30)
    assert (
        send_stripe(
            samples.stripe_event("customer.subscription.created", subscription, created=created)
        ).json()["outcome"]
        == "applied"
    )
    return subscription


def _changes_of(plan_events, user) -> list[str]:
    return [event["plan"] for event in plan_events() if event["user_id"] == user.id]


def test_without_a_key_the_job_downgrades_only_once_the_renewal_margin_is_over(
    new_user, send_stripe, subscription_of, functions, plan_events, clock
):
    user = new_user()
    period_end = datetime.now(UTC) - timedelta(hours=2)  # ended, and the renewal webhook is late
    _subscribed(send_stripe, user, period_end)
    assert _changes_of(plan_events, user) == ["premium"]

    functions.invoke("BillingReconcileFunction", _job_at(datetime.now(UTC)))
    assert _changes_of(plan_events, user) == []
    assert subscription_of(user)["plan"] == "premium"

    after = period_end + MARGIN + timedelta(minutes=1)
    clock.move_to(after)
    functions.invoke("BillingReconcileFunction", _job_at(after))
    assert _changes_of(plan_events, user) == ["free"]
    assert subscription_of(user)["plan"] == "free"


def test_with_a_key_the_job_re_reads_an_ended_subscription_before_any_downgrade(
    new_user, send_stripe, subscription_of, functions, plan_events, fake_stripe, clock
):
    renewed_user, cancelled_user, unreachable_user = new_user(), new_user(), new_user()
    period_end = datetime.now(UTC) - timedelta(hours=2)
    renewed = _subscribed(send_stripe, renewed_user, period_end)
    cancelled = _subscribed(send_stripe, cancelled_user, period_end)
    unreachable = _subscribed(send_stripe, unreachable_user, period_end)
    plan_events()
    fake_stripe.subscriptions[renewed["id"]] = samples.stripe_subscription(
        renewed_user.id, subscription_id=renewed["id"]
    )
    fake_stripe.subscriptions[cancelled["id"]] = {**cancelled, "status": "canceled"}
    fake_stripe.failing.add(unreachable["id"])
    after = period_end + MARGIN + timedelta(minutes=1)  # the margin is over too
    clock.move_to(after)

    report = functions.invoke("BillingReconcileFunction", _job_at(after))

    events = plan_events()
    by_user = {
        user.id: [e["plan"] for e in events if e["user_id"] == user.id]
        for user in (renewed_user, cancelled_user, unreachable_user)
    }
    # the renewal Stripe never announced is found: no "free" for a paying user
    assert by_user[renewed_user.id] == []
    assert subscription_of(renewed_user)["plan"] == "premium"
    assert by_user[cancelled_user.id] == ["free"]
    # Stripe did not answer for this one: its downgrade waits for the next run
    assert by_user[unreachable_user.id] == []
    assert report["downgrades_deferred"] >= 1
    for subscription in (renewed, cancelled, unreachable):
        assert f"/v1/subscriptions/{subscription['id']}" in fake_stripe.gets()

    fake_stripe.failing.clear()
    fake_stripe.subscriptions[unreachable["id"]] = {**unreachable, "status": "canceled"}
    functions.invoke("BillingReconcileFunction", _job_at(after))
    assert _changes_of(plan_events, unreachable_user) == ["free"]
