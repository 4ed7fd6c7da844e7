"""Realistic Stripe events and App Store notifications, signed the way Stripe and Apple sign them.

Used by `sauti stripe trigger`, `sauti apple notify` and the billing tests. Stripe
events are signed with the webhook secret (``t=...,v1=...``); Apple payloads
are ES256 JWS whose x5c chain is the local test chain that the local
configuration trusts (``sauti_dev.apple_chain``).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

API_VERSION = "2025-08-27.basil"


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


# -- Stripe -----------------------------------------------------------------------------------------


def stripe_subscription(
    user_id: str | None,
    *,
    subscription_id: str | None = None,
    customer_id: str = "cus_LocalTest0001",
    status: str = "active",
    period_end: datetime | None = None,
    cancel_at_period_end: bool = False,
    price_id: str = "price_sauti_local_premium",
) -> dict[str, Any]:
    """A subscription object as the 2025 API versions send it (period on its items)."""
    now = datetime.now(UTC)
    period_end = period_end or now + timedelta(days=30)
    subscription_id = subscription_id or f"sub_{uuid.uuid4().hex[:24]}"
    return {
        "id": subscription_id,
        "object": "subscription",
        "customer": customer_id,
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "created": _epoch(now - timedelta(days=1)),
        "livemode": False,
        "metadata": {"user_id": user_id} if user_id else {},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_{uuid.uuid4().hex[:14]}",
                    "object": "subscription_item",
                    "current_period_start": _epoch(period_end - timedelta(days=30)),
                    "current_period_end": _epoch(period_end),
                    "price": {"id": price_id, "object": "price", "recurring": {"interval": "month"}},
                    "quantity": 1,
                    "subscription": subscription_id,
                }
            ],
        },
    }


def stripe_checkout_session(
    user_id: str, subscription_id: str, customer_id: str = "cus_LocalTest0001"
) -> dict:
    return {
        "id": f"cs_test_{uuid.uuid4().hex}",
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": "paid",
        "client_reference_id": user_id,
        "customer": customer_id,
        "subscription": subscription_id,
        "metadata": {"user_id": user_id},
    }


def stripe_invoice(
    subscription_id: str, *, paid: bool, customer_id: str = "cus_LocalTest0001", period_end=None
):
    period_end = period_end or datetime.now(UTC) + timedelta(days=30)
    return {
        "id": f"in_{uuid.uuid4().hex[:24]}",
        "object": "invoice",
        "customer": customer_id,
        "status": "paid" if paid else "open",
        "billing_reason": "subscription_cycle",
        "attempt_count": 1,
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": subscription_id}},
        "lines": {
            "object": "list",
            "data": [
                {
                    "object": "line_item",
                    "period": {"start": _epoch(period_end) - 30 * 86400, "end": _epoch(period_end)},
                }
            ],
        },
    }


def stripe_event(
    event_type: str, obj: dict[str, Any], *, created: datetime | None = None, event_id: str | None = None
):
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": API_VERSION,
        "created": _epoch(created or datetime.now(UTC)),
        "type": event_type,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {"object": obj},
    }


def stripe_signature(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe would send for ``payload``."""
    import stripe

    header: str = stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp or int(time.time())
    )
    return header


# -- Apple ------------------------------------------------------------------------------------------


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def sign_apple(payload: dict[str, Any], chain_directory: Any) -> str:
    """An ES256 JWS with the x5c header (leaf, intermediate, root) of the chain in ``chain_directory``."""
    import jwt
    from cryptography.hazmat.primitives.serialization import Encoding

    from sauti_dev.apple_chain import ensure_local_chain

    chain = ensure_local_chain(chain_directory)
    x5c = [base64.b64encode(cert.public_bytes(Encoding.DER)).decode() for cert in chain.certificates()]
    return jwt.encode(payload, chain.leaf_key(), algorithm="ES256", headers={"x5c": x5c})


def apple_transaction(
    user_id: str | None,
    *,
    original_transaction_id: str = "2000000000000001",
    expires: datetime | None = None,
    signed: datetime | None = None,
    revoked: datetime | None = None,
    bundle_id: str = "app.sauti.ios",
    environment: str = "Sandbox",
    product_id: str = "app.sauti.premium.monthly",
) -> dict[str, Any]:
    signed = signed or datetime.now(UTC)
    expires = expires or signed + timedelta(days=30)
    payload: dict[str, Any] = {
        "transactionId": str(int(time.time() * 1000)),
        "originalTransactionId": original_transaction_id,
        "webOrderLineItemId": "2000000000000100",
        "bundleId": bundle_id,
        "productId": product_id,
        "subscriptionGroupIdentifier": "21000001",
        "purchaseDate": _ms(expires - timedelta(days=30)),
        "originalPurchaseDate": _ms(expires - timedelta(days=30)),
        "expiresDate": _ms(expires),
        "quantity": 1,
        "type": "Auto-Renewable Subscription",
        "inAppOwnershipType": "PURCHASED",
        "signedDate": _ms(signed),
        "environment": environment,
        "transactionReason": "PURCHASE",
        "storefront": "KEN",
        "storefrontId": "143529",
        "price": 4990,
        "currency": "USD",
    }
    if user_id:
        payload["appAccountToken"] = user_id
    if revoked:
        payload["revocationDate"] = _ms(revoked)
        payload["revocationReason"] = 0
    return payload


def apple_renewal(
    original_transaction_id: str,
    *,
    auto_renew: bool = True,
    grace_expires: datetime | None = None,
    signed: datetime | None = None,
    environment: str = "Sandbox",
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "originalTransactionId": original_transaction_id,
        "autoRenewProductId": "app.sauti.premium.monthly",
        "productId": "app.sauti.premium.monthly",
        "autoRenewStatus": 1 if auto_renew else 0,
        "signedDate": _ms(signed or datetime.now(UTC)),
        "environment": environment,
        "isInBillingRetryPeriod": grace_expires is not None,
    }
    if grace_expires:
        payload["gracePeriodExpiresDate"] = _ms(grace_expires)
    return payload


def apple_notification(
    notification_type: str,
    transaction: dict[str, Any],
    chain_directory: Any,
    *,
    subtype: str | None = None,
    renewal: dict[str, Any] | None = None,
    signed: datetime | None = None,
    notification_uuid: str | None = None,
    bundle_id: str = "app.sauti.ios",
    environment: str = "Sandbox",
    app_apple_id: int | None = 1234567890,
) -> dict[str, Any]:
    """The webhook body ``{signedPayload}`` of an App Store Server Notification V2."""
    data: dict[str, Any] = {
        "bundleId": bundle_id,
        "bundleVersion": "1.0",
        "environment": environment,
        "signedTransactionInfo": sign_apple(transaction, chain_directory),
        "status": 1,
    }
    if app_apple_id is not None:
        data["appAppleId"] = app_apple_id
    if renewal is not None:
        data["signedRenewalInfo"] = sign_apple(renewal, chain_directory)
    payload: dict[str, Any] = {
        "notificationType": notification_type,
        "notificationUUID": notification_uuid or str(uuid.uuid4()),
        "data": data,
        "version": "2.0",
        "signedDate": _ms(signed or datetime.now(UTC)),
    }
    if subtype:
        payload["subtype"] = subtype
    return {"signedPayload": sign_apple(payload, chain_directory)}


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
