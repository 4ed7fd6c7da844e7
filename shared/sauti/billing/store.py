"""Billing's SQL, and nothing else. Every function runs inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from psycopg import Connection
from psycopg.types.json import Jsonb

from sauti.db import Row

Conn = Connection[Row]
# The stored statuses that grant premium: until the period end (plus the renewal margin), or until
# the grace ends. Here because the SQL below needs them; ``entitlements.grants_premium`` is their twin.
ACTIVE_STATUSES = ("active", "trialing")
GRACE_STATUSES = ("past_due", "in_grace")


def event_seen(conn: Conn, provider: str, event_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM billing_webhook_events WHERE provider = %s AND event_id = %s", (provider, event_id)
    ).fetchone()
    return row is not None


def record_event(conn: Conn, provider: str, event_id: str, event_type: str) -> bool:
    """Claim a webhook event; False when it was already processed (a redelivery)."""
    row = conn.execute(
        """INSERT INTO billing_webhook_events (provider, event_id, event_type, outcome)
           VALUES (%s, %s, %s, 'received') ON CONFLICT DO NOTHING RETURNING event_id""",
        (provider, event_id, event_type[:200]),
    ).fetchone()
    return row is not None


def set_event_outcome(conn: Conn, provider: str, event_id: str, outcome: str) -> None:
    conn.execute(
        "UPDATE billing_webhook_events SET outcome = %s WHERE provider = %s AND event_id = %s",
        (outcome, provider, event_id),
    )


def lock_subscription(conn: Conn, source: str, external_id: str) -> Row | None:
    return conn.execute(
        "SELECT * FROM subscriptions WHERE source = %s AND external_id = %s FOR UPDATE",
        (source, external_id),
    ).fetchone()


def insert_subscription(conn: Conn, values: dict[str, Any]) -> None:
    conn.execute(
        """INSERT INTO subscriptions (user_id, source, external_id, status, current_period_end, grace_until,
                                      cancel_at_period_end, source_updated_at, environment)
           VALUES (%(user_id)s, %(source)s, %(external_id)s, %(status)s, %(current_period_end)s,
                   %(grace_until)s, %(cancel_at_period_end)s, %(source_updated_at)s, %(environment)s)""",
        values,
    )


def update_subscription(conn: Conn, subscription_id: Any, values: dict[str, Any]) -> None:
    conn.execute(
        """UPDATE subscriptions SET status = %(status)s, current_period_end = %(current_period_end)s,
                  grace_until = %(grace_until)s, cancel_at_period_end = %(cancel_at_period_end)s,
                  source_updated_at = %(source_updated_at)s, environment = %(environment)s,
                  updated_at = now()
           WHERE id = %(id)s""",
        {**values, "id": subscription_id},
    )


def lock_user(conn: Conn, user_id: str) -> None:
    """Serialise plan changes of one user (two webhooks at once publish one change, not two).

    Lock order, on every path: a subscription row (webhooks), then this lock, then the user's plan row.
    """
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 300))", (user_id,))


def published_plan(conn: Conn, user_id: str) -> str | None:
    """The plan last published; read under ``lock_user``, which is what serialises its writers."""
    row = conn.execute("SELECT plan FROM billing_user_plans WHERE user_id = %s", (user_id,)).fetchone()
    return row["plan"] if row else None


def save_plan(conn: Conn, user_id: str, plan: str, at: datetime) -> None:
    conn.execute(
        """INSERT INTO billing_user_plans (user_id, plan, changed_at) VALUES (%s, %s, %s)
           ON CONFLICT (user_id) DO UPDATE SET plan = EXCLUDED.plan, changed_at = EXCLUDED.changed_at""",
        (user_id, plan, at),
    )


def add_plan_event(conn: Conn, event_id: str, user_id: str, detail: dict[str, Any], at: datetime) -> None:
    conn.execute(
        "INSERT INTO billing_plan_events (event_id, user_id, detail, created_at) VALUES (%s, %s, %s, %s)",
        (event_id, user_id, Jsonb(detail), at),
    )


def mark_plan_event_published(conn: Conn, event_id: str) -> None:
    conn.execute("UPDATE billing_plan_events SET published_at = now() WHERE event_id = %s", (event_id,))


def unpublished_plan_events(conn: Conn, created_before: datetime, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        """SELECT detail FROM billing_plan_events WHERE published_at IS NULL AND created_at < %s
           ORDER BY created_at LIMIT %s""",
        (created_before, limit),
    ).fetchall()
    return [row["detail"] for row in rows]


def forget_published_plan_events(conn: Conn, published_before: datetime) -> None:
    conn.execute("DELETE FROM billing_plan_events WHERE published_at < %s", (published_before,))


def stripe_customer(conn: Conn, user_id: str) -> str | None:
    row = conn.execute(
        "SELECT stripe_customer_id FROM billing_customers WHERE user_id = %s", (user_id,)
    ).fetchone()
    return row["stripe_customer_id"] if row else None


def user_for_stripe_customer(conn: Conn, customer_id: str) -> str | None:
    row = conn.execute(
        "SELECT user_id FROM billing_customers WHERE stripe_customer_id = %s", (customer_id,)
    ).fetchone()
    return str(row["user_id"]) if row else None


def link_stripe_customer(conn: Conn, user_id: str, customer_id: str) -> None:
    conn.execute(
        """INSERT INTO billing_customers (user_id, stripe_customer_id) VALUES (%s, %s)
           ON CONFLICT DO NOTHING""",
        (user_id, customer_id),
    )


def subscriptions_of_user(conn: Conn, user_id: str) -> list[Row]:
    """The user's subscriptions, the most recently reported first."""
    return conn.execute(
        """SELECT status, source, current_period_end, grace_until, cancel_at_period_end, source_updated_at
           FROM subscriptions WHERE user_id = %s ORDER BY source_updated_at DESC""",
        (user_id,),
    ).fetchall()


# The SQL twin of entitlements.grants_premium (the renewal margin only for a subscription that will renew).
_GRANTING = f"""(s.status IN {ACTIVE_STATUSES!r}
                  AND (s.current_period_end IS NULL
                       OR s.current_period_end
                          + CASE WHEN s.cancel_at_period_end THEN interval '0' ELSE %(margin)s END > %(now)s))
             OR (s.status IN {GRACE_STATUSES!r} AND s.grace_until > %(now)s)"""


def users_whose_plan_may_have_changed(conn: Conn, now: datetime, margin: timedelta) -> list[str]:
    """Users published as premium with nothing granting premium now, and the reverse."""
    rows = conn.execute(
        f"""SELECT p.user_id FROM billing_user_plans p
            WHERE p.plan = 'premium'
              AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = p.user_id AND ({_GRANTING}))
            UNION
            SELECT DISTINCT s.user_id FROM subscriptions s
            LEFT JOIN billing_user_plans p ON p.user_id = s.user_id
            WHERE COALESCE(p.plan, 'free') = 'free' AND ({_GRANTING})""",
        {"now": now, "margin": margin},
    ).fetchall()
    return [str(row["user_id"]) for row in rows]


def stale_stripe_subscriptions(conn: Conn, now: datetime) -> list[Row]:
    """Stripe subscriptions whose stored state looks out of date: every one that ended (a period with no
    renewal heard of, a grace run out), since each is re-read before a downgrade is published, and a
    grace or an incomplete checkout not heard of for a day. No limit: the ended ones are exactly the
    users about to lose premium."""
    return conn.execute(
        f"""SELECT external_id, user_id FROM subscriptions s
            WHERE s.source = 'stripe' AND (
                  (s.status IN {ACTIVE_STATUSES!r} AND s.current_period_end < %(now)s)
               OR (s.status IN {GRACE_STATUSES!r} AND s.grace_until < %(now)s)
               OR (s.status IN ('past_due', 'incomplete', 'unpaid')
                   AND s.source_updated_at < %(now)s - interval '1 day'))
            ORDER BY s.source_updated_at""",
        {"now": now},
    ).fetchall()


def graces_ending_soon(conn: Conn, now: datetime, until: datetime) -> list[Row]:
    return conn.execute(
        f"""SELECT id, user_id, source, grace_until FROM subscriptions
            WHERE status IN {GRACE_STATUSES!r} AND grace_until > %s AND grace_until <= %s
              AND grace_reminded_for IS DISTINCT FROM grace_until
            FOR UPDATE SKIP LOCKED""",
        (now, until),
    ).fetchall()


def mark_grace_reminded(conn: Conn, subscription_id: Any, grace_until: datetime) -> None:
    conn.execute(
        "UPDATE subscriptions SET grace_reminded_for = %s WHERE id = %s", (grace_until, subscription_id)
    )
