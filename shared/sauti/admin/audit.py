"""The append-only audit log: one entry per admin write, in the same transaction as the write."""

from __future__ import annotations

import json
from typing import Any

from psycopg import Connection

from sauti.admin import store
from sauti.db import Row


def _plain(value: Any) -> Any:
    """A row as JSON (dates and ids as strings), for the before/after columns."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def record(
    conn: Connection[Row],
    actor_id: str | None,
    action: str,
    target_type: str,
    target_id: str | None,
    *,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> None:
    store.insert_audit(
        conn,
        {
            "actor_id": actor_id,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "before": _plain(before),
            "after": _plain(after),
            "reason": reason,
        },
    )
