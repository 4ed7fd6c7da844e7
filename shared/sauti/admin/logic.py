"""What admins do: each write checks the role matrix, changes the owning module through its public
functions and records its audit entry, all in one transaction (nested writes are savepoints; caches
and events follow the outer commit)."""

from __future__ import annotations

import mimetypes
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sauti import clock, paging
from sauti.admin import audit, roles, store, stream
from sauti.admin.errors import (
    ImportTooLarge,
    ReportNotFound,
    ReportResolved,
    TargetNotFound,
    UploadMissing,
    UserNotFound,
)
from sauti.admin.models import (
    AdIn,
    AdminAd,
    AdminAlbum,
    AdminArtist,
    AdminSong,
    AdminUser,
    AdminVideo,
    AdPatch,
    AlbumIn,
    AlbumPatch,
    ArtistIn,
    ArtistPatch,
    AuditEntry,
    ImportResult,
    Moderated,
    Report,
    ReportIn,
    SongIn,
    SongPatch,
    StreamUpload,
    UploadTicket,
    VideoCreated,
    VideoIn,
)
from sauti.admin.roles import Area
from sauti.admin.settings import AdminSettings
from sauti.auth import public as auth
from sauti.catalog import public as catalog
from sauti.db import transaction
from sauti.errors import NotFound, RateLimited, ServiceUnavailable, ValidationFailed
from sauti.ids import canonical_id
from sauti.principal import ADMIN_ROLES, ARTIST, Principal
from sauti.settings import settings

IMPORT_MAX_BYTES = 5 * 1024 * 1024
API_IMPORT_TIMEOUT_MS = 20_000  # inside the function's 29 s
MAX_VIDEO_SECONDS = 86_400  # a "ready" notification saying longer than a day cannot be applied
DEFAULT_LIMIT, MAX_LIMIT = 20, 100


def _fields(body: Any) -> dict[str, Any]:
    """What a PATCH body sets (fields sent, even as null)."""
    fields: dict[str, Any] = body.model_dump(exclude_unset=True)
    return fields


# -- artists and albums ----------------------------------------------------------------------------


def create_artist(principal: Principal, body: ArtistIn) -> AdminArtist:
    roles.require(principal, Area.CATALOG)
    with transaction() as conn:
        row = catalog.add_artist(body.name, body.bio)
        audit.record(conn, principal.user_id, "artist.create", "artist", row["id"], after=row)
    return AdminArtist.model_validate(row)


def edit_artist(principal: Principal, artist_id: str, body: ArtistPatch) -> AdminArtist:
    roles.require(principal, Area.CATALOG)
    fields = _fields(body)
    if "name" in fields and fields["name"] is None:
        raise ValidationFailed("name cannot be removed")
    with transaction() as conn:
        before, after = catalog.edit_artist(artist_id, fields)
        audit.record(
            conn, principal.user_id, "artist.update", "artist", after["id"], before=before, after=after
        )
    return AdminArtist.model_validate(after)


def link_artist_account(principal: Principal, artist_id: str, email: str) -> AdminArtist:
    """The account gets the ``artist`` role and sees this artist's stats."""
    roles.require(principal, Area.ARTIST_ACCOUNTS)
    user_id = auth.user_id_by_email(email)
    if user_id is None:
        raise UserNotFound("no account with this email")
    with transaction() as conn:
        before, after = catalog.edit_artist(artist_id, {"user_id": user_id})
        changed = auth.change_role(user_id, ARTIST, grant=True)
        if changed is None:
            raise UserNotFound("no account with this email")
        audit.record(
            conn, principal.user_id, "artist.link_account", "artist", after["id"], before=before, after=after
        )
    return AdminArtist.model_validate(after)


def create_album(principal: Principal, body: AlbumIn) -> AdminAlbum:
    roles.require(principal, Area.CATALOG)
    with transaction() as conn:
        row = catalog.add_album(body.artist_id, body.title, body.release_date)
        audit.record(conn, principal.user_id, "album.create", "album", row["id"], after=row)
    return AdminAlbum.model_validate(row)


def edit_album(principal: Principal, album_id: str, body: AlbumPatch) -> AdminAlbum:
    roles.require(principal, Area.CATALOG)
    fields = _fields(body)
    if fields.get("artist_id", "") is None or fields.get("title", "") is None:
        raise ValidationFailed("artist_id and title cannot be removed")
    with transaction() as conn:
        before, after = catalog.edit_album(album_id, fields)
        audit.record(
            conn, principal.user_id, "album.update", "album", after["id"], before=before, after=after
        )
    return AdminAlbum.model_validate(after)


# -- songs and their uploads -----------------------------------------------------------------------


def create_song(principal: Principal, body: SongIn) -> AdminSong:
    roles.require(principal, Area.CATALOG)
    with transaction() as conn:
        row = catalog.add_draft_song(body.model_dump())
        audit.record(conn, principal.user_id, "song.create", "song", row["id"], after=row)
    return AdminSong.model_validate(row)


def edit_song(principal: Principal, song_id: str, body: SongPatch) -> AdminSong:
    roles.require(principal, Area.CATALOG)
    fields = _fields(body)
    for required in ("artist_id", "title", "duration_ms", "explicit"):
        if required in fields and fields[required] is None:
            raise ValidationFailed(f"{required} cannot be removed")
    with transaction() as conn:
        before, after = catalog.edit_song(song_id, fields)
        audit.record(conn, principal.user_id, "song.update", "song", after["id"], before=before, after=after)
    return AdminSong.model_validate(catalog.song_row(after["id"]))


def get_song(principal: Principal, song_id: str) -> AdminSong:
    roles.require(principal, Area.CATALOG)
    return AdminSong.model_validate(catalog.song_row(song_id))


def _upload_ticket(
    principal: Principal,
    target_type: str,
    target_id: str,
    prefix: str,
    quality: str | None,
    content_type: str,
    size_bytes: int,
) -> UploadTicket:
    """A presigned R2 PUT for a key the server chose; the announced type and size are signed and kept."""
    from sauti.signing import r2

    config = settings(AdminSettings)
    if size_bytes > config.upload_max_bytes:
        raise ValidationFailed(f"size_bytes: at most {config.upload_max_bytes}")
    extension = mimetypes.guess_extension(content_type) or ".bin"
    object_key = f"{prefix}/{uuid.uuid4().hex}{extension}"
    expires_at = clock.now() + timedelta(seconds=config.upload_url_ttl_seconds)
    url = r2.presigned_upload_url(
        object_key, content_type, content_length=size_bytes, expires_in=config.upload_url_ttl_seconds
    )
    with transaction() as conn:
        store.insert_pending_upload(
            conn,
            {
                "object_key": object_key,
                "target_type": target_type,
                "target_id": target_id,
                "quality": quality,
                "content_type": content_type,
                "size_bytes": size_bytes,
                "created_by": principal.user_id,
                "expires_at": expires_at,
            },
        )
        audit.record(
            conn,
            principal.user_id,
            f"{target_type}.upload_url",
            target_type,
            target_id,
            after={"object_key": object_key, "content_type": content_type, "size_bytes": size_bytes},
        )
    return UploadTicket(
        url=url,
        method="PUT",
        headers={"Content-Type": content_type, "Content-Length": str(size_bytes)},
        object_key=object_key,
        expires_at=expires_at,
    )


def song_upload(
    principal: Principal, song_id: str, quality: str, content_type: str, size: int
) -> UploadTicket:
    roles.require(principal, Area.CATALOG)
    song = catalog.song_row(song_id)
    return _upload_ticket(
        principal, "song", song["id"], f"audio/{song['id']}/{quality}", quality, content_type, size
    )


def _uploaded(
    conn: Any, object_key: str, target_type: str, target_id: str, quality: str | None
) -> dict[str, Any]:
    """The pending upload, once R2 holds the object with the announced size and type; else 409."""
    from botocore.exceptions import BotoCoreError, ClientError

    from sauti.signing import r2

    pending = store.pending_upload(conn, object_key)
    if pending is None or (pending["target_type"], pending["target_id"], pending["quality"]) != (
        target_type,
        target_id,
        quality,
    ):
        raise UploadMissing("no upload of this object was handed out for this target")
    if target_type == "song":
        from sauti.admin import media

        candidate = media.Candidate(
            object_key, target_id, content_type=pending["content_type"], size_bytes=pending["size_bytes"]
        )
        [refusal] = media.refusals(conn, [candidate])
        if refusal is not None:
            raise UploadMissing(refusal)
        store.delete_pending_upload(conn, object_key)
        return pending
    try:
        found = r2.head(object_key)
    except (BotoCoreError, ClientError) as exc:
        raise ServiceUnavailable("R2 could not be asked; retry shortly") from exc
    if found is None:
        raise UploadMissing("the object is not in R2 yet")
    if found["size_bytes"] != pending["size_bytes"] or found["content_type"] != pending["content_type"]:
        raise UploadMissing(
            f"R2 holds {found['size_bytes']} bytes of {found['content_type']}, "
            f"announced {pending['size_bytes']} bytes of {pending['content_type']}"
        )
    store.delete_pending_upload(conn, object_key)
    return pending


def confirm_rendition(
    principal: Principal, song_id: str, quality: str, object_key: str, codec: str, bitrate_kbps: int
) -> AdminSong:
    roles.require(principal, Area.CATALOG)
    song = catalog.song_row(song_id)
    with transaction() as conn:
        pending = _uploaded(conn, object_key, "song", song["id"], quality)
        rendition = {
            "quality": quality,
            "codec": codec,
            "bitrate_kbps": bitrate_kbps,
            "object_key": object_key,
            "size_bytes": pending["size_bytes"],
        }
        before, after = catalog.set_rendition(song["id"], rendition)
        audit.record(
            conn, principal.user_id, "song.rendition", "song", song["id"], before=before, after=after
        )
    return AdminSong.model_validate(catalog.song_row(song["id"]))


def publish_song(principal: Principal, song_id: str) -> AdminSong:
    roles.require(principal, Area.CATALOG)
    with transaction() as conn:
        before, after = catalog.set_song_state(song_id, "published")
        audit.record(conn, principal.user_id, "song.publish", "song", after["id"], before=before, after=after)
    return AdminSong.model_validate(catalog.song_row(after["id"]))


# -- videos (Cloudflare Stream) --------------------------------------------------------------------


def _video(row: dict[str, Any]) -> AdminVideo:
    return AdminVideo.model_validate({**row, "ready": row["ready_at"] is not None})


def create_video(principal: Principal, body: VideoIn) -> VideoCreated:
    roles.require(principal, Area.CATALOG)
    if catalog.artist_account(body.artist_id) is None:
        raise TargetNotFound("no such artist")
    uid, upload_url, expires_at = stream.direct_upload({"name": body.title})
    with transaction() as conn:
        row = catalog.add_draft_video(body.artist_id, body.title, uid, body.song_id)
        audit.record(conn, principal.user_id, "video.create", "video", row["id"], after=row)
    return VideoCreated(video=_video(row), upload=StreamUpload(url=upload_url, expires_at=expires_at))


def get_video(principal: Principal, video_id: str) -> AdminVideo:
    roles.require(principal, Area.CATALOG)
    return _video(catalog.video_row(video_id))


def publish_video(principal: Principal, video_id: str) -> AdminVideo:
    roles.require(principal, Area.CATALOG)
    with transaction() as conn:
        before, after = catalog.set_video_state(video_id, "published")
        audit.record(
            conn, principal.user_id, "video.publish", "video", after["id"], before=before, after=after
        )
    return _video(after)


def stream_notification(body: bytes, signature: str | None) -> dict[str, Any]:
    """Stream's webhook: a genuine, recent "ready" notification marks the video ready with its duration
    and thumbnail. Duplicates, replays of older notifications and unknown videos change nothing."""
    signed_at = stream.verify(body, signature)
    notification = stream.parse_notification(body)
    if not notification.ready_to_stream or notification.status.state != "ready":
        return {"received": True, "applied": False}  # an error, or still processing: nothing to apply
    duration = notification.duration
    if duration is None or not 0 < duration < MAX_VIDEO_SECONDS:
        raise ValidationFailed(f"duration: a ready video lasts between 0 and {MAX_VIDEO_SECONDS} seconds")
    with transaction() as conn:
        changed = catalog.mark_video_ready(
            notification.uid,
            round(duration * 1000),
            notification.thumbnail,
            datetime.fromtimestamp(signed_at, UTC),
        )
        if changed is not None:
            before, after = changed
            audit.record(
                conn, audit.STREAM_WEBHOOK, "video.ready", "video", after["id"], before=before, after=after
            )
    return {"received": True, "applied": changed is not None}


# -- the ad inventory ------------------------------------------------------------------------------


def create_ad(principal: Principal, body: AdIn) -> AdminAd:
    roles.require(principal, Area.CATALOG)
    with transaction() as conn:
        row = catalog.add_ad(body.model_dump())
        audit.record(conn, principal.user_id, "ad.create", "ad", row["id"], after=row)
    return AdminAd.model_validate(row)


def edit_ad(principal: Principal, ad_id: str, body: AdPatch) -> AdminAd:
    roles.require(principal, Area.CATALOG)
    fields = _fields(body)
    for required in ("title", "advertiser", "duration_ms", "weight", "active"):
        if required in fields and fields[required] is None:
            raise ValidationFailed(f"{required} cannot be removed")
    with transaction() as conn:
        before, after = catalog.edit_ad(ad_id, fields)
        audit.record(conn, principal.user_id, "ad.update", "ad", after["id"], before=before, after=after)
    return AdminAd.model_validate(after)


def get_ad(principal: Principal, ad_id: str) -> AdminAd:
    roles.require(principal, Area.CATALOG)
    return AdminAd.model_validate(catalog.ad_row(ad_id))


def list_ads(principal: Principal, limit: int, cursor: str | None) -> dict[str, Any]:
    roles.require(principal, Area.CATALOG)
    return catalog.list_ads(limit, cursor)


def ad_upload(principal: Principal, ad_id: str, content_type: str, size: int) -> UploadTicket:
    roles.require(principal, Area.CATALOG)
    ad = catalog.ad_row(ad_id)
    return _upload_ticket(principal, "ad", ad["id"], f"ads/{ad['id']}", None, content_type, size)


def confirm_ad_audio(principal: Principal, ad_id: str, object_key: str) -> AdminAd:
    roles.require(principal, Area.CATALOG)
    ad = catalog.ad_row(ad_id)
    with transaction() as conn:
        _uploaded(conn, object_key, "ad", ad["id"], None)
        before, after = catalog.edit_ad(ad["id"], {"object_key": object_key})
        audit.record(conn, principal.user_id, "ad.audio", "ad", ad["id"], before=before, after=after)
    return AdminAd.model_validate(after)


# -- catalog import --------------------------------------------------------------------------------


def import_catalog(principal: Principal, body: bytes) -> ImportResult:
    """The contract's JSON Lines by API: at most 5 MB, atomic, idempotent by ``ref``."""
    roles.require(principal, Area.CATALOG)
    if len(body) > IMPORT_MAX_BYTES:
        raise ImportTooLarge(f"at most {IMPORT_MAX_BYTES} bytes by API; use `sauti catalog import`")
    result = import_lines(principal.user_id, body.splitlines(), statement_timeout_ms=API_IMPORT_TIMEOUT_MS)
    return ImportResult.model_validate(result)


def import_lines(
    actor: audit.Actor,
    lines: Iterable[bytes | str],
    *,
    statement_timeout_ms: int = 0,
    lookup: Callable[[Sequence[str]], dict[str, dict[str, Any] | None]] | None = None,
) -> dict[str, Any]:
    """Import JSON Lines (any size: the CLI reads a whole file; 0 = no statement timeout) in one
    transaction, with its audit entry. ``lookup`` finds the renditions' objects (default: R2's HEADs)."""
    from sauti.admin import importer, media

    with transaction() as conn:
        result = importer.run(
            conn, lines, statement_timeout_ms=statement_timeout_ms, lookup=lookup or media.r2_heads
        )
        audit.record(conn, actor, "catalog.import", "catalog", None, after={"imported": result["imported"]})
    return result


# -- moderation ------------------------------------------------------------------------------------


def moderate(principal: Principal, kind: str, target_id: str, reason: str, *, restore: bool) -> Moderated:
    """Take down or restore a song, video or playlist: new links refuse it at once (the catalog cache is
    invalidated), play-session renewals end, search hears ``catalog.changed``, downloads at next sync."""
    roles.require(principal, Area.MODERATION)
    change = "restored" if restore else "taken_down"
    action = f"{kind}.{'restore' if restore else 'takedown'}"
    with transaction() as conn:
        if kind == "song":
            before, after = catalog.set_song_state(target_id, change)
        elif kind == "video":
            before, after = catalog.set_video_state(target_id, change)
        else:
            from sauti.playlists import public as playlists

            key = canonical_id(target_id)
            if key is None:
                raise TargetNotFound("no such playlist")
            before, after = playlists.restore(key) if restore else playlists.take_down(key, reason)
        audit.record(
            conn, principal.user_id, action, kind, after["id"], before=before, after=after, reason=reason
        )
    return Moderated(target_type=kind, target_id=after["id"], status=str(after.get("status")))


def _user_or_404(user_id: str) -> dict[str, Any]:
    user = auth.user_for_admin(user_id)
    if user is None:
        raise UserNotFound("no such user")
    return user


def set_suspension(principal: Principal, user_id: str, reason: str, *, suspend: bool) -> AdminUser:
    """Suspension ends every session and refuses login (403 ``account_suspended``); auth owns both."""
    roles.require(principal, Area.MODERATION)
    before = _user_or_404(user_id)
    roles.require_outranks(principal, before["id"], before["roles"])
    with transaction() as conn:
        (auth.suspend_user if suspend else auth.unsuspend_user)(before["id"])
        after = _user_or_404(before["id"])
        action = "user.suspend" if suspend else "user.unsuspend"
        audit.record(
            conn, principal.user_id, action, "user", before["id"], before=before, after=after, reason=reason
        )
    return AdminUser.model_validate(after)


# -- users and roles -------------------------------------------------------------------------------


def list_users(
    principal: Principal, email: str | None, role: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    roles.require(principal, Area.USERS)
    return auth.list_users(email, role, limit, cursor)


def change_role(principal: Principal, user_id: str, role: str, *, grant: bool) -> AdminUser:
    """Super admins grant and revoke the admin roles of accounts below them, and may give up their own
    ``super_admin``; the last active super admin stays (409)."""
    roles.require(principal, Area.ROLES)
    if role not in ADMIN_ROLES:
        raise ValidationFailed(f"role: one of {', '.join(sorted(ADMIN_ROLES))}")
    before = _user_or_404(user_id)
    stepping_down = before["id"] == principal.user_id and not grant
    if not stepping_down:
        roles.require_outranks(principal, before["id"], before["roles"])
    with transaction() as conn:
        after = auth.change_role(before["id"], role, grant=grant)
        if after is None:
            raise UserNotFound("no such user")
        action = "user.grant_role" if grant else "user.revoke_role"
        audit.record(conn, principal.user_id, action, "user", before["id"], before=before, after=after)
    return AdminUser.model_validate(after)


def change_role_by_email(email: str, role: str, *, grant: bool) -> dict[str, Any]:
    """`sauti grant-role` and `revoke-role` (any role, from a shell): audited as the command."""
    with transaction() as conn:
        after = auth.grant_role(email, role) if grant else auth.revoke_role(email, role)
        audit.record(
            conn,
            audit.GRANT_ROLE if grant else audit.REVOKE_ROLE,
            "user.grant_role" if grant else "user.revoke_role",
            "user",
            after["id"],
            after=after,
        )
    return after


# -- reports ---------------------------------------------------------------------------------------


def _reportable(reporter_id: str, target_type: str, target_id: str) -> bool:
    """Whether the reporter may see the target: anything else answers like an unknown id (404), so a
    report tells nobody that a private playlist or an unreleased song exists."""
    if target_type == "song":
        song = catalog.song_summary(target_id)
        return song is not None and song["status"] != "draft"
    if target_type == "video":
        try:
            return bool(catalog.video_row(target_id)["status"] != "draft")
        except NotFound:
            return False
    if target_type == "user":
        return auth.user_for_admin(target_id) is not None
    from sauti.playlists import public as playlists

    return playlists.readable_by(reporter_id, target_id)


def file_report(principal: Principal, body: ReportIn) -> Report:
    """Any user reports content or a user; one open report per reporter and target; throttled."""
    target_id = canonical_id(body.target_id)
    if target_id is None or not _reportable(principal.user_id, body.target_type, target_id):
        raise TargetNotFound(f"no such {body.target_type}")
    config = settings(AdminSettings)
    fields = {
        "reporter_id": principal.user_id,
        "target_type": body.target_type,
        "target_id": target_id,
        "reason": body.reason,
    }
    with transaction() as conn:
        existing = store.open_report(conn, principal.user_id, body.target_type, target_id)
        if existing is not None:
            return Report.model_validate(existing)
        if (
            store.reports_filed_since(conn, principal.user_id, clock.now() - timedelta(hours=1))
            >= config.reports_per_hour
        ):
            raise RateLimited(3600, "too many reports; try again later")
        row = store.insert_report(conn, fields) or store.open_report(
            conn, principal.user_id, body.target_type, target_id
        )
    return Report.model_validate(row)


def list_reports(principal: Principal, status: str, limit: int, cursor: str | None) -> dict[str, Any]:
    roles.require(principal, Area.MODERATION)
    with transaction() as conn:
        rows = store.reports_page(conn, status, limit + 1, paging.decode_cursor(cursor))
    return paging.page(rows, limit, lambda row: row, lambda row: (row["created_at"], row["id"]))


def resolve_report(principal: Principal, report_id: str, action: str, note: str | None) -> Report:
    roles.require(principal, Area.MODERATION)
    key = canonical_id(report_id)
    with transaction() as conn:
        found = store.report(conn, key, lock=True) if key else None
        if found is None:
            raise ReportNotFound("no such report")
        if found["status"] != "open":
            raise ReportResolved("this report is already resolved")
        reason = note or f"report {found['id']}: {found['reason']}"
        if action == "takedown":
            if found["target_type"] == "user":
                raise ValidationFailed("a user is suspended, not taken down")
            moderate(principal, found["target_type"], found["target_id"], reason, restore=False)
        elif action == "suspend":
            if found["target_type"] != "user":
                raise ValidationFailed("only a reported user can be suspended")
            set_suspension(principal, found["target_id"], reason, suspend=True)
        after = store.resolve_report(conn, found["id"], action, note, principal.user_id)
        audit.record(
            conn, principal.user_id, "report.resolve", "report", found["id"], before=found, after=after
        )
    return Report.model_validate(after)


# -- the audit log ---------------------------------------------------------------------------------


def read_audit_log(
    principal: Principal,
    actor: str | None,
    target_id: str | None,
    action: str | None,
    limit: int,
    cursor: str | None,
    *,
    days: tuple[date | None, date | None] = (None, None),
) -> dict[str, Any]:
    """Newest first, within ``days`` (UTC, both inclusive) when given; super admins read everything,
    the other admins their own actions."""
    roles.require(principal, Area.AUDIT_LOG)
    system_actor = None
    if not roles.reads_whole_audit_log(principal):
        actor = principal.user_id
    elif actor is not None and canonical_id(actor) is None:
        actor, system_actor = None, actor  # not an account id: a system actor's name
    elif actor is not None:
        actor = canonical_id(actor)
    before_id = None
    if cursor:
        if re.fullmatch(paging.ID_CURSOR_PATTERN, cursor) is None:
            raise paging.InvalidCursor()
        before_id = int(cursor)
    with transaction() as conn:
        rows = store.audit_page(
            conn,
            {
                "actor": actor,
                "system_actor": system_actor,
                "target_id": target_id,
                "action": action,
                "since": days[0],
                "until": days[1],
            },
            limit + 1,
            before_id,
        )
    items = [AuditEntry.model_validate(row) for row in rows[:limit]]
    return {"items": items, "next_cursor": str(rows[limit - 1]["id"]) if len(rows) > limit else None}
