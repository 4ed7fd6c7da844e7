"""The module's SQL: the ``users`` and ``auth_sessions`` tables, and nothing else. Every function takes
the caller's connection; the logic owns the transaction."""

from __future__ import annotations

from datetime import datetime

import psycopg
from psycopg import Connection

from sauti.auth.errors import EmailTaken
from sauti.db import Row

USER_COLUMNS = """id, email, display_name, password_hash, roles, email_verified_at, password_changed_at,
                  suspended_at, created_at, deleted_at"""


# -- users -----------------------------------------------------------------------------------------


def insert_user(conn: Connection[Row], email: str, display_name: str, password_hash: str) -> Row:
    try:
        row = conn.execute(
            f"""INSERT INTO users (email, display_name, password_hash, password_changed_at)
                VALUES (%s, %s, %s, now()) RETURNING {USER_COLUMNS}""",
            (email, display_name, password_hash),
        ).fetchone()
    except psycopg.errors.UniqueViolation as exc:
        raise EmailTaken("an account with this email already exists") from exc
    assert row is not None
    return row


def user_by_email(conn: Connection[Row], email: str) -> Row | None:
    return conn.execute(f"SELECT {USER_COLUMNS} FROM users WHERE email = %s", (email,)).fetchone()


def user_by_id(conn: Connection[Row], user_id: str) -> Row | None:
    return conn.execute(
        f"SELECT {USER_COLUMNS} FROM users WHERE id = %s AND deleted_at IS NULL", (user_id,)
    ).fetchone()


def access_row(conn: Connection[Row], user_id: str) -> Row | None:
    """What a request's token needs to know of its account: ``state`` (``deleted``, ``suspended`` or
    None) and ``roles``; None when there is no such account."""
    return conn.execute(
        """SELECT CASE WHEN deleted_at IS NOT NULL THEN 'deleted'
                       WHEN suspended_at IS NOT NULL THEN 'suspended' END AS state, roles
           FROM users WHERE id = %s""",
        (user_id,),
    ).fetchone()


def replace_password_hash(conn: Connection[Row], user_id: str, old_hash: str, new_hash: str) -> None:
    """Re-hash with current parameters; a concurrent password change wins."""
    conn.execute(
        "UPDATE users SET password_hash = %s WHERE id = %s AND password_hash = %s RETURNING id",
        (new_hash, user_id, old_hash),
    ).fetchone()


def set_password(
    conn: Connection[Row], user_id: str, password_hash: str, changed_at: datetime | None
) -> bool:
    """A new password from a reset link, which also proves the email address.

    Only if the password is still the one of ``changed_at`` (the link's): of two links
    used at once, one wins.
    """
    row = conn.execute(
        """UPDATE users SET password_hash = %s, password_changed_at = now(), updated_at = now(),
                            email_verified_at = coalesce(email_verified_at, now())
           WHERE id = %s AND deleted_at IS NULL AND password_changed_at IS NOT DISTINCT FROM %s
           RETURNING id""",
        (password_hash, user_id, changed_at),
    ).fetchone()
    return row is not None


def set_display_name(conn: Connection[Row], user_id: str, display_name: str) -> Row | None:
    return conn.execute(
        f"""UPDATE users SET display_name = %s, updated_at = now()
            WHERE id = %s AND deleted_at IS NULL RETURNING {USER_COLUMNS}""",
        (display_name, user_id),
    ).fetchone()


def mark_email_verified(conn: Connection[Row], user_id: str, email: str) -> bool:
    row = conn.execute(
        """UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
           WHERE id = %s AND email = %s AND deleted_at IS NULL RETURNING id""",
        (user_id, email),
    ).fetchone()
    return row is not None


def anonymise_user(conn: Connection[Row], user_id: str) -> datetime | None:
    """Remove the personal data; the row (its id) stays for what other modules keep for accounting.
    Returns when the account was deleted; None when there was no live account."""
    row = conn.execute(
        """UPDATE users SET email = NULL, display_name = 'Deleted user', password_hash = NULL, roles = '{}',
                            email_verified_at = NULL, updated_at = now(), deleted_at = now()
           WHERE id = %s AND deleted_at IS NULL RETURNING deleted_at""",
        (user_id,),
    ).fetchone()
    return row["deleted_at"] if row else None


def mark_deletion_published(conn: Connection[Row], user_id: str) -> None:
    conn.execute("UPDATE users SET deletion_published_at = now() WHERE id = %s", (user_id,))


def unpublished_deletions(conn: Connection[Row], deleted_before: datetime, limit: int) -> list[Row]:
    """Deleted accounts whose user.deleted the bus has not taken yet, oldest first."""
    return conn.execute(
        """SELECT id, deleted_at FROM users
           WHERE deleted_at IS NOT NULL AND deletion_published_at IS NULL AND deleted_at < %s
           ORDER BY deleted_at LIMIT %s""",
        (deleted_before, limit),
    ).fetchall()


def add_role(conn: Connection[Row], email: str, role: str) -> Row | None:
    return conn.execute(
        f"""UPDATE users SET roles = ARRAY(SELECT DISTINCT unnest(roles || ARRAY[%s]) ORDER BY 1),
                             updated_at = now()
            WHERE email = %s AND deleted_at IS NULL RETURNING {USER_COLUMNS}""",
        (role, email),
    ).fetchone()


def remove_role(conn: Connection[Row], email: str, role: str) -> Row | None:
    return conn.execute(
        f"""UPDATE users SET roles = array_remove(roles, %s), updated_at = now()
            WHERE email = %s AND deleted_at IS NULL RETURNING {USER_COLUMNS}""",
        (role, email),
    ).fetchone()


def set_suspended(conn: Connection[Row], user_id: str, suspended: bool) -> bool:
    row = conn.execute(
        """UPDATE users SET suspended_at = CASE WHEN %s THEN coalesce(suspended_at, now()) END,
                            updated_at = now()
           WHERE id = %s AND deleted_at IS NULL RETURNING id""",
        (suspended, user_id),
    ).fetchone()
    return row is not None


# -- sessions (the durable copy; Redis holds the live state) -------------------------------------

SESSION_COLUMNS = """id, user_id, family_hash, secret_hash, user_agent, platform, device_name, created_at,
                     last_used_at, idle_expires_at, expires_at"""


def insert_session(conn: Connection[Row], session: dict) -> None:
    conn.execute(
        """INSERT INTO auth_sessions (id, user_id, family_hash, secret_hash, user_agent, platform,
                                      device_name, created_at, last_used_at, idle_expires_at, expires_at)
           VALUES (%(id)s, %(user_id)s, %(family_hash)s, %(secret_hash)s, %(user_agent)s, %(platform)s,
                   %(device_name)s, %(created_at)s, %(last_used_at)s, %(idle_expires_at)s, %(expires_at)s)
           RETURNING id""",
        session,
    ).fetchone()


def live_session_by_family(conn: Connection[Row], family_hash: str) -> Row | None:
    return conn.execute(
        f"""SELECT {SESSION_COLUMNS} FROM auth_sessions
            WHERE family_hash = %s AND revoked_at IS NULL
              AND idle_expires_at > now() AND expires_at > now()""",
        (family_hash,),
    ).fetchone()


def rotate_session(
    conn: Connection[Row],
    session_id: str,
    presented_hash: str,
    secret_hash: str,
    used_at: datetime,
    idle_expires_at: datetime,
) -> Row | None:
    """Compare-and-set of the current secret of a live session; None if the presented one is not it
    (already rotated, or the session ended). Two rotations of one token: only one matches."""
    return conn.execute(
        f"""UPDATE auth_sessions SET secret_hash = %s, last_used_at = %s, idle_expires_at = %s
            WHERE id = %s AND secret_hash = %s AND revoked_at IS NULL
              AND idle_expires_at > now() AND expires_at > now()
            RETURNING {SESSION_COLUMNS}""",
        (secret_hash, used_at, idle_expires_at, session_id, presented_hash),
    ).fetchone()


def knows_device(
    conn: Connection[Row], user_id: str, user_agent: str | None, platform: str | None, device_name: str | None
) -> bool:
    """Whether the user ever had a session (live or ended) from this device."""
    row = conn.execute(
        """SELECT 1 FROM auth_sessions WHERE user_id = %s AND user_agent IS NOT DISTINCT FROM %s
              AND platform IS NOT DISTINCT FROM %s AND device_name IS NOT DISTINCT FROM %s LIMIT 1""",
        (user_id, user_agent, platform, device_name),
    ).fetchone()
    return row is not None


def revoke_sessions(
    conn: Connection[Row], user_id: str, *, session_id: str | None = None, keep: str | None = None
) -> list[Row]:
    """Revoke one (``session_id``) or all of a user's sessions, optionally keeping one; returns them."""
    return conn.execute(
        """UPDATE auth_sessions SET revoked_at = now()
           WHERE user_id = %s AND revoked_at IS NULL
             AND (%s::uuid IS NULL OR id = %s::uuid) AND (%s::uuid IS NULL OR id <> %s::uuid)
           RETURNING id, family_hash""",
        (user_id, session_id, session_id, keep, keep),
    ).fetchall()


def live_sessions(
    conn: Connection[Row], user_id: str, limit: int, after: tuple[datetime, str] | None = None
) -> list[Row]:
    """A page of the user's live sessions, most recently used first, after ``(last_used_at, id)``."""
    last_used_at, session_id = after or (None, None)
    return conn.execute(
        f"""SELECT {SESSION_COLUMNS} FROM auth_sessions
            WHERE user_id = %s AND revoked_at IS NULL AND idle_expires_at > now() AND expires_at > now()
              AND (%s::timestamptz IS NULL OR (last_used_at, id) < (%s::timestamptz, %s::uuid))
            ORDER BY last_used_at DESC, id DESC LIMIT %s""",
        (user_id, last_used_at, last_used_at, session_id, limit),
    ).fetchall()


def revoke_sessions_beyond(conn: Connection[Row], user_id: str, keep: int) -> list[Row]:
    """Revoke the user's live sessions beyond the ``keep`` most recently used; returns them."""
    return conn.execute(
        """UPDATE auth_sessions SET revoked_at = now()
           WHERE id IN (SELECT id FROM auth_sessions
                        WHERE user_id = %s AND revoked_at IS NULL
                          AND idle_expires_at > now() AND expires_at > now()
                        ORDER BY last_used_at DESC, created_at DESC, id DESC OFFSET %s)
           RETURNING id, family_hash""",
        (user_id, keep),
    ).fetchall()


def prune_sessions(conn: Connection[Row], user_id: str) -> None:
    """Forget a user's ended sessions (revoked or expired); called at each login."""
    conn.execute(
        """DELETE FROM auth_sessions WHERE user_id = %s
             AND (revoked_at IS NOT NULL OR least(idle_expires_at, expires_at) < now())
           RETURNING id""",
        (user_id,),
    ).fetchall()


def delete_sessions(conn: Connection[Row], user_id: str) -> list[Row]:
    """Remove every session record of a deleted account (they hold device metadata)."""
    return conn.execute(
        "DELETE FROM auth_sessions WHERE user_id = %s RETURNING id, family_hash", (user_id,)
    ).fetchall()


# -- the admin module's reads and role changes by id (docs/admin.md) -----------------------------

ADMIN_USER_COLUMNS = "id::text, email, display_name, roles, suspended_at, created_at"


def users_page(
    conn: Connection[Row], email: str | None, role: str | None, limit: int, after: tuple[datetime, str] | None
) -> list[Row]:
    """Live users, newest first; ``email`` matches a prefix."""
    return conn.execute(
        f"""SELECT {ADMIN_USER_COLUMNS} FROM users
            WHERE deleted_at IS NULL
              AND (%(email)s::text IS NULL OR email LIKE %(email)s || '%%')
              AND (%(role)s::text IS NULL OR %(role)s = ANY(roles))
              AND (%(ts)s::timestamptz IS NULL OR (created_at, id) < (%(ts)s, %(id)s::uuid))
            ORDER BY created_at DESC, id DESC LIMIT %(limit)s""",
        {
            "email": email,
            "role": role,
            "ts": after[0] if after else None,
            "id": after[1] if after else None,
            "limit": limit,
        },
    ).fetchall()


def admin_user(conn: Connection[Row], user_id: str) -> Row | None:
    return conn.execute(
        f"SELECT {ADMIN_USER_COLUMNS} FROM users WHERE id = %s AND deleted_at IS NULL", (user_id,)
    ).fetchone()


def active_super_admins(conn: Connection[Row]) -> list[str]:
    """The live, unsuspended super admins' ids, locked until the transaction ends."""
    rows = conn.execute(
        """SELECT id::text FROM users
           WHERE 'super_admin' = ANY(roles) AND deleted_at IS NULL AND suspended_at IS NULL
           ORDER BY id FOR UPDATE"""
    ).fetchall()
    return [row["id"] for row in rows]


def change_role(conn: Connection[Row], user_id: str, role: str, grant: bool) -> Row | None:
    """Add or remove a role (the caller keeps the last super admin: ``active_super_admins``)."""
    update = (
        "ARRAY(SELECT DISTINCT unnest(roles || ARRAY[%(role)s]) ORDER BY 1)"
        if grant
        else "array_remove(roles, %(role)s)"
    )
    return conn.execute(
        f"""UPDATE users SET roles = {update}, updated_at = now()
            WHERE id = %(id)s AND deleted_at IS NULL RETURNING {ADMIN_USER_COLUMNS}""",
        {"role": role, "id": user_id},
    ).fetchone()
