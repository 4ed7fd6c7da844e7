"""The catalog's errors."""

from __future__ import annotations

from sauti.errors import NotFound


class SongNotFound(NotFound):
    code = "song_not_found"


class VideoNotFound(NotFound):
    code = "video_not_found"


class ArtistNotFound(NotFound):
    """Code ``not_found``, as the contract has it."""


class AlbumNotFound(NotFound):
    """Code ``not_found``, as the contract has it."""
