"""Domain events notifications acts on: a published song or video fans out to the artist's followers
(``catalog.changed``); a deleted account's tokens, preferences and follows go (``user.deleted``)."""

from __future__ import annotations

from typing import Any

from sauti.notifications import logic
from sauti.notifications.settings import NotificationsSettings
from sauti.observability import instrumented, logger
from sauti.settings import require

require(NotificationsSettings)


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    source, detail_type = event.get("source"), event.get("detail-type")
    found = event.get("detail")
    detail: dict[str, Any] = found if isinstance(found, dict) else {}
    if (source, detail_type) == ("sauti.catalog", "catalog.changed"):
        return {"chunks": logic.release_published(detail)}
    if (source, detail_type) == ("sauti.auth", "user.deleted"):
        return {"forgotten": logic.forget_user(str(detail.get("user_id") or ""))}
    logger.warning("event ignored", extra={"source": source, "detail_type": detail_type})
    return {}
