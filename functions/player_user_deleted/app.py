"""Deletes a deleted account's player state (EventBridge ``user.deleted`` from auth).

Idempotent: deleting what is gone changes nothing, so duplicates and retries are harmless.
"""

from __future__ import annotations

from typing import Any

from sauti.ids import canonical_id
from sauti.observability import instrumented, logger
from sauti.player.public import forget_user


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    user_id = canonical_id((event.get("detail") or {}).get("user_id"))
    if user_id is None:
        logger.warning("user.deleted event without a valid user_id ignored")
        return {"deleted": False}
    deleted = forget_user(user_id)
    logger.info("player state of a deleted account removed", extra={"deleted": deleted})
    return {"deleted": deleted}
