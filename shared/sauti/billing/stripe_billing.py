"""Stripe: Checkout and the customer portal, the webhook, and re-reading a subscription's current state.

The ``stripe`` library is imported only by the functions that talk to Stripe,
and no call to Stripe is made while a database transaction is open: an event's
subscription is read first, then the transaction stores it.

Ordering: with an API key every handled event acts on the subscription's
current state, read from Stripe (dated when the read began). Without one (a
laptop), a ``customer.subscription.*`` event carries the subscription as it was
when the event was created, applied as news of that second and never over newer
news (a tie within the second goes by ``logic.STATUS_PRECEDENCE``); invoice
events apply their outcome as news of their moment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import psycopg

from sauti import clock
from sauti.billing import store, vendor_time
from sauti.billing.entitlements import entitlements_for
from sauti.billing.errors import (
    AlreadySubscribed,
    BillingUnavailable,
    InvalidSignature,
    MalformedPayload,
    NoStripeCustomer,
)
from sauti.billing.logic import (
    Applied,
    SourceState,
    apply_state,
    as_user_id,
    counted_webhook,
    handle_event,
    refuse_event,
)
from sauti.billing.settings import StripeSettings
from sauti.db import transaction
from sauti.errors import ValidationFailed
from sauti.observability import logger
from sauti.settings import settings

SIGNATURE_TOLERANCE_SECONDS = 300
CHECKOUT_IDEMPOTENCY_WINDOW = timedelta(minutes=10)
IDEMPOTENCY_KEY_MAX_LENGTH = 255  # Stripe's limit
IDEMPOTENCY_KEY_PATTERN = r"^[ -~]*$"  # printable ASCII, as Stripe accepts
SUBSCRIPTION_EVENTS = (
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
)
HANDLED_EVENTS = (
    *SUBSCRIPTION_EVENTS,
    "checkout.session.completed",
    "invoice.paid",
    "invoice.payment_failed",
)


def secret_key() -> str | None:
    return settings(StripeSettings).stripe_secret_key or None


def client() -> Any:
    """A Stripe client, or 503 ``billing_unavailable`` when no API key is configured."""
    key = secret_key()
    if key is None:
        raise BillingUnavailable("payments are not configured on this server")
    import stripe

    return stripe.StripeClient(
        key, base_addresses={"api": settings(StripeSettings).stripe_api_base}, max_network_retries=1
    )


class _NotFound(Exception):
    pass


def _call(request: Callable[[], Any]) -> Any:
    import stripe

    try:
        return request()
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            raise _NotFound() from exc
        logger.warning("stripe call refused", extra={"stripe_code": exc.code})
        raise BillingUnavailable("the payment provider did not answer; please retry") from exc
    except stripe.StripeError as exc:
        logger.warning("stripe call failed", extra={"error": type(exc).__name__, "stripe_code": exc.code})
        raise BillingUnavailable("the payment provider did not answer; please retry") from exc


def checkout_idempotency_key(user_id: str, params: dict[str, Any], now: datetime) -> str:
    """The default key: one session per user and ten-minute window, so a double submit (two taps, a
    retried request) opens one session. The parameters' digest keeps a changed request from being
    refused by Stripe as a key reused with other parameters."""
    import hashlib

    bucket = int(now.timestamp() // CHECKOUT_IDEMPOTENCY_WINDOW.total_seconds())
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]
    return f"checkout:{user_id}:{bucket}:{digest}"


def client_idempotency_key(header: str | None) -> str | None:
    """The client's ``Idempotency-Key`` header (None when absent or empty), refused (422) unless Stripe
    would accept it: at most 255 printable ASCII characters."""
    if not header:
        return None
    if len(header) > IDEMPOTENCY_KEY_MAX_LENGTH or not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, header):
        message = f"at most {IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters"
        raise ValidationFailed(
            f"the Idempotency-Key header must be {message}",
            errors=[{"field": "Idempotency-Key", "message": message, "type": "header_invalid"}],
        )
    return header


def create_checkout(
    user_id: str, success_url: str, cancel_url: str, idempotency_key: str | None = None
) -> str:
    """A Checkout session (subscription mode) for the premium plan; returns its URL."""
    stripe_client = client()
    if entitlements_for(user_id).is_premium:
        raise AlreadySubscribed("this account is premium already")
    with transaction() as conn:
        customer = store.stripe_customer(conn, user_id)
    params: dict[str, Any] = {
        "mode": "subscription",
        "line_items": [{"price": settings(StripeSettings).stripe_premium_price_id, "quantity": 1}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": user_id,
        "metadata": {"user_id": user_id},
        "subscription_data": {"metadata": {"user_id": user_id}},
    }
    if customer:
        params["customer"] = customer
    key = idempotency_key or checkout_idempotency_key(user_id, params, clock.now())
    options = {"idempotency_key": key}
    try:
        session = _call(lambda: stripe_client.v1.checkout.sessions.create(params=params, options=options))
    except _NotFound as exc:
        raise BillingUnavailable("the premium price is not known to Stripe") from exc
    return str(session.url)


def create_portal(user_id: str, return_url: str) -> str:
    """A customer-portal session for the user's Stripe customer; returns its URL."""
    stripe_client = client()
    with transaction() as conn:
        customer = store.stripe_customer(conn, user_id)
    if customer is None:
        raise NoStripeCustomer("this account has never paid through Stripe")
    params = {"customer": customer, "return_url": return_url}
    try:
        return str(_call(lambda: stripe_client.v1.billing_portal.sessions.create(params=params)).url)
    except _NotFound as exc:
        raise NoStripeCustomer("Stripe no longer knows this account's customer") from exc


def fetch_subscription(subscription_id: str) -> SourceState | None:
    """The subscription's current state, read from Stripe now (dated when the read began: it is at
    least that new); None when Stripe does not know it."""
    stripe_client = client()
    started = clock.now()
    try:
        subscription = _call(lambda: stripe_client.v1.subscriptions.retrieve(subscription_id))
    except _NotFound:
        logger.warning("stripe does not know a stored subscription", extra={"subscription": subscription_id})
        return None
    return subscription_state(json.loads(str(subscription)), observed_at=started)


# -- the webhook ----------------------------------------------------------------------------------


def verify(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event, if ``payload`` carries a valid ``Stripe-Signature`` within the tolerance; else 400."""
    import stripe

    secret = settings(StripeSettings).stripe_webhook_secret
    try:
        stripe.Webhook.construct_event(payload, signature, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        raise InvalidSignature("the Stripe-Signature header does not match this payload") from exc
    except (ValueError, TypeError, AttributeError) as exc:  # signed, but not JSON of a Stripe event
        raise MalformedPayload("the payload is not a Stripe event") from exc
    _refuse_future_signature(signature)
    event = json.loads(payload)
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not event.get("type"):
        raise MalformedPayload("the payload is not a Stripe event")
    return event


def _refuse_future_signature(signature: str | None) -> None:
    """Stripe's library refuses a signature older than the tolerance, not one dated ahead of it: a
    verified header whose ``t`` is further ahead than the tolerance (or absurd) is refused too."""
    parts = [part.strip() for part in (signature or "").split(",")]
    stamps = [part[2:] for part in parts if part.startswith("t=")]
    try:
        signed_at = vendor_time.from_seconds(stamps[0].strip(), "t") if stamps else None
    except (ValueError, vendor_time.TimestampOutOfRange):
        signed_at = None
    latest = clock.now() + timedelta(seconds=SIGNATURE_TOLERANCE_SECONDS)
    if signed_at is None or signed_at > latest:
        raise InvalidSignature("the Stripe-Signature timestamp is outside the tolerance")


@counted_webhook("stripe")
def handle_webhook(payload: bytes, signature: str | None, now: datetime | None = None) -> str:
    event = verify(payload, signature)
    event_type = str(event["type"])
    if event_type not in HANDLED_EVENTS:
        return handle_event("stripe", event["id"], event_type, lambda _conn: [], now)
    with transaction() as conn:
        if store.event_seen(conn, "stripe", event["id"]):
            return "duplicate"  # a redelivery: not worth a call to Stripe (handle_event also checks)
    try:
        act = _action(event_type, event)
    except vendor_time.TimestampOutOfRange as exc:
        refuse_event("stripe", event["id"], event_type, exc)
        raise
    except (KeyError, TypeError, ValueError, AttributeError):
        # Signed by Stripe but not the shape we know: acknowledged (a 4xx would be retried for days).
        logger.warning("unexpected stripe event shape", extra={"type": event_type, "event_id": event["id"]})
        return handle_event("stripe", event["id"], event_type, lambda _conn: [Applied("ignored")], now)
    return handle_event("stripe", event["id"], event_type, act, now)


def _action(event_type: str, event: dict[str, Any]) -> Callable[[store.Conn], list[Applied]]:
    """What to do for one event: parsed, and the subscription read from Stripe when there is an API key,
    all before any transaction, so a strange shape changes nothing and no lock waits on Stripe."""
    obj = event["data"]["object"]
    created = vendor_time.from_seconds(event["created"], "created")
    if created is None:
        raise ValueError("an event needs its creation time")
    customer = _id(obj.get("customer"))
    if event_type in SUBSCRIPTION_EVENTS:
        state = _current_or(subscription_state(obj, observed_at=created))
        return lambda conn: [_apply(conn, state, customer)]
    if event_type == "checkout.session.completed":
        user_id = as_user_id(obj.get("client_reference_id") or (obj.get("metadata") or {}).get("user_id"))
        subscription_id = _id(obj.get("subscription"))
        # without a key the customer.subscription.created event brings the state
        current = fetch_subscription(subscription_id) if subscription_id and secret_key() else None
        return lambda conn: _checkout_completed(conn, user_id, customer, current)
    subscription_id = _invoice_subscription(obj)
    if subscription_id is None:
        return lambda _conn: [Applied("ignored")]  # a one-off invoice: nothing to do with the plan
    if event_type == "invoice.paid":
        fallback = SourceState(
            "stripe", subscription_id, "active", created, current_period_end=_invoice_period_end(obj)
        )
    else:
        fallback = SourceState("stripe", subscription_id, "past_due", created)
    state = _current_or(fallback)
    return lambda conn: [_apply(conn, state, customer)]


def _checkout_completed(
    conn: store.Conn, user_id: str | None, customer: str | None, current: SourceState | None
) -> list[Applied]:
    if user_id and customer:
        _link(conn, user_id, customer)
    if current is None:
        return [Applied("ignored")]
    return [_apply(conn, _with_user(current, user_id), customer)]


def _current_or(fallback: SourceState) -> SourceState:
    """The subscription as Stripe has it now (with an API key), else what the event says."""
    if secret_key() is None:
        return fallback
    return fetch_subscription(fallback.external_id) or fallback


def _apply(conn: store.Conn, state: SourceState, customer: str | None) -> Applied:
    if state.user_id and customer:
        _link(conn, state.user_id, customer)
    if state.user_id is None and customer:
        state = _with_user(state, store.user_for_stripe_customer(conn, customer))
    return apply_state(conn, state)


def _with_user(state: SourceState, user_id: str | None) -> SourceState:
    return replace(state, user_id=state.user_id or user_id)


def _link(conn: store.Conn, user_id: str, customer: str) -> None:
    try:
        with conn.transaction():
            store.link_stripe_customer(conn, user_id, customer)
    except psycopg.errors.ForeignKeyViolation:
        logger.warning("stripe customer names an unknown user", extra={"customer": customer})


def subscription_state(obj: dict[str, Any], observed_at: datetime) -> SourceState:
    """A Stripe subscription object as a ``SourceState`` (period end from the object or, since the
    2025 API versions, from its items)."""
    period_end = obj.get("current_period_end")
    if period_end is None:
        ends = [item.get("current_period_end") for item in (obj.get("items") or {}).get("data") or []]
        period_end = max((end for end in ends if end), default=None)
    status = obj["status"]
    if not isinstance(status, str) or not isinstance(obj["id"], str):
        raise ValueError("a subscription needs a string id and status")
    return SourceState(
        source="stripe",
        external_id=obj["id"],
        status=status,
        observed_at=observed_at,
        user_id=as_user_id((obj.get("metadata") or {}).get("user_id")),
        current_period_end=vendor_time.from_seconds(period_end, "current_period_end") if period_end else None,
        cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
    )


def _id(value: Any) -> str | None:
    """An id that Stripe sends either bare or as an expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value else None


def _invoice_subscription(invoice: dict[str, Any]) -> str | None:
    legacy = _id(invoice.get("subscription"))
    if legacy:
        return legacy
    details = ((invoice.get("parent") or {}).get("subscription_details") or {}).get("subscription")
    return _id(details)


def _invoice_period_end(invoice: dict[str, Any]) -> datetime | None:
    ends = [
        ((line.get("period") or {}).get("end")) for line in (invoice.get("lines") or {}).get("data") or []
    ]
    times = [vendor_time.from_seconds(value, "lines.period.end") for value in ends if value]
    return max((moment for moment in times if moment), default=None)
