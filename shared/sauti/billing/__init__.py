"""Subscriptions & billing: the one entitlement model, Stripe and Apple."""
