"""What other modules may call of analytics (docs/analytics.md): record a counted play (playback), a
user's recent plays (playback), the 30-second rule, the most played songs of a list (the catalog's artist
pages), offline plays in bulk (downloads), and every song's recent plays (search's ranking)."""

from __future__ import annotations

from sauti.analytics.offline import (
    DAY_ARCHIVED,
    DUPLICATE,
    OVERLAPPING,
    OfflineOutcome,
    OfflinePlay,
    record_offline_plays,
)
from sauti.analytics.plays import (
    MIN_COUNTED_MS,
    CountedPlay,
    recently_played,
    record_play,
    song_plays,
    top_songs,
)

__all__ = [
    "DAY_ARCHIVED",
    "DUPLICATE",
    "MIN_COUNTED_MS",
    "OVERLAPPING",
    "CountedPlay",
    "OfflineOutcome",
    "OfflinePlay",
    "recently_played",
    "record_offline_plays",
    "record_play",
    "song_plays",
    "top_songs",
]
