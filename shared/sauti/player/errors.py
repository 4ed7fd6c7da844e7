"""The player's problems."""

from __future__ import annotations

from sauti.errors import DomainError, NotFound


class PlayerNotFound(NotFound):
    code, title = "player_not_found", "Nothing saved yet"


class VersionConflict(DomainError):
    """``If-Match`` named another version than the saved one: nothing was changed."""

    status, code, title = 412, "version_conflict", "Version conflict"

    def __init__(self, current_version: int | None):
        super().__init__(
            "the player was saved meanwhile (by another device?): read it again and retry",
            current_version=current_version,
        )
