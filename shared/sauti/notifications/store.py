"""Every SQL statement of the notifications module. Functions take the connection first; the caller
owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from psycopg import Connection

from sauti.db import Row
from sauti.notifications.models import TOPICS

Conn = Connection[Row]
SWITCHES = ("push", "email", *TOPICS)
DEFAULTS = {name: name != "product_news" for name in SWITCHES}  # product news is opt-in
STALE_CLAIM = "interval '60 seconds'"

# -- push tokens -----------------------------------------------------------------------------------


def register_token(
    conn: Conn, user_id: str, token: str, platform: str, key_hash: bytes, taking_from: str | None
) -> Row | None:
    """Insert ``token``, or hand it to ``user_id`` (a moved token counts as registered now) with the
    hash of its new instance key; it moves from another account only from ``taking_from``, so None
    when someone else registered it meanwhile."""
    return conn.execute(
        """INSERT INTO notification_push_tokens (token, user_id, platform, instance_key_hash)
           VALUES (%(token)s, %(user_id)s, %(platform)s, %(key_hash)s)
           ON CONFLICT (token) DO UPDATE SET user_id = excluded.user_id, platform = excluded.platform,
                  instance_key_hash = excluded.instance_key_hash,
                  registered_at = CASE WHEN notification_push_tokens.user_id = excluded.user_id
                                       THEN notification_push_tokens.registered_at ELSE now() END
           WHERE notification_push_tokens.user_id IN (excluded.user_id, %(taking_from)s::uuid)
           RETURNING token, platform, registered_at""",
        {
            "token": token,
            "user_id": user_id,
            "platform": platform,
            "key_hash": key_hash,
            "taking_from": taking_from,
        },
    ).fetchone()


def token_holder(conn: Conn, token: str) -> Row | None:
    """Who holds ``token`` and the hash of its instance key, the row locked until commit."""
    return conn.execute(
        """SELECT user_id::text AS user_id, instance_key_hash FROM notification_push_tokens
           WHERE token = %s FOR UPDATE""",
        (token,),
    ).fetchone()


def trim_tokens(conn: Conn, user_id: str, keep: int) -> int:
    """Forget the user's oldest tokens beyond the newest ``keep``."""
    return conn.execute(
        """DELETE FROM notification_push_tokens WHERE token IN (
               SELECT token FROM notification_push_tokens WHERE user_id = %s
               ORDER BY registered_at DESC, token DESC OFFSET %s)""",
        (user_id, keep),
    ).rowcount


def delete_token(conn: Conn, user_id: str, token: str) -> bool:
    return (
        conn.execute(
            "DELETE FROM notification_push_tokens WHERE token = %s AND user_id = %s", (token, user_id)
        ).rowcount
        > 0
    )


def forget_tokens(conn: Conn, tokens: Sequence[str]) -> int:
    """Tokens FCM called dead, whoever holds them now."""
    if not tokens:
        return 0
    return conn.execute(
        "DELETE FROM notification_push_tokens WHERE token = ANY(%s)", (list(tokens),)
    ).rowcount


def tokens_of(conn: Conn, user_ids: Sequence[str]) -> list[Row]:
    if not user_ids:
        return []
    return conn.execute(
        """SELECT user_id::text AS user_id, token, platform FROM notification_push_tokens
           WHERE user_id = ANY(%s::uuid[]) ORDER BY user_id, registered_at DESC""",
        (list(user_ids),),
    ).fetchall()


# -- preferences -----------------------------------------------------------------------------------


def preferences(conn: Conn, user_id: str) -> dict[str, bool]:
    row = conn.execute(
        f"SELECT {', '.join(SWITCHES)} FROM notification_preferences WHERE user_id = %s", (user_id,)
    ).fetchone()
    return dict(row) if row else dict(DEFAULTS)


def save_preferences(conn: Conn, user_id: str, switches: dict[str, bool]) -> None:
    columns = ", ".join(SWITCHES)
    values = ", ".join(f"%({name})s" for name in SWITCHES)
    updates = ", ".join(f"{name} = excluded.{name}" for name in SWITCHES)
    conn.execute(
        f"""INSERT INTO notification_preferences (user_id, {columns}) VALUES (%(user_id)s, {values})
            ON CONFLICT (user_id) DO UPDATE SET {updates}, updated_at = now()""",
        {"user_id": user_id, **switches},
    )


# -- follows ---------------------------------------------------------------------------------------


def follow(conn: Conn, user_id: str, artist_id: str) -> None:
    conn.execute(
        "INSERT INTO artist_follows (user_id, artist_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (user_id, artist_id),
    )


def unfollow(conn: Conn, user_id: str, artist_id: str) -> None:
    conn.execute("DELETE FROM artist_follows WHERE user_id = %s AND artist_id = %s", (user_id, artist_id))


def followed_artists(conn: Conn, user_id: str, limit: int, after: tuple[datetime, str] | None) -> list[Row]:
    """Newest follows first, keyset-paged on (followed_at, artist_id)."""
    moment, artist_id = after or (None, None)
    return conn.execute(
        """SELECT artist_id::text AS artist_id, followed_at FROM artist_follows
           WHERE user_id = %s
             AND (%s::timestamptz IS NULL OR (followed_at, artist_id) < (%s::timestamptz, %s::uuid))
           ORDER BY followed_at DESC, artist_id DESC LIMIT %s""",
        (user_id, moment, moment, artist_id, limit),
    ).fetchall()


def follower_count(conn: Conn, artist_id: str) -> int:
    row = conn.execute(
        "SELECT count(*) AS n FROM artist_follows WHERE artist_id = %s", (artist_id,)
    ).fetchone()
    return int(row["n"]) if row else 0


def follower_boundaries(conn: Conn, artist_id: str, chunk: int) -> list[str]:
    """Every ``chunk``-th follower id of the artist (and the last): the fan-out's chunk ends."""
    rows = conn.execute(
        """SELECT user_id::text AS user_id FROM (
               SELECT user_id, row_number() OVER (ORDER BY user_id) AS n, count(*) OVER () AS total
               FROM artist_follows WHERE artist_id = %s) numbered
           WHERE n %% %s = 0 OR n = total ORDER BY user_id""",
        (artist_id, chunk),
    ).fetchall()
    return [row["user_id"] for row in rows]


# -- release deliveries ----------------------------------------------------------------------------


def claim_release_recipients(
    conn: Conn, release_key: str, artist_id: str, after: str | None, through: str | None
) -> list[str]:
    """Claim the followers in ``(after, through]`` who take new-release pushes and have a device and
    were not sent (nor are being sent) this release; answers the claimed user ids."""
    rows = conn.execute(
        f"""INSERT INTO notification_release_deliveries AS d (release_key, user_id)
            SELECT %(release)s, f.user_id FROM artist_follows f
            LEFT JOIN notification_preferences p ON p.user_id = f.user_id
            WHERE f.artist_id = %(artist)s
              AND (%(after)s::uuid IS NULL OR f.user_id > %(after)s::uuid)
              AND (%(through)s::uuid IS NULL OR f.user_id <= %(through)s::uuid)
              AND coalesce(p.push, true) AND coalesce(p.new_releases, true)
              AND EXISTS (SELECT 1 FROM notification_push_tokens t WHERE t.user_id = f.user_id)
            ON CONFLICT (release_key, user_id) DO UPDATE SET claimed_at = now()
               WHERE d.sent_at IS NULL AND d.claimed_at < now() - {STALE_CLAIM}
            RETURNING user_id::text AS user_id""",
        {"release": release_key, "artist": artist_id, "after": after, "through": through},
    ).fetchall()
    return [row["user_id"] for row in rows]


def mark_release_sent(conn: Conn, release_key: str, user_ids: Sequence[str]) -> None:
    if user_ids:
        conn.execute(
            """UPDATE notification_release_deliveries SET sent_at = now()
               WHERE release_key = %s AND user_id = ANY(%s::uuid[])""",
            (release_key, list(user_ids)),
        )


def release_claims(conn: Conn, release_key: str, user_ids: Sequence[str]) -> None:
    """Give claims back (nothing reached those users): the retry may claim them again."""
    if user_ids:
        conn.execute(
            """DELETE FROM notification_release_deliveries
               WHERE release_key = %s AND user_id = ANY(%s::uuid[]) AND sent_at IS NULL""",
            (release_key, list(user_ids)),
        )


# -- email suppression -----------------------------------------------------------------------------


def suppress(conn: Conn, address: str, reason: str, feedback_id: str | None) -> None:
    conn.execute(
        """INSERT INTO email_suppressions (address, reason, feedback_id) VALUES (lower(%s), %s, %s)
           ON CONFLICT (address) DO NOTHING""",
        (address, reason, feedback_id),
    )


def is_suppressed(conn: Conn, address: str) -> bool:
    row = conn.execute("SELECT 1 FROM email_suppressions WHERE address = lower(%s)", (address,)).fetchone()
    return row is not None


# -- a deleted account -----------------------------------------------------------------------------


def forget_user(conn: Conn, user_id: str) -> dict[str, Any]:
    counts = {}
    for table in (
        "notification_push_tokens",
        "notification_preferences",
        "artist_follows",
        "notification_release_deliveries",
    ):
        counts[table] = conn.execute(f"DELETE FROM {table} WHERE user_id = %s", (user_id,)).rowcount
    return counts
