"""What other modules may call of billing: what a user may do now (auth's /me, playback, downloads).
The models of a subscription and its entitlements (in /me) are in ``sauti.billing.models``.

``entitlements_for`` is cached and follows plan changes; ``compute_entitlements`` reads the
subscriptions again (for a consumer of ``plan.changed`` that must not trust a cached answer).
"""

from __future__ import annotations

from sauti.billing.entitlements import Entitlements, compute_entitlements, entitlements_for

__all__ = ["Entitlements", "compute_entitlements", "entitlements_for"]
