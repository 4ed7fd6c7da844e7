"""What the playlists module does. Each function owns its transaction; events and notifications go out
after the commit. Rules, limits and their reasons: docs/playlists.md."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from datetime import date, timedelta
from typing import Any, Literal

from sauti import clock, paging
from sauti.db import Row, transaction
from sauti.errors import Forbidden, PremiumRequired, ValidationFailed
from sauti.ids import canonical_id
from sauti.observability import count, logger
from sauti.playlists import counters, store
from sauti.playlists.errors import (
    CollaboratorNotFound,
    InviteNotFound,
    NotFollowable,
    OwnerOnly,
    PlaylistFull,
    PlaylistNotFound,
    SongsUnavailable,
    TooManyCollaborators,
    TooManyPlaylists,
    UnknownItems,
    VersionConflict,
)
from sauti.playlists.models import (
    AddTracks,
    CreatePlaylist,
    Invite,
    MoveTracks,
    Playlist,
    PlaylistPage,
    RemoveTracks,
    TracksAdded,
    UpdatePlaylist,
    Version,
)
from sauti.playlists.settings import PlaylistsSettings
from sauti.settings import settings

DEFAULT_LIMIT, MAX_LIMIT = 100, 500
RANK_STEP = 1 << 32  # the gap between neighbours after an append or a renumbering
MAX_RANK = 1 << 62  # renumber before ranks could leave bigint
TOP_LIMIT = 50
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}
# Notifications to the owner: one per follower and playlist a week (follow, unfollow, follow is not a
# stream of pushes), one per editor and playlist an hour for added tracks.
NOTIFY_FOLLOW_SECONDS = 7 * 86_400
NOTIFY_ADDS_SECONDS = 3_600
Period = Literal["day", "week", "month"]


def _settings() -> PlaylistsSettings:
    return settings(PlaylistsSettings)


# -- reading and shaping ---------------------------------------------------------------------------


def _relation(row: Row, user_id: str) -> str | None:
    if row["owner_id"] == user_id:
        return "owner"
    if row.get("is_editor"):
        return "editor"
    if row.get("is_follower") and row["visible_to_others"]:
        return "follower"
    return None


def readable(row: Row | None, user_id: str) -> bool:
    return row is not None and (row["owner_id"] == user_id or row["is_editor"] or row["visible_to_others"])


OWNER_SECONDS = 60  # a renamed owner shows under the new name within a minute
_owner_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def owner_refs(owner_ids: list[str]) -> dict[str, dict[str, Any]]:
    """``{id, display_name}`` of each owner, from auth's directory (a deleted one has no name), kept in
    the container for a minute: a playlist read then needs no query for its owner."""
    from sauti.auth.directory import get_user

    found, now = {}, time.monotonic()
    for owner_id in dict.fromkeys(owner_ids):
        cached = _owner_cache.get(owner_id)
        if cached is None or cached[0] < now:
            user = get_user(owner_id)
            if len(_owner_cache) > 10_000:
                _owner_cache.clear()
            owner = {"id": owner_id, "display_name": user["display_name"] if user else None}
            cached = _owner_cache[owner_id] = (now + OWNER_SECONDS, owner)
        found[owner_id] = cached[1]
    return found


def forget_owner(owner_id: str) -> None:
    _owner_cache.pop(owner_id, None)


def _summary(row: Row, relation: str | None, owners: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        **row,
        "owner": owners.get(row["owner_id"]) or {"id": row["owner_id"], "display_name": None},
        "relation": relation,
    }


def _songs(song_ids: list[str]) -> dict[str, dict[str, Any]]:
    from sauti.catalog import logic as catalog

    return catalog.songs(song_ids)


def _item(row: Row, songs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    doc = songs.get(row["song_id"])
    song: dict[str, Any] = {"id": row["song_id"], "title": None, "artist": None, "duration_ms": None}
    if doc:
        song = {
            "id": doc["id"],
            "title": doc["title"],
            "artist": {"id": doc["artist_id"], "name": doc["artist_name"]},
            "duration_ms": doc["duration_ms"],
        }
    return {
        "item_id": row["item_id"],
        "song": song,
        "available": bool(doc and doc["status"] == "published"),
        "added_by": row["added_by"],
        "added_at": row["added_at"],
    }


def _tracks_page(rows: list[Row], limit: int) -> dict[str, Any]:
    shown = rows[:limit]
    songs = _songs([row["song_id"] for row in shown])
    more = len(rows) > limit and bool(shown)
    return {
        "items": [_item(row, songs) for row in shown],
        "next_cursor": (
            paging.encode_rank_cursor(int(shown[-1]["rank"]), shown[-1]["item_id"]) if more else None
        ),
    }


def _playlist(row: Row, user_id: str, items: list[Row], limit: int) -> Playlist:
    owners = owner_refs([row["owner_id"]])
    return Playlist.model_validate(
        {**_summary(row, _relation(row, user_id), owners), "tracks": _tracks_page(items, limit)}
    )


def _id_or_404(playlist_id: str) -> str:
    found = canonical_id(playlist_id)
    if found is None:
        raise PlaylistNotFound("no such playlist")
    return found


def _load(conn: Any, playlist_id: str, user_id: str, *, lock: bool = False) -> Row:
    row = store.playlist_for(conn, playlist_id, user_id, lock=lock)
    if not readable(row, user_id):
        raise PlaylistNotFound("no such playlist")
    return row  # type: ignore[return-value]


def check_version(row: Row, if_match: str | None) -> None:
    """``If-Match: "<version>"`` (or a list of them, or ``*``); absent means no check. 412 when stale."""
    if if_match is None:
        return
    tags = [tag.strip() for tag in if_match.split(",")]
    current = str(row["version"])
    for tag in tags:
        if tag == "*" or tag.removeprefix("W/").strip('"') == current:
            return
    raise VersionConflict(int(row["version"]))


def _require_owner(row: Row, user_id: str) -> None:
    if row["owner_id"] != user_id:
        raise OwnerOnly("only the playlist's owner may do this")


def _require_editor(row: Row, user_id: str) -> None:
    if row["owner_id"] != user_id and not row["is_editor"]:
        raise Forbidden("only the playlist's owner and editors may change its tracks")


def _counts_as_view(row: Row, user_id: str) -> bool:
    return bool(row["visible_to_others"]) and row["owner_id"] != user_id and not row["is_editor"]


# -- events and notifications (after the commit; a lost one is logged, never the user's error) ------


def _changed(row: Row, change: str) -> None:
    from sauti.events import publish_event

    detail = {
        "playlist_id": row["id"],
        "owner_id": row["owner_id"],
        "visible_to_others": bool(row.get("visible_to_others")) and change != "deleted",
        "change": change,
    }
    try:
        publish_event("playlists", "playlist.changed", detail)
    except Exception:
        logger.exception("could not publish playlist.changed", extra=detail)


def _count(name: str) -> None:
    """A business count (CloudWatch EMF); a metric never fails the request (Powertools raises on a full
    buffer without a namespace, as in a long-running local process)."""
    try:
        count(name)
    except Exception:
        logger.debug("metric not recorded", extra={"metric": name})


def _notify(type_: str, owner_id: str, data: dict[str, Any]) -> None:
    from sauti.notify import publish_notification

    try:
        publish_notification(type_, user_id=owner_id, data=data, channels=["push"])
    except Exception:
        logger.exception("could not queue a notification", extra={"type": type_})


# -- playlists -------------------------------------------------------------------------------------


def _public_allowed(user_id: str) -> bool:
    from sauti.billing.entitlements import entitlements_for

    return entitlements_for(user_id).public_playlists


def create_playlist(user_id: str, body: CreatePlaylist) -> Playlist:
    premium = _public_allowed(user_id)
    if body.visibility == "public" and not premium:
        raise PremiumRequired("public playlists need premium")
    with transaction() as conn:
        if store.count_owned(conn, user_id) >= _settings().playlists_max_per_user:
            raise TooManyPlaylists(
                f"an account may own at most {_settings().playlists_max_per_user} playlists"
            )
        row = store.insert_playlist(
            conn, user_id, body.name.strip(), body.description, body.visibility, premium
        )
    _count("PlaylistsCreated")
    _changed(row, "created")
    return _playlist({**row, "is_editor": False, "is_follower": False}, user_id, [], DEFAULT_LIMIT)


def get_playlist(user_id: str, playlist_id: str, limit: int, cursor: str | None) -> Playlist:
    """The playlist and a page of its tracks; a first-page read by someone who may count is a view."""
    playlist_id = _id_or_404(playlist_id)
    after = paging.decode_rank_cursor(cursor)
    with transaction() as conn:
        row = store.playlist_with_page(conn, playlist_id, user_id, limit + 1, after)
    if row is None or not readable(row, user_id):
        raise PlaylistNotFound("no such playlist")
    items = row.pop("items")
    if after is None and _counts_as_view(row, user_id):
        counters.count(
            "viewers", playlist_id, user_id, clock.today(), _settings().playlists_viewer_daily_budget
        )
    return _playlist(row, user_id, items, limit)


def update_playlist(user_id: str, playlist_id: str, body: UpdatePlaylist, if_match: str | None) -> Playlist:
    playlist_id = _id_or_404(playlist_id)
    fields = body.model_dump(exclude_none=True)
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    if fields.get("visibility") == "public":
        if not _public_allowed(user_id):
            raise PremiumRequired("public playlists need premium")
        fields["owner_premium"] = True
    with transaction() as conn:
        before = _load(conn, playlist_id, user_id, lock=True)
        _require_owner(before, user_id)
        check_version(before, if_match)
        changed = {name: value for name, value in fields.items() if before.get(name) != value}
        if changed:
            store.update_details(conn, playlist_id, changed)
        row = _load(conn, playlist_id, user_id)
        items = store.items_page(conn, playlist_id, DEFAULT_LIMIT + 1)
    if changed:
        was, now = before["visible_to_others"], row["visible_to_others"]
        _changed(row, "updated" if was == now else ("restored" if now else "hidden"))
    return _playlist(row, user_id, items, DEFAULT_LIMIT)


def delete_playlist(user_id: str, playlist_id: str, if_match: str | None) -> None:
    playlist_id = _id_or_404(playlist_id)
    with transaction() as conn:
        row = _load(conn, playlist_id, user_id, lock=True)
        _require_owner(row, user_id)
        check_version(row, if_match)
        store.delete_playlist(conn, playlist_id)
    _changed(row, "deleted")


# -- tracks ----------------------------------------------------------------------------------------


def _ids_or_unknown(field: str, values: list[str]) -> list[str]:
    ids = [canonical_id(value) for value in values]
    bad = [value for value, found in zip(values, ids, strict=True) if found is None]
    if bad:
        raise UnknownItems(field, bad)
    return list(dict.fromkeys(found for found in ids if found))


def _gap(
    conn: Any,
    playlist_id: str,
    before: str | None,
    moving: list[str],
    count: int,
    last_rank: int | None = None,
) -> list[int]:
    """``count`` new ranks, in order, just before the item ``before`` (at the end when None), leaving
    the ``moving`` items out of the neighbours. Renumbers the playlist once when the gap is too small."""
    for attempt in range(2):
        upper = None
        if before is not None:
            upper = store.item_ranks(conn, playlist_id, [before]).get(before)
            if upper is None:
                raise UnknownItems("before_item_id", [before])
        if upper is None and not moving and attempt == 0:
            lower = int(last_rank or 0)  # read with the playlist's lock: no query
        else:
            lower = store.rank_below(conn, playlist_id, upper, moving) or 0
        if upper is None and lower + RANK_STEP * count < MAX_RANK:
            return [lower + RANK_STEP * (i + 1) for i in range(count)]
        if upper is not None and upper - lower > count:
            return [lower + (upper - lower) * (i + 1) // (count + 1) for i in range(count)]
        if attempt == 0:
            logger.info("playlist renumbered", extra={"playlist_id": playlist_id})
            store.renumber(conn, playlist_id, RANK_STEP)
    raise RuntimeError("no room for new ranks after renumbering")  # unreachable: a renumbering leaves gaps


def _published(song_ids: list[str]) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The songs' ids and catalog documents; 422 naming every unknown or unpublished one."""
    found_ids = [canonical_id(value) for value in song_ids]
    unknown = [value for value, found in zip(song_ids, found_ids, strict=True) if found is None]
    docs = _songs([found for found in found_ids if found])
    unknown += [found for found in found_ids if found and docs.get(found, {}).get("status") != "published"]
    if unknown:
        raise SongsUnavailable(list(dict.fromkeys(unknown)))
    return [found for found in found_ids if found], docs


def add_tracks(user_id: str, playlist_id: str, body: AddTracks, if_match: str | None) -> TracksAdded:
    playlist_id = _id_or_404(playlist_id)
    before = _ids_or_unknown("before_item_id", [body.before_item_id])[0] if body.before_item_id else None
    limit = _settings().playlists_max_tracks
    with transaction() as conn:
        row = _load(conn, playlist_id, user_id, lock=True)
        _require_editor(row, user_id)
        check_version(row, if_match)
        wanted, docs = _published(body.song_ids)  # the catalog's cache; only its misses reach SQL
        if row["track_count"] + len(wanted) > limit:
            raise PlaylistFull(f"a playlist holds at most {limit} tracks")
        ranks = _gap(conn, playlist_id, before, [], len(wanted), row["last_rank"])
        durations = [int(docs[song_id]["duration_ms"] or 0) for song_id in wanted]
        added, version = store.insert_items(conn, playlist_id, ranks, wanted, durations, user_id)
    if row["owner_id"] != user_id and counters.first_in(
        f"added:{playlist_id}:{user_id}", NOTIFY_ADDS_SECONDS
    ):
        _notify(
            "playlist.tracks_added",
            row["owner_id"],
            {
                "playlist_id": playlist_id,
                "playlist_name": row["name"],
                "actor_id": user_id,
                "actor_name": owner_refs([user_id])[user_id]["display_name"],
                "track_count": len(added),
            },
        )
    return TracksAdded.model_validate({"version": version, "items": added})


def remove_tracks(user_id: str, playlist_id: str, body: RemoveTracks, if_match: str | None) -> Version:
    """Items not in the playlist (already removed) are ignored; nothing removed, nothing changes."""
    playlist_id = _id_or_404(playlist_id)
    item_ids = [found for value in body.item_ids if (found := canonical_id(value))]
    with transaction() as conn:
        row = _load(conn, playlist_id, user_id, lock=True)
        _require_editor(row, user_id)
        check_version(row, if_match)
        removed, duration_ms = store.delete_items(conn, playlist_id, item_ids)
        version = store.bump(conn, playlist_id, -removed, -duration_ms) if removed else int(row["version"])
    return Version(version=version)


def move_tracks(user_id: str, playlist_id: str, body: MoveTracks, if_match: str | None) -> Version:
    """Move the items, in their current relative order, to just before ``before_item_id`` (the end)."""
    playlist_id = _id_or_404(playlist_id)
    item_ids = _ids_or_unknown("item_ids", body.item_ids)
    before = _ids_or_unknown("before_item_id", [body.before_item_id])[0] if body.before_item_id else None
    if before in item_ids:
        raise ValidationFailed(
            "before_item_id is one of the moved items",
            errors=[{"field": "before_item_id", "message": "must not be one of item_ids"}],
        )
    with transaction() as conn:
        row = _load(conn, playlist_id, user_id, lock=True)
        _require_editor(row, user_id)
        check_version(row, if_match)
        current = store.item_ranks(conn, playlist_id, item_ids)
        missing = [item_id for item_id in item_ids if item_id not in current]
        if missing:
            raise UnknownItems("item_ids", missing)
        ranks = _gap(conn, playlist_id, before, item_ids, len(item_ids))
        moving = sorted(item_ids, key=current.__getitem__)  # a renumbering in _gap keeps this order
        store.set_ranks(conn, playlist_id, moving, ranks)
        version = store.bump(conn, playlist_id)
    return Version(version=version)


# -- collaborators ---------------------------------------------------------------------------------


def _token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def create_invite(user_id: str, playlist_id: str, if_match: str | None) -> Invite:
    """A link token whoever accepts becomes an editor with; only its hash is kept."""
    playlist_id = _id_or_404(playlist_id)
    token = secrets.token_urlsafe(32)
    expires_at = clock.now() + timedelta(hours=_settings().playlists_invite_ttl_hours)
    with transaction() as conn:
        row = _load(conn, playlist_id, user_id, lock=True)
        _require_owner(row, user_id)
        check_version(row, if_match)
        invite_id = store.insert_invite(conn, playlist_id, _token_hash(token), expires_at)
    return Invite(invite_id=invite_id, token=token, expires_at=expires_at)


def revoke_invite(user_id: str, playlist_id: str, invite_id: str) -> None:
    playlist_id = _id_or_404(playlist_id)
    with transaction() as conn:
        row = _load(conn, playlist_id, user_id)
        _require_owner(row, user_id)
        if (found := canonical_id(invite_id)) is None or not store.revoke_invite(conn, playlist_id, found):
            raise InviteNotFound("no such invite")


def accept_invite(user_id: str, token: str) -> Playlist:
    with transaction() as conn:
        invite = store.live_invite(conn, _token_hash(token), clock.now())
        if invite is None:
            raise InviteNotFound("this invite is unknown, expired or revoked")
        playlist_id = invite["playlist_id"]
        row = store.playlist_for(conn, playlist_id, user_id, lock=True)
        if row is None:
            raise InviteNotFound("this invite is unknown, expired or revoked")
        if row["owner_id"] != user_id and not row["is_editor"]:
            limit = _settings().playlists_max_collaborators
            if store.count_collaborators(conn, playlist_id) >= limit:
                raise TooManyCollaborators(f"a playlist may have at most {limit} editors")
            store.add_collaborator(conn, playlist_id, user_id)
            store.bump(conn, playlist_id)
        row = _load(conn, playlist_id, user_id)
        items = store.items_page(conn, playlist_id, DEFAULT_LIMIT + 1)
    return _playlist(row, user_id, items, DEFAULT_LIMIT)


def remove_collaborator(user_id: str, playlist_id: str, collaborator_id: str, if_match: str | None) -> None:
    """The owner removes an editor, or an editor leaves."""
    playlist_id = _id_or_404(playlist_id)
    target = canonical_id(collaborator_id)
    with transaction() as conn:
        row = _load(conn, playlist_id, user_id, lock=True)
        if row["owner_id"] == user_id:
            check_version(row, if_match)
        elif not (row["is_editor"] and target == user_id):
            raise OwnerOnly("only the owner removes editors; an editor may leave")
        if target is None or not store.remove_collaborator(conn, playlist_id, target):
            raise CollaboratorNotFound("no such editor of this playlist")
        store.bump(conn, playlist_id)


# -- followers -------------------------------------------------------------------------------------


def follow(user_id: str, playlist_id: str) -> None:
    playlist_id = _id_or_404(playlist_id)
    with transaction() as conn:
        row = _load(conn, playlist_id, user_id)
        if row["owner_id"] == user_id or not row["visible_to_others"]:
            raise NotFollowable("only someone else's public playlist can be followed")
        new = store.follow(conn, playlist_id, user_id)
    if new:
        _count("PlaylistsFollowed")
    if new and counters.first_in(f"followed:{playlist_id}:{user_id}", NOTIFY_FOLLOW_SECONDS):
        _notify(
            "playlist.followed",
            row["owner_id"],
            {
                "playlist_id": playlist_id,
                "playlist_name": row["name"],
                "follower_id": user_id,
                "follower_name": owner_refs([user_id])[user_id]["display_name"],
            },
        )


def unfollow(user_id: str, playlist_id: str) -> None:
    """Idempotent; a follower may leave a playlist that is hidden meanwhile."""
    playlist_id = _id_or_404(playlist_id)
    with transaction() as conn:
        row = store.playlist_for(conn, playlist_id, user_id)
        if row is None or not (readable(row, user_id) or row["is_follower"]):
            raise PlaylistNotFound("no such playlist")
        store.unfollow(conn, playlist_id, user_id)


def my_playlists(user_id: str, relation: str | None, limit: int, cursor: str | None) -> PlaylistPage:
    with transaction() as conn:
        rows = store.my_playlists(conn, user_id, relation, limit + 1, paging.decode_cursor(cursor))
    owners = owner_refs([row["owner_id"] for row in rows[:limit]])
    page = paging.page(
        rows,
        limit,
        lambda row: _summary(row, row["relation"], owners),
        lambda row: (row["related_at"], row["id"]),
    )
    return PlaylistPage.model_validate(page)


# -- views, plays and the ranking ------------------------------------------------------------------


def record_play(playlist_id: str, user_id: str, song_id: str) -> bool:
    """A qualified play (the 30-second rule held) started from the playlist: it counts for the playlist
    (once per account and UTC day) when others may see it, the player is not its owner or an editor, and
    the song is in it."""
    playlist_id, song_id = canonical_id(playlist_id), canonical_id(song_id)  # type: ignore[assignment]
    if playlist_id is None or song_id is None:
        return False
    with transaction() as conn:
        row = store.playlist_for(conn, playlist_id, user_id)
        if row is None or not _counts_as_view(row, user_id) or not store.has_song(conn, playlist_id, song_id):
            return False
    return counters.count(
        "players", playlist_id, user_id, clock.today(), _settings().playlists_viewer_daily_budget
    )


def _period_days(period: str, today: date) -> tuple[date, date]:
    return today - timedelta(days=PERIOD_DAYS[period] - 1), today


def flush_and_rank(today: date | None = None) -> dict[str, Any]:
    """The scheduled job: today's and yesterday's counts from Redis into ``playlist_daily_stats``, then
    every period's ranking computed and cached."""
    today = today or clock.today()
    flushed = 0
    for day in counters.flush_days(today):
        totals = counters.day_totals(day)
        with transaction() as conn:
            flushed += store.save_daily_stats(conn, day, totals)
    ranked = refresh_rankings(today)
    return {"flushed": flushed, "ranked": ranked}


def refresh_rankings(today: date | None = None) -> dict[str, int]:
    today = today or clock.today()
    weight = _settings().playlists_play_weight
    sizes = {}
    for period in PERIOD_DAYS:
        first, last = _period_days(period, today)
        with transaction() as conn:
            rows = store.ranking(conn, first, last, weight, TOP_LIMIT)
        owners = owner_refs([row["owner_id"] for row in rows])
        body = {
            "period": period,
            "computed_at": clock.iso(clock.now()),
            "items": [
                {
                    "id": row["id"],
                    "name": row["name"],
                    "description": row["description"],
                    "owner": owners[row["owner_id"]],
                    "track_count": row["track_count"],
                    "followers": row["followers"],
                    "score": row["score"],
                    "viewers": row["viewers"],
                    "players": row["players"],
                }
                for row in rows
            ],
        }
        with transaction() as conn:
            store.save_ranking(conn, period, body)
        counters.cache_ranking(period, body)
        sizes[period] = len(rows)
    return sizes


def top(period: str) -> str:
    """The cached ranking's JSON (Redis; the database's copy when Redis lost it)."""
    cached = counters.cached_ranking(period)
    if cached is not None:
        return cached
    with transaction() as conn:
        body = store.saved_ranking(conn, period)
    body = body or {"period": period, "computed_at": None, "items": []}
    counters.cache_ranking(period, body)
    return json.dumps(body)


# -- moderation (admin) ----------------------------------------------------------------------------


def _moderation_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "owner_id": row["owner_id"],
        "visibility": row["visibility"],
        "status": "taken_down" if row["taken_down_at"] else "active",
        "visible_to_others": bool(row["visible_to_others"]),
    }


def set_taken_down(playlist_id: str, taken_down: bool, reason: str | None = None) -> tuple[dict, dict]:
    """A moderator takes a playlist down (hidden from everyone but its owner and editors, out of the
    ranking) or restores it; ``(before, after)`` for the audit log. Idempotent."""
    playlist_id = _id_or_404(playlist_id)
    with transaction() as conn:
        rows = store.playlists_by_id(conn, [playlist_id])
        if not rows:
            raise PlaylistNotFound("no such playlist")
        store.set_taken_down(conn, playlist_id, taken_down, reason)
        after = store.playlists_by_id(conn, [playlist_id])[0]
    before = rows[0]
    if before["visible_to_others"] != after["visible_to_others"]:
        _changed(after, "restored" if after["visible_to_others"] else "hidden")
        refresh_rankings()
    return _moderation_view(before), _moderation_view(after)


# -- other modules' events -------------------------------------------------------------------------


def apply_plan(user_id: str) -> int:
    """billing's plan.changed: the owner's public playlists hide when premium ended and come back when it
    returns. Decided from the subscriptions as they are now (uncached), so a late or duplicated event
    changes nothing. Returns how many playlists changed visibility."""
    from sauti.billing.entitlements import compute_entitlements

    premium = compute_entitlements(user_id).public_playlists
    with transaction() as conn:
        changed = store.set_owner_premium(conn, user_id, premium)
    public = [row for row in changed if row["visibility"] == "public"]
    for row in public:
        _changed(row, "restored" if row["visible_to_others"] else "hidden")
    if public:
        refresh_rankings()
    return len(public)


def forget_user(user_id: str) -> dict[str, int]:
    """auth's user.deleted: the account's playlists are deleted (not handed over: docs/playlists.md),
    its follows and collaborations end, and its id leaves the items it added elsewhere."""
    with transaction() as conn:
        owned = store.delete_owned(conn, user_id)
        follows, collaborations = store.end_memberships(conn, user_id)
    forget_owner(user_id)
    for row in owned:
        _changed({**row, "owner_id": user_id}, "deleted")
    if any(row["visibility"] == "public" and row["owner_premium"] for row in owned):
        refresh_rankings()
    return {"playlists_deleted": len(owned), "follows_ended": follows, "collaborations_ended": collaborations}
