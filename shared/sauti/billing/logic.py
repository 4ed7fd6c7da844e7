"""The billing state machine shared by Stripe and Apple.

Each provider turns what it heard into a ``SourceState`` (one subscription, in
normalised terms, as of ``observed_at``). ``apply_state`` stores it unless the
stored row is newer news; ``sync_plan`` then compares the user's plan now with
the plan last published and, when they differ, records the change, queues the
matching notification and writes ``plan.changed`` to the outbox. Once the
transaction has committed, ``after_commit`` invalidates the entitlement cache
and only then publishes the event, so a consumer that reacts to it reads the
new plan. Webhook events are claimed once by id in the same transaction, so a
redelivery changes nothing.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ParamSpec

import psycopg

from sauti import clock
from sauti.billing import store
from sauti.billing.entitlements import (
    Entitlements,
    Plan,
    compute_entitlements,
    entitlements_for,
    invalidate,
)
from sauti.billing.settings import BillingSettings
from sauti.db import transaction
from sauti.errors import DomainError
from sauti.ids import canonical_id
from sauti.observability import count, logger
from sauti.settings import settings

if TYPE_CHECKING:  # loaded where a response is built: the jobs importing this module skip pydantic
    from sauti.billing.models import SubscriptionView

# Statuses in which a renewal is failing: entering one of them means "payment failed".
FAILING_STATUSES = ("past_due", "in_grace", "billing_retry", "unpaid")
NOTICE_NAMESPACE = uuid.UUID("6f1d9a52-3b7c-4d8e-9a41-5c2e7b0f8d13")
# Two states dated the same (Stripe's `created` has whole seconds): the later one in this order wins.
STATUS_PRECEDENCE = {
    "incomplete": 0,
    "active": 1,
    "trialing": 1,
    "past_due": 2,
    "unpaid": 2,
    "paused": 2,
    "in_grace": 2,
    "billing_retry": 2,
    "canceled": 3,
    "incomplete_expired": 3,
    "expired": 3,
    "refunded": 3,
    "revoked": 3,
}


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
    environment: str | None = None  # Apple: Production or Sandbox


@dataclass(frozen=True)
class Applied:
    outcome: str  # applied | stale | unlinked | ignored
    user_id: str | None = None


@dataclass(frozen=True)
class PlanSync:
    """What ``sync_plan`` found: the plan published before, the plan now, and the event to publish."""

    user_id: str
    previous: Plan
    current: Entitlements
    event: dict[str, Any] | None = None  # plan.changed detail, published by after_commit

    @property
    def changed(self) -> bool:
        return self.event is not None


def as_user_id(value: Any) -> str | None:
    return canonical_id(value) if value else None


def grace_period() -> timedelta:
    return timedelta(days=settings(BillingSettings).billing_grace_period_days)


def _grace_until(state: SourceState, existing: dict[str, Any] | None) -> datetime | None:
    if state.status not in store.GRACE_STATUSES:
        return None
    if state.grace_until is not None:
        return state.grace_until
    if existing and existing["status"] in store.GRACE_STATUSES and existing["grace_until"] is not None:
        kept: datetime = existing["grace_until"]  # one grace per failure: retries never extend it
        return kept
    return state.observed_at + grace_period()


def apply_state(conn: store.Conn, state: SourceState) -> Applied:
    """Store ``state`` unless what is stored is newer; returns what happened and whose plan to re-check."""
    existing = store.lock_subscription(conn, state.source, state.external_id)
    if existing is not None and _older(state, existing):
        return Applied("stale", str(existing["user_id"]))
    user_id = str(existing["user_id"]) if existing is not None else as_user_id(state.user_id)
    if user_id is None:
        return Applied("unlinked")
    if existing is not None and state.user_id and as_user_id(state.user_id) != user_id:
        logger.warning(
            "subscription claimed by another user; kept with its owner", extra={"id": state.external_id}
        )
    grace_until = _grace_until(state, existing)
    values = {
        "user_id": user_id,
        "source": state.source,
        "external_id": state.external_id,
        "status": state.status,
        "current_period_end": state.current_period_end
        if state.current_period_end is not None or existing is None
        else existing["current_period_end"],
        "grace_until": grace_until,
        "cancel_at_period_end": state.cancel_at_period_end
        if state.cancel_at_period_end is not None
        else bool(existing and existing["cancel_at_period_end"]),
        "source_updated_at": state.observed_at,
        "environment": state.environment or (existing and existing["environment"]),
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
            {"source": state.source, "grace_until": clock.iso(grace_until)},
            key=f"payment_failed:{state.source}:{state.external_id}:{state.observed_at.isoformat()}",
        )
    return Applied("applied", user_id)


def _older(state: SourceState, existing: dict[str, Any]) -> bool:
    """Whether ``state`` is older news than the stored row; a tie goes by ``STATUS_PRECEDENCE``."""
    stored_at: datetime = existing["source_updated_at"]
    if state.observed_at != stored_at:
        return state.observed_at < stored_at
    return STATUS_PRECEDENCE.get(state.status, 1) < STATUS_PRECEDENCE.get(existing["status"], 1)


def sync_plan(conn: store.Conn, user_id: str, now: datetime, cause: str) -> PlanSync:
    """Record a change when the user's plan now differs from the one last published: the new plan, the
    notification, and ``plan.changed`` in the outbox. Pass the result to ``after_commit``."""
    store.lock_user(conn, user_id)  # the first lock of every plan change; the plan row comes after it
    previous: Plan = "free" if store.published_plan(conn, user_id) != "premium" else "premium"
    current = compute_entitlements(user_id, now)
    if current.plan == previous:
        return PlanSync(user_id, previous, current)
    store.save_plan(conn, user_id, current.plan, now)
    event_id = str(uuid.uuid4())
    detail = {
        "event_id": event_id,
        "occurred_at": clock.iso(now),
        "user_id": user_id,
        "plan": current.plan,
        "previous_plan": previous,
        "entitlements": current.flags(),
        "subscription": current.subscription,
        "premium_until": current.premium_until,
        "cause": cause,
    }
    store.add_plan_event(conn, event_id, user_id, detail, now)
    notice = "billing.premium_started" if current.is_premium else "billing.premium_ended"
    notify_user(
        notice, user_id, {"subscription": current.subscription}, key=f"{notice}:{user_id}:{now.isoformat()}"
    )
    return PlanSync(user_id, previous, current, detail)


def after_commit(users: Iterable[str], syncs: Iterable[PlanSync]) -> None:
    """Once the change is committed: forget the cached entitlements, then publish the plan changes."""
    for user_id in users:
        invalidate(user_id)
    for sync in syncs:
        if sync.event is not None:
            publish_plan_event(sync.event)


def publish_plan_event(detail: dict[str, Any]) -> bool:
    """Put one outbox event on the bus and mark it published; False (logged) when the bus refused it,
    in which case the daily job publishes it later with the same ``event_id``."""
    from botocore.exceptions import BotoCoreError, ClientError

    from sauti.events import publish_event

    try:
        publish_event("billing", "plan.changed", detail)
    except (BotoCoreError, ClientError, RuntimeError):
        logger.exception(
            "plan.changed not published; the daily job will", extra={"event": detail["event_id"]}
        )
        return False
    with transaction() as conn:
        store.mark_plan_event_published(conn, detail["event_id"])
    return True


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


P = ParamSpec("P")


def counted_webhook(provider: str) -> Callable[[Callable[P, str]], Callable[P, str]]:
    """Count a webhook handler's outcomes per provider: ``WebhookAccepted``, ``WebhookDuplicate``, and
    ``WebhookRefused`` (a bad signature or payload: 400, nothing changed)."""

    def decorate(handler: Callable[P, str]) -> Callable[P, str]:
        @functools.wraps(handler)
        def counted(*args: P.args, **kwargs: P.kwargs) -> str:
            try:
                outcome = handler(*args, **kwargs)
            except DomainError as exc:
                if exc.status == 400:
                    count("WebhookRefused", provider=provider)
                raise
            count("WebhookDuplicate" if outcome == "duplicate" else "WebhookAccepted", provider=provider)
            return outcome

        return counted

    return decorate


def handle_event(
    provider: str,
    event_id: str,
    event_type: str,
    act: Callable[[store.Conn], Iterable[Applied]],
    now: datetime | None = None,
) -> str:
    """Run ``act`` for a webhook event exactly once; returns the outcome (``duplicate`` for a redelivery)."""
    now = now or clock.now()
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
        syncs = [
            sync_plan(conn, user_id, now, cause=f"{provider}:{event_type}") for user_id in sorted(touched)
        ]
    after_commit(touched, syncs)
    logger.info("billing event", extra={"provider": provider, "type": event_type, "outcome": outcome})
    return outcome


def refuse_event(provider: str, event_id: str, event_type: str, reason: Exception) -> None:
    """Record a signed event that cannot be applied (an absurd value) as ``refused``, changing nothing
    else; its redeliveries are then duplicates. The caller answers 400."""
    with transaction() as conn:
        if store.record_event(conn, provider, event_id, event_type):
            store.set_event_outcome(conn, provider, event_id, "refused")
    logger.warning(
        "billing event refused", extra={"provider": provider, "type": event_type, "reason": str(reason)}
    )


def _summary(results: list[Applied]) -> str:
    if not results:
        return "ignored"
    order = ("applied", "stale", "unlinked", "ignored")
    return min((result.outcome for result in results), key=order.index)


def apply_states(
    states: Iterable[SourceState], now: datetime | None = None, cause: str = "sync"
) -> list[str]:
    """Store states outside any webhook (a StoreKit transaction, a re-read); returns the users touched."""
    now = now or clock.now()
    touched: set[str] = set()
    with transaction() as conn:
        for state in states:
            result = apply_state(conn, state)
            if result.user_id and result.outcome == "applied":
                touched.add(result.user_id)
        syncs = [sync_plan(conn, user_id, now, cause=cause) for user_id in sorted(touched)]
    after_commit(touched, syncs)
    return sorted(touched)


def subscription_view(user_id: str) -> SubscriptionView:
    """GET /billing/subscription: /me's subscription object, plus ``plan`` and ``entitlements``."""
    from sauti.billing.models import SubscriptionView

    current = entitlements_for(user_id)
    subscription = current.subscription or {
        "status": None,
        "source": None,
        "current_period_end": None,
        "grace_until": None,
        "cancel_at_period_end": False,
    }
    return SubscriptionView.model_validate(
        {
            **subscription,
            "plan": current.plan,
            "premium_until": current.premium_until,
            "entitlements": current.flags(),
        }
    )
