"""Subscriptions & billing: the caller's subscription, Stripe Checkout and portal, StoreKit transactions."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Header

from sauti.billing import apple, logic, stripe_billing
from sauti.billing.models import (
    AppleTransactionRequest,
    CheckoutRequest,
    PortalRequest,
    RedirectUrl,
    SubscriptionView,
)
from sauti.billing.settings import AppleSettings, BillingSettings, StripeSettings
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.http import errors, http_app, lambda_entry
from sauti.settings import require

app = http_app()
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=stripe_billing.IDEMPOTENCY_KEY_MAX_LENGTH,
        pattern=stripe_billing.IDEMPOTENCY_KEY_PATTERN,
        description="the same key again (within Stripe's 24 hours) answers the same Checkout session",
    ),
]
require(CoreSettings, DatabaseSettings, BillingSettings, StripeSettings, AppleSettings)


@app.get("/billing/subscription")
def subscription() -> SubscriptionView:
    return logic.subscription_view(app.principal().user_id)


@app.post("/billing/checkout", responses=errors(409))
def checkout(body: CheckoutRequest, idempotency_key: IdempotencyKey = None) -> RedirectUrl:
    user_id = app.principal().user_id
    key = stripe_billing.client_idempotency_key(idempotency_key)
    return RedirectUrl(url=stripe_billing.create_checkout(user_id, body.success_url, body.cancel_url, key))


@app.post("/billing/portal", responses=errors(409))
def portal(body: PortalRequest) -> RedirectUrl:
    return RedirectUrl(url=stripe_billing.create_portal(app.principal().user_id, body.return_url))


@app.post("/billing/apple/transactions", responses=errors(403, 409))
def apple_transaction(body: AppleTransactionRequest) -> SubscriptionView:
    return apple.register_transaction(app.principal().user_id, body.signed_transaction_info)


lambda_handler: Any = lambda_entry(app)
