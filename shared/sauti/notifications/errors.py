"""The notifications module's domain errors."""

from __future__ import annotations

from sauti.errors import Conflict, DomainError, NotFound


class ArtistNotFound(NotFound):
    title = "No such artist"


class InvalidUnsubscribeLink(DomainError):
    status, code, title = 404, "not_found", "Unknown or expired unsubscribe link"


class PushTokenHeld(Conflict):
    code, title = "push_token_held", "This push token belongs to another account"
