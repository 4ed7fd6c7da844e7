"""Saving and resuming the player: the queue, where it stands, and which device saved it.

Writes are compare-and-set on ``version`` (``If-Match``, as for playlists): a phone that saves over a
laptop's newer state gets 412 with ``current_version`` and changes nothing; it reads again and
decides. Without ``If-Match`` the last write wins.
"""

from __future__ import annotations

from typing import Any

from sauti import clock
from sauti.db import Row, transaction
from sauti.player import store
from sauti.player.errors import PlayerNotFound, VersionConflict
from sauti.player.models import PlayerState, PlayerStateIn


def get_player(user_id: str) -> PlayerState:
    with transaction() as conn:
        row = store.state(conn, user_id)
    if row is None:
        raise PlayerNotFound("nothing was saved for this account yet")
    return _view(row)


def save_player(user_id: str, body: PlayerStateIn, if_match: str | None) -> PlayerState:
    state = store.PlayerFields(body.queue, body.index, body.position_ms, body.device_id, clock.now())
    with transaction() as conn:
        row: dict[str, Any] | None
        if if_match is None:
            row = store.save(conn, user_id, state)
        else:
            expected = parse_if_match(if_match)
            row = None if expected is None else store.save_if_version(conn, user_id, expected, state)
            if row is None:
                current = store.state(conn, user_id)
                raise VersionConflict(current["version"] if current else None)
    return _view(row)


def forget_user(user_id: str) -> bool:
    """The account was deleted: its player state goes with it (idempotent)."""
    with transaction() as conn:
        return store.delete(conn, user_id)


def parse_if_match(value: str) -> int | None:
    """The version an ``If-Match`` names (``"3"``, ``W/"3"`` or ``3``); None when it names none."""
    tag = value.strip().removeprefix("W/").strip().strip('"')
    return int(tag) if tag.isascii() and tag.isdigit() and len(tag) < 19 else None


def _view(row: Row) -> PlayerState:
    return PlayerState(
        queue=row["queue"],
        index=row["queue_index"],
        position_ms=row["position_ms"],
        device_id=row["device_id"],
        updated_at=row["updated_at"],
        version=row["version"],
    )
