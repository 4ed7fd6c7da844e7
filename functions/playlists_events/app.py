"""Other modules' events for playlists (EventBridge): billing's plan.changed hides or restores an owner's
public playlists; auth's user.deleted deletes the account's playlists and ends its follows and
collaborations.

Idempotent: plan.changed re-reads the plan as it is now, and a repeated user.deleted finds nothing left.
"""

from __future__ import annotations

from typing import Any

from sauti.ids import canonical_id
from sauti.observability import instrumented, logger
from sauti.playlists.logic import apply_plan, forget_user
from sauti.playlists.settings import PlaylistsSettings
from sauti.settings import require

require(PlaylistsSettings)


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    kind = event.get("detail-type")
    user_id = canonical_id((event.get("detail") or {}).get("user_id"))
    if user_id is None:
        logger.warning("event without a valid user_id ignored", extra={"detail_type": kind})
        return {"ignored": True}
    if kind == "plan.changed":
        changed = apply_plan(user_id)
        logger.info("playlists after a plan change", extra={"changed": changed})
        return {"visibility_changed": changed}
    if kind == "user.deleted":
        result = forget_user(user_id)
        logger.info("playlists of a deleted account removed", extra=result)
        return result
    logger.warning("unexpected event ignored", extra={"detail_type": kind})
    return {"ignored": True}
