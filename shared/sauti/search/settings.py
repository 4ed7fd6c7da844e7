"""What search reads from the configuration."""

from __future__ import annotations

from sauti.settings import Settings, setting


class SearchSettings(Settings):
    search_popularity_days: int = setting(
        30, doc="days of plays (analytics' daily rollups) that rank equally good search matches"
    )
    search_typo_below_docs: int = setting(
        50, doc="a word found in fewer documents than this is also searched with typos (Meilisearch rules)"
    )
