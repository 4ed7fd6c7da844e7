"""Revokes a user's download keys when billing says premium really ended (EventBridge plan.changed).

Idempotent: revoking what is revoked changes nothing, and the user's current entitlements are read
again, so a late or duplicated "ended" event after a renewal revokes nothing.
"""

from __future__ import annotations

from typing import Any

from sauti.billing.settings import BillingSettings
from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.downloads.logic import revoke_after_plan_change
from sauti.observability import instrumented, logger
from sauti.settings import require

require(CoreSettings, DatabaseSettings, BillingSettings)


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    detail = event.get("detail") or {}
    user_id, plan = detail.get("user_id"), detail.get("plan")
    if not user_id or not plan:
        logger.warning("plan.changed event without user_id or plan ignored")
        return {"revoked": 0}
    revoked = revoke_after_plan_change(str(user_id), str(plan))
    logger.info("downloads revoked after plan change", extra={"revoked": revoked})
    return {"revoked": revoked}
