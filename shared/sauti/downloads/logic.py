"""Offline downloads: devices, issuing sealed keys and licenses, sync on reconnect, revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

from psycopg.errors import ForeignKeyViolation

from sauti import paging
from sauti.billing.entitlements import compute_entitlements, entitlements_for
from sauti.config import config
from sauti.db import Row, transaction
from sauti.downloads import store
from sauti.errors import Conflict, NotFound, PremiumRequired, RateLimited, Unauthorized
from sauti.ids import canonical_id

DOWNLOAD_QUALITY_ORDER = ("high", "normal", "low")
PAGE = 50  # GET /devices and GET /downloads, when no limit is given


class DeviceNotFound(NotFound):
    code, title = "device_not_found", "Device not found"


class DownloadNotFound(NotFound):
    code, title = "download_not_found", "Download not found"


class NotOfflineDevice(Conflict):
    code, title = "not_offline_device", "Not the offline device"


class DeviceDownloadLimit(Conflict):
    code, title = "device_download_limit", "Too many downloads on this device"


class DailyDownloadLimit(RateLimited):
    code, title = "daily_download_limit", "Daily download limit reached"


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


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


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
        "created_at": _iso(row["created_at"]),
        "last_synced_at": _iso(row["last_synced_at"]),
    }


def download_view(row: Row) -> dict[str, Any]:
    return {
        "download_id": str(row["id"]),
        "key_id": str(row["key_id"]),
        "song_id": str(row["song_id"]),
        "device_id": str(row["device_id"]),
        "issued_at": _iso(row["issued_at"]),
        "expires_at": _iso(row["expires_at"]),
    }


# -- devices -----------------------------------------------------------------------------------------


def register_device(user_id: str, name: str, platform: str, public_key: dict[str, Any]) -> dict[str, Any]:
    key = _sealing().parse_device_public_key(public_key)
    try:
        with transaction() as conn:
            row = store.insert_device(conn, user_id, name, platform, key.as_dict(private=False))
    except ForeignKeyViolation as exc:  # a still-valid token of a deleted account
        raise Unauthorized("this account no longer exists") from exc
    return device_view(row)


def list_devices(user_id: str, *, limit: int = PAGE, cursor: str | None = None) -> dict[str, Any]:
    """The user's devices, oldest first, a page at a time."""
    after = paging.decode_cursor(cursor)
    with transaction() as conn:
        rows = store.devices(conn, user_id, limit + 1, after)
    return paging.page(rows, limit, device_view, lambda row: (row["created_at"], row["id"]))


def make_offline_device(user_id: str, device_id: str) -> dict[str, Any]:
    """Make this the user's one offline device; every other device's download keys are revoked at once."""
    device_id = _valid_id(device_id, DeviceNotFound)
    with transaction() as conn:
        store.lock_user_devices(conn, user_id)
        if store.device(conn, user_id, device_id) is None:
            raise DeviceNotFound()
        store.make_offline(conn, user_id, device_id)
        revoked = store.revoke_other_devices_downloads(conn, user_id, device_id)
        row = store.device(conn, user_id, device_id)
    assert row is not None
    return {**device_view(row), "revoked_downloads": revoked}


# -- issuing -----------------------------------------------------------------------------------------


def _audio_object_key(song: dict[str, Any]) -> str:
    renditions = song.get("renditions") or {}
    for quality in DOWNLOAD_QUALITY_ORDER:
        if quality in renditions:
            return renditions[quality]["object_key"]
    raise NotFound("this song has no audio to download")


def issue_download(
    user_id: str, song_id: str, device_id: str, *, now: datetime | None = None
) -> dict[str, Any]:
    """A new content key for one song on the offline device: sealed to the device, never stored."""
    from sauti.catalog.logic import published_song
    from sauti.signing.links import sign_object

    now = now or datetime.now(UTC)
    device_id = _valid_id(device_id, DeviceNotFound)
    if not entitlements_for(user_id).offline_downloads:
        raise PremiumRequired("offline downloads are part of premium")
    song = published_song(song_id)
    link = sign_object(_audio_object_key(song), now=now.timestamp())  # before anything is written
    settings = config()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction() as conn:
        device = store.device(conn, user_id, device_id, for_update=True)
        if device is None:
            raise DeviceNotFound()
        if not device["is_offline"]:
            raise NotOfflineDevice("make this device the offline device first")
        if store.active_count(conn, device_id) >= settings.int("DOWNLOADS_PER_DEVICE"):
            raise DeviceDownloadLimit(
                f"a device holds at most {settings.int('DOWNLOADS_PER_DEVICE')} downloads"
            )
        if store.issued_since(conn, user_id, day_start) >= settings.int("DOWNLOADS_PER_DAY"):
            tomorrow = day_start + timedelta(days=1)
            raise DailyDownloadLimit(int((tomorrow - now).total_seconds()), "try again tomorrow (UTC)")
        license_expiry = now + timedelta(days=settings.int("OFFLINE_LICENSE_DAYS"))
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
    return {
        "download_id": download_id,
        "key_id": key_id,
        "song_id": str(song["id"]),
        "device_id": device_id,
        "sealed_key": sealed,
        "url": link.url,
        "url_expires_at": _iso(datetime.fromtimestamp(link.expires_at, UTC)),
        "expires_at": _iso(license_expiry),
        "license": license_token,
    }


def list_downloads(
    user_id: str, device_id: str | None, *, limit: int = PAGE, cursor: str | None = None
) -> dict[str, Any]:
    """The user's active downloads (of one device if given), newest first, a page at a time."""
    if device_id is not None:
        device_id = _valid_id(device_id, DeviceNotFound)
    after = paging.decode_cursor(cursor)
    with transaction() as conn:
        rows = store.active_downloads(conn, user_id, device_id, limit + 1, after)
    return paging.page(rows, limit, download_view, lambda row: (row["issued_at"], row["id"]))


def remove_download(user_id: str, download_id: str) -> None:
    download_id = _valid_id(download_id, DownloadNotFound)
    with transaction() as conn:
        if not store.revoke_download(conn, user_id, download_id):
            raise DownloadNotFound()


# -- sync and revocation ---------------------------------------------------------------------------------


def _still_published(song_ids: set[str]) -> set[str]:
    from sauti.catalog.logic import songs

    return {song_id for song_id, song in songs(sorted(song_ids)).items() if song.get("status") == "published"}


def sync_device(
    user_id: str, device_id: str, key_ids: list[str], *, now: datetime | None = None
) -> dict[str, Any]:
    """What the device must keep (with renewed licenses) and wipe. Unknown keys are always wiped."""
    now = now or datetime.now(UTC)
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
            return {"keep": [], "wipe": held, "wipe_all": True}
        if not premium:
            store.revoke_user_downloads(conn, user_id, "premium_ended")
            return {"keep": [], "wipe": held, "wipe_all": True}
        rows = [
            row for row in store.downloads_by_key(conn, device_id, valid_ids) if row["revoked_at"] is None
        ]
        published = _still_published({str(row["song_id"]) for row in rows})
        gone = [str(row["id"]) for row in rows if str(row["song_id"]) not in published]
        store.revoke_downloads(conn, gone, "song_unavailable")
        kept_rows = [row for row in rows if str(row["song_id"]) in published]
        expiry = now + timedelta(days=config().int("OFFLINE_LICENSE_DAYS"))
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
        keep.append({"key_id": str(row["key_id"]), "license": token, "expires_at": _iso(expiry)})
    kept_ids = {item["key_id"] for item in keep}
    return {"keep": keep, "wipe": [key_id for key_id in held if key_id not in kept_ids], "wipe_all": False}


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
