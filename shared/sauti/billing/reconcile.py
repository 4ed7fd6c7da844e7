"""The daily reconciliation: what must happen on the clock even when no webhook arrives.

1. Stripe subscriptions whose stored state looks stale are re-read from Stripe (with an API key).
2. Every user whose plan now differs from the plan last published gets ``plan.changed`` (a grace or
   a period that ended on time, with no webhook to say so).
3. Graces ending within ``GRACE_REMINDER`` get one "grace ending soon" notice each.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sauti.billing import store
from sauti.billing.entitlements import invalidate
from sauti.billing.logic import BillingUnavailable, apply_states, iso, notify_user, sync_plan, utcnow
from sauti.billing.stripe_billing import fetch_subscription, secret_key
from sauti.db import transaction
from sauti.observability import logger

GRACE_REMINDER = timedelta(hours=48)
STALE_BATCH = 200


@dataclass
class ReconcileReport:
    refreshed: int = 0
    plan_changes: int = 0
    grace_reminders: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def reconcile(now: datetime | None = None) -> ReconcileReport:
    now = now or utcnow()
    report = ReconcileReport()
    if secret_key():
        report.refreshed = _refresh_stale_stripe(now)
    with transaction() as conn:
        candidates = store.users_whose_plan_may_have_changed(conn, now)
    for user_id in candidates:
        with transaction() as conn:
            before = store.lock_plan(conn, user_id)
            after = sync_plan(conn, user_id, now, cause="reconcile")
        invalidate(user_id)
        report.plan_changes += after.plan != (before or "free")
    with transaction() as conn:
        for row in store.graces_ending_soon(conn, now, now + GRACE_REMINDER):
            notify_user(
                "billing.grace_ending_soon",
                str(row["user_id"]),
                {"source": row["source"], "grace_until": iso(row["grace_until"])},
                key=f"grace_ending_soon:{row['id']}:{row['grace_until'].isoformat()}",
            )
            store.mark_grace_reminded(conn, row["id"], row["grace_until"])
            report.grace_reminders += 1
    logger.info("billing reconciled", extra=report.as_dict())
    return report


def _refresh_stale_stripe(now: datetime) -> int:
    with transaction() as conn:
        stale = store.stale_stripe_subscriptions(conn, now, STALE_BATCH)
    refreshed = 0
    for subscription_id in stale:
        try:
            state = fetch_subscription(subscription_id)
        except BillingUnavailable:
            logger.warning("stale subscription not re-read", extra={"subscription": subscription_id})
            continue
        apply_states([state], now=now, cause="reconcile")
        refreshed += 1
    return refreshed
