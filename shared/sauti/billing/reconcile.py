"""The daily reconciliation: what must happen on the clock even when no webhook arrives.

1. With an API key, Stripe subscriptions that ended (a period with no renewal heard of, a grace run out)
   or look stale are re-read from Stripe, so a late renewal webhook never costs a paying user premium.
2. Every user whose plan now differs from the plan last published gets ``plan.changed`` (a grace or
   a period that ended on time, with no webhook to say so), unless one of their ended Stripe
   subscriptions could not be re-read: that downgrade waits for the next run.
3. ``plan.changed`` events that the bus refused after their change committed are published again.
4. Graces ending within ``GRACE_REMINDER`` get one "grace ending soon" notice each.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sauti import clock
from sauti.billing import store
from sauti.billing.entitlements import renewal_margin
from sauti.billing.errors import BillingUnavailable
from sauti.billing.logic import (
    after_commit,
    apply_states,
    notify_user,
    publish_plan_event,
    sync_plan,
)
from sauti.billing.stripe_billing import fetch_subscription, secret_key
from sauti.db import transaction
from sauti.observability import logger

GRACE_REMINDER = timedelta(hours=48)
OUTBOX_DELAY = timedelta(minutes=5)  # younger events are still being published by their own change
OUTBOX_BATCH = 500
OUTBOX_KEEP = timedelta(days=30)


@dataclass
class ReconcileReport:
    refreshed: int = 0
    plan_changes: int = 0
    downgrades_deferred: int = 0
    republished: int = 0
    grace_reminders: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def reconcile(now: datetime | None = None) -> ReconcileReport:
    now = now or clock.now()
    report = ReconcileReport()
    unverified: set[str] = set()
    if secret_key():
        report.refreshed, unverified = _refresh_stripe(now)
    with transaction() as conn:
        candidates = store.users_whose_plan_may_have_changed(conn, now, renewal_margin())
    for user_id in candidates:
        with transaction() as conn:
            if user_id in unverified and store.published_plan(conn, user_id) == "premium":
                report.downgrades_deferred += 1
                continue
            change = sync_plan(conn, user_id, now, cause="reconcile")
        after_commit([user_id], [change])
        report.plan_changes += change.changed
    report.republished = _publish_outbox(now)
    report.grace_reminders = _remind_graces_ending(now)
    logger.info("billing reconciled", extra=report.as_dict())
    return report


def _refresh_stripe(now: datetime) -> tuple[int, set[str]]:
    """Re-read the ended and stale Stripe subscriptions (no transaction open while Stripe answers);
    returns how many were re-read and the users whose subscription could not be."""
    with transaction() as conn:
        stale = store.stale_stripe_subscriptions(conn, now)
    refreshed, unverified = 0, set()
    for row in stale:
        try:
            state = fetch_subscription(row["external_id"])
        except BillingUnavailable:
            logger.warning("ended subscription not re-read", extra={"subscription": row["external_id"]})
            unverified.add(str(row["user_id"]))
            continue
        if state is not None:
            apply_states([state], now=now, cause="reconcile")
            refreshed += 1
    return refreshed, unverified


def _publish_outbox(now: datetime) -> int:
    with transaction() as conn:
        pending = store.unpublished_plan_events(conn, now - OUTBOX_DELAY, OUTBOX_BATCH)
        store.forget_published_plan_events(conn, now - OUTBOX_KEEP)
    return sum(publish_plan_event(detail) for detail in pending)


def _remind_graces_ending(now: datetime) -> int:
    sent = 0
    with transaction() as conn:
        for row in store.graces_ending_soon(conn, now, now + GRACE_REMINDER):
            notify_user(
                "billing.grace_ending_soon",
                str(row["user_id"]),
                {"source": row["source"], "grace_until": clock.iso(row["grace_until"])},
                key=f"grace_ending_soon:{row['id']}:{row['grace_until'].isoformat()}",
            )
            store.mark_grace_reminded(conn, row["id"], row["grace_until"])
            sent += 1
    return sent
