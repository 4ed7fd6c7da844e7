"""The playlists module's domain errors."""

from __future__ import annotations

from sauti.errors import DomainError, Forbidden, NotFound, ValidationFailed


class PlaylistNotFound(NotFound):
    code = "playlist_not_found"


class InviteNotFound(NotFound):
    code = "invite_not_found"


class CollaboratorNotFound(NotFound):
    code = "collaborator_not_found"


class OwnerOnly(Forbidden):
    code, title = "owner_only", "Only the playlist's owner may do this"


class VersionConflict(DomainError):
    status, code, title = 412, "version_conflict", "Version conflict"

    def __init__(self, current_version: int):
        super().__init__(
            "the playlist changed since the version you sent; nothing was changed",
            headers={"ETag": f'"{current_version}"'},
            current_version=current_version,
        )


class SongsUnavailable(ValidationFailed):
    code = "songs_unavailable"

    def __init__(self, song_ids: list[str]):
        super().__init__(
            "unknown or unpublished songs: " + ", ".join(song_ids),
            song_ids=song_ids,
            errors=[
                {"field": "song_ids", "message": f"unknown or unpublished: {song_id}"} for song_id in song_ids
            ],
        )


class UnknownItems(ValidationFailed):
    code = "unknown_items"

    def __init__(self, field: str, item_ids: list[str]):
        super().__init__(
            f"no such items in this playlist: {', '.join(item_ids)}",
            item_ids=item_ids,
            errors=[{"field": field, "message": f"not in this playlist: {item_id}"} for item_id in item_ids],
        )


class PlaylistFull(ValidationFailed):
    code = "playlist_full"


class TooManyPlaylists(ValidationFailed):
    code = "too_many_playlists"


class TooManyCollaborators(ValidationFailed):
    code = "too_many_collaborators"


class NotFollowable(DomainError):
    status, code, title = 409, "not_followable", "This playlist cannot be followed"
