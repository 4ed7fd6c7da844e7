"""Search's interface, the whole of it: what the routes, the indexer and the CLI call.

Narrow on purpose: another engine (OpenSearch) can sit behind these functions without a caller changing.
"""

from __future__ import annotations

from sauti.search.indexing import (
    Rebuilt,
    apply_catalog_change,
    apply_playlist_change,
    refresh_popularity,
    reindex,
)
from sauti.search.logic import parse_types, search, suggest
from sauti.search.sources import PlaylistFeed, use_playlist_feed

__all__ = [
    "PlaylistFeed",
    "Rebuilt",
    "apply_catalog_change",
    "apply_playlist_change",
    "parse_types",
    "refresh_popularity",
    "reindex",
    "search",
    "suggest",
    "use_playlist_feed",
]
