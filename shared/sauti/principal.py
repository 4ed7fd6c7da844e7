"""Who is calling: the principal the API Gateway JWT authorizer verified.

Tokens are verified by the HTTP API's JWT authorizer (and by the local gateway,
the same way) before a function runs; the function reads the claims from
``requestContext.authorizer.jwt.claims``. API Gateway hands every claim over as
a string and flattens arrays to ``"[a b]"``, so roles are parsed from either form.
A missing principal is always 401, whatever the gateway did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sauti.errors import Forbidden, Unauthorized
from sauti.ids import canonical_id

ARTIST = "artist"
SUPER_ADMIN = "super_admin"
CONTENT_MANAGER = "content_manager"
MODERATOR = "moderator"
ADMIN_ROLES = frozenset({SUPER_ADMIN, CONTENT_MANAGER, MODERATOR})
ALL_ROLES = frozenset({ARTIST, *ADMIN_ROLES})


@dataclass(frozen=True)
class Principal:
    user_id: str
    roles: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return bool(self.roles & ADMIN_ROLES)

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


def parse_roles(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, list | tuple):
        return frozenset(str(role) for role in value)
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return frozenset(part for part in text.replace(",", " ").split() if part)


def principal_from_claims(claims: Mapping[str, Any] | None) -> Principal:
    """The caller, once their account is known to still allow the token: 401 for a deleted account,
    403 ``account_suspended`` for a suspended one (``sauti.auth.access``, one Redis read)."""
    from sauti.auth.access import check_access  # here: importing this module stays free of Redis and logging

    user_id = canonical_id((claims or {}).get("sub"))
    if user_id is None:  # no verified claims, or a subject that is no user id of ours
        raise Unauthorized()
    check_access(user_id, claims.get("iat"))  # type: ignore[union-attr]
    return Principal(user_id=user_id, roles=parse_roles(claims.get("roles")))  # type: ignore[union-attr]


def require_role(principal: Principal, *roles: str) -> Principal:
    """Return the principal if it holds one of ``roles``, else raise 403."""
    if not principal.has_any(*roles):
        raise Forbidden("this action needs one of the roles: " + ", ".join(sorted(roles)))
    return principal
