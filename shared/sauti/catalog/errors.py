"""The catalog's errors."""

from __future__ import annotations

from sauti.errors import Conflict, NotFound


class SongNotFound(NotFound):
    code = "song_not_found"


class VideoNotFound(NotFound):
    code = "video_not_found"


class ArtistNotFound(NotFound):
    """Code ``not_found``, as the contract has it."""


class AlbumNotFound(NotFound):
    """Code ``not_found``, as the contract has it."""


class AdNotFound(NotFound):
    code = "ad_not_found"


class NotReady(Conflict):
    """Publishing what has no playable rendition (a song) or is not ready at Stream yet (a video)."""

    code, title = "not_ready", "Not ready"
