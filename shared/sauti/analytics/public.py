"""What other modules may call in analytics (docs/analytics.md)."""

from __future__ import annotations

from sauti.analytics.offline import (
    DAY_ARCHIVED,
    DUPLICATE,
    OVERLAPPING,
    OfflineOutcome,
    OfflinePlay,
    record_offline_plays,
)
from sauti.analytics.plays import CountedPlay, recently_played, record_play

__all__ = [
    "DAY_ARCHIVED",
    "DUPLICATE",
    "OVERLAPPING",
    "CountedPlay",
    "OfflineOutcome",
    "OfflinePlay",
    "recently_played",
    "record_offline_plays",
    "record_play",
]
