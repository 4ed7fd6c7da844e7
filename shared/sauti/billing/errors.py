"""The billing module's errors."""

from __future__ import annotations

from sauti.errors import Conflict, DomainError


class BillingUnavailable(DomainError):
    status, code, title = 503, "billing_unavailable", "Billing unavailable"


class InvalidSignature(DomainError):
    status, code, title = 400, "invalid_signature", "Invalid signature"


class MalformedPayload(DomainError):
    status, code, title = 400, "malformed_payload", "Malformed payload"


class AlreadySubscribed(Conflict):
    code, title = "already_subscribed", "Already premium"


class NoStripeCustomer(Conflict):
    code, title = "no_stripe_customer", "No Stripe customer"


class PurchaseLinkedElsewhere(Conflict):
    code, title = "purchase_linked_elsewhere", "Purchase belongs to another account"
