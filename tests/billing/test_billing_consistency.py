"""Billing under concurrency and failure: one lock order, plan.changed after the commit, an outbox the job
drains, no Stripe call inside a transaction, and Stripe's same-second events."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row

from sauti_dev import billing_samples as samples
from sauti_dev.events import scheduled_event


def _connect() -> psycopg.Connection[Any]:
    from sauti.config import config

    return psycopg.connect(config().database_url(), row_factory=dict_row, application_name="billing-test")


def _job_at(moment: datetime) -> dict[str, Any]:
    return {**scheduled_event(), "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}


def test_the_job_waits_for_a_webhook_holding_the_user_lock_instead_of_deadlocking(
    new_user, make_premium, functions
):
    """A webhook holds the user lock and then writes the plan row; the job must not hold that row first."""
    from sauti.billing import store
    from sauti_dev import sql

    user = new_user()
    make_premium(user.id)  # premium now, but published as free: the job will publish the change
    sql.execute("INSERT INTO billing_user_plans (user_id, plan) VALUES (%s, 'free')", (user.id,))
    failures: list[BaseException] = []
    reports: list[dict[str, Any]] = []

    def run_job() -> None:
        try:
            reports.append(functions.invoke("BillingReconcileFunction", scheduled_event()))
        except BaseException as exc:
            failures.append(exc)

    webhook = _connect()
    try:
        store.lock_user(webhook, user.id)  # the "webhook" transaction takes the user lock first
        job = threading.Thread(target=run_job)
        job.start()
        _wait_for_a_lock_wait(webhook)
        store.save_plan(webhook, user.id, "free", datetime.now(UTC))  # then the plan row
        webhook.commit()
    except psycopg.errors.DeadlockDetected as exc:
        failures.append(exc)
        webhook.rollback()
    finally:
        webhook.close()
    job.join(timeout=20)

    assert failures == []
    assert reports and reports[0]["plan_changes"] >= 1
    assert sql.fetch_one("SELECT plan FROM billing_user_plans WHERE user_id = %s", (user.id,))["plan"] == (
        "premium"
    )


def _wait_for_a_lock_wait(conn: psycopg.Connection[Any]) -> None:
    """Until another session waits for an advisory lock (the job, blocked behind the user lock)."""
    with _connect() as observer:
        observer.autocommit = True
        for _ in range(200):
            waiting = observer.execute(
                "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone()
            if waiting and waiting["n"]:
                return
            time.sleep(0.025)
    raise AssertionError("the job never waited for the user lock")


def test_plan_changed_is_published_after_the_commit_and_the_cache_invalidation(
    new_user, send_stripe, subscription_of, plan_events
):
    from sauti import events
    from sauti.cache import redis_client

    user = new_user()
    assert subscription_of(user)["plan"] == "free"  # now cached as free
    seen: list[dict[str, Any]] = []

    def at_publication(entry: dict[str, Any]) -> None:
        if json.loads(entry["Detail"]).get("user_id") == user.id:
            with _connect() as other:  # another session sees only what is committed
                row = other.execute(
                    "SELECT plan FROM billing_user_plans WHERE user_id = %s", (user.id,)
                ).fetchone()
            cached = redis_client().get(f"entitlements:{user.id}")
            seen.append({"committed": row and row["plan"], "cached": cached and json.loads(cached)["plan"]})

    event = samples.stripe_event("customer.subscription.created", samples.stripe_subscription(user.id))
    with events.observed(at_publication):
        assert send_stripe(event).json()["outcome"] == "applied"

    assert seen == [{"committed": "premium", "cached": None}]
    [change] = plan_events()
    assert change["plan"] == "premium" and change["user_id"] == user.id


def test_a_change_the_bus_refused_is_published_by_the_job_with_its_event_id(
    new_user, send_stripe, subscription_of, plan_events, functions, monkeypatch
):
    from sauti.config import config

    user = new_user()
    monkeypatch.setenv("EVENT_BUS_NAME", "no-such-bus")  # the bus refuses the event (moto: not found)
    config.cache_clear()
    created = samples.stripe_event("customer.subscription.created", samples.stripe_subscription(user.id))
    try:
        response = send_stripe(created)
    finally:
        monkeypatch.undo()
        config.cache_clear()

    # the change is committed and shown; only its announcement waits
    assert response.status == 200 and response.json()["outcome"] == "applied"
    assert subscription_of(user)["plan"] == "premium"
    assert [e for e in plan_events() if e["user_id"] == user.id] == []
    from sauti_dev import sql

    [pending] = sql.fetch_all(
        "SELECT event_id, published_at FROM billing_plan_events WHERE user_id = %s", (user.id,)
    )
    assert pending["published_at"] is None

    report = functions.invoke("BillingReconcileFunction", _job_at(datetime.now(UTC) + timedelta(minutes=10)))

    assert report["republished"] >= 1
    [change] = [e for e in plan_events() if e["user_id"] == user.id]
    assert change["event_id"] == str(pending["event_id"]) and change["plan"] == "premium"
    again = functions.invoke("BillingReconcileFunction", _job_at(datetime.now(UTC) + timedelta(minutes=10)))
    assert again["republished"] == 0


def test_no_call_to_stripe_is_made_while_a_transaction_is_open(
    new_user, send_stripe, subscription_of, fake_stripe, functions
):
    from sauti_dev import sql

    open_during_call: list[int] = []

    def observe(_method: str, _path: str) -> None:
        with _connect() as observer:
            row = observer.execute(
                """SELECT count(*) AS n FROM pg_stat_activity
                   WHERE application_name = 'sauti' AND state LIKE 'idle in transaction%'"""
            ).fetchone()
        open_during_call.append(row["n"])

    fake_stripe.on_request = observe
    user = new_user()
    ended = datetime.now(UTC) - timedelta(days=2)
    subscription = samples.stripe_subscription(user.id, period_end=ended)
    fake_stripe.subscriptions[subscription["id"]] = subscription
    checkout = samples.stripe_checkout_session(user.id, subscription["id"])

    send_stripe(samples.stripe_event("checkout.session.completed", checkout))
    send_stripe(samples.stripe_event("customer.subscription.updated", subscription))
    send_stripe(samples.stripe_event("invoice.paid", samples.stripe_invoice(subscription["id"], paid=True)))
    fake_stripe.subscriptions[subscription["id"]] = samples.stripe_subscription(
        user.id, subscription_id=subscription["id"]
    )
    functions.invoke("BillingReconcileFunction", scheduled_event())

    assert len(open_during_call) >= 4
    assert set(open_during_call) == {0}
    assert subscription_of(user)["plan"] == "premium"
    assert sql.fetch_one("SELECT count(*) AS n FROM subscriptions WHERE user_id = %s", (user.id,))["n"] == 1


def test_without_an_api_key_a_same_second_tie_goes_to_the_later_status(
    new_user, send_stripe, subscription_of
):
    at = (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0)
    for order in (("canceled", "active"), ("active", "canceled")):
        user = new_user()
        subscription = samples.stripe_subscription(user.id)
        outcomes = [
            send_stripe(
                samples.stripe_event(
                    "customer.subscription.updated", {**subscription, "status": status}, created=at
                )
            ).json()["outcome"]
            for status in order
        ]

        assert subscription_of(user)["status"] == "canceled"
        assert outcomes == (["applied", "stale"] if order[0] == "canceled" else ["applied", "applied"])

    # past_due outranks active within one second; incomplete gives way to active
    user = new_user()
    subscription = samples.stripe_subscription(user.id)
    for status in ("past_due", "active"):
        send_stripe(
            samples.stripe_event(
                "customer.subscription.updated", {**subscription, "status": status}, created=at
            )
        )
    assert subscription_of(user)["status"] == "past_due"
    other = new_user()
    subscription = samples.stripe_subscription(other.id)
    for status in ("incomplete", "active"):
        send_stripe(
            samples.stripe_event(
                "customer.subscription.updated", {**subscription, "status": status}, created=at
            )
        )
    assert subscription_of(other)["status"] == "active"


def test_with_an_api_key_subscription_events_act_on_the_state_read_from_stripe(
    new_user, send_stripe, subscription_of, fake_stripe
):
    user = new_user()
    at = datetime.now(UTC) - timedelta(minutes=1)
    subscription = samples.stripe_subscription(user.id)
    fake_stripe.subscriptions[subscription["id"]] = {**subscription, "status": "canceled"}

    # an older event of the same second arrives last: Stripe's current state wins all the same
    send_stripe(
        samples.stripe_event(
            "customer.subscription.deleted", {**subscription, "status": "canceled"}, created=at
        )
    )
    send_stripe(samples.stripe_event("customer.subscription.updated", subscription, created=at))

    assert subscription_of(user)["status"] == "canceled"
    assert fake_stripe.gets() == [f"/v1/subscriptions/{subscription['id']}"] * 2

    # a subscription Stripe does not know: the event's own state is used
    unknown = samples.stripe_subscription(user.id)
    assert send_stripe(samples.stripe_event("customer.subscription.created", unknown)).status == 200
    assert subscription_of(user)["plan"] == "premium"
