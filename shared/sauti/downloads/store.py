"""The downloads module's SQL, and nothing else."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from psycopg import Connection

from sauti.db import Row, array_literal

DEVICE_COLUMNS = "id, user_id, name, platform, public_key, is_offline, created_at, last_synced_at"


def insert_device(
    conn: Connection[Row], user_id: str, name: str, platform: str, public_key: dict[str, Any]
) -> Row:
    row = conn.execute(
        f"""INSERT INTO devices (user_id, name, platform, public_key) VALUES (%s, %s, %s, %s)
            RETURNING {DEVICE_COLUMNS}""",
        (user_id, name, platform, json.dumps(public_key)),
    ).fetchone()
    assert row is not None
    return row


def device(conn: Connection[Row], user_id: str, device_id: str, *, for_update: bool = False) -> Row | None:
    lock = " FOR UPDATE" if for_update else ""
    return conn.execute(
        f"SELECT {DEVICE_COLUMNS} FROM devices WHERE id = %s AND user_id = %s{lock}", (device_id, user_id)
    ).fetchone()


def devices(conn: Connection[Row], user_id: str, limit: int, after: tuple[datetime, str] | None) -> list[Row]:
    """A page of the user's devices, oldest first, after ``(created_at, id)``."""
    keyset = "AND (created_at, id) > (%s::timestamptz, %s::uuid)" if after else ""
    return conn.execute(
        f"""SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = %s {keyset}
            ORDER BY created_at, id LIMIT %s""",
        (user_id, *(after or ()), limit),
    ).fetchall()


def lock_user_devices(conn: Connection[Row], user_id: str) -> None:
    """Serialise offline-device changes of one user (two phones switching at once)."""
    conn.execute("SELECT id FROM devices WHERE user_id = %s FOR UPDATE", (user_id,))


def make_offline(conn: Connection[Row], user_id: str, device_id: str) -> None:
    conn.execute(
        "UPDATE devices SET is_offline = false WHERE user_id = %s AND is_offline AND id <> %s",
        (user_id, device_id),
    )
    conn.execute("UPDATE devices SET is_offline = true WHERE id = %s", (device_id,))


def revoke_other_devices_downloads(conn: Connection[Row], user_id: str, device_id: str) -> int:
    return conn.execute(
        """UPDATE downloads SET revoked_at = now(), revoked_reason = 'device_replaced'
           WHERE user_id = %s AND device_id <> %s AND revoked_at IS NULL""",
        (user_id, device_id),
    ).rowcount


def revoke_user_downloads(conn: Connection[Row], user_id: str, reason: str) -> int:
    return conn.execute(
        """UPDATE downloads SET revoked_at = now(), revoked_reason = %s
           WHERE user_id = %s AND revoked_at IS NULL""",
        (reason, user_id),
    ).rowcount


def revoke_downloads(conn: Connection[Row], download_ids: list[str], reason: str) -> None:
    if download_ids:
        conn.execute(
            """UPDATE downloads SET revoked_at = now(), revoked_reason = %s
               WHERE id = ANY(%s::uuid[]) AND revoked_at IS NULL""",
            (reason, download_ids),
        )


def active_count(conn: Connection[Row], device_id: str) -> int:
    row = conn.execute(
        "SELECT count(*) AS n FROM downloads WHERE device_id = %s AND revoked_at IS NULL", (device_id,)
    ).fetchone()
    return int(row["n"]) if row else 0


def issued_since(conn: Connection[Row], user_id: str, since: datetime) -> int:
    row = conn.execute(
        "SELECT count(*) AS n FROM downloads WHERE user_id = %s AND issued_at >= %s", (user_id, since)
    ).fetchone()
    return int(row["n"]) if row else 0


def insert_download(
    conn: Connection[Row], user_id: str, device_id: str, song_id: str, expires_at: datetime
) -> Row:
    conn.execute(
        """UPDATE downloads SET revoked_at = now(), revoked_reason = 'replaced'
           WHERE device_id = %s AND song_id = %s AND revoked_at IS NULL""",
        (device_id, song_id),
    )
    row = conn.execute(
        """INSERT INTO downloads (user_id, device_id, song_id, expires_at) VALUES (%s, %s, %s, %s)
           RETURNING id, key_id, song_id, device_id, issued_at, expires_at""",
        (user_id, device_id, song_id, expires_at),
    ).fetchone()
    assert row is not None
    return row


def active_downloads(
    conn: Connection[Row], user_id: str, device_id: str | None, limit: int, after: tuple[datetime, str] | None
) -> list[Row]:
    """A page of the user's active downloads (one device's if given), newest first, after (issued_at, id).

    Only the conditions in use are written, so every page is an index range scan (0501's indexes)."""
    device = "AND device_id = %s" if device_id else ""
    keyset = "AND (issued_at, id) < (%s::timestamptz, %s::uuid)" if after else ""
    return conn.execute(
        f"""SELECT id, key_id, song_id, device_id, issued_at, expires_at FROM downloads
            WHERE user_id = %s AND revoked_at IS NULL {device} {keyset}
            ORDER BY issued_at DESC, id DESC LIMIT %s""",
        (user_id, *([device_id] if device_id else []), *(after or ()), limit),
    ).fetchall()


def downloads_by_key(conn: Connection[Row], device_id: str, key_ids: list[str]) -> list[Row]:
    return conn.execute(
        """SELECT id, key_id, song_id, user_id, revoked_at FROM downloads
           WHERE device_id = %s AND key_id = ANY(%s::uuid[])""",
        (device_id, key_ids),
    ).fetchall()


def renew(conn: Connection[Row], download_id: str, expires_at: datetime) -> None:
    conn.execute("UPDATE downloads SET expires_at = %s WHERE id = %s", (expires_at, download_id))


def mark_synced(conn: Connection[Row], device_id: str) -> None:
    conn.execute("UPDATE devices SET last_synced_at = now() WHERE id = %s", (device_id,))


def revoke_download(conn: Connection[Row], user_id: str, download_id: str) -> bool:
    return bool(
        conn.execute(
            """UPDATE downloads SET revoked_at = now(), revoked_reason = 'removed'
           WHERE id = %s AND user_id = %s AND revoked_at IS NULL""",
            (download_id, user_id),
        ).rowcount
    )


def delete_user_devices(conn: Connection[Row], user_id: str) -> int:
    """Remove every device of the user, and with them (ON DELETE CASCADE) every download record."""
    return conn.execute("DELETE FROM devices WHERE user_id = %s", (user_id,)).rowcount


def keys_of_user(conn: Connection[Row], user_id: str, key_ids: list[str]) -> list[Row]:
    """The user's downloads among ``key_ids`` (any device, revoked or not): what offline plays cite."""
    return conn.execute(
        """SELECT key_id::text, device_id::text, song_id::text, issued_at, expires_at, revoked_at
           FROM downloads WHERE user_id = %s AND key_id = ANY(%s::uuid[])""",
        (user_id, array_literal(key_ids)),
    ).fetchall()
