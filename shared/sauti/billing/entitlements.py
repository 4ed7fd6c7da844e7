"""The one entitlement model. Every other module asks here what a user may do; none reads billing's tables.

A user is premium while any of their subscriptions (Stripe or Apple) is active
(until its period end, plus a renewal margin when it will renew) or inside its
grace period; the four contract entitlements derive from the plan
in ``Entitlements.for_plan`` and nowhere else. Answers are cached in Redis and
invalidated by every subscription change; a Redis outage only costs a query.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import redis

from sauti import clock
from sauti.billing import store
from sauti.billing.settings import BillingSettings
from sauti.cache import redis_client
from sauti.db import Row, transaction
from sauti.observability import logger
from sauti.settings import settings

Plan = Literal["free", "premium"]
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Entitlements:
    plan: Plan
    ads: bool
    background_playback: bool
    offline_downloads: bool
    public_playlists: bool
    subscription: dict[str, Any] | None = None
    premium_until: str | None = None  # when premium ends if nothing changes (period end or grace end)

    @classmethod
    def for_plan(
        cls, plan: Plan, subscription: dict[str, Any] | None = None, premium_until: str | None = None
    ) -> Entitlements:
        premium = plan == "premium"
        return cls(
            plan=plan,
            ads=not premium,
            background_playback=premium,
            offline_downloads=premium,
            public_playlists=premium,
            subscription=subscription,
            premium_until=premium_until,
        )

    @property
    def is_premium(self) -> bool:
        return self.plan == "premium"

    def flags(self) -> dict[str, bool]:
        return {
            "ads": self.ads,
            "background_playback": self.background_playback,
            "offline_downloads": self.offline_downloads,
            "public_playlists": self.public_playlists,
        }


def _cache_key(user_id: str) -> str:
    return f"entitlements:{user_id}"


FOREVER = datetime.max.replace(tzinfo=UTC)


def renewal_margin() -> timedelta:
    """How long past its period end a renewing subscription keeps premium: Stripe and Apple report a
    renewal some time after the period ended, and a late webhook must not cost a paying user anything."""
    return timedelta(hours=settings(BillingSettings).billing_renewal_margin_hours)


def grants_premium(row: Row, now: datetime, margin: timedelta) -> datetime | None:
    """Until when this subscription row grants premium (FOREVER if open-ended), or None if it does not."""
    period_end = row["current_period_end"]
    if row["status"] in store.ACTIVE_STATUSES:
        if period_end is None:
            return FOREVER
        until = period_end if row["cancel_at_period_end"] else period_end + margin
        return until if until > now else None
    grace_until: datetime | None = row["grace_until"]
    if row["status"] in store.GRACE_STATUSES and grace_until is not None and grace_until > now:
        return grace_until
    return None


def compute_entitlements(user_id: str, now: datetime | None = None) -> Entitlements:
    now = now or clock.now()
    with transaction() as conn:
        rows = store.subscriptions_of_user(conn, user_id)
    margin = renewal_margin()
    granting = [(row, until) for row in rows if (until := grants_premium(row, now, margin)) is not None]
    shown = granting[0][0] if granting else (rows[0] if rows else None)
    subscription = None
    if shown is not None:
        subscription = {
            "status": shown["status"],
            "source": shown["source"],
            "current_period_end": clock.iso(shown["current_period_end"]),
            "grace_until": clock.iso(shown["grace_until"]),
            "cancel_at_period_end": shown["cancel_at_period_end"],
        }
    if not granting:
        return Entitlements.for_plan("free", subscription)
    premium_until = max(until for _, until in granting)
    return Entitlements.for_plan(
        "premium", subscription, None if premium_until == FOREVER else clock.iso(premium_until)
    )


def entitlements_for(user_id: str) -> Entitlements:
    """What ``user_id`` may do now: cached, and recomputed once the cached answer's premium would lapse."""
    try:
        cached = redis_client().get(_cache_key(user_id))
    except redis.RedisError:
        cached = None
    if cached:
        value = Entitlements(**json.loads(cached))
        if value.premium_until is None or datetime.fromisoformat(value.premium_until) > clock.now():
            return value
    value = compute_entitlements(user_id)
    try:
        redis_client().set(_cache_key(user_id), json.dumps(asdict(value)), ex=CACHE_SECONDS)
    except redis.RedisError:
        logger.warning("entitlements cache write failed")
    return value


def invalidate(user_id: str) -> None:
    """Forget the cached answer; call after every change to the user's subscriptions."""
    try:
        redis_client().delete(_cache_key(user_id))
    except redis.RedisError:
        logger.warning("entitlements cache invalidation failed", extra={"user_id": user_id})
