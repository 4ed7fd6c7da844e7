"""What other modules may call of auth: who a user is (notifications, admin), and the role and
suspension changes (the `sauti grant-role` command, admin). Light on purpose: the password and token
libraries load only when a role or suspension function is called."""

from __future__ import annotations

from typing import Any

from sauti.auth.directory import get_user, public_user

__all__ = ["get_user", "grant_role", "public_user", "revoke_role", "suspend_user"]


def grant_role(email: str, role: str) -> dict[str, Any]:
    """Give the user with this email a role; it reaches their tokens at their next refresh."""
    from sauti.auth import logic

    return logic.grant_role(email, role)


def revoke_role(email: str, role: str) -> dict[str, Any]:
    from sauti.auth import logic

    return logic.revoke_role(email, role)


def suspend_user(user_id: str) -> None:
    """No login, no refresh, every session ended; access tokens lapse within their lifetime."""
    from sauti.auth import logic

    logic.suspend_user(user_id)
