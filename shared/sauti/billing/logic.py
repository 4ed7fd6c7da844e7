"""The billing state machine shared by Stripe and Apple.

Each provider turns what it heard into a ``SourceState`` (one subscription, in
normalised terms, as of ``observed_at``). ``apply_state`` stores it unless the
stored row is newer news; ``sync_plan`` then compares the user's plan now with
the plan last published and, when they differ, publishes ``plan.changed`` and
queues the matching notification. Webhook events are claimed once by id in
the same transaction, so a redelivery changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from sauti.billing import entitlements, store
from sauti.billing.entitlements import (
    GRACE_STATUSES,
    Entitlements,
    compute_entitlements,
    entitlements_for,
    invalidate,
)
from sauti.config import config
from sauti.db import transaction
from sauti.errors import DomainError, ServiceUnavailable
from sauti.ids import canonical_id
from sauti.observability import logger

# Statuses in which a renewal is failing: entering one of them means "payment failed".
FAILING_STATUSES = ("past_due", "in_grace", "billing_retry", "unpaid")
NOTICE_NAMESPACE = uuid.UUID("6f1d9a52-3b7c-4d8e-9a41-5c2e7b0f8d13")


class BillingUnavailable(DomainError):
    status, code, title = 503, "billing_unavailable", "Billing unavailable"


class InvalidSignature(DomainError):
    status, code, title = 400, "invalid_signature", "Invalid signature"


class MalformedPayload(DomainError):
    status, code, title = 400, "malformed_payload", "Malformed payload"


@dataclass(frozen=True)
class SourceState:
    """One subscription as its source described it at ``observed_at``."""

    source: str  # stripe | apple
    external_id: str  # Stripe subscription id | Apple originalTransactionId
    status: str
    observed_at: datetime
    user_id: str | None = None
    current_period_end: datetime | None = None
    cancel_at_period_end: bool | None = None  # None: keep what is stored
    grace_until: datetime | None = None  # given by the source (Apple); Stripe's comes from our policy


@dataclass(frozen=True)
class Applied:
    outcome: str  # applied | stale | unlinked | ignored
    user_id: str | None = None


def utcnow() -> datetime:
    return entitlements.utcnow()


def as_user_id(value: Any) -> str | None:
    return canonical_id(value) if value else None


def grace_period() -> timedelta:
    return timedelta(days=config().int("BILLING_GRACE_PERIOD_DAYS"))


def _grace_until(state: SourceState, existing: dict[str, Any] | None) -> datetime | None:
    if state.status not in GRACE_STATUSES:
        return None
    if state.grace_until is not None:
        return state.grace_until
    if existing and existing["status"] in GRACE_STATUSES and existing["grace_until"] is not None:
        return existing["grace_until"]  # one grace per failure: retries never extend it
    return state.observed_at + grace_period()


def apply_state(conn: store.Conn, state: SourceState) -> Applied:
    """Store ``state`` unless what is stored is newer; returns what happened and whose plan to re-check."""
    existing = store.lock_subscription(conn, state.source, state.external_id)
    if existing is not None and state.observed_at < existing["source_updated_at"]:
        return Applied("stale", str(existing["user_id"]))
    user_id = str(existing["user_id"]) if existing is not None else as_user_id(state.user_id)
    if user_id is None:
        return Applied("unlinked")
    if existing is not None and state.user_id and as_user_id(state.user_id) != user_id:
        logger.warning(
            "subscription claimed by another user; kept with its owner", extra={"id": state.external_id}
        )
    values = {
        "user_id": user_id,
        "source": state.source,
        "external_id": state.external_id,
        "status": state.status,
        "current_period_end": state.current_period_end
        if state.current_period_end is not None or existing is None
        else existing["current_period_end"],
        "grace_until": _grace_until(state, existing),
        "cancel_at_period_end": state.cancel_at_period_end
        if state.cancel_at_period_end is not None
        else bool(existing and existing["cancel_at_period_end"]),
        "source_updated_at": state.observed_at,
    }
    if existing is not None:
        store.update_subscription(conn, existing["id"], values)
    else:
        try:
            with conn.transaction():
                store.insert_subscription(conn, values)
        except psycopg.errors.ForeignKeyViolation:
            return Applied("unlinked")
    was_failing = existing is not None and existing["status"] in FAILING_STATUSES
    if state.status in FAILING_STATUSES and not was_failing:
        notify_user(
            "billing.payment_failed",
            user_id,
            {"source": state.source, "grace_until": iso(values["grace_until"])},
            key=f"payment_failed:{state.source}:{state.external_id}:{state.observed_at.isoformat()}",
        )
    return Applied("applied", user_id)


def sync_plan(conn: store.Conn, user_id: str, now: datetime, cause: str) -> Entitlements:
    """Publish ``plan.changed`` (and notify) when the user's plan now differs from the one last published."""
    store.lock_user(conn, user_id)
    previous = store.lock_plan(conn, user_id)
    current = compute_entitlements(user_id, now)
    if current.plan == (previous or "free"):
        return current
    store.save_plan(conn, user_id, current.plan, now)
    detail = {
        "user_id": user_id,
        "plan": current.plan,
        "previous_plan": previous or "free",
        "entitlements": current.flags(),
        "subscription": current.subscription,
        "premium_until": current.premium_until,
        "cause": cause,
    }
    _publish_plan_changed(detail)
    notice = "billing.premium_started" if current.is_premium else "billing.premium_ended"
    notify_user(
        notice, user_id, {"subscription": current.subscription}, key=f"{notice}:{user_id}:{now.isoformat()}"
    )
    return current


def _publish_plan_changed(detail: dict[str, Any]) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    from sauti.events import publish_event

    try:
        publish_event("billing", "plan.changed", detail)
    except (BotoCoreError, ClientError, RuntimeError) as exc:
        # Rolls the change back: the provider retries the webhook, the job retries its run.
        raise ServiceUnavailable("the event bus did not accept the plan change") from exc


def notify_user(type_: str, user_id: str, data: dict[str, Any], key: str) -> None:
    from sauti.notify import publish_notification

    try:
        publish_notification(
            type_,
            user_id=user_id,
            data=data,
            channels=("email", "push"),
            message_id=str(uuid.uuid5(NOTICE_NAMESPACE, key)),  # the worker drops repeats of one notice
        )
    except Exception:  # a lost notice must not undo a billing change
        logger.exception("notification not queued", extra={"type": type_})


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def handle_event(
    provider: str,
    event_id: str,
    event_type: str,
    act: Callable[[store.Conn], Iterable[Applied]],
    now: datetime | None = None,
) -> str:
    """Run ``act`` for a webhook event exactly once; returns the outcome (``duplicate`` for a redelivery)."""
    now = now or utcnow()
    touched: set[str] = set()
    with transaction() as conn:
        if not store.record_event(conn, provider, event_id, event_type):
            return "duplicate"
        results = list(act(conn))
        outcome = _summary(results)
        store.set_event_outcome(conn, provider, event_id, outcome)
        for result in results:
            if result.user_id and result.outcome == "applied":
                touched.add(result.user_id)
        for user_id in sorted(touched):
            sync_plan(conn, user_id, now, cause=f"{provider}:{event_type}")
    for user_id in touched:
        invalidate(user_id)
    logger.info("billing event", extra={"provider": provider, "type": event_type, "outcome": outcome})
    return outcome


def _summary(results: list[Applied]) -> str:
    if not results:
        return "ignored"
    order = ("applied", "stale", "unlinked", "ignored")
    return min((result.outcome for result in results), key=order.index)


def apply_states(
    states: Iterable[SourceState], now: datetime | None = None, cause: str = "sync"
) -> list[str]:
    """Store states outside any webhook (a StoreKit transaction, a re-read); returns the users touched."""
    now = now or utcnow()
    touched: set[str] = set()
    with transaction() as conn:
        for state in states:
            result = apply_state(conn, state)
            if result.user_id and result.outcome == "applied":
                touched.add(result.user_id)
        for user_id in sorted(touched):
            sync_plan(conn, user_id, now, cause=cause)
    for user_id in touched:
        invalidate(user_id)
    return sorted(touched)


def subscription_view(user_id: str) -> dict[str, Any]:
    """GET /billing/subscription: /me's subscription object, plus ``plan`` and ``entitlements``."""
    current = entitlements_for(user_id)
    subscription = current.subscription or {
        "status": None,
        "source": None,
        "current_period_end": None,
        "grace_until": None,
        "cancel_at_period_end": False,
    }
    return {
        **subscription,
        "plan": current.plan,
        "premium_until": current.premium_until,
        "entitlements": current.flags(),
    }
