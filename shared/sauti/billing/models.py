"""Request bodies and answers of the billing routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from sauti.models import ApiModel

URL_PATTERN = r"^https?://\S+$"


class CheckoutRequest(BaseModel):
    success_url: str = Field(pattern=URL_PATTERN, max_length=2000)
    cancel_url: str = Field(pattern=URL_PATTERN, max_length=2000)


class PortalRequest(BaseModel):
    return_url: str = Field(pattern=URL_PATTERN, max_length=2000)


class AppleTransactionRequest(BaseModel):
    signed_transaction_info: str = Field(min_length=1, max_length=20_000)


class AppleNotificationRequest(BaseModel):
    signedPayload: str = Field(min_length=1, max_length=100_000)


# -- answers ---------------------------------------------------------------------------------------


class EntitlementFlags(ApiModel):
    ads: bool
    background_playback: bool
    offline_downloads: bool
    public_playlists: bool


class Subscription(ApiModel):
    """``/me.subscription``: the subscription that grants premium, else the latest one."""

    status: str | None
    source: Literal["stripe", "apple"] | None
    current_period_end: str | None
    grace_until: str | None
    cancel_at_period_end: bool


class SubscriptionView(Subscription):
    """GET /billing/subscription (and a registered StoreKit transaction): /me's subscription object
    (all null when there is none), with the plan and its entitlements."""

    plan: Literal["free", "premium"]
    premium_until: str | None
    entitlements: EntitlementFlags


class RedirectUrl(ApiModel):
    url: str  # Stripe Checkout or the customer portal


class WebhookReceipt(ApiModel):
    received: bool
    outcome: str  # applied, duplicate, stale, unlinked, ignored
