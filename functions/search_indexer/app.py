"""Keeps the search index fresh from domain events (EventBridge): catalog.changed, catalog.imported,
playlist.changed, and analytics' rollup.completed (popularity). Idempotent: each event re-reads the
current truth from the module that owns it."""

from __future__ import annotations

from typing import Any

from sauti.core_settings import CoreSettings, DatabaseSettings
from sauti.observability import instrumented, logger
from sauti.search import public as search
from sauti.search.settings import SearchSettings
from sauti.settings import require

require(CoreSettings, DatabaseSettings, SearchSettings)


@instrumented()
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    source, detail_type = event.get("source"), event.get("detail-type")
    detail = event.get("detail") or {}
    if (source, detail_type) == ("sauti.catalog", "catalog.changed"):
        search.apply_catalog_change(detail)
    elif (source, detail_type) == ("sauti.catalog", "catalog.imported"):
        rebuilt = search.reindex()
        return {"reindexed": rebuilt.docs}
    elif (source, detail_type) == ("sauti.playlists", "playlist.changed"):
        search.apply_playlist_change(detail)
    elif (source, detail_type) == ("sauti.analytics", "rollup.completed"):
        return {"popularity_moved": search.refresh_popularity()}
    else:
        logger.warning("event not for search ignored", extra={"source": source, "detail_type": detail_type})
        return {"ignored": True}
    return {"applied": detail_type}
