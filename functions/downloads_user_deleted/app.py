"""Removes a deleted account's devices and download records (EventBridge user.deleted from auth).

Idempotent: a duplicate or late event finds nothing left to remove.
"""

from __future__ import annotations

from typing import Any

from sauti.downloads.logic import forget_user
from sauti.ids import canonical_id
from sauti.observability import instrumented, logger


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    user_id = canonical_id((event.get("detail") or {}).get("user_id"))
    if user_id is None:
        logger.warning("user.deleted event without a valid user_id ignored")
        return {"devices_removed": 0}
    removed = forget_user(user_id)
    logger.info("devices of a deleted account removed", extra={"devices_removed": removed})
    return {"devices_removed": removed}
