"""The settings the playlists module reads."""

from __future__ import annotations

from sauti.settings import Settings, setting


class PlaylistsSettings(Settings):
    playlists_max_tracks: int = setting(10_000, doc="most tracks one playlist may hold")
    playlists_max_per_user: int = setting(500, doc="most playlists one account may own")
    playlists_max_collaborators: int = setting(50, doc="most editors one playlist may have")
    playlists_invite_ttl_hours: int = setting(168, doc="how long a playlist invite link stays valid")
    playlists_viewer_daily_budget: int = setting(
        300, doc="most distinct playlists one account's views count for per UTC day (anti-scraping cap)"
    )
    playlists_play_weight: int = setting(
        3, doc="what one qualified play started from a playlist weighs in the ranking, against 1 per view"
    )
