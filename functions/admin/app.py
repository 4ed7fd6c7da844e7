"""The admin API (three roles, docs/admin.md) and POST /reports. Each route: one logic call, which checks
the role matrix (sauti.admin.roles) before anything else."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from sauti.admin import logic
from sauti.admin.models import (
    AccountLink,
    AdAudioIn,
    AdIn,
    AdminAd,
    AdminAlbum,
    AdminArtist,
    AdminSong,
    AdminUser,
    AdminVideo,
    AdPage,
    AdPatch,
    AdUploadIn,
    AlbumIn,
    AlbumPatch,
    ArtistIn,
    ArtistPatch,
    AuditPage,
    ImportResult,
    Moderated,
    ReasonIn,
    RenditionIn,
    Report,
    ReportIn,
    ReportPage,
    ResolveIn,
    SongIn,
    SongPatch,
    UploadIn,
    UploadTicket,
    UserPage,
    VideoCreated,
    VideoIn,
)
from sauti.admin.settings import AdminSettings
from sauti.http import Cursor, IdCursor, errors, http_app, lambda_entry
from sauti.settings import require

IMPORT_ROUTE = "POST /admin/catalog/imports"
app = http_app(raw_bodies=(IMPORT_ROUTE,))  # every route needs a signed-in user; /admin ones a role too
require(AdminSettings)

Limit = Annotated[int, Query(ge=1, le=logic.MAX_LIMIT)]
Text = Annotated[str | None, Query(max_length=320)]
Day = Annotated[date | None, Query(description="a UTC day, YYYY-MM-DD (inclusive)")]
Quality = Annotated[Literal["low", "normal", "high"], Path()]
Role = Annotated[str, Path(max_length=40)]
Moderatable = Literal["songs", "videos", "playlists"]
ADMIN = errors(403, 404)


# -- artists, albums -------------------------------------------------------------------------------


@app.post("/admin/artists", status_code=201, responses=errors(403))
def create_artist(body: ArtistIn) -> AdminArtist:
    return logic.create_artist(app.principal(), body)


@app.patch("/admin/artists/<artist_id>", responses=ADMIN)
def edit_artist(artist_id: str, body: ArtistPatch) -> AdminArtist:
    return logic.edit_artist(app.principal(), artist_id, body)


@app.put("/admin/artists/<artist_id>/account", responses=ADMIN)
def link_account(artist_id: str, body: AccountLink) -> AdminArtist:
    return logic.link_artist_account(app.principal(), artist_id, body.email)


@app.post("/admin/albums", status_code=201, responses=ADMIN)
def create_album(body: AlbumIn) -> AdminAlbum:
    return logic.create_album(app.principal(), body)


@app.patch("/admin/albums/<album_id>", responses=ADMIN)
def edit_album(album_id: str, body: AlbumPatch) -> AdminAlbum:
    return logic.edit_album(app.principal(), album_id, body)


# -- songs -----------------------------------------------------------------------------------------


@app.post("/admin/songs", status_code=201, responses=ADMIN)
def create_song(body: SongIn) -> AdminSong:
    return logic.create_song(app.principal(), body)


@app.get("/admin/songs/<song_id>", responses=ADMIN)
def get_admin_song(song_id: str) -> AdminSong:
    return logic.get_song(app.principal(), song_id)


@app.patch("/admin/songs/<song_id>", responses=ADMIN)
def edit_song(song_id: str, body: SongPatch) -> AdminSong:
    return logic.edit_song(app.principal(), song_id, body)


@app.post("/admin/songs/<song_id>/uploads", status_code=201, responses=ADMIN)
def song_upload(song_id: str, body: UploadIn) -> UploadTicket:
    return logic.song_upload(app.principal(), song_id, body.quality, body.content_type, body.size_bytes)


@app.put("/admin/songs/<song_id>/renditions/<quality>", responses=errors(403, 404, 409))
def confirm_rendition(song_id: str, quality: Quality, body: RenditionIn) -> AdminSong:
    return logic.confirm_rendition(
        app.principal(), song_id, quality, body.object_key, body.codec, body.bitrate_kbps
    )


@app.post("/admin/songs/<song_id>/publish", responses=errors(403, 404, 409))
def publish_song(song_id: str) -> AdminSong:
    return logic.publish_song(app.principal(), song_id)


# -- videos ----------------------------------------------------------------------------------------


@app.post("/admin/videos", status_code=201, responses=errors(403, 404, 503))
def create_video(body: VideoIn) -> VideoCreated:
    return logic.create_video(app.principal(), body)


@app.get("/admin/videos/<video_id>", responses=ADMIN)
def get_admin_video(video_id: str) -> AdminVideo:
    return logic.get_video(app.principal(), video_id)


@app.post("/admin/videos/<video_id>/publish", responses=errors(403, 404, 409))
def publish_video(video_id: str) -> AdminVideo:
    return logic.publish_video(app.principal(), video_id)


# -- ads -------------------------------------------------------------------------------------------


@app.post("/admin/ads", status_code=201, responses=errors(403))
def create_ad(body: AdIn) -> AdminAd:
    return logic.create_ad(app.principal(), body)


@app.get("/admin/ads", responses=errors(403))
def list_ads(limit: Limit = logic.DEFAULT_LIMIT, cursor: Cursor = None) -> AdPage:
    return logic.list_ads(app.principal(), limit, cursor)  # type: ignore[return-value]


@app.get("/admin/ads/<ad_id>", responses=ADMIN)
def get_ad(ad_id: str) -> AdminAd:
    return logic.get_ad(app.principal(), ad_id)


@app.patch("/admin/ads/<ad_id>", responses=ADMIN)
def edit_ad(ad_id: str, body: AdPatch) -> AdminAd:
    return logic.edit_ad(app.principal(), ad_id, body)


@app.post("/admin/ads/<ad_id>/uploads", status_code=201, responses=ADMIN)
def ad_upload(ad_id: str, body: AdUploadIn) -> UploadTicket:
    return logic.ad_upload(app.principal(), ad_id, body.content_type, body.size_bytes)


@app.put("/admin/ads/<ad_id>/audio", responses=errors(403, 404, 409))
def confirm_ad_audio(ad_id: str, body: AdAudioIn) -> AdminAd:
    return logic.confirm_ad_audio(app.principal(), ad_id, body.object_key)


# -- catalog import --------------------------------------------------------------------------------


IMPORT_BODY = {
    "required": True,
    "description": f"The catalog in JSON Lines, at most {logic.IMPORT_MAX_BYTES // 2**20} MB: one object"
    " a line, `artist`, `album` or `song` (docs/admin.md, Catalog import); sent under any content type.",
    "content": {
        "application/x-ndjson": {
            "schema": {"type": "string", "maxLength": logic.IMPORT_MAX_BYTES},
            "example": '{"type": "artist", "ref": "a1", "name": "Sauti Sol"}\n'
            '{"type": "song", "ref": "s1", "artist": "a1", "title": "Suzanna", "duration_ms": 215000,'
            ' "status": "draft"}\n',
        }
    },
}


@app.post(
    "/admin/catalog/imports",
    responses=errors(403, 413),
    openapi_extensions={"requestBody": IMPORT_BODY},  # read raw by the route, so not a model
)
def import_catalog() -> ImportResult:
    """The body is the contract's JSON Lines (any content type), at most 5 MB."""
    body = app.current_event.decoded_body or ""
    return logic.import_catalog(app.principal(), body.encode() if isinstance(body, str) else body)


# -- moderation ------------------------------------------------------------------------------------


def _moderate(kind: Moderatable, target_id: str, body: ReasonIn, restore: bool) -> Moderated:
    return logic.moderate(app.principal(), kind.removesuffix("s"), target_id, body.reason, restore=restore)


@app.post("/admin/songs/<target_id>/takedown", responses=ADMIN)
def take_down_song(target_id: str, body: ReasonIn) -> Moderated:
    return _moderate("songs", target_id, body, False)


@app.post("/admin/songs/<target_id>/restore", responses=ADMIN)
def restore_song(target_id: str, body: ReasonIn) -> Moderated:
    return _moderate("songs", target_id, body, True)


@app.post("/admin/videos/<target_id>/takedown", responses=ADMIN)
def take_down_video(target_id: str, body: ReasonIn) -> Moderated:
    return _moderate("videos", target_id, body, False)


@app.post("/admin/videos/<target_id>/restore", responses=ADMIN)
def restore_video(target_id: str, body: ReasonIn) -> Moderated:
    return _moderate("videos", target_id, body, True)


@app.post("/admin/playlists/<target_id>/takedown", responses=errors(403, 404, 503))
def take_down_playlist(target_id: str, body: ReasonIn) -> Moderated:
    return _moderate("playlists", target_id, body, False)


@app.post("/admin/playlists/<target_id>/restore", responses=errors(403, 404, 503))
def restore_playlist(target_id: str, body: ReasonIn) -> Moderated:
    return _moderate("playlists", target_id, body, True)


# -- users -----------------------------------------------------------------------------------------


@app.get("/admin/users", responses=errors(403))
def list_users(
    email: Text = None, role: Text = None, limit: Limit = logic.DEFAULT_LIMIT, cursor: Cursor = None
) -> UserPage:
    return logic.list_users(app.principal(), email, role, limit, cursor)  # type: ignore[return-value]


@app.post("/admin/users/<user_id>/suspend", responses=ADMIN)
def suspend(user_id: str, body: ReasonIn) -> AdminUser:
    return logic.set_suspension(app.principal(), user_id, body.reason, suspend=True)


@app.post("/admin/users/<user_id>/unsuspend", responses=ADMIN)
def unsuspend(user_id: str, body: ReasonIn) -> AdminUser:
    return logic.set_suspension(app.principal(), user_id, body.reason, suspend=False)


@app.put("/admin/users/<user_id>/roles/<role>", responses=ADMIN)
def grant_role(user_id: str, role: Role) -> AdminUser:
    return logic.change_role(app.principal(), user_id, role, grant=True)


@app.delete("/admin/users/<user_id>/roles/<role>", responses=errors(403, 404, 409))
def revoke_role(user_id: str, role: Role) -> AdminUser:
    return logic.change_role(app.principal(), user_id, role, grant=False)


# -- reports ---------------------------------------------------------------------------------------


@app.post("/reports", status_code=202, responses=errors(404, 429))
def file_report(body: ReportIn) -> Report:
    return logic.file_report(app.principal(), body)


@app.get("/admin/reports", responses=errors(403))
def list_reports(
    status: Annotated[Literal["open", "resolved"], Query()] = "open",
    limit: Limit = logic.DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ReportPage:
    return logic.list_reports(app.principal(), status, limit, cursor)  # type: ignore[return-value]


@app.post("/admin/reports/<report_id>/resolve", responses=errors(403, 404, 409))
def resolve_report(report_id: str, body: ResolveIn) -> Report:
    return logic.resolve_report(app.principal(), report_id, body.action, body.note)


# -- the audit log ---------------------------------------------------------------------------------


@app.get("/admin/audit-log", responses=errors(403))
def audit_log(
    actor: Text = None,
    target_id: Text = None,
    action: Text = None,
    since: Day = None,
    until: Day = None,
    limit: Limit = logic.DEFAULT_LIMIT,
    cursor: IdCursor = None,
) -> AuditPage:
    return logic.read_audit_log(  # type: ignore[return-value]
        app.principal(), actor, target_id, action, limit, cursor, days=(since, until)
    )


lambda_handler: Any = lambda_entry(app)
