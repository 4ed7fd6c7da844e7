"""Every 15 minutes: publish the user.deleted events the bus did not take when the accounts were deleted."""

from __future__ import annotations

from typing import Any

from sauti.auth.logic import publish_pending_deletions
from sauti.observability import instrumented, logger


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    published = publish_pending_deletions()
    if published:
        logger.info("user.deleted published late", extra={"published": published})
    return {"published": published}
