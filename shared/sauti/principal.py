"""Who is calling: the principal the API Gateway JWT authorizer verified.

Tokens are verified by the HTTP API's JWT authorizer (and by the local gateway,
the same way) before a function runs; the function reads the claims from
``requestContext.authorizer.jwt.claims``. API Gateway hands every claim over as
a string and flattens arrays to ``"[a b]"``.
A missing principal is always 401, whatever the gateway did.

The authorizer checks a token's signature and times, not its claims' types: a token whose ``exp``
is not a whole number of seconds (a numeric string, a fraction) or lies beyond any lifetime we issue
(``10^20``) is refused here (401), read from the token itself since the gateway hands every claim
over as a string. The roles are the account's current ones (``sauti.auth.access``), never the
token's: a revoked role stops working on the next request.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
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


_WHOLE_SECONDS = re.compile(r"[0-9]{1,12}")


def _token_payload(authorization: str | None) -> dict[str, Any] | None:
    """The claims of the bearer token the gateway verified, as the token spells them (None when the
    header holds no JWT: only a hand-made event does)."""
    token = (authorization or "").strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    parts = token.split(".")
    if len(parts) != 3 or len(parts[1]) > 8192:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def _whole_seconds(value: Any) -> int | None:
    text = str(value)
    return int(text) if _WHOLE_SECONDS.fullmatch(text) else None


def _check_expiry(claims: Mapping[str, Any], authorization: str | None) -> None:
    """401 unless ``exp`` and ``iat`` are whole seconds, ``iat`` is not ahead of the gateway's clock,
    and the token lives no longer than any we issue."""
    import time  # the gateway's clock, not the service's (tests move that one)

    from sauti.auth.access import TOKEN_LEEWAY_SECONDS
    from sauti.core_settings import TokenSettings
    from sauti.settings import settings

    payload = _token_payload(authorization)
    if payload is not None and not (type(payload.get("exp")) is int and type(payload.get("iat")) is int):
        raise Unauthorized("the token's exp and iat must be whole numbers of seconds")
    expires, issued = _whole_seconds(claims.get("exp")), _whole_seconds(claims.get("iat"))
    longest = settings(TokenSettings).access_token_ttl_seconds + TOKEN_LEEWAY_SECONDS
    if (
        expires is None
        or issued is None
        or issued > time.time() + TOKEN_LEEWAY_SECONDS
        or not 0 < expires - issued <= longest
    ):
        raise Unauthorized("the token's lifetime is not one this service issues")


def principal_from_claims(claims: Mapping[str, Any] | None, authorization: str | None = None) -> Principal:
    """The caller, once their account is known to still allow the token, with the account's current
    roles: 401 for a malformed ``exp``, or an account deleted or that never existed, 403
    ``account_suspended`` for a suspended one (``sauti.auth.access``, one Redis round trip)."""
    from sauti.auth.access import check_access  # here: importing this module stays free of Redis and logging

    user_id = canonical_id((claims or {}).get("sub"))
    if claims is None or user_id is None:  # no verified claims, or a subject that is no user id of ours
        raise Unauthorized()
    _check_expiry(claims, authorization)
    return Principal(user_id=user_id, roles=check_access(user_id, claims.get("iat")))


def require_role(principal: Principal, *roles: str) -> Principal:
    """Return the principal if it holds one of ``roles``, else raise 403."""
    if not principal.has_any(*roles):
        raise Forbidden("this action needs one of the roles: " + ", ".join(sorted(roles)))
    return principal
