"""Ends a deleted account's play session and forgets its ad state (EventBridge user.deleted from auth).

Idempotent: a duplicate or late event finds nothing left to end.
"""

from __future__ import annotations

from typing import Any

from sauti.ids import canonical_id
from sauti.observability import instrumented, logger
from sauti.playback.logic import end_account_sessions


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    user_id = canonical_id((event.get("detail") or {}).get("user_id"))
    if user_id is None:
        logger.warning("user.deleted event without a valid user_id ignored")
        return {"ended": False}
    end_account_sessions(user_id)
    return {"ended": True}
