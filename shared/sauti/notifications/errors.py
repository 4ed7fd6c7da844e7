"""The notifications module's domain errors."""

from __future__ import annotations

from sauti.errors import DomainError, NotFound


class ArtistNotFound(NotFound):
    title = "No such artist"


class InvalidUnsubscribeLink(DomainError):
    status, code, title = 404, "not_found", "Unknown or expired unsubscribe link"
