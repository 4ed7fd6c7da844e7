"""POST /webhooks/apple: App Store Server Notifications V2, verified and acted on once each."""

from __future__ import annotations

from typing import Any

from sauti.billing import apple
from sauti.billing.models import AppleNotificationRequest, WebhookReceipt
from sauti.billing.settings import AppleSettings, BillingSettings
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.http import errors, http_app, lambda_entry
from sauti.settings import require

PUBLIC = ("POST /webhooks/apple",)  # a JWS chained to Apple's root, checked by billing
app = http_app(public=PUBLIC)
require(CoreSettings, DatabaseSettings, BillingSettings, AppleSettings)


@app.post("/webhooks/apple", responses=errors(400))
def apple_webhook(body: AppleNotificationRequest) -> WebhookReceipt:
    return WebhookReceipt(received=True, outcome=apple.handle_notification(body.signedPayload))


lambda_handler: Any = lambda_entry(app)
