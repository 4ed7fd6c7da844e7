"""The Stripe webhook through the local gateway, signed with the real `Stripe-Signature` scheme."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from billing_helpers import FREE, PREMIUM

from helpers import assert_problem, mailbox
from sauti_dev import billing_samples as samples
from sauti_dev.queues import drain_once


def _subscription_event(user, event_type="customer.subscription.updated", *, created=None, **kwargs):
    subscription = samples.stripe_subscription(user.id if user else None, **kwargs)
    return samples.stripe_event(event_type, subscription, created=created), subscription


def test_a_created_subscription_makes_the_user_premium_and_says_so_once(
    new_user, send_stripe, subscription_of, me_of, plan_events, notices
):
    user = new_user()
    event, _ = _subscription_event(user, "customer.subscription.created")

    response = send_stripe(event)

    assert response.status == 200, response.body
    assert response.json()["outcome"] == "applied"
    shown = subscription_of(user)
    assert shown["plan"] == "premium"
    assert shown["status"] == "active" and shown["source"] == "stripe"
    assert shown["entitlements"] == PREMIUM
    me = me_of(user)
    assert me["plan"] == "premium" and me["entitlements"] == PREMIUM
    assert me["subscription"]["status"] == "active" and me["subscription"]["source"] == "stripe"
    [change] = plan_events()
    assert change["user_id"] == user.id and change["plan"] == "premium" and change["previous_plan"] == "free"
    assert {"event_id", "occurred_at"} <= change.keys()
    assert [n["type"] for n in notices()] == ["billing.premium_started"]


def test_a_bad_signature_is_400_and_changes_nothing(new_user, send_stripe, me_of, plan_events):
    user, subscriber = new_user(), new_user()
    event, _ = _subscription_event(user, "customer.subscription.created")
    created, subscription = _subscription_event(subscriber, "customer.subscription.created")
    send_stripe(created)
    before = me_of(subscriber)
    assert before["plan"] == "premium"
    plan_events()
    canceled = samples.stripe_event("customer.subscription.deleted", {**subscription, "status": "canceled"})

    wrong_secret = send_stripe(event, secret="whsec_not_the_right_one")
    too_old = send_stripe(event, timestamp=int(time.time()) - 3600)
    forged_cancel = send_stripe(canceled, secret="whsec_not_the_right_one")

    assert_problem(wrong_secret, 400, "invalid_signature")
    assert_problem(too_old, 400, "invalid_signature")
    assert_problem(forged_cancel, 400, "invalid_signature")
    me = me_of(user)
    assert me["plan"] == "free" and me["entitlements"] == FREE and me["subscription"] is None
    assert me_of(subscriber) == before
    assert plan_events() == []


def test_a_missing_signature_or_a_tampered_body_is_400(api, new_user, send_stripe):
    user = new_user()
    event, _ = _subscription_event(user, "customer.subscription.created")
    payload = json.dumps(event)

    unsigned = api.post("/webhooks/stripe", body=payload)
    signature = samples.stripe_signature(payload, "whsec_sauti_local_development_only")
    tampered = api.post(
        "/webhooks/stripe",
        body=payload.replace('"active"', '"trialing"'),
        headers={"stripe-signature": signature},
    )

    assert_problem(unsigned, 400, "invalid_signature")
    assert_problem(tampered, 400, "invalid_signature")


def test_a_redelivered_event_is_200_and_changes_nothing(new_user, send_stripe, me_of, plan_events):
    user = new_user()
    created = datetime.now(UTC) - timedelta(minutes=5)
    event, subscription = _subscription_event(user, "customer.subscription.created", created=created)
    assert send_stripe(event).json()["outcome"] == "applied"
    plan_events()
    # a newer event cancels it; then the first event is delivered again
    canceled = samples.stripe_event(
        "customer.subscription.deleted",
        {**subscription, "status": "canceled"},
        created=created + timedelta(minutes=1),
    )
    send_stripe(canceled)
    assert [e["plan"] for e in plan_events()] == ["free"]
    before = me_of(user)
    assert before["plan"] == "free" and before["subscription"]["status"] == "canceled"

    again = send_stripe(event)

    assert again.status == 200
    assert again.json()["outcome"] == "duplicate"
    assert me_of(user) == before
    assert plan_events() == []


def test_events_out_of_order_end_in_the_newest_state(new_user, send_stripe, subscription_of, me_of):
    user = new_user()
    t0 = datetime.now(UTC) - timedelta(minutes=10)
    subscription = samples.stripe_subscription(user.id)
    created = samples.stripe_event("customer.subscription.created", subscription, created=t0)
    deleted = samples.stripe_event(
        "customer.subscription.deleted",
        {**subscription, "status": "canceled"},
        created=t0 + timedelta(minutes=2),
    )

    assert send_stripe(deleted).json()["outcome"] == "applied"
    late = send_stripe(created)

    assert late.status == 200
    assert late.json()["outcome"] == "stale"
    shown = subscription_of(user)
    assert shown["status"] == "canceled" and shown["plan"] == "free"
    me = me_of(user)
    assert me["plan"] == "free" and me["entitlements"] == FREE
    assert me["subscription"]["status"] == "canceled"


def test_a_failed_renewal_keeps_premium_through_the_grace_then_ends_it_on_the_clock(
    new_user, send_stripe, subscription_of, me_of, clock, functions, plan_events, notices
):
    user = new_user()
    now = datetime.now(UTC)
    subscription = samples.stripe_subscription(user.id)
    send_stripe(
        samples.stripe_event("customer.subscription.created", subscription, created=now - timedelta(days=3))
    )
    plan_events(), notices()

    # the renewal fails two days ago: past_due starts a seven-day grace from then
    failed_at = now - timedelta(days=2)
    send_stripe(
        samples.stripe_event(
            "invoice.payment_failed",
            samples.stripe_invoice(subscription["id"], paid=False),
            created=failed_at,
        )
    )
    shown = subscription_of(user)
    assert shown["status"] == "past_due" and shown["plan"] == "premium"
    grace_until = datetime.fromisoformat(shown["grace_until"])
    assert abs(grace_until - (failed_at + timedelta(days=7))) < timedelta(seconds=2)
    assert [n["type"] for n in notices()] == ["billing.payment_failed"]
    me = me_of(user)
    assert me["plan"] == "premium" and me["entitlements"] == PREMIUM
    assert me["subscription"]["status"] == "past_due"
    assert me["subscription"]["grace_until"] == shown["grace_until"]

    # another failed retry does not extend the grace
    send_stripe(
        samples.stripe_event(
            "customer.subscription.updated",
            {**subscription, "status": "past_due"},
            created=now - timedelta(days=1),
        )
    )
    assert me_of(user)["subscription"]["grace_until"] == shown["grace_until"]

    # a day before the grace ends: still premium, and the job sends one reminder
    clock.move_to(grace_until - timedelta(days=1))
    job_event = {"time": (grace_until - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"), "detail": {}}
    assert functions.invoke("BillingReconcileFunction", job_event)["grace_reminders"] == 1
    assert functions.invoke("BillingReconcileFunction", job_event)["grace_reminders"] == 0
    assert [n["type"] for n in notices()] == ["billing.grace_ending_soon"]
    assert plan_events() == []
    assert me_of(user)["plan"] == "premium"

    # just after the grace: /me is free on the clock alone, before any job or webhook
    after_grace = grace_until + timedelta(minutes=1)
    clock.move_to(after_grace)
    me = me_of(user)
    assert me["plan"] == "free" and me["entitlements"] == FREE
    assert me["subscription"]["status"] == "past_due"

    # the job publishes the change once
    job_event = {"time": after_grace.strftime("%Y-%m-%dT%H:%M:%SZ"), "detail": {}}
    assert functions.invoke("BillingReconcileFunction", job_event)["plan_changes"] == 1
    assert functions.invoke("BillingReconcileFunction", job_event)["plan_changes"] == 0
    [change] = plan_events()
    assert change["plan"] == "free" and change["cause"] == "reconcile"
    assert [n["type"] for n in notices()] == ["billing.premium_ended"]
    assert me_of(user) == me


def test_a_renewing_premium_outlives_its_period_end_by_the_renewal_margin(
    new_user, make_premium, me_of, subscription_of, clock
):
    user = new_user()
    period_end = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    make_premium(user.id, period_end=period_end)
    margin_end = period_end + timedelta(hours=24)  # BILLING_RENEWAL_MARGIN_HOURS
    assert subscription_of(user)["premium_until"] == margin_end.isoformat().replace("+00:00", "Z")

    # the renewal webhook is late: still premium after the period ended, cached until the margin ends
    clock.move_to(period_end + timedelta(hours=2))
    assert me_of(user)["plan"] == "premium"
    clock.move_to(margin_end - timedelta(seconds=1))
    assert me_of(user)["plan"] == "premium"
    clock.move_to(margin_end + timedelta(milliseconds=500))
    me = me_of(user)
    assert me["plan"] == "free" and me["entitlements"] == FREE


def test_a_subscription_cancelled_at_period_end_ends_exactly_then(new_user, make_premium, me_of, clock):
    from sauti.billing.entitlements import invalidate
    from sauti_dev import sql

    user = new_user()
    period_end = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    make_premium(user.id, period_end=period_end)
    sql.execute("UPDATE subscriptions SET cancel_at_period_end = true WHERE user_id = %s", (user.id,))
    invalidate(user.id)
    assert me_of(user)["plan"] == "premium"  # cached until period_end: no renewal is coming

    clock.move_to(period_end - timedelta(seconds=1))
    assert me_of(user)["plan"] == "premium"
    clock.move_to(period_end + timedelta(milliseconds=500))
    me = me_of(user)
    assert me["plan"] == "free" and me["entitlements"] == FREE


def test_a_grace_that_already_ran_out_shows_free(new_user, send_stripe, subscription_of, me_of):
    user = new_user()
    now = datetime.now(UTC)
    subscription = samples.stripe_subscription(user.id, status="past_due")
    send_stripe(
        samples.stripe_event("customer.subscription.updated", subscription, created=now - timedelta(days=8))
    )

    shown = subscription_of(user)

    assert shown["status"] == "past_due" and shown["plan"] == "free"
    me = me_of(user)
    assert me["plan"] == "free" and me["subscription"]["status"] == "past_due"


def test_a_recovered_payment_ends_the_grace(new_user, send_stripe, subscription_of, me_of):
    user = new_user()
    now = datetime.now(UTC)
    subscription = samples.stripe_subscription(user.id, status="past_due")
    send_stripe(
        samples.stripe_event("customer.subscription.updated", subscription, created=now - timedelta(days=1))
    )
    assert subscription_of(user)["grace_until"] is not None

    paid = samples.stripe_event(
        "invoice.paid", samples.stripe_invoice(subscription["id"], paid=True), created=now
    )
    assert send_stripe(paid).json()["outcome"] == "applied"

    shown = subscription_of(user)
    assert shown["status"] == "active" and shown["grace_until"] is None and shown["plan"] == "premium"
    me = me_of(user)
    assert me["plan"] == "premium" and me["subscription"]["grace_until"] is None


def test_with_an_api_key_invoice_events_act_on_the_subscriptions_current_state(
    new_user, send_stripe, subscription_of, fake_stripe
):
    user = new_user()
    subscription = samples.stripe_subscription(user.id)
    checkout = samples.stripe_checkout_session(user.id, subscription["id"])
    fake_stripe.subscriptions[subscription["id"]] = subscription

    assert (
        send_stripe(samples.stripe_event("checkout.session.completed", checkout)).json()["outcome"]
        == "applied"
    )
    assert subscription_of(user)["plan"] == "premium"

    # the invoice says paid, but Stripe now says canceled: the current state wins
    fake_stripe.subscriptions[subscription["id"]] = {**subscription, "status": "canceled"}
    send_stripe(samples.stripe_event("invoice.paid", samples.stripe_invoice(subscription["id"], paid=True)))

    assert subscription_of(user)["status"] == "canceled"
    assert [path for method, path, *_ in fake_stripe.requests if method == "GET"] == [
        f"/v1/subscriptions/{subscription['id']}"
    ] * 2


def test_unknown_types_and_strange_payloads_are_acknowledged_never_500(
    api, new_user, send_stripe, subscription_of
):
    user = new_user()
    unknown = samples.stripe_event("customer.tax_id.created", {"id": "txi_1", "object": "tax_id"})
    wrong_shape = samples.stripe_event(
        "customer.subscription.updated", {"id": "sub_x", "status": None, "items": 5}
    )
    no_user = samples.stripe_event("customer.subscription.created", samples.stripe_subscription(None))
    bad_user = samples.stripe_event(
        "customer.subscription.created", samples.stripe_subscription("not-a-uuid")
    )
    ghost_user = samples.stripe_event(
        "customer.subscription.created", samples.stripe_subscription("00000000-0000-4000-8000-000000000000")
    )

    outcomes = [send_stripe(event) for event in (unknown, wrong_shape, no_user, bad_user, ghost_user)]
    not_json = send_stripe({}, body="this is not json")
    not_event = send_stripe({}, body="[1, 2, 3]")

    assert [r.status for r in outcomes] == [200] * 5
    assert [r.json()["outcome"] for r in outcomes] == [
        "ignored",
        "ignored",
        "unlinked",
        "unlinked",
        "unlinked",
    ]
    assert_problem(not_json, 400, "malformed_json")  # refused before the webhook reads it
    assert_problem(not_event, 400, "malformed_payload")
    assert subscription_of(user)["plan"] == "free"


def test_billing_notices_reach_the_users_mailbox(new_user, send_stripe, functions, stack):
    user = new_user(display_name="Zawadi")
    event, subscription = _subscription_event(user, "customer.subscription.created")
    send_stripe(event)
    failed = samples.stripe_event(
        "invoice.payment_failed", samples.stripe_invoice(subscription["id"], paid=False)
    )
    send_stripe(failed)

    assert drain_once(functions, stack.queue_urls) == 2
    assert drain_once(functions, stack.queue_urls) == 0

    emails = {email["subject"]: email["body"] for email in mailbox(user.email)}
    assert emails.keys() == {"Welcome to Sauti Premium", "Your Sauti Premium payment failed"}
    assert "Hi Zawadi," in emails["Welcome to Sauti Premium"]
    assert "You keep Premium until" in emails["Your Sauti Premium payment failed"]
