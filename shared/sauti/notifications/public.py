"""What other modules may call of notifications.

To notify someone, queue a message with ``sauti.notify.publish_notification(type_, user_id=...,
data=..., channels=[...])`` (types ``<module>.<event>``, docs/notifications.md); this module maps the
type to a preference topic, checks the person's switches and delivers it.
"""

from __future__ import annotations

from sauti.notifications.logic import topic_of
from sauti.notify import publish_notification

__all__ = ["follower_count", "publish_notification", "topic_of"]


def follower_count(artist_id: str) -> int:
    """How many accounts follow the artist (for an artist's dashboard)."""
    from sauti import db
    from sauti.ids import canonical_id
    from sauti.notifications import store

    key = canonical_id(artist_id)
    if key is None:
        return 0
    with db.transaction() as conn:
        return store.follower_count(conn, key)
