"""The notifications worker's settings."""

from __future__ import annotations

from sauti.settings import Settings, setting


class NotificationsSettings(Settings):
    email_from: str = setting(
        "Sauti <no-reply@sauti.local>",
        doc="sender of every email (an SES-verified identity)",
        local_only=True,
    )
