"""Correctly signed vendor payloads with absurd timestamps are refused (400), recorded as refused, and change
nothing; a Stripe signature dated in the future is refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from billing_helpers import FREE

from helpers import assert_problem
from sauti_dev import billing_samples as samples

ABSURD = 10**20


def _outcome(provider: str, event_id: str) -> str | None:
    from sauti import db

    row = db.fetch_one(
        "SELECT outcome FROM billing_webhook_events WHERE provider = %s AND event_id = %s",
        (provider, event_id),
    )
    return row["outcome"] if row else None


def _absurd_created(user):
    event = samples.stripe_event("customer.subscription.created", samples.stripe_subscription(user.id))
    return {**event, "created": ABSURD}


def _absurd_period_end(user):
    subscription = samples.stripe_subscription(user.id)
    subscription["items"]["data"][0]["current_period_end"] = ABSURD
    return samples.stripe_event("customer.subscription.created", subscription)


def _absurd_invoice_line(user):
    invoice = samples.stripe_invoice("sub_absurd0000000000000001", paid=True)
    invoice["lines"]["data"][0]["period"]["end"] = ABSURD
    invoice["customer"] = "cus_absurd"
    return samples.stripe_event("invoice.paid", invoice)


@pytest.mark.parametrize("make_event", [_absurd_created, _absurd_period_end, _absurd_invoice_line])
def test_a_stripe_event_with_an_absurd_time_is_refused_recorded_and_changes_nothing(
    new_user, send_stripe, me_of, plan_events, make_event
):
    user = new_user()
    event = make_event(user)

    response = send_stripe(event)

    assert_problem(response, 400, "timestamp_out_of_range")
    assert _outcome("stripe", event["id"]) == "refused"
    me = me_of(user)
    assert me["plan"] == "free" and me["entitlements"] == FREE
    assert plan_events() == []
    # a redelivery is acknowledged, so Stripe stops retrying an event that can never be applied
    again = send_stripe(event)
    assert again.status == 200 and again.json()["outcome"] == "duplicate"


def test_a_stripe_signature_dated_in_the_future_is_refused(new_user, send_stripe, me_of):
    user = new_user()
    event = samples.stripe_event("customer.subscription.created", samples.stripe_subscription(user.id))

    ahead = send_stripe(event, timestamp=int(time.time()) + 3600)
    absurd = send_stripe(event, timestamp=ABSURD)

    assert_problem(ahead, 400, "invalid_signature")
    assert_problem(absurd, 400, "invalid_signature")
    assert me_of(user)["plan"] == "free"
    assert send_stripe(event, timestamp=int(time.time()) + 60).status == 200  # within the tolerance


def test_an_apple_notification_with_an_absurd_expiry_is_refused_recorded_and_changes_nothing(
    new_user, send_apple, me_of, plan_events
):
    user = new_user()
    transaction = {**samples.apple_transaction(user.id), "expiresDate": ABSURD}

    response, _ = send_apple("SUBSCRIBED", transaction, subtype="INITIAL_BUY")

    assert_problem(response, 400, "timestamp_out_of_range")
    assert me_of(user)["plan"] == "free"
    assert plan_events() == []
    from sauti import db

    [row] = db.fetch_all("SELECT outcome FROM billing_webhook_events WHERE provider = 'apple'")
    assert row["outcome"] == "refused"


def test_an_apple_grace_period_ending_at_an_absurd_time_is_refused(new_user, send_apple, me_of):
    user = new_user()
    send_apple("SUBSCRIBED", samples.apple_transaction(user.id, original_transaction_id="8801"))
    assert me_of(user)["plan"] == "premium"
    renewal = {**samples.apple_renewal("8801", grace_expires=datetime.now(UTC) + timedelta(days=3))}
    renewal["gracePeriodExpiresDate"] = ABSURD

    response, _ = send_apple(
        "DID_FAIL_TO_RENEW",
        samples.apple_transaction(user.id, original_transaction_id="8801"),
        subtype="GRACE_PERIOD",
        renewal=renewal,
    )

    assert_problem(response, 400, "timestamp_out_of_range")
    assert me_of(user)["plan"] == "premium"  # unchanged


def test_the_range_check_accepts_every_real_date_and_refuses_the_rest():
    from sauti.billing.vendor_time import TimestampOutOfRange, from_milliseconds, from_seconds

    assert from_seconds(1_767_225_600, "created") == datetime(2026, 1, 1, tzinfo=UTC)
    assert from_milliseconds(1_767_225_600_000, "expiresDate") == datetime(2026, 1, 1, tzinfo=UTC)
    assert from_seconds(None, "created") is None
    for absurd in (ABSURD, -ABSURD, 0, -1, 2**63, 4_102_444_800):  # 4102444800: 2100-01-01
        with pytest.raises(TimestampOutOfRange):
            from_seconds(absurd, "created")
    with pytest.raises(TimestampOutOfRange):
        from_milliseconds(ABSURD, "expiresDate")
