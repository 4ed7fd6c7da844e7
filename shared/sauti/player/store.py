"""The player's SQL, and nothing else: one ``player_states`` row per user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from psycopg import Connection

from sauti.db import Row

COLUMNS = "queue::text[] AS queue, queue_index, position_ms, device_id, updated_at, version"


def state(conn: Connection[Row], user_id: str) -> Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM player_states WHERE user_id = %s", (user_id,)).fetchone()


@dataclass(frozen=True)
class PlayerFields:
    queue: list[UUID]
    index: int
    position_ms: int
    device_id: str
    now: datetime


def save(conn: Connection[Row], user_id: str, state: PlayerFields) -> Row:
    """Insert or overwrite the user's state; the version grows by one."""
    row = conn.execute(
        f"""INSERT INTO player_states (user_id, queue, queue_index, position_ms, device_id, updated_at)
            VALUES (%(user)s, %(queue)s, %(index)s, %(position)s, %(device)s, %(now)s)
            ON CONFLICT (user_id) DO UPDATE
                SET queue = EXCLUDED.queue, queue_index = EXCLUDED.queue_index,
                    position_ms = EXCLUDED.position_ms, device_id = EXCLUDED.device_id,
                    updated_at = EXCLUDED.updated_at, version = player_states.version + 1
            RETURNING {COLUMNS}""",
        _params(user_id, state),
    ).fetchone()
    assert row is not None
    return row


def save_if_version(
    conn: Connection[Row], user_id: str, expected_version: int, state: PlayerFields
) -> Row | None:
    """Overwrite the user's state only if it is at ``expected_version``; None (nothing changed) if not."""
    return conn.execute(
        f"""UPDATE player_states
            SET queue = %(queue)s, queue_index = %(index)s, position_ms = %(position)s,
                device_id = %(device)s, updated_at = %(now)s, version = version + 1
            WHERE user_id = %(user)s AND version = %(expected)s
            RETURNING {COLUMNS}""",
        {**_params(user_id, state), "expected": expected_version},
    ).fetchone()


def delete(conn: Connection[Row], user_id: str) -> bool:
    return bool(conn.execute("DELETE FROM player_states WHERE user_id = %s", (user_id,)).rowcount)


def _params(user_id: str, state: PlayerFields) -> dict[str, object]:
    return {
        "user": user_id,
        "queue": state.queue,
        "index": state.index,
        "position": state.position_ms,
        "device": state.device_id,
        "now": state.now,
    }
