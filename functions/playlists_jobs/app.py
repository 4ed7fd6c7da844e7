"""The playlists module's background work, one function (one database connection in the budget):

- the schedule, every five minutes: views and plays flushed from Redis to PostgreSQL, then the day, week
  and month rankings computed and cached (what GET /playlists/top serves). With ``detail.date``
  (``sauti run-job playlists-rank --date D``) it acts as if D were today;
- billing's ``plan.changed``: the owner's public playlists hide when premium ended, come back when it
  returns (the plan is read again, uncached);
- auth's ``user.deleted``: the account's playlists are deleted, its follows and collaborations end.

Idempotent: a repeated flush writes the same totals, a repeated event finds nothing more to change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sauti.ids import canonical_id
from sauti.observability import instrumented, logger
from sauti.playlists.logic import apply_plan, flush_and_rank, forget_user
from sauti.playlists.settings import PlaylistsSettings
from sauti.settings import require

require(PlaylistsSettings)


def _rank(event: dict[str, Any]) -> dict[str, Any]:
    wanted = (event.get("detail") or {}).get("date")
    try:
        today = date.fromisoformat(wanted) if wanted else None
    except (TypeError, ValueError):
        logger.warning("playlists-rank event with a malformed date ignored")
        return {"flushed": 0, "ranked": {}}
    result = flush_and_rank(today)
    logger.info("playlist views flushed and ranked", extra=result)
    return result


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    kind = event.get("detail-type")
    if event.get("source") == "aws.events" or kind == "Scheduled Event":
        return _rank(event)
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
