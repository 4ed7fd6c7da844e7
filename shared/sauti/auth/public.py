"""What other modules may call of auth: who a user is (notifications, admin), and the role and
suspension changes (the `sauti grant-role` command, admin). Light on purpose: the password and token
libraries load only when one of the functions that change an account is called."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from sauti.auth import normalize
from sauti.auth.directory import get_user, public_user

# An email a request model takes: the normaliser's own limits, so the API description states them.
Email = Annotated[str, Field(max_length=normalize.EMAIL_MAX_LENGTH, pattern=normalize.EMAIL_PATTERN)]

__all__ = [
    "Email",
    "change_role",
    "get_user",
    "grant_role",
    "list_users",
    "normalize_email",
    "public_user",
    "revoke_role",
    "suspend_user",
    "unsuspend_user",
    "user_for_admin",
    "user_id_by_email",
]


def grant_role(email: str, role: str) -> dict[str, Any]:
    """Give the user with this email a role; it reaches their tokens at their next refresh."""
    from sauti.auth import logic

    return logic.grant_role(email, role)


def revoke_role(email: str, role: str) -> dict[str, Any]:
    from sauti.auth import logic

    return logic.revoke_role(email, role)


def change_role(user_id: str, role: str, *, grant: bool) -> dict[str, Any] | None:
    """The user after; None if no such user. Removing the last active super admin's role is refused
    (409 ``last_super_admin``)."""
    from sauti.auth import logic

    return logic.change_role(user_id, role, grant=grant)


def suspend_user(user_id: str) -> None:
    """No login, no refresh, every session ended, every access token refused at once; never the last
    active super admin (409 ``last_super_admin``)."""
    from sauti.auth import logic

    logic.suspend_user(user_id)


def unsuspend_user(user_id: str) -> None:
    from sauti.auth import logic

    logic.unsuspend_user(user_id)


def list_users(email: str | None, role: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    """Live users, newest first; ``email`` is a prefix (a whole address or its start)."""
    from sauti.auth import logic

    return logic.list_users(email, role, limit, cursor)


def user_for_admin(user_id: str) -> dict[str, Any] | None:
    """The user with roles and suspension; None when unknown, deleted or not an id."""
    from sauti.auth import logic

    return logic.user_for_admin(user_id)


def user_id_by_email(email: str) -> str | None:
    from sauti.auth import logic

    return logic.user_id_by_email(email)


def normalize_email(value: str) -> str:
    """An address as auth stores it (NFKC, trimmed, lower-case); ValueError unless it can be one: for
    another module's request model (a pydantic validator turns it into a 422 naming the field)."""
    return normalize.email(value)
