"""Who a user is, for other modules: light on purpose (no password or token libraries imported)."""

from __future__ import annotations

import uuid
from typing import Any

from sauti.auth import store
from sauti.db import Row


def public_user(user: Row) -> dict[str, Any]:
    return {"id": str(user["id"]), "email": user["email"], "display_name": user["display_name"]}


def get_user(user_id: str) -> dict[str, Any] | None:
    """A live user's id, email, display name and roles; None when deleted, unknown or malformed."""
    try:
        user_id = str(uuid.UUID(str(user_id)))
    except ValueError:
        return None
    user = store.user_by_id(user_id)
    if user is None:
        return None
    return {**public_user(user), "roles": sorted(user["roles"])}
