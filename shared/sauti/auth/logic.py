"""What the Auth & users module does, as plain functions (the HTTP handler and other modules call these)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import redis

from sauti import paging
from sauti.auth import access, normalize, onetime, passwords, ratelimit, sessions, store
from sauti.auth.directory import public_user
from sauti.auth.errors import (
    AccountSuspended,
    AccountUnavailable,
    EmailAlreadyVerified,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidToken,
)
from sauti.billing.entitlements import entitlements_for
from sauti.config import config
from sauti.db import Row, transaction
from sauti.errors import NotFound, RateLimited, ValidationFailed
from sauti.ids import canonical_id
from sauti.observability import logger
from sauti.principal import ALL_ROLES

RESET = "reset"
VERIFY = "verify"
SESSIONS_PAGE, SESSIONS_PAGE_MAX = sessions.MAX_SESSIONS_PER_USER, 100


@dataclass(frozen=True)
class Client:
    """Who is asking: client address and device, for throttling and the sessions list."""

    address: str
    user_agent: str | None = None
    platform: str | None = None
    device_name: str | None = None

    def device(self) -> sessions.Device:
        return sessions.Device(
            self.user_agent, self.platform or guess_platform(self.user_agent), self.device_name
        )


def guess_platform(user_agent: str | None) -> str | None:
    agent = (user_agent or "").lower()
    if any(word in agent for word in ("iphone", "ipad", "ios", "cfnetwork")):
        return "ios"
    if "android" in agent or "okhttp" in agent:
        return "android"
    if "mozilla" in agent:
        return "web"
    return None


# Argon2 and the token signer (PyJWT, cryptography) are the slowest imports of the auth function: loaded
# on first use, so a cold start that serves /me or the sessions list never pays for them.


def _hashing() -> ModuleType:
    """Password hashing (argon2-cffi): sign-up, login and reset."""
    from sauti.auth import hashing

    return hashing


def _signer() -> ModuleType:
    """The access-token signer (PyJWT, cryptography): tokens and the published keys."""
    from sauti import tokens

    return tokens


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def _tokens(user: Row, session_id: str, refresh_token: str) -> dict[str, Any]:
    access_token, lifetime = _signer().issue_access_token(
        str(user["id"]), list(user["roles"]), session_id=session_id
    )
    return {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": lifetime,
    }


def _signed_in(user: Row, client: Client) -> dict[str, Any]:
    session_id, refresh_token = sessions.start(str(user["id"]), client.device())
    return {"user": public_user(user), **_tokens(user, session_id, refresh_token)}


def _notify(
    type_: str, user: Row | None, data: dict[str, Any], channels: tuple[str, ...] = ("email",)
) -> None:
    """Queue an email. A queue failure is logged, not shown: the answer must not depend on it.

    Without a user the message names no recipient and the notifications worker sends nothing.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    from sauti.notify import publish_notification

    try:
        publish_notification(
            type_,
            user_id=str(user["id"]) if user else None,
            email=user["email"] if user else None,
            data={"display_name": user["display_name"], **data} if user else {},
            channels=channels,
        )
    except (BotoCoreError, ClientError):
        logger.exception("could not queue an auth email", extra={"type": type_})


def _link(page: str, token: str) -> str:
    return f"{config().get('AUTH_LINK_BASE_URL').rstrip('/')}/{page}?{urlencode({'token': token})}"


# -- accounts --------------------------------------------------------------------------------------


def signup(email: str, password: str, display_name: str, client: Client) -> dict[str, Any]:
    """Create an account and sign it in; email, name and password arrive normalised."""
    ratelimit.take((ratelimit.SIGNUPS_PER_ACCOUNT, email), (ratelimit.signups_per_address(), client.address))
    passwords.check_password(password, context=(email, display_name))
    password_hash = _hashing().hash_password(password)
    with transaction():  # no account without its first session, and no session without its account
        user = store.insert_user(email, display_name, password_hash)
        session_id, refresh_token = sessions.start(str(user["id"]), client.device())
    try:
        _send_verification(user)
    except redis.RedisError:  # the account exists: answer it; /auth/email/verify/resend sends the link
        logger.exception("verification link not issued at sign-up", extra={"user_id": str(user["id"])})
    return {"user": public_user(user), **_tokens(user, session_id, refresh_token)}


def login(email: str, password: str, client: Client) -> dict[str, Any]:
    """Sign in. Unknown emails and wrong passwords cost the same: one Argon2 check each."""
    try:
        normalised: str | None = normalize.email(email)
    except ValueError:
        normalised = None
    account = normalised or email.strip().lower()
    limits = (
        (ratelimit.LOGIN_FAILURES_PER_ACCOUNT, account),
        (ratelimit.login_failures_per_address(), client.address),
    )
    ratelimit.take(*limits)  # counted as a failure until the password proves otherwise
    user = store.user_by_email(normalised) if normalised else None
    hashing = _hashing()
    if not hashing.verify_password(user["password_hash"] if user else None, password) or user is None:
        raise InvalidCredentials("the email or the password is wrong")
    ratelimit.give_back(*limits)
    if user["suspended_at"] is not None:
        raise AccountSuspended("this account is suspended")
    ratelimit.reset(*limits[0])
    if hashing.needs_rehash(user["password_hash"]):
        store.replace_password_hash(str(user["id"]), user["password_hash"], hashing.hash_password(password))
    device = client.device()
    user_agent = normalize.user_agent(device.user_agent)  # as sessions store it
    known = store.knows_device(str(user["id"]), user_agent, device.platform, device.device_name)
    store.prune_sessions(str(user["id"]))  # after: ended sessions still tell which devices are known
    signed_in = _signed_in(user, client)
    if not known:  # security topic: a sign-in from a device this account never used
        described = device.device_name or (user_agent or "")[:80] or device.platform or "a new device"
        _notify("auth.new_sign_in", user, {"device": described}, channels=("email", "push"))
    return signed_in


def refresh(refresh_token: str) -> dict[str, Any]:
    """New access and refresh tokens for a current refresh token (the old one stops working)."""
    session = sessions.find(refresh_token)
    if session is None:
        raise InvalidRefreshToken("unknown or expired refresh token")
    user = store.user_by_id(session.user_id)
    if user is None or user["suspended_at"] is not None:
        sessions.revoke(session.user_id, session.id)
        if user is None:
            raise InvalidRefreshToken("this account no longer exists")
        raise AccountSuspended("this account is suspended")
    new_refresh_token = sessions.rotate(session)
    return _tokens(user, session.id, new_refresh_token)


def logout(refresh_token: str) -> None:
    """End the session the token belongs to; an unknown token is already logged out."""
    session = sessions.find(refresh_token)
    if session is not None:
        sessions.revoke(session.user_id, session.id)


def _live_user(user_id: str) -> Row:
    user = store.user_by_id(user_id)
    if user is None:
        raise AccountUnavailable("this account no longer exists")
    return user


def profile(user_id: str) -> dict[str, Any]:
    """The caller's account with roles, plan, entitlements and subscription (GET /me)."""
    user = _live_user(user_id)
    entitlements = entitlements_for(user_id)
    return {
        **public_user(user),
        "roles": sorted(user["roles"]),
        "email_verified": user["email_verified_at"] is not None,
        "created_at": iso(user["created_at"]),
        "plan": entitlements.plan,
        "entitlements": entitlements.flags(),
        "subscription": entitlements.subscription,
    }


def update_profile(user_id: str, display_name: str) -> dict[str, Any]:
    if store.set_display_name(user_id, display_name) is None:
        raise AccountUnavailable("this account no longer exists")
    return profile(user_id)


def delete_account(user_id: str) -> None:
    """Anonymise the account, end its sessions and refuse its tokens at once, then tell every module that
    holds personal data (``user.deleted``). docs/auth.md says what is kept."""
    with transaction():
        deleted_at = store.anonymise_user(user_id)
        if deleted_at is None:
            raise AccountUnavailable("this account no longer exists")
        ended = store.delete_sessions(user_id)
        access.block(user_id, access.DELETED)  # last: if Redis refuses, nothing is deleted (503)
    sessions.uncache(ended)
    publish_deletion(user_id, deleted_at)


# The event id of an account's user.deleted: the same at every publication, so consumers can deduplicate.
DELETION_EVENTS = uuid.UUID("5a0d1e7e-5e1f-4c2b-9d7a-3c6f0b1e2d4a")
DELETION_REPUBLISH_AFTER = timedelta(minutes=5)  # leave a deletion in flight to its own request first
DELETION_BATCH = 500


def publish_deletion(user_id: str, deleted_at: datetime) -> bool:
    """Put ``user.deleted`` on the bus and record that it went; False (logged) when the bus refused it:
    the auth-deletions job publishes it again, with the same ``event_id``."""
    from botocore.exceptions import BotoCoreError, ClientError

    from sauti.events import publish_event

    detail = {
        "event_id": str(uuid.uuid5(DELETION_EVENTS, user_id)),
        "occurred_at": iso(deleted_at),
        "user_id": user_id,
    }
    try:
        publish_event("auth", "user.deleted", detail)
    except (BotoCoreError, ClientError, RuntimeError):
        logger.exception(
            "user.deleted not published; the auth-deletions job will", extra={"user_id": user_id}
        )
        return False
    store.mark_deletion_published(user_id)
    return True


def publish_pending_deletions(*, now: datetime | None = None) -> int:
    """The auth-deletions job: publish every ``user.deleted`` the bus has not taken yet; returns how many
    went."""
    now = now or datetime.now(UTC)
    pending = store.unpublished_deletions(now - DELETION_REPUBLISH_AFTER, DELETION_BATCH)
    return sum(publish_deletion(str(row["id"]), row["deleted_at"]) for row in pending)


# -- sessions --------------------------------------------------------------------------------------


def list_sessions(
    user_id: str, current_session_id: str | None, *, limit: int = SESSIONS_PAGE, cursor: str | None = None
) -> dict[str, Any]:
    """The caller's live sessions, most recently used first, a page at a time."""

    def view(row: Row) -> dict[str, Any]:
        return {
            "id": str(row["id"]),
            "device": {
                "platform": row["platform"],
                "name": row["device_name"],
                "user_agent": row["user_agent"],
            },
            "created_at": iso(row["created_at"]),
            "last_used_at": iso(row["last_used_at"]),
            "expires_at": iso(min(row["idle_expires_at"], row["expires_at"])),
            "current": str(row["id"]) == current_session_id,
        }

    rows = sessions.live(user_id, limit + 1, paging.decode_cursor(cursor))
    return paging.page(rows, limit, view, lambda row: (row["last_used_at"], row["id"]))


def revoke_session(user_id: str, session_id: str) -> None:
    session_id = canonical_id(session_id) or ""
    if not session_id or not sessions.revoke(user_id, session_id):
        raise NotFound("no such session")


def revoke_all_sessions(user_id: str, *, keep_session_id: str | None = None) -> None:
    sessions.revoke_all(user_id, keep=keep_session_id)


# -- password reset and email verification ---------------------------------------------------------


def request_password_reset(email: str, client: Client) -> None:
    """Email a reset link if the account exists; the caller answers 202 either way.

    Known and unknown emails do the same work (a user lookup, a Redis write, a queued
    message); for an unknown, deleted or suspended account the token grants nothing and
    the message names no recipient. Requests over the limit are dropped, also silently.
    """
    try:
        ratelimit.take(
            (ratelimit.EMAILS_PER_ACCOUNT, email), (ratelimit.emails_per_address(), client.address)
        )
    except RateLimited:
        logger.info("password reset request over the limit: dropped")
        return
    user = store.user_by_email(email)
    if user is not None and (user["deleted_at"] is not None or user["suspended_at"] is not None):
        user = None
    ttl = config().int("PASSWORD_RESET_TTL_SECONDS")
    grants = {"user_id": str(user["id"]), "stamp": iso(user["password_changed_at"])} if user else {}
    token = onetime.issue(RESET, grants, ttl)
    expires_at = datetime.now(UTC) + timedelta(seconds=ttl)
    data = {"token": token, "link": _link("reset-password", token), "expires_at": iso(expires_at)}
    _notify("auth.password_reset", user, data)


def reset_password(token: str, new_password: str) -> None:
    """Set a new password from a reset link (single use) and end every session of the account."""
    grant = onetime.peek(RESET, token)
    user = store.user_by_id(grant["user_id"]) if grant else None
    # A link dies when the password changes, whichever link or route changed it.
    if user is None or grant is None or grant["stamp"] != iso(user["password_changed_at"]):
        raise InvalidToken("this reset link is invalid, expired or already used")
    passwords.check_password(new_password, context=(user["email"], user["display_name"]))
    password_hash = _hashing().hash_password(new_password)
    # The new password and the end of every session commit together or not at all.
    with transaction():
        if not store.set_password(str(user["id"]), password_hash, user["password_changed_at"]):
            raise InvalidToken("this reset link is invalid, expired or already used")
        ended = store.revoke_sessions(str(user["id"]))
    sessions.uncache(ended)
    try:
        onetime.consume(RESET, token)  # tidiness: the password change already killed the link
    except redis.RedisError:
        logger.warning("used reset link left in Redis (dead: its password stamp is gone)")
    _notify("auth.password_changed", user, {}, channels=("email", "push"))


def _send_verification(user: Row) -> None:
    ttl = config().int("EMAIL_VERIFICATION_TTL_SECONDS")
    token = onetime.issue(VERIFY, {"user_id": str(user["id"]), "email": user["email"]}, ttl)
    expires_at = datetime.now(UTC) + timedelta(seconds=ttl)
    _notify(
        "auth.email_verification",
        user,
        {"token": token, "link": _link("verify-email", token), "expires_at": iso(expires_at)},
    )


def resend_verification(user_id: str, client: Client) -> None:
    user = _live_user(user_id)
    if user["email_verified_at"] is not None:
        raise EmailAlreadyVerified("this email address is already verified")
    ratelimit.take(
        (ratelimit.EMAILS_PER_ACCOUNT, user["email"]), (ratelimit.emails_per_address(), client.address)
    )
    _send_verification(user)


def verify_email(token: str) -> None:
    grant = onetime.consume(VERIFY, token)
    if grant is None or not store.mark_email_verified(grant["user_id"], grant["email"]):
        raise InvalidToken("this verification link is invalid, expired or already used")


# -- roles and suspension (the `sauti grant-role` command and the admin module) -------------------


def _check_role(role: str) -> None:
    if role not in ALL_ROLES:
        raise ValidationFailed(f"unknown role {role!r}; roles: {', '.join(sorted(ALL_ROLES))}")


def grant_role(email: str, role: str) -> dict[str, Any]:
    """Give the user with this email a role; it reaches their tokens at their next refresh."""
    _check_role(role)
    user = store.add_role(normalize.email(email), role)
    if user is None:
        raise NotFound(f"no account with the email {email}")
    return {**public_user(user), "roles": sorted(user["roles"])}


def revoke_role(email: str, role: str) -> dict[str, Any]:
    _check_role(role)
    user = store.remove_role(normalize.email(email), role)
    if user is None:
        raise NotFound(f"no account with the email {email}")
    return {**public_user(user), "roles": sorted(user["roles"])}


def suspend_user(user_id: str) -> None:
    """Suspend an account: no login, no refresh, every session ended, and every access token refused
    at once (403 ``account_suspended``)."""
    user_id = canonical_id(user_id) or ""
    with transaction():
        if not user_id or not store.set_suspended(user_id, True):
            raise NotFound("no such user")
        ended = store.revoke_sessions(user_id)
        access.block(user_id, access.SUSPENDED)  # last: if Redis refuses, nothing is suspended (503)
    sessions.uncache(ended)


def unsuspend_user(user_id: str) -> None:
    """Lift a suspension: the account may log in again; tokens from before the suspension stay dead."""
    user_id = canonical_id(user_id) or ""
    with transaction():
        if not user_id or not store.set_suspended(user_id, False):
            raise NotFound("no such user")
        access.unblock_suspension(user_id)


# -- the published keys ------------------------------------------------------------------------------


def published_keys() -> dict[str, Any]:
    """The JWKS: the public half of every signing key, current or not (docs/auth.md, rotation)."""
    return _signer().key_set().jwks()


def openid_configuration() -> dict[str, Any]:
    issuer = config().get("JWT_ISSUER").rstrip("/")
    return {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "id_token_signing_alg_values_supported": [_signer().ALGORITHM],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
    }
