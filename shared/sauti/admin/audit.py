"""The append-only audit log: one entry per admin write, in the same transaction as the write."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from psycopg import Connection

from sauti.admin import store
from sauti.db import Row


@dataclass(frozen=True)
class SystemActor:
    """Who wrote an entry when no person did: the webhook, job or command, by name."""

    name: str


STREAM_WEBHOOK = SystemActor("stream_webhook")
CLI_IMPORT = SystemActor("sauti catalog import")
GRANT_ROLE = SystemActor("sauti grant-role")
REVOKE_ROLE = SystemActor("sauti revoke-role")

Actor = str | SystemActor  # a person's account id, or a system actor


def _plain(value: Any) -> Any:
    """A row as JSON (dates and ids as strings), for the before/after columns."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def record(
    conn: Connection[Row],
    actor: Actor,
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
            "actor_id": None if isinstance(actor, SystemActor) else actor,
            "system_actor": actor.name if isinstance(actor, SystemActor) else None,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "before": _plain(before),
            "after": _plain(after),
            "reason": reason,
        },
    )
