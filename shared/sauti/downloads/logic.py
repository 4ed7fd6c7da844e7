"""Offline downloads: devices, issuing sealed keys and licenses, sync on reconnect, revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any

from psycopg.errors import ForeignKeyViolation

from sauti import clock, paging
from sauti.billing.public import compute_entitlements, entitlements_for
from sauti.db import Row, transaction
from sauti.downloads import store
from sauti.downloads.errors import (
    DailyDownloadLimit,
    DeviceDownloadLimit,
    DeviceNotFound,
    DownloadNotFound,
    NotOfflineDevice,
)
from sauti.downloads.settings import DownloadsSettings
from sauti.errors import NotFound, PremiumRequired, Unauthorized
from sauti.ids import canonical_id
from sauti.observability import count
from sauti.settings import settings

if TYPE_CHECKING:  # loaded where an answer is built: the plan-events job skips pydantic
    from sauti.downloads.models import (
        Device,
        DevicePage,
        DownloadPage,
        IssuedDownload,
        OfflineDevice,
        SyncAnswer,
    )

DOWNLOAD_QUALITY_ORDER = ("high", "normal", "low")
PAGE = 50  # GET /devices and GET /downloads, when no limit is given


# Sealing keys (joserfc, cryptography) and signing licenses (PyJWT, cryptography) are the slowest imports
# of the downloads function: loaded on first use, so listing devices or downloads never pays for them.


def _sealing() -> ModuleType:
    """Device public keys and sealed content keys: registering a device, issuing a download."""
    from sauti.downloads import sealing

    return sealing


def _licenses() -> ModuleType:
    """Signed offline licenses: issuing a download, syncing a device."""
    from sauti.downloads import licenses

    return licenses


def _valid_id(value: str, error: type[NotFound]) -> str:
    canonical = canonical_id(value)
    if canonical is None:
        raise error()
    return canonical


def device_view(row: Row) -> dict[str, Any]:
    return {
        "device_id": str(row["id"]),
        "name": row["name"],
        "platform": row["platform"],
        "is_offline": row["is_offline"],
        "created_at": clock.iso(row["created_at"]),
        "last_synced_at": clock.iso(row["last_synced_at"]),
    }


def download_view(row: Row) -> dict[str, Any]:
    return {
        "download_id": str(row["id"]),
        "key_id": str(row["key_id"]),
        "song_id": str(row["song_id"]),
        "device_id": str(row["device_id"]),
        "issued_at": clock.iso(row["issued_at"]),
        "expires_at": clock.iso(row["expires_at"]),
    }


# -- devices -----------------------------------------------------------------------------------------


def register_device(user_id: str, name: str, platform: str, public_key: dict[str, Any]) -> Device:
    from sauti.downloads.models import Device

    key = _sealing().parse_device_public_key(public_key)
    try:
        with transaction() as conn:
            row = store.insert_device(conn, user_id, name, platform, key.as_dict(private=False))
    except ForeignKeyViolation as exc:  # a still-valid token of a deleted account
        raise Unauthorized("this account no longer exists") from exc
    return Device.model_validate(device_view(row))


def list_devices(user_id: str, *, limit: int = PAGE, cursor: str | None = None) -> DevicePage:
    """The user's devices, oldest first, a page at a time."""
    from sauti.downloads.models import DevicePage

    after = paging.decode_cursor(cursor)
    with transaction() as conn:
        rows = store.devices(conn, user_id, limit + 1, after)
    return DevicePage.model_validate(
        paging.page(rows, limit, device_view, lambda row: (row["created_at"], row["id"]))
    )


def make_offline_device(user_id: str, device_id: str) -> OfflineDevice:
    """Make this the user's one offline device; every other device's download keys are revoked at once."""
    from sauti.downloads.models import OfflineDevice

    device_id = _valid_id(device_id, DeviceNotFound)
    with transaction() as conn:
        store.lock_user_devices(conn, user_id)
        if store.device(conn, user_id, device_id) is None:
            raise DeviceNotFound()
        store.make_offline(conn, user_id, device_id)
        revoked = store.revoke_other_devices_downloads(conn, user_id, device_id)
        row = store.device(conn, user_id, device_id)
    assert row is not None
    return OfflineDevice.model_validate({**device_view(row), "revoked_downloads": revoked})


# -- issuing -----------------------------------------------------------------------------------------


def _audio_object_key(song: dict[str, Any]) -> str:
    renditions = song.get("renditions") or {}
    for quality in DOWNLOAD_QUALITY_ORDER:
        if quality in renditions:
            return str(renditions[quality]["object_key"])
    raise NotFound("this song has no audio to download")


def issue_download(
    user_id: str, song_id: str, device_id: str, *, now: datetime | None = None
) -> IssuedDownload:
    """A new content key for one song on the offline device: sealed to the device, never stored."""
    from sauti.catalog.public import published_song
    from sauti.downloads.models import IssuedDownload
    from sauti.signing.links import sign_object

    now = now or clock.now()
    device_id = _valid_id(device_id, DeviceNotFound)
    if not entitlements_for(user_id).offline_downloads:
        raise PremiumRequired("offline downloads are part of premium")
    song = published_song(song_id)
    link = sign_object(_audio_object_key(song), now=now.timestamp())  # before anything is written
    limits = settings(DownloadsSettings)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction() as conn:
        device = store.device(conn, user_id, device_id, for_update=True)
        if device is None:
            raise DeviceNotFound()
        if not device["is_offline"]:
            raise NotOfflineDevice("make this device the offline device first")
        if store.active_count(conn, device_id) >= limits.downloads_per_device:
            raise DeviceDownloadLimit(f"a device holds at most {limits.downloads_per_device} downloads")
        if store.issued_since(conn, user_id, day_start) >= limits.downloads_per_day:
            tomorrow = day_start + timedelta(days=1)
            raise DailyDownloadLimit(int((tomorrow - now).total_seconds()), "try again tomorrow (UTC)")
        license_expiry = now + timedelta(days=limits.offline_license_days)
        row = store.insert_download(conn, user_id, device_id, str(song["id"]), license_expiry)
    key_id, download_id = str(row["key_id"]), str(row["id"])
    sealing = _sealing()
    device_key = sealing.parse_device_public_key(device["public_key"])
    sealed = sealing.seal_content_key(sealing.new_content_key(), device_key, key_id)
    license_token, _ = _licenses().issue_license(
        download_id=download_id,
        key_id=key_id,
        device_id=device_id,
        user_id=user_id,
        song_id=str(song["id"]),
        now=now.timestamp(),
    )
    count("DownloadsIssued")
    return IssuedDownload.model_validate(
        {
            "download_id": download_id,
            "key_id": key_id,
            "song_id": str(song["id"]),
            "device_id": device_id,
            "sealed_key": sealed,
            "url": link.url,
            "url_expires_at": clock.iso(datetime.fromtimestamp(link.expires_at, UTC)),
            "expires_at": clock.iso(license_expiry),
            "license": license_token,
        }
    )


def list_downloads(
    user_id: str, device_id: str | None, *, limit: int = PAGE, cursor: str | None = None
) -> DownloadPage:
    """The user's active downloads (of one device if given), newest first, a page at a time."""
    from sauti.downloads.models import DownloadPage

    if device_id is not None:
        device_id = _valid_id(device_id, DeviceNotFound)
    after = paging.decode_cursor(cursor)
    with transaction() as conn:
        rows = store.active_downloads(conn, user_id, device_id, limit + 1, after)
    return DownloadPage.model_validate(
        paging.page(rows, limit, download_view, lambda row: (row["issued_at"], row["id"]))
    )


def remove_download(user_id: str, download_id: str) -> None:
    download_id = _valid_id(download_id, DownloadNotFound)
    with transaction() as conn:
        if not store.revoke_download(conn, user_id, download_id):
            raise DownloadNotFound()


# -- sync and revocation ---------------------------------------------------------------------------------


def _still_published(song_ids: set[str]) -> set[str]:
    from sauti.catalog.public import songs

    return {song_id for song_id, song in songs(sorted(song_ids)).items() if song.get("status") == "published"}


def sync_device(
    user_id: str, device_id: str, key_ids: list[str], *, now: datetime | None = None
) -> SyncAnswer:
    """What the device must keep (with renewed licenses) and wipe. Unknown keys are always wiped."""
    from sauti.downloads.models import SyncAnswer

    now = now or clock.now()
    device_id = _valid_id(device_id, DeviceNotFound)
    held = list(dict.fromkeys(key_ids))
    valid_ids = [key_id for key_id in held if canonical_id(key_id)]
    premium = entitlements_for(user_id).offline_downloads
    with transaction() as conn:
        device = store.device(conn, user_id, device_id, for_update=True)
        if device is None:
            raise DeviceNotFound()
        store.mark_synced(conn, device_id)
        if not device["is_offline"]:
            return SyncAnswer(keep=[], wipe=held, wipe_all=True)
        if not premium:
            store.revoke_user_downloads(conn, user_id, "premium_ended")
            return SyncAnswer(keep=[], wipe=held, wipe_all=True)
        rows = [
            row for row in store.downloads_by_key(conn, device_id, valid_ids) if row["revoked_at"] is None
        ]
        published = _still_published({str(row["song_id"]) for row in rows})
        gone = [str(row["id"]) for row in rows if str(row["song_id"]) not in published]
        store.revoke_downloads(conn, gone, "song_unavailable")
        kept_rows = [row for row in rows if str(row["song_id"]) in published]
        expiry = now + timedelta(days=settings(DownloadsSettings).offline_license_days)
        for row in kept_rows:
            store.renew(conn, str(row["id"]), expiry)
    keep = []
    for row in kept_rows:
        token, _ = _licenses().issue_license(
            download_id=str(row["id"]),
            key_id=str(row["key_id"]),
            device_id=device_id,
            user_id=user_id,
            song_id=str(row["song_id"]),
            now=now.timestamp(),
        )
        keep.append({"key_id": str(row["key_id"]), "license": token, "expires_at": clock.iso(expiry)})
    kept_ids = {item["key_id"] for item in keep}
    wipe = [key_id for key_id in held if key_id not in kept_ids]
    return SyncAnswer.model_validate({"keep": keep, "wipe": wipe, "wipe_all": False})


def revoke_after_plan_change(user_id: str, plan: str) -> int:
    """Premium really ended (after grace): revoke every download key the user holds.

    Decided from the user's subscriptions as they are now, never from a cached answer, so a "free" event
    that arrives after the user became premium again revokes nothing."""
    if plan != "free" or compute_entitlements(user_id).offline_downloads:
        return 0
    with transaction() as conn:
        return store.revoke_user_downloads(conn, user_id, "premium_ended")


def forget_user(user_id: str) -> int:
    """``user.deleted``: remove the user's devices (names, public keys) and download records; returns how
    many devices went. Idempotent: a second delivery finds nothing."""
    with transaction() as conn:
        return store.delete_user_devices(conn, user_id)
