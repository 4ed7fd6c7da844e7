"""What other modules may call of the catalog (playback, downloads, analytics, admin, the seed).

Reads return the internal documents (status, renditions and object keys included, whatever the
status) or None; ``published_song``/``published_video`` raise the catalog's 404s. Writes invalidate
what they change in the cache.
"""

from __future__ import annotations

from sauti.catalog.errors import AlbumNotFound, ArtistNotFound, SongNotFound, VideoNotFound
from sauti.catalog.logic import (
    active_ads,
    album,
    artist_account,
    artist_song_titles,
    create_ad,
    create_album,
    create_artist,
    create_song,
    create_video,
    published_song,
    published_video,
    set_ad_active,
    set_song_status,
    set_video_status,
    song,
    song_summary,
    song_view,
    songs,
    update_song,
    video,
)

__all__ = [
    "AlbumNotFound",
    "ArtistNotFound",
    "SongNotFound",
    "VideoNotFound",
    "active_ads",
    "album",
    "artist_account",
    "artist_song_titles",
    "create_ad",
    "create_album",
    "create_artist",
    "create_song",
    "create_video",
    "published_song",
    "published_video",
    "set_ad_active",
    "set_song_status",
    "set_video_status",
    "song",
    "song_summary",
    "song_view",
    "songs",
    "update_song",
    "video",
]
