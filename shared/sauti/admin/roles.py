"""The role matrix (the contract's "Admin (three roles)") and the hierarchy between accounts, checked
here and nowhere else."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sauti.admin.errors import Outranked, OwnAccount
from sauti.errors import Forbidden
from sauti.principal import CONTENT_MANAGER, MODERATOR, SUPER_ADMIN, Principal


class Area(StrEnum):
    CATALOG = "catalog"  # artists, albums, songs, videos, ads: create, edit, publish, upload URLs, imports
    ARTIST_ACCOUNTS = "artist_accounts"  # link an account to an artist profile
    MODERATION = "moderation"  # takedown/restore, suspend, the reports queue
    ROLES = "roles"  # grant and revoke admin roles
    USERS = "users"  # find users by email or role (to link, suspend or grant)
    AUDIT_LOG = "audit_log"  # super admins read all, the others their own actions


MATRIX: dict[Area, frozenset[str]] = {
    Area.CATALOG: frozenset({SUPER_ADMIN, CONTENT_MANAGER}),
    Area.ARTIST_ACCOUNTS: frozenset({SUPER_ADMIN, CONTENT_MANAGER}),
    Area.MODERATION: frozenset({SUPER_ADMIN, MODERATOR}),
    Area.ROLES: frozenset({SUPER_ADMIN}),
    Area.USERS: frozenset({SUPER_ADMIN, CONTENT_MANAGER, MODERATOR}),
    Area.AUDIT_LOG: frozenset({SUPER_ADMIN, CONTENT_MANAGER, MODERATOR}),
}


def allowed(principal: Principal, area: Area) -> bool:
    return bool(principal.roles & MATRIX[area])


def require(principal: Principal, area: Area) -> Principal:
    """The principal if its roles reach ``area``; else 403."""
    if not allowed(principal, area):
        raise Forbidden(f"this needs one of the roles: {', '.join(sorted(MATRIX[area]))}")
    return principal


def reads_whole_audit_log(principal: Principal) -> bool:
    return SUPER_ADMIN in principal.roles


# The hierarchy (Koel's rule): super admins above the two staff roles, those above everyone else.
RANKS = {SUPER_ADMIN: 3, CONTENT_MANAGER: 2, MODERATOR: 2}
BASE_RANK = 1  # listeners and artists


def rank(account_roles: Iterable[str]) -> int:
    return max((RANKS.get(role, BASE_RANK) for role in account_roles), default=BASE_RANK)


def require_outranks(principal: Principal, target_id: str, target_roles: Iterable[str]) -> None:
    """403 unless the caller's highest role is above the target's: nobody suspends or changes the roles
    of an account of an equal or higher role, nor suspends their own."""
    if target_id == principal.user_id:
        raise OwnAccount("not on your own account")
    if rank(target_roles) >= rank(principal.roles):
        raise Outranked("this account's role is equal to or higher than yours")
