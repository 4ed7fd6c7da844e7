"""Who a user is, for other modules: light on purpose (no password or token libraries imported)."""

from __future__ import annotations

from typing import Any

from sauti.auth import store
from sauti.db import Row, transaction
from sauti.ids import canonical_id


def public_user(user: Row) -> dict[str, Any]:
    return {"id": str(user["id"]), "email": user["email"], "display_name": user["display_name"]}


def get_user(user_id: str) -> dict[str, Any] | None:
    """A live user's id, email, display name and roles; None when deleted, unknown or malformed."""
    key = canonical_id(user_id)
    if key is None:
        return None
    with transaction() as conn:
        user = store.user_by_id(conn, key)
    if user is None:
        return None
    return {**public_user(user), "roles": sorted(user["roles"])}
