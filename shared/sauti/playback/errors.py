"""The playback module's errors."""

from __future__ import annotations

from sauti.errors import NotFound


class SessionNotFound(NotFound):
    code = "session_not_found"
