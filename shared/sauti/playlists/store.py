"""All of the playlists module's SQL. Every function takes the caller's connection (logic owns the
transaction) and touches only this module's tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from psycopg import Connection
from psycopg.types.json import Jsonb

from sauti.db import Row

_PLAYLIST_COLUMNS = """p.id::text, p.owner_id::text, p.name, p.description, p.visibility, p.owner_premium,
    p.version, p.track_count, p.duration_ms, p.followers, p.created_at, p.updated_at,
    p.taken_down_at,
    (p.visibility = 'public' AND p.owner_premium AND p.taken_down_at IS NULL) AS visible_to_others"""


# -- playlists -------------------------------------------------------------------------------------


def count_owned(conn: Connection[Row], owner_id: str) -> int:
    row = conn.execute("SELECT count(*) AS n FROM playlists WHERE owner_id = %s", (owner_id,)).fetchone()
    return int(row["n"]) if row else 0


def insert_playlist(
    conn: Connection[Row], owner_id: str, name: str, description: str, visibility: str, owner_premium: bool
) -> Row:
    return conn.execute(  # type: ignore[return-value]
        f"""INSERT INTO playlists AS p (owner_id, name, description, visibility, owner_premium)
            VALUES (%s, %s, %s, %s, %s) RETURNING {_PLAYLIST_COLUMNS}""",
        (owner_id, name, description, visibility, owner_premium),
    ).fetchone()


# The caller's relation to playlist ``p`` (the ``%(user)s`` parameter), as two columns.
_RELATION_COLUMNS = """EXISTS (SELECT 1 FROM playlist_collaborators c
                           WHERE c.playlist_id = p.id AND c.user_id = %(user)s) AS is_editor,
                   EXISTS (SELECT 1 FROM playlist_followers f
                           WHERE f.playlist_id = p.id AND f.user_id = %(user)s) AS is_follower"""


def playlist_for(conn: Connection[Row], playlist_id: str, user_id: str, *, lock: bool = False) -> Row | None:
    """The playlist with the caller's relation to it (``is_editor``, ``is_follower``) and its ``last_rank``;
    ``lock`` takes its row lock, so concurrent edits of one playlist run one after the other."""
    return conn.execute(
        f"""SELECT {_PLAYLIST_COLUMNS},
                   {_RELATION_COLUMNS},
                   (SELECT max(rank) FROM playlist_items i WHERE i.playlist_id = p.id) AS last_rank
            FROM playlists p WHERE p.id = %(id)s {"FOR UPDATE OF p" if lock else ""}""",
        {"id": playlist_id, "user": user_id},
    ).fetchone()


def playlist_with_page(
    conn: Connection[Row], playlist_id: str, user_id: str, limit: int, after: tuple[int, str] | None
) -> Row | None:
    """``playlist_for`` and, as ``items``, the page of ``items_page``: one statement, one round trip."""
    page = _PAGE_AFTER if after else _PAGE_FIRST
    return conn.execute(
        f"""SELECT {_PLAYLIST_COLUMNS},
                   {_RELATION_COLUMNS},
                   (SELECT coalesce(json_agg(json_build_object(
                               'item_id', t.id, 'song_id', t.song_id, 'added_by', t.added_by,
                               'added_at', t.added_at, 'rank', t.rank) ORDER BY t.rank, t.id), '[]'::json)
                    FROM ({page}) t) AS items
            FROM playlists p WHERE p.id = %(pl)s""",
        {
            "pl": playlist_id,
            "user": user_id,
            "limit": limit,
            "item": after[1] if after else None,
            "rank": after[0] if after else None,
        },
    ).fetchone()


def update_details(conn: Connection[Row], playlist_id: str, fields: dict[str, Any]) -> None:
    allowed = {"name", "description", "visibility", "owner_premium"}
    assignments = ", ".join(f"{name} = %({name})s" for name in fields if name in allowed)
    conn.execute(
        f"UPDATE playlists SET {assignments}, version = version + 1, updated_at = now() WHERE id = %(id)s",
        {**fields, "id": playlist_id},
    )


def bump(conn: Connection[Row], playlist_id: str, tracks: int = 0, duration_ms: int = 0) -> int:
    """Record a change (and the track count and duration it adds): the new version."""
    row = conn.execute(
        """UPDATE playlists SET version = version + 1, track_count = track_count + %s,
                  duration_ms = duration_ms + %s, updated_at = now()
           WHERE id = %s RETURNING version""",
        (tracks, duration_ms, playlist_id),
    ).fetchone()
    return int(row["version"]) if row else 0


def delete_playlist(conn: Connection[Row], playlist_id: str) -> None:
    conn.execute("DELETE FROM playlists WHERE id = %s", (playlist_id,))


def playlists_by_id(conn: Connection[Row], playlist_ids: list[str]) -> list[Row]:
    return conn.execute(
        f"SELECT {_PLAYLIST_COLUMNS} FROM playlists p WHERE p.id = ANY(%s::uuid[])", (playlist_ids,)
    ).fetchall()


def visible_playlists(
    conn: Connection[Row], ids: list[str] | None, after: str | None, limit: int
) -> list[Row]:
    """Playlists others may see, ordered by id: those of ``ids``, or every one after ``after``."""
    return conn.execute(
        """SELECT id::text, name, owner_id::text FROM playlists
           WHERE visibility = 'public' AND owner_premium AND taken_down_at IS NULL
             AND (%(ids)s::uuid[] IS NULL OR id = ANY(%(ids)s::uuid[]))
             AND (%(after)s::uuid IS NULL OR id > %(after)s::uuid)
           ORDER BY id LIMIT %(limit)s""",
        {"ids": ids, "after": after, "limit": limit},
    ).fetchall()


# -- items -----------------------------------------------------------------------------------------


_PAGE_FIRST = """SELECT id, song_id, added_by, added_at, rank FROM playlist_items
                 WHERE playlist_id = %(pl)s ORDER BY rank, id LIMIT %(limit)s"""
# The cursor item's current rank wins over the one in the cursor, so a renumbering between two pages
# neither skips nor repeats items.
_PAGE_AFTER = """SELECT id, song_id, added_by, added_at, rank FROM playlist_items
                 WHERE playlist_id = %(pl)s
                   AND (rank, id) > (coalesce((SELECT rank FROM playlist_items
                                               WHERE id = %(item)s AND playlist_id = %(pl)s), %(rank)s),
                                     %(item)s::uuid)
                 ORDER BY rank, id LIMIT %(limit)s"""


def items_page(
    conn: Connection[Row], playlist_id: str, limit: int, after: tuple[int, str] | None = None
) -> list[Row]:
    """``limit`` items in order after the cursor ``(rank, item_id)``."""
    page = _PAGE_AFTER if after else _PAGE_FIRST
    return conn.execute(
        f"SELECT id::text AS item_id, song_id::text, added_by::text, added_at, rank FROM ({page}) t",
        {
            "pl": playlist_id,
            "limit": limit,
            "item": after[1] if after else None,
            "rank": after[0] if after else None,
        },
    ).fetchall()


def item_ranks(conn: Connection[Row], playlist_id: str, item_ids: list[str]) -> dict[str, int]:
    rows = conn.execute(
        "SELECT id::text, rank FROM playlist_items WHERE playlist_id = %s AND id = ANY(%s::uuid[])",
        (playlist_id, item_ids),
    ).fetchall()
    return {row["id"]: int(row["rank"]) for row in rows}


def rank_below(conn: Connection[Row], playlist_id: str, rank: int | None, excluding: list[str]) -> int | None:
    """The highest rank under ``rank`` (under nothing: the last rank), ignoring the items ``excluding``."""
    row = conn.execute(
        """SELECT max(rank) AS rank FROM playlist_items
           WHERE playlist_id = %s AND (%s::bigint IS NULL OR rank < %s) AND NOT (id = ANY(%s::uuid[]))""",
        (playlist_id, rank, rank, excluding),
    ).fetchone()
    return None if row is None or row["rank"] is None else int(row["rank"])


def renumber(conn: Connection[Row], playlist_id: str, step: int) -> None:
    """Spread the ranks evenly again (the rare rebalancing), keeping the order."""
    conn.execute(
        """UPDATE playlist_items i SET rank = o.n * %s
           FROM (SELECT id, row_number() OVER (ORDER BY rank, id) AS n
                 FROM playlist_items WHERE playlist_id = %s) o
           WHERE i.id = o.id""",
        (step, playlist_id),
    )


def insert_items(
    conn: Connection[Row],
    playlist_id: str,
    ranks: list[int],
    song_ids: list[str],
    durations: list[int],
    added_by: str,
) -> tuple[list[Row], int]:
    """Insert the items and record the change on the playlist: ``(items, new version)``, one statement."""
    rows = conn.execute(
        """WITH added AS (
               INSERT INTO playlist_items (playlist_id, rank, song_id, duration_ms, added_by)
               SELECT %(pl)s, r, s, d, %(by)s
               FROM unnest(%(ranks)s::bigint[], %(songs)s::uuid[], %(ms)s::int[]) AS t(r, s, d)
               RETURNING id, song_id, rank),
           bumped AS (
               UPDATE playlists SET version = version + 1, track_count = track_count + %(n)s,
                      duration_ms = duration_ms + %(total)s, updated_at = now()
               WHERE id = %(pl)s RETURNING version)
           SELECT a.id::text AS item_id, a.song_id::text, a.rank, (SELECT version FROM bumped) AS version
           FROM added a ORDER BY a.rank""",
        {
            "pl": playlist_id,
            "by": added_by,
            "ranks": ranks,
            "songs": song_ids,
            "ms": durations,
            "n": len(ranks),
            "total": sum(durations),
        },
    ).fetchall()
    return rows, int(rows[0]["version"]) if rows else 0


def delete_items(conn: Connection[Row], playlist_id: str, item_ids: list[str]) -> tuple[int, int]:
    """Remove the items; ``(how many, their total duration)``."""
    row = conn.execute(
        """WITH gone AS (DELETE FROM playlist_items WHERE playlist_id = %s AND id = ANY(%s::uuid[])
                         RETURNING duration_ms)
           SELECT count(*) AS n, coalesce(sum(duration_ms), 0) AS ms FROM gone""",
        (playlist_id, item_ids),
    ).fetchone()
    return (int(row["n"]), int(row["ms"])) if row else (0, 0)


def set_ranks(conn: Connection[Row], playlist_id: str, item_ids: list[str], ranks: list[int]) -> None:
    conn.execute(
        """UPDATE playlist_items i SET rank = t.r
           FROM unnest(%s::uuid[], %s::bigint[]) AS t(id, r)
           WHERE i.id = t.id AND i.playlist_id = %s""",
        (item_ids, ranks, playlist_id),
    )


def has_song(conn: Connection[Row], playlist_id: str, song_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 AS found FROM playlist_items WHERE playlist_id = %s AND song_id = %s LIMIT 1",
        (playlist_id, song_id),
    ).fetchone()
    return row is not None


# -- collaborators and invites ---------------------------------------------------------------------


def count_collaborators(conn: Connection[Row], playlist_id: str) -> int:
    row = conn.execute(
        "SELECT count(*) AS n FROM playlist_collaborators WHERE playlist_id = %s", (playlist_id,)
    ).fetchone()
    return int(row["n"]) if row else 0


def add_collaborator(conn: Connection[Row], playlist_id: str, user_id: str) -> bool:
    row = conn.execute(
        """INSERT INTO playlist_collaborators (playlist_id, user_id) VALUES (%s, %s)
           ON CONFLICT DO NOTHING RETURNING user_id""",
        (playlist_id, user_id),
    ).fetchone()
    return row is not None


def remove_collaborator(conn: Connection[Row], playlist_id: str, user_id: str) -> bool:
    row = conn.execute(
        "DELETE FROM playlist_collaborators WHERE playlist_id = %s AND user_id = %s RETURNING user_id",
        (playlist_id, user_id),
    ).fetchone()
    return row is not None


def insert_invite(conn: Connection[Row], playlist_id: str, token_hash: bytes, expires_at: datetime) -> str:
    row = conn.execute(
        """INSERT INTO playlist_invites (playlist_id, token_hash, expires_at) VALUES (%s, %s, %s)
           RETURNING id::text""",
        (playlist_id, token_hash, expires_at),
    ).fetchone()
    assert row is not None  # INSERT ... RETURNING always answers a row
    return str(row["id"])


def live_invite(conn: Connection[Row], token_hash: bytes, now: datetime) -> Row | None:
    return conn.execute(
        """SELECT id::text, playlist_id::text FROM playlist_invites
           WHERE token_hash = %s AND revoked_at IS NULL AND expires_at > %s""",
        (token_hash, now),
    ).fetchone()


def revoke_invite(conn: Connection[Row], playlist_id: str, invite_id: str) -> bool:
    row = conn.execute(
        """UPDATE playlist_invites SET revoked_at = coalesce(revoked_at, now())
           WHERE id = %s AND playlist_id = %s RETURNING id""",
        (invite_id, playlist_id),
    ).fetchone()
    return row is not None


# -- followers -------------------------------------------------------------------------------------


def follow(conn: Connection[Row], playlist_id: str, user_id: str) -> bool:
    """True when this is a new follow (the count goes up once)."""
    row = conn.execute(
        """WITH added AS (INSERT INTO playlist_followers (playlist_id, user_id) VALUES (%s, %s)
                          ON CONFLICT DO NOTHING RETURNING playlist_id)
           UPDATE playlists SET followers = followers + 1 WHERE id IN (SELECT playlist_id FROM added)
           RETURNING id""",
        (playlist_id, user_id),
    ).fetchone()
    return row is not None


def unfollow(conn: Connection[Row], playlist_id: str, user_id: str) -> bool:
    row = conn.execute(
        """WITH gone AS (DELETE FROM playlist_followers WHERE playlist_id = %s AND user_id = %s
                         RETURNING playlist_id)
           UPDATE playlists SET followers = greatest(followers - 1, 0)
           WHERE id IN (SELECT playlist_id FROM gone) RETURNING id""",
        (playlist_id, user_id),
    ).fetchone()
    return row is not None


# -- the caller's playlists ------------------------------------------------------------------------


def my_playlists(
    conn: Connection[Row], user_id: str, relation: str | None, limit: int, before: tuple[datetime, str] | None
) -> list[Row]:
    """Owned, edited and followed playlists (a followed one only while others may see it), newest
    relation first, keyset-paged on ``(related_at, id)``."""
    return conn.execute(
        f"""WITH mine AS (
                SELECT p.id, 'owner' AS relation, p.created_at AS related_at FROM playlists p
                WHERE p.owner_id = %(user)s
                UNION ALL
                SELECT c.playlist_id, 'editor', c.joined_at FROM playlist_collaborators c
                WHERE c.user_id = %(user)s
                UNION ALL
                SELECT f.playlist_id, 'follower', f.followed_at FROM playlist_followers f
                JOIN playlists fp ON fp.id = f.playlist_id
                WHERE f.user_id = %(user)s AND fp.visibility = 'public' AND fp.owner_premium
                  AND fp.taken_down_at IS NULL
                  AND fp.owner_id <> %(user)s
                  AND NOT EXISTS (SELECT 1 FROM playlist_collaborators x
                                  WHERE x.playlist_id = f.playlist_id AND x.user_id = %(user)s)
            )
            SELECT {_PLAYLIST_COLUMNS}, m.relation, m.related_at
            FROM mine m JOIN playlists p ON p.id = m.id
            WHERE (%(relation)s::text IS NULL OR m.relation = %(relation)s)
              AND (%(ts)s::timestamptz IS NULL OR (m.related_at, p.id) < (%(ts)s, %(pid)s::uuid))
            ORDER BY m.related_at DESC, p.id DESC LIMIT %(limit)s""",
        {
            "user": user_id,
            "relation": relation,
            "ts": before[0] if before else None,
            "pid": before[1] if before else None,
            "limit": limit,
        },
    ).fetchall()


def set_taken_down(conn: Connection[Row], playlist_id: str, taken_down: bool, reason: str | None) -> None:
    conn.execute(
        """UPDATE playlists
           SET taken_down_at = CASE WHEN %s THEN coalesce(taken_down_at, now()) END,
               taken_down_reason = CASE WHEN %s THEN %s END
           WHERE id = %s""",
        (taken_down, taken_down, reason, playlist_id),
    )


# -- plan changes and deleted accounts -------------------------------------------------------------


def set_owner_premium(conn: Connection[Row], owner_id: str, premium: bool) -> list[Row]:
    """Mark the owner's playlists; those whose mark changed, with whether others may now see them."""
    return conn.execute(
        """UPDATE playlists SET owner_premium = %s
           WHERE owner_id = %s AND owner_premium <> %s
           RETURNING id::text, owner_id::text, visibility,
               (visibility = 'public' AND owner_premium AND taken_down_at IS NULL) AS visible_to_others""",
        (premium, owner_id, premium),
    ).fetchall()


def delete_owned(conn: Connection[Row], owner_id: str) -> list[Row]:
    return conn.execute(
        "DELETE FROM playlists WHERE owner_id = %s RETURNING id::text, visibility, owner_premium",
        (owner_id,),
    ).fetchall()


def end_memberships(conn: Connection[Row], user_id: str) -> tuple[int, int]:
    """The user's follows and collaborations end (counts and versions follow); their name leaves the
    items they added. ``(follows ended, collaborations ended)``."""
    follows = conn.execute(
        """WITH gone AS (DELETE FROM playlist_followers WHERE user_id = %s RETURNING playlist_id)
           UPDATE playlists p SET followers = greatest(p.followers - 1, 0)
           FROM gone WHERE p.id = gone.playlist_id RETURNING p.id""",
        (user_id,),
    ).fetchall()
    edits = conn.execute(
        """WITH gone AS (DELETE FROM playlist_collaborators WHERE user_id = %s RETURNING playlist_id)
           UPDATE playlists p SET version = p.version + 1, updated_at = now()
           FROM gone WHERE p.id = gone.playlist_id RETURNING p.id""",
        (user_id,),
    ).fetchall()
    conn.execute("UPDATE playlist_items SET added_by = NULL WHERE added_by = %s", (user_id,))
    return len(follows), len(edits)


# -- views, plays and the ranking ------------------------------------------------------------------


def save_daily_stats(conn: Connection[Row], day: date, rows: list[tuple[str, int, int]]) -> int:
    """Write the day's running totals ``(playlist_id, viewers, players)``; never lowers a total (a key
    that expired early must not erase what was flushed). Deleted playlists are skipped."""
    if not rows:
        return 0
    ids, viewers, players = (list(column) for column in zip(*rows, strict=True))
    written = conn.execute(
        """INSERT INTO playlist_daily_stats AS s (playlist_id, day, viewers, players)
           SELECT t.id, %s, t.v, t.p FROM unnest(%s::uuid[], %s::int[], %s::int[]) AS t(id, v, p)
           WHERE EXISTS (SELECT 1 FROM playlists p WHERE p.id = t.id)
           ON CONFLICT (playlist_id, day) DO UPDATE
           SET viewers = greatest(s.viewers, excluded.viewers),
               players = greatest(s.players, excluded.players)
           RETURNING playlist_id""",
        (day, ids, viewers, players),
    ).fetchall()
    return len(written)


def ranking(
    conn: Connection[Row], first_day: date, last_day: date, play_weight: int, limit: int
) -> list[Row]:
    """Public playlists visible to others, by viewers + play_weight * players over the days."""
    return conn.execute(
        f"""SELECT {_PLAYLIST_COLUMNS}, sum(s.viewers)::int AS viewers, sum(s.players)::int AS players,
                   (sum(s.viewers) + %(weight)s * sum(s.players))::int AS score
            FROM playlist_daily_stats s JOIN playlists p ON p.id = s.playlist_id
            WHERE s.day BETWEEN %(first)s AND %(last)s AND p.visibility = 'public' AND p.owner_premium
              AND p.taken_down_at IS NULL
            GROUP BY p.id
            HAVING sum(s.viewers) + sum(s.players) > 0
            ORDER BY score DESC, viewers DESC, p.id
            LIMIT %(limit)s""",
        {"first": first_day, "last": last_day, "weight": play_weight, "limit": limit},
    ).fetchall()


def save_ranking(conn: Connection[Row], period: str, body: dict[str, Any]) -> None:
    conn.execute(
        """INSERT INTO playlist_rankings (period, body, computed_at) VALUES (%s, %s, now())
           ON CONFLICT (period) DO UPDATE SET body = excluded.body, computed_at = excluded.computed_at""",
        (period, Jsonb(body)),
    )


def saved_ranking(conn: Connection[Row], period: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT body FROM playlist_rankings WHERE period = %s", (period,)).fetchone()
    return row["body"] if row else None
