"""POST /webhooks/stripe: Stripe's events, verified on the raw body and acted on once each."""

from __future__ import annotations

import base64
from typing import Any

from sauti.billing import stripe_billing
from sauti.billing.models import WebhookReceipt
from sauti.billing.settings import BillingSettings, StripeSettings
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.http import errors, http_app, lambda_entry
from sauti.settings import require

PUBLIC = ("POST /webhooks/stripe",)  # Stripe-Signature, checked by billing
app = http_app(public=PUBLIC)
require(CoreSettings, DatabaseSettings, BillingSettings, StripeSettings)


@app.post("/webhooks/stripe", responses=errors(400))
def stripe_webhook() -> WebhookReceipt:
    event = app.current_event
    raw = event.raw_event.get("body") or ""
    payload = base64.b64decode(raw) if event.is_base64_encoded else raw.encode("utf-8")
    outcome = stripe_billing.handle_webhook(payload, event.headers.get("stripe-signature"))
    return WebhookReceipt(received=True, outcome=outcome)


lambda_handler: Any = lambda_entry(app)
