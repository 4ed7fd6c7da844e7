"""What other modules may call of analytics: record a counted play (playback), a user's recent plays
(playback), the 30-second rule, and the most played songs of a list (the catalog's artist pages)."""

from __future__ import annotations

from sauti.analytics.plays import MIN_COUNTED_MS, CountedPlay, recently_played, record_play, top_songs

__all__ = ["MIN_COUNTED_MS", "CountedPlay", "recently_played", "record_play", "top_songs"]
