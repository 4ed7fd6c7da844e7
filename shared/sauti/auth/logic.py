"""What the Auth & users module does, as plain functions (the HTTP handler and other modules call these)."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import redis
from psycopg import Connection

from sauti import clock, paging
from sauti.auth import access, devicekeys, normalize, onetime, passwords, ratelimit, sessions, store
from sauti.auth.directory import public_user
from sauti.auth.errors import (
    AccountSuspended,
    AccountUnavailable,
    EmailAlreadyVerified,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidToken,
    LastSuperAdmin,
)
from sauti.auth.settings import AuthSettings
from sauti.billing.public import entitlements_for
from sauti.core_settings import TokenSettings
from sauti.db import Row, transaction
from sauti.errors import NotFound, RateLimited, ValidationFailed
from sauti.ids import canonical_id
from sauti.observability import count, logger
from sauti.principal import ALL_ROLES, SUPER_ADMIN
from sauti.settings import settings

RESET = "reset"
VERIFY = "verify"
SESSIONS_PAGE = sessions.MAX_SESSIONS_PER_USER


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


def _tokens(user: Row, session_id: str, refresh_token: str) -> dict[str, Any]:
    access_token, lifetime = _signer().issue_access_token(
        str(user["id"]), list(user["roles"]), session_id=session_id
    )
    access.remember_roles(str(user["id"]), user["roles"])
    return {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": lifetime,
    }


def _signed_in(user: Row, client: Client) -> dict[str, Any]:
    with transaction() as conn:
        session_id, refresh_token = sessions.start(conn, str(user["id"]), client.device())
    return {
        "user": public_user(user),
        **_tokens(user, session_id, refresh_token),
        "device_key": devicekeys.issue(str(user["email"])),
    }


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
    return f"{settings(AuthSettings).auth_link_base_url.rstrip('/')}/{page}?{urlencode({'token': token})}"


# -- accounts --------------------------------------------------------------------------------------


def signup(email: str, password: str, display_name: str, client: Client) -> dict[str, Any]:
    """Create an account and sign it in; email, name and password arrive normalised."""
    ratelimit.take((ratelimit.SIGNUPS_PER_ACCOUNT, email), (ratelimit.signups_per_address(), client.address))
    passwords.check_password(password, context=(email, display_name))
    password_hash = _hashing().hash_password(password)
    with transaction() as conn:  # no account without its first session, and no session without its account
        user = store.insert_user(conn, email, display_name, password_hash)
        session_id, refresh_token = sessions.start(conn, str(user["id"]), client.device())
    count("SignUps")
    try:
        _send_verification(user)
    except redis.RedisError:  # the account exists: answer it; /auth/email/verify/resend sends the link
        logger.exception("verification link not issued at sign-up", extra={"user_id": str(user["id"])})
    return {
        "user": public_user(user),
        **_tokens(user, session_id, refresh_token),
        "device_key": devicekeys.issue(email),
    }


def login(
    email: str,
    password: str,
    client: Client,
    *,
    device_key: str | None = None,
    verify: Callable[[str | None, str], bool] | None = None,
) -> dict[str, Any]:
    """Sign in. Unknown emails and wrong passwords cost the same: one Argon2 check each (``verify``,
    Argon2's check by default, is handed in by a test that counts the checks). Failures count per
    address and account pair and per account; a device key of this account counts per key only."""
    try:
        normalised: str | None = normalize.email(email)
    except ValueError:
        normalised = None
    account = normalised or email.strip().lower()
    limits: tuple[tuple[ratelimit.Limit, str], ...] = (
        (ratelimit.LOGIN_FAILURES_PER_PAIR, f"{client.address} {account}"),
        (ratelimit.login_failures_per_account(), account),
        (ratelimit.login_failures_per_address(), client.address),
    )
    if device_key and devicekeys.belongs_to(device_key, account):
        limits = ((ratelimit.LOGIN_FAILURES_PER_DEVICE, device_key),)
    ratelimit.take(*limits)  # counted as a failure until the password proves otherwise
    with transaction() as conn:
        user = store.user_by_email(conn, normalised) if normalised else None
    hashing = _hashing()
    check = verify or hashing.verify_password
    if not check(user["password_hash"] if user else None, password) or user is None:
        count("LoginFailures")
        raise InvalidCredentials("the email or the password is wrong")
    ratelimit.give_back(*limits)
    if user["suspended_at"] is not None:
        raise AccountSuspended("this account is suspended")
    ratelimit.reset(*limits[0])
    new_hash = hashing.hash_password(password) if hashing.needs_rehash(user["password_hash"]) else None
    device = client.device()
    user_agent = normalize.user_agent(device.user_agent)  # as sessions store it
    with transaction() as conn:
        if new_hash is not None:
            store.replace_password_hash(conn, str(user["id"]), user["password_hash"], new_hash)
        known = store.knows_device(conn, str(user["id"]), user_agent, device.platform, device.device_name)
        store.prune_sessions(
            conn, str(user["id"])
        )  # after: ended sessions still tell which devices are known
    signed_in = _signed_in(user, client)
    count("Logins")
    if not known:  # security topic: a sign-in from a device this account never used
        described = device.device_name or (user_agent or "")[:80] or device.platform or "a new device"
        _notify("auth.new_sign_in", user, {"device": described}, channels=("email", "push"))
    return signed_in


def refresh(refresh_token: str) -> dict[str, Any]:
    """New access and refresh tokens for a current refresh token (the old one stops working)."""
    session = sessions.find(refresh_token)
    if session is None:
        raise InvalidRefreshToken("unknown or expired refresh token")
    with transaction() as conn:
        user = store.user_by_id(conn, session.user_id)
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
    with transaction() as conn:
        user = store.user_by_id(conn, user_id)
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
        "created_at": clock.iso(user["created_at"]),
        "plan": entitlements.plan,
        "entitlements": entitlements.flags(),
        "subscription": entitlements.subscription,
    }


def update_profile(user_id: str, display_name: str) -> dict[str, Any]:
    with transaction() as conn:
        changed = store.set_display_name(conn, user_id, display_name)
    if changed is None:
        raise AccountUnavailable("this account no longer exists")
    return profile(user_id)


def delete_account(user_id: str) -> None:
    """Anonymise the account, end its sessions and refuse its tokens at once, then tell every module that
    holds personal data (``user.deleted``). docs/auth.md says what is kept."""
    with transaction() as conn:
        _keep_a_super_admin(conn, user_id)
        deleted_at = store.anonymise_user(conn, user_id)
        if deleted_at is None:
            raise AccountUnavailable("this account no longer exists")
        ended = store.delete_sessions(conn, user_id)
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
        "occurred_at": clock.iso(deleted_at),
        "user_id": user_id,
    }
    try:
        publish_event("auth", "user.deleted", detail)
    except (BotoCoreError, ClientError, RuntimeError):
        logger.exception(
            "user.deleted not published; the auth-deletions job will", extra={"user_id": user_id}
        )
        return False
    with transaction() as conn:
        store.mark_deletion_published(conn, user_id)
    return True


def publish_pending_deletions(*, now: datetime | None = None) -> int:
    """The auth-deletions job: publish every ``user.deleted`` the bus has not taken yet; returns how many
    went."""
    now = now or clock.now()
    with transaction() as conn:
        pending = store.unpublished_deletions(conn, now - DELETION_REPUBLISH_AFTER, DELETION_BATCH)
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
            "created_at": clock.iso(row["created_at"]),
            "last_used_at": clock.iso(row["last_used_at"]),
            "expires_at": clock.iso(min(row["idle_expires_at"], row["expires_at"])),
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
    with transaction() as conn:
        user = store.user_by_email(conn, email)
    if user is not None and (user["deleted_at"] is not None or user["suspended_at"] is not None):
        user = None
    ttl = settings(AuthSettings).password_reset_ttl_seconds
    grants = {"user_id": str(user["id"]), "stamp": clock.iso(user["password_changed_at"])} if user else {}
    token = onetime.issue(RESET, grants, ttl)
    expires_at = clock.now() + timedelta(seconds=ttl)
    data = {"token": token, "link": _link("reset-password", token), "expires_at": clock.iso(expires_at)}
    _notify("auth.password_reset", user, data)


def reset_password(token: str, new_password: str) -> None:
    """Set a new password from a reset link (single use) and end every session of the account."""
    grant = onetime.peek(RESET, token)
    with transaction() as conn:
        user = store.user_by_id(conn, grant["user_id"]) if grant else None
    # A link dies when the password changes, whichever link or route changed it.
    if user is None or grant is None or grant["stamp"] != clock.iso(user["password_changed_at"]):
        raise InvalidToken("this reset link is invalid, expired or already used")
    passwords.check_password(new_password, context=(user["email"], user["display_name"]))
    password_hash = _hashing().hash_password(new_password)
    # The new password and the end of every session commit together or not at all.
    with transaction() as conn:
        if not store.set_password(conn, str(user["id"]), password_hash, user["password_changed_at"]):
            raise InvalidToken("this reset link is invalid, expired or already used")
        ended = store.revoke_sessions(conn, str(user["id"]))
    sessions.uncache(ended)
    try:
        onetime.consume(RESET, token)  # tidiness: the password change already killed the link
    except redis.RedisError:
        logger.warning("used reset link left in Redis (dead: its password stamp is gone)")
    _notify("auth.password_changed", user, {}, channels=("email", "push"))


def _send_verification(user: Row) -> None:
    ttl = settings(AuthSettings).email_verification_ttl_seconds
    token = onetime.issue(VERIFY, {"user_id": str(user["id"]), "email": user["email"]}, ttl)
    expires_at = clock.now() + timedelta(seconds=ttl)
    _notify(
        "auth.email_verification",
        user,
        {"token": token, "link": _link("verify-email", token), "expires_at": clock.iso(expires_at)},
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
    if grant is None:
        raise InvalidToken("this verification link is invalid, expired or already used")
    with transaction() as conn:
        verified = store.mark_email_verified(conn, grant["user_id"], grant["email"])
    if not verified:
        raise InvalidToken("this verification link is invalid, expired or already used")


# -- roles and suspension (the `sauti grant-role` command and the admin module) -------------------


def _check_role(role: str) -> None:
    if role not in ALL_ROLES:
        raise ValidationFailed(f"unknown role {role!r}; roles: {', '.join(sorted(ALL_ROLES))}")


def grant_role(email: str, role: str) -> dict[str, Any]:
    """Give the user with this email a role; it reaches their tokens at their next refresh."""
    _check_role(role)
    with transaction() as conn:
        user = store.add_role(conn, normalize.email(email), role)
        if user is not None:
            access.set_roles(str(user["id"]), user["roles"])
    if user is None:
        raise NotFound(f"no account with the email {email}")
    return {**public_user(user), "roles": sorted(user["roles"])}


def revoke_role(email: str, role: str) -> dict[str, Any]:
    _check_role(role)
    with transaction() as conn:
        found = store.user_by_email(conn, normalize.email(email))
        if found is not None and role == SUPER_ADMIN:
            _keep_a_super_admin(conn, str(found["id"]))
        user = store.remove_role(conn, normalize.email(email), role)
        if user is not None:
            access.set_roles(str(user["id"]), user["roles"])
    if user is None:
        raise NotFound(f"no account with the email {email}")
    return {**public_user(user), "roles": sorted(user["roles"])}


def _keep_a_super_admin(conn: Connection[Row], user_id: str) -> None:
    """409 if ``user_id`` is the only active (live, unsuspended) super admin: they are never
    suspended, deleted or demoted. The super admins are locked first, so two such changes cannot
    both pass the check."""
    if store.active_super_admins(conn) == [user_id]:
        raise LastSuperAdmin("the last super admin stays; make someone else super admin first")


def suspend_user(user_id: str) -> None:
    """Suspend an account: no login, no refresh, every session ended, and every access token refused
    at once (403 ``account_suspended``)."""
    user_id = canonical_id(user_id) or ""
    with transaction() as conn:
        if user_id:
            _keep_a_super_admin(conn, user_id)
        if not user_id or not store.set_suspended(conn, user_id, True):
            raise NotFound("no such user")
        ended = store.revoke_sessions(conn, user_id)
        access.block(user_id, access.SUSPENDED)  # last: if Redis refuses, nothing is suspended (503)
    sessions.uncache(ended)


def unsuspend_user(user_id: str) -> None:
    """Lift a suspension: the account may log in again; tokens from before the suspension stay dead."""
    user_id = canonical_id(user_id) or ""
    with transaction() as conn:
        if not user_id or not store.set_suspended(conn, user_id, False):
            raise NotFound("no such user")
        access.unblock_suspension(user_id)


# -- the published keys ------------------------------------------------------------------------------


def published_keys() -> dict[str, Any]:
    """The JWKS: the public half of every signing key, current or not (docs/auth.md, rotation)."""
    keys: dict[str, Any] = _signer().key_set().jwks()
    return keys


def openid_configuration() -> dict[str, Any]:
    issuer = settings(TokenSettings).jwt_issuer.rstrip("/")
    return {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "id_token_signing_alg_values_supported": [_signer().ALGORITHM],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
    }


# -- for the admin module (docs/admin.md) ----------------------------------------------------------


def _admin_view(user: Row) -> dict[str, Any]:
    return {
        "id": str(user["id"]),
        "email": user["email"],
        "display_name": user["display_name"],
        "roles": sorted(user["roles"]),
        "suspended": user["suspended_at"] is not None,
        "created_at": user["created_at"],
    }


def list_users(email: str | None, role: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    """Live users, newest first; ``email`` is a prefix (a whole address or its start)."""
    prefix = None
    if email:
        prefix = unicodedata.normalize("NFKC", email).strip().lower()
        prefix = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")  # LIKE, literally
    after = paging.decode_cursor(cursor)
    with transaction() as conn:
        rows = store.users_page(conn, prefix, role, limit + 1, after)
    return paging.page(rows, limit, _admin_view, lambda row: (row["created_at"], row["id"]))


def user_for_admin(user_id: str) -> dict[str, Any] | None:
    """The user with roles and suspension; None when unknown, deleted or not an id."""
    key = canonical_id(user_id)
    if key is None:
        return None
    with transaction() as conn:
        user = store.admin_user(conn, key)
    return _admin_view(user) if user else None


def user_id_by_email(email: str) -> str | None:
    """The account of an address; None for no account, and for what cannot be an address."""
    try:
        address = normalize.email(email)
    except ValueError:
        return None
    with transaction() as conn:
        user = store.user_by_email(conn, address)
    return str(user["id"]) if user and user["deleted_at"] is None else None


def change_role(user_id: str, role: str, *, grant: bool) -> dict[str, Any] | None:
    """The user after; None if no such user. Removing the last active super admin's role is refused."""
    _check_role(role)
    key = canonical_id(user_id)
    if key is None:
        return None
    with transaction() as conn:
        if not grant and role == SUPER_ADMIN:
            _keep_a_super_admin(conn, key)
        user = store.change_role(conn, key, role, grant)
        if user is not None:
            access.set_roles(key, user["roles"])
    return None if user is None else _admin_view(user)
