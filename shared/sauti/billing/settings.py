"""The billing module's settings: Stripe, the App Store, and how long premium outlasts a failed renewal."""

from __future__ import annotations

from typing import Literal

from sauti.settings import Settings, setting


class BillingSettings(Settings):
    billing_grace_period_days: int = setting(7, doc="days a failed Stripe renewal (past_due) keeps premium")
    billing_renewal_margin_hours: int = setting(
        24,
        doc="hours past its period end that a renewing active subscription keeps premium (late renewals)",
    )


class StripeSettings(Settings):
    # A secret (keep it in the application secret), but unset is allowed everywhere: billing answers 503.
    stripe_secret_key: str = setting("", doc="Stripe API key; unset: checkout and portal answer 503")
    stripe_webhook_secret: str = setting(
        "whsec_sauti_local_development_only",
        secret=True,
        doc="endpoint secret that /webhooks/stripe verifies",
    )
    stripe_premium_price_id: str = setting(
        "price_sauti_local_premium", secret=True, doc="the Stripe price of the premium plan"
    )
    stripe_api_base: str = setting(
        "https://api.stripe.com", doc="where Stripe API calls go (a fake server in tests)"
    )


class AppleSettings(Settings):
    apple_sandbox_in_production: bool = setting(
        "true",
        doc="with APPLE_ENVIRONMENT=Production, also accept Sandbox data (App Review) via a Sandbox verifier",
    )
    apple_root_certificates: str = setting(
        "",
        doc="comma-separated paths of trusted roots (DER or PEM) for App Store signed data "
        "(locally: Apple's root and the generated local test chain)",
    )
    apple_bundle_id: str = setting("app.sauti.ios", secret=True, doc="the iOS app's bundle id")
    apple_environment: Literal["Production", "Sandbox"] = setting(
        "Sandbox", secret=True, doc="`Production` or `Sandbox`"
    )
    apple_app_apple_id: str = setting(
        "",
        secret=True,
        pattern="[0-9]*",
        doc="the app's numeric Apple ID (required when APPLE_ENVIRONMENT=Production)",
    )
