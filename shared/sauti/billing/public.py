"""What other modules may call of billing: what a user may do now (auth's /me, playback, downloads),
and the models of a subscription and its entitlements (in /me).

``entitlements_for`` is cached and follows plan changes; ``compute_entitlements`` reads the
subscriptions again (for a consumer of ``plan.changed`` that must not trust a cached answer).
"""

from __future__ import annotations

from sauti.billing.entitlements import Entitlements, compute_entitlements, entitlements_for
from sauti.billing.models import EntitlementFlags, Subscription

__all__ = ["EntitlementFlags", "Entitlements", "Subscription", "compute_entitlements", "entitlements_for"]
