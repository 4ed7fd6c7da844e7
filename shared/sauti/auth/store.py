"""The module's SQL: the ``users`` and ``auth_sessions`` tables, and nothing else."""

from __future__ import annotations

from datetime import datetime

import psycopg

from sauti.auth.errors import EmailTaken
from sauti.db import Row, fetch_all, fetch_one, transaction

USER_COLUMNS = """id, email, display_name, password_hash, roles, email_verified_at, password_changed_at,
                  suspended_at, created_at, deleted_at"""


# -- users -----------------------------------------------------------------------------------------


def insert_user(email: str, display_name: str, password_hash: str) -> Row:
    try:
        with transaction() as conn:
            row = conn.execute(
                f"""INSERT INTO users (email, display_name, password_hash, password_changed_at)
                    VALUES (%s, %s, %s, now()) RETURNING {USER_COLUMNS}""",
                (email, display_name, password_hash),
            ).fetchone()
    except psycopg.errors.UniqueViolation as exc:
        raise EmailTaken("an account with this email already exists") from exc
    assert row is not None
    return row


def user_by_email(email: str) -> Row | None:
    return fetch_one(f"SELECT {USER_COLUMNS} FROM users WHERE email = %s", (email,))


def user_by_id(user_id: str) -> Row | None:
    return fetch_one(f"SELECT {USER_COLUMNS} FROM users WHERE id = %s AND deleted_at IS NULL", (user_id,))


def account_state(user_id: str) -> str | None:
    """``deleted``, ``suspended`` or None (live, or no such account)."""
    row = fetch_one(
        """SELECT CASE WHEN deleted_at IS NOT NULL THEN 'deleted'
                       WHEN suspended_at IS NOT NULL THEN 'suspended' END AS state
           FROM users WHERE id = %s""",
        (user_id,),
    )
    return row["state"] if row else None


def replace_password_hash(user_id: str, old_hash: str, new_hash: str) -> None:
    """Re-hash with current parameters; a concurrent password change wins."""
    fetch_one(
        "UPDATE users SET password_hash = %s WHERE id = %s AND password_hash = %s RETURNING id",
        (new_hash, user_id, old_hash),
    )


def set_password(user_id: str, password_hash: str, changed_at: datetime | None) -> bool:
    """A new password from a reset link, which also proves the email address.

    Only if the password is still the one of ``changed_at`` (the link's): of two links
    used at once, one wins.
    """
    row = fetch_one(
        """UPDATE users SET password_hash = %s, password_changed_at = now(), updated_at = now(),
                            email_verified_at = coalesce(email_verified_at, now())
           WHERE id = %s AND deleted_at IS NULL AND password_changed_at IS NOT DISTINCT FROM %s
           RETURNING id""",
        (password_hash, user_id, changed_at),
    )
    return row is not None


def set_display_name(user_id: str, display_name: str) -> Row | None:
    return fetch_one(
        f"""UPDATE users SET display_name = %s, updated_at = now()
            WHERE id = %s AND deleted_at IS NULL RETURNING {USER_COLUMNS}""",
        (display_name, user_id),
    )


def mark_email_verified(user_id: str, email: str) -> bool:
    row = fetch_one(
        """UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
           WHERE id = %s AND email = %s AND deleted_at IS NULL RETURNING id""",
        (user_id, email),
    )
    return row is not None


def anonymise_user(user_id: str) -> datetime | None:
    """Remove the personal data; the row (its id) stays for what other modules keep for accounting.
    Returns when the account was deleted; None when there was no live account."""
    row = fetch_one(
        """UPDATE users SET email = NULL, display_name = 'Deleted user', password_hash = NULL, roles = '{}',
                            email_verified_at = NULL, updated_at = now(), deleted_at = now()
           WHERE id = %s AND deleted_at IS NULL RETURNING deleted_at""",
        (user_id,),
    )
    return row["deleted_at"] if row else None


def mark_deletion_published(user_id: str) -> None:
    fetch_one("UPDATE users SET deletion_published_at = now() WHERE id = %s RETURNING id", (user_id,))


def unpublished_deletions(deleted_before: datetime, limit: int) -> list[Row]:
    """Deleted accounts whose user.deleted the bus has not taken yet, oldest first."""
    return fetch_all(
        """SELECT id, deleted_at FROM users
           WHERE deleted_at IS NOT NULL AND deletion_published_at IS NULL AND deleted_at < %s
           ORDER BY deleted_at LIMIT %s""",
        (deleted_before, limit),
    )


def add_role(email: str, role: str) -> Row | None:
    return fetch_one(
        f"""UPDATE users SET roles = ARRAY(SELECT DISTINCT unnest(roles || ARRAY[%s]) ORDER BY 1),
                             updated_at = now()
            WHERE email = %s AND deleted_at IS NULL RETURNING {USER_COLUMNS}""",
        (role, email),
    )


def remove_role(email: str, role: str) -> Row | None:
    return fetch_one(
        f"""UPDATE users SET roles = array_remove(roles, %s), updated_at = now()
            WHERE email = %s AND deleted_at IS NULL RETURNING {USER_COLUMNS}""",
        (role, email),
    )


def set_suspended(user_id: str, suspended: bool) -> bool:
    row = fetch_one(
        """UPDATE users SET suspended_at = CASE WHEN %s THEN coalesce(suspended_at, now()) END,
                            updated_at = now()
           WHERE id = %s AND deleted_at IS NULL RETURNING id""",
        (suspended, user_id),
    )
    return row is not None


# -- sessions (the durable copy; Redis holds the live state) -------------------------------------

SESSION_COLUMNS = """id, user_id, family_hash, secret_hash, user_agent, platform, device_name, created_at,
                     last_used_at, idle_expires_at, expires_at"""


def insert_session(session: dict) -> None:
    fetch_one(
        """INSERT INTO auth_sessions (id, user_id, family_hash, secret_hash, user_agent, platform,
                                      device_name, created_at, last_used_at, idle_expires_at, expires_at)
           VALUES (%(id)s, %(user_id)s, %(family_hash)s, %(secret_hash)s, %(user_agent)s, %(platform)s,
                   %(device_name)s, %(created_at)s, %(last_used_at)s, %(idle_expires_at)s, %(expires_at)s)
           RETURNING id""",
        session,
    )


def live_session_by_family(family_hash: str) -> Row | None:
    return fetch_one(
        f"""SELECT {SESSION_COLUMNS} FROM auth_sessions
            WHERE family_hash = %s AND revoked_at IS NULL
              AND idle_expires_at > now() AND expires_at > now()""",
        (family_hash,),
    )


def rotate_session(
    session_id: str, presented_hash: str, secret_hash: str, used_at: datetime, idle_expires_at: datetime
) -> Row | None:
    """Compare-and-set of the current secret of a live session; None if the presented one is not it
    (already rotated, or the session ended). Two rotations of one token: only one matches."""
    return fetch_one(
        f"""UPDATE auth_sessions SET secret_hash = %s, last_used_at = %s, idle_expires_at = %s
            WHERE id = %s AND secret_hash = %s AND revoked_at IS NULL
              AND idle_expires_at > now() AND expires_at > now()
            RETURNING {SESSION_COLUMNS}""",
        (secret_hash, used_at, idle_expires_at, session_id, presented_hash),
    )


def knows_device(user_id: str, user_agent: str | None, platform: str | None, device_name: str | None) -> bool:
    """Whether the user ever had a session (live or ended) from this device."""
    row = fetch_one(
        """SELECT 1 FROM auth_sessions WHERE user_id = %s AND user_agent IS NOT DISTINCT FROM %s
              AND platform IS NOT DISTINCT FROM %s AND device_name IS NOT DISTINCT FROM %s LIMIT 1""",
        (user_id, user_agent, platform, device_name),
    )
    return row is not None


def revoke_sessions(user_id: str, *, session_id: str | None = None, keep: str | None = None) -> list[Row]:
    """Revoke one (``session_id``) or all of a user's sessions, optionally keeping one; returns them."""
    return fetch_all(
        """UPDATE auth_sessions SET revoked_at = now()
           WHERE user_id = %s AND revoked_at IS NULL
             AND (%s::uuid IS NULL OR id = %s::uuid) AND (%s::uuid IS NULL OR id <> %s::uuid)
           RETURNING id, family_hash""",
        (user_id, session_id, session_id, keep, keep),
    )


def live_sessions(user_id: str, limit: int, after: tuple[datetime, str] | None = None) -> list[Row]:
    """A page of the user's live sessions, most recently used first, after ``(last_used_at, id)``."""
    last_used_at, session_id = after or (None, None)
    return fetch_all(
        f"""SELECT {SESSION_COLUMNS} FROM auth_sessions
            WHERE user_id = %s AND revoked_at IS NULL AND idle_expires_at > now() AND expires_at > now()
              AND (%s::timestamptz IS NULL OR (last_used_at, id) < (%s::timestamptz, %s::uuid))
            ORDER BY last_used_at DESC, id DESC LIMIT %s""",
        (user_id, last_used_at, last_used_at, session_id, limit),
    )


def revoke_sessions_beyond(user_id: str, keep: int) -> list[Row]:
    """Revoke the user's live sessions beyond the ``keep`` most recently used; returns them."""
    return fetch_all(
        """UPDATE auth_sessions SET revoked_at = now()
           WHERE id IN (SELECT id FROM auth_sessions
                        WHERE user_id = %s AND revoked_at IS NULL
                          AND idle_expires_at > now() AND expires_at > now()
                        ORDER BY last_used_at DESC, created_at DESC, id DESC OFFSET %s)
           RETURNING id, family_hash""",
        (user_id, keep),
    )


def prune_sessions(user_id: str) -> None:
    """Forget a user's ended sessions (revoked or expired); called at each login."""
    fetch_all(
        """DELETE FROM auth_sessions WHERE user_id = %s
             AND (revoked_at IS NOT NULL OR least(idle_expires_at, expires_at) < now())
           RETURNING id""",
        (user_id,),
    )


def delete_sessions(user_id: str) -> list[Row]:
    """Remove every session record of a deleted account (they hold device metadata)."""
    return fetch_all("DELETE FROM auth_sessions WHERE user_id = %s RETURNING id, family_hash", (user_id,))
