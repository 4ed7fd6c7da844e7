"""What other modules may call in auth."""

from __future__ import annotations

from sauti.auth.directory import get_user
from sauti.auth.logic import (
    change_role,
    list_users,
    suspend_user,
    unsuspend_user,
    user_for_admin,
    user_id_by_email,
)

__all__ = [
    "change_role",
    "get_user",
    "list_users",
    "suspend_user",
    "unsuspend_user",
    "user_for_admin",
    "user_id_by_email",
]
