"""`sauti stripe trigger EVENT`, `sauti apple notify TYPE`: signed provider webhooks to the local stack."""

from __future__ import annotations

import argparse
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from sauti_dev import billing_samples as samples
from sauti_dev.running import api_address, data_dir

STRIPE_EVENTS = (
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
)
APPLE_TYPES = (
    "SUBSCRIBED",
    "DID_RENEW",
    "DID_CHANGE_RENEWAL_STATUS",
    "DID_FAIL_TO_RENEW",
    "GRACE_PERIOD_EXPIRED",
    "EXPIRED",
    "REFUND",
    "REVOKE",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    stripe = subparsers.add_parser("stripe", help="Stripe helpers for the local stack")
    stripe_commands = stripe.add_subparsers(dest="stripe_command", required=True, metavar="SUBCOMMAND")
    trigger = stripe_commands.add_parser("trigger", help="send a signed Stripe event to /webhooks/stripe")
    trigger.add_argument("event", choices=STRIPE_EVENTS)
    trigger.add_argument("--user-id", required=True, help="the Sauti user the subscription belongs to")
    trigger.add_argument(
        "--subscription", default=None, help="Stripe subscription id (default: one per user)"
    )
    trigger.add_argument("--customer", default=None, help="Stripe customer id (default: one per user)")
    trigger.add_argument(
        "--status", default=None, help="subscription status for customer.subscription.* events"
    )
    trigger.add_argument("--cancel-at-period-end", action="store_true")
    trigger.set_defaults(run=run_stripe_trigger)

    apple = subparsers.add_parser("apple", help="App Store helpers for the local stack")
    apple_commands = apple.add_subparsers(dest="apple_command", required=True, metavar="SUBCOMMAND")
    notify = apple_commands.add_parser(
        "notify", help="send an App Store Server Notification V2 to /webhooks/apple"
    )
    notify.add_argument("type", choices=APPLE_TYPES, metavar="TYPE", help=", ".join(APPLE_TYPES))
    notify.add_argument("--subtype", default=None, help="e.g. INITIAL_BUY, GRACE_PERIOD, AUTO_RENEW_DISABLED")
    notify.add_argument("--user-id", required=True, help="appAccountToken: the Sauti user id")
    notify.add_argument("--original-transaction-id", default=None, help="default: one per user")
    notify.add_argument(
        "--grace-days", type=int, default=16, help="billing grace for DID_FAIL_TO_RENEW/GRACE_PERIOD"
    )
    notify.set_defaults(run=run_apple_notify)


def _base_url() -> str:
    return api_address()


def _post(path: str, body: str, headers: dict[str, str]) -> int:
    try:
        response = requests.post(
            _base_url() + path,
            data=body.encode(),
            headers={"content-type": "application/json", **headers},
            timeout=10,
        )
    except requests.ConnectionError:
        print(f"nothing answers on {_base_url()}: start `make dev` first (or set PUBLIC_BASE_URL)")
        return 2
    print(f"{response.status_code} {response.text}")
    return 0 if response.ok else 1


def _use_local_data() -> None:
    os.environ.setdefault("SAUTI_DATA_DIR", str(data_dir()))  # where `make dev` keeps its data


def _stripe_webhook_secret() -> str:
    from sauti.billing.settings import StripeSettings
    from sauti.settings import settings

    _use_local_data()
    return settings(StripeSettings).stripe_webhook_secret


def _apple() -> Any:
    from sauti.billing.settings import AppleSettings
    from sauti.settings import settings

    _use_local_data()
    return settings(AppleSettings)


def run_stripe_trigger(args: argparse.Namespace) -> int:
    user_key = uuid.UUID(args.user_id).hex[:14]
    subscription_id = args.subscription or f"sub_local{user_key}"
    customer_id = args.customer or f"cus_local{user_key}"
    now = datetime.now(UTC)
    if args.event == "checkout.session.completed":
        obj = samples.stripe_checkout_session(args.user_id, subscription_id, customer_id)
    elif args.event.startswith("invoice."):
        obj = samples.stripe_invoice(
            subscription_id, paid=args.event == "invoice.paid", customer_id=customer_id
        )
    else:
        default_status = "canceled" if args.event.endswith(".deleted") else "active"
        obj = samples.stripe_subscription(
            args.user_id,
            subscription_id=subscription_id,
            customer_id=customer_id,
            status=args.status or default_status,
            period_end=now + timedelta(days=30),
            cancel_at_period_end=args.cancel_at_period_end,
        )
    payload = json.dumps(samples.stripe_event(args.event, obj, created=now))
    signature = samples.stripe_signature(payload, _stripe_webhook_secret())
    print(f"{args.event} for subscription {subscription_id} -> {_base_url()}/webhooks/stripe")
    return _post("/webhooks/stripe", payload, {"stripe-signature": signature})


def run_apple_notify(args: argparse.Namespace) -> int:
    from sauti.config import config
    from sauti_dev.apple_chain import local_chain_directory

    _use_local_data()
    now = datetime.now(UTC)
    original = args.original_transaction_id or str(int(uuid.UUID(args.user_id).hex[:12], 16))
    revoked = now if args.type in ("REFUND", "REVOKE") else None
    expires = (
        now - timedelta(minutes=1)
        if args.type in ("EXPIRED", "DID_FAIL_TO_RENEW", "GRACE_PERIOD_EXPIRED")
        else None
    )
    transaction = samples.apple_transaction(
        args.user_id,
        original_transaction_id=original,
        expires=expires,
        revoked=revoked,
        bundle_id=_apple().apple_bundle_id,
        environment=_apple().apple_environment,
    )
    grace = now + timedelta(days=args.grace_days) if args.subtype == "GRACE_PERIOD" else None
    renewal = samples.apple_renewal(
        original,
        auto_renew=args.subtype != "AUTO_RENEW_DISABLED",
        grace_expires=grace,
        environment=_apple().apple_environment,
    )
    body = samples.apple_notification(
        args.type,
        transaction,
        local_chain_directory(config().data_dir),
        subtype=args.subtype,
        renewal=renewal,
        bundle_id=_apple().apple_bundle_id,
        environment=_apple().apple_environment,
    )
    print(f"{args.type} {args.subtype or ''} for transaction {original} -> {_base_url()}/webhooks/apple")
    return _post("/webhooks/apple", json.dumps(body), {})
