"""The offline client: register, download, play offline, sync and obey wipes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sauti_offline.device import DeviceKey
from sauti_offline.journal import PlayJournal
from sauti_offline.keystore import Keystore, StoredKey
from sauti_offline.license import LicenseInvalid, verify_license
from sauti_offline.transport import Transport
from sauti_offline.vault import decrypt_file, encrypt_to_file

CLOCK_BACKWARDS_TOLERANCE_SECONDS = 300
SYNC_BATCH = 1_000  # the most key ids the server takes in one sync (POST /devices/{id}/sync)
PLAYS_PER_UPLOAD = 500  # the most POST /me/offline-plays takes at once


class ApiError(Exception):
    def __init__(self, status: int, problem: Any):
        super().__init__(f"{status}: {problem}")
        self.status = status
        self.problem = problem if isinstance(problem, dict) else {}

    @property
    def code(self) -> str | None:
        return self.problem.get("code")


class NotDownloaded(Exception):
    """No key for this download on this device (wiped, or never downloaded here)."""


class OfflineClient:
    """One app install: its own device key, key store, encrypted files and cached JWKS under ``home``."""

    def __init__(self, home: Path, transport: Transport, access_token: str):
        self.home = home
        self.transport = transport
        self.access_token = access_token
        self.device_key = DeviceKey.load_or_create(home / "device-key.pem")
        self.keystore = Keystore(home / "keystore.json")
        self.journal = PlayJournal(home / "plays.json")

    # -- state kept on the device ------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        path = self.home / "state.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def _remember(self, **values: Any) -> None:
        (self.home / "state.json").write_text(json.dumps({**self._state(), **values}))

    @property
    def device_id(self) -> str:
        return self._state()["device_id"]

    def _api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        status, answer = self.transport.call(method, path, body, self.access_token)
        if status >= 400:
            raise ApiError(status, answer)
        return answer

    # -- online steps ------------------------------------------------------------------------------

    def register(self, name: str, platform: str) -> str:
        answer = self._api(
            "POST",
            "/devices",
            {"name": name, "platform": platform, "public_key": self.device_key.public_jwk()},
        )
        self._remember(device_id=answer["device_id"])
        self.refresh_keys()
        return answer["device_id"]

    def make_offline_device(self) -> None:
        self._api("POST", f"/devices/{self.device_id}/offline")

    def refresh_keys(self) -> None:
        """Cache the published signing keys, so licenses can be checked with no network."""
        status, jwks = self.transport.call("GET", "/.well-known/jwks.json", None, None)
        if status == 200:
            self._remember(jwks=jwks)

    def download(self, song_id: str) -> str:
        """Download and lock one song on this device; returns its key id."""
        answer = self._api("POST", "/downloads", {"song_id": song_id, "device_id": self.device_id})
        content_key = self.device_key.unseal(answer["sealed_key"])
        files = self.home / "files"
        files.mkdir(parents=True, exist_ok=True)
        path = files / f"{answer['key_id']}.sauti"
        encrypt_to_file(self.transport.fetch(answer["url"]), path, content_key, answer["key_id"])
        self.keystore.put(
            StoredKey(
                key_id=answer["key_id"],
                download_id=answer["download_id"],
                song_id=song_id,
                content_key=content_key,
                license=answer["license"],
                file=str(path),
            )
        )
        return answer["key_id"]

    def upload_plays(self) -> dict[str, Any]:
        """Send the plays recorded offline, 500 at a time; each leaves the journal once answered for."""
        totals: dict[str, Any] = {"accepted": 0, "duplicates": 0, "refused": []}
        while pending := self.journal.pending()[:PLAYS_PER_UPLOAD]:
            answer = self._api("POST", "/me/offline-plays", {"device_id": self.device_id, "plays": pending})
            totals["accepted"] += answer["accepted"]
            totals["duplicates"] += answer["duplicates"]
            totals["refused"] += answer["refused"]
            self.journal.forget({play["play_id"] for play in pending})
        return totals

    def sync(self) -> dict[str, Any]:
        """Upload the plays recorded offline, then tell the server which keys this device holds; wipe
        what it says, renew the rest's licenses. The answer carries the upload's under ``plays``."""
        try:
            plays = self.upload_plays()
        except ApiError as exc:  # the plays wait for the next sync; the keys are synced regardless
            plays = {"error": exc.code or str(exc.status)}
        held = self.keystore.key_ids()
        batches = [held[start : start + SYNC_BATCH] for start in range(0, len(held), SYNC_BATCH)] or [[]]
        answers = [self._api("POST", f"/devices/{self.device_id}/sync", {"key_ids": b}) for b in batches]
        answer = {
            "keep": [kept for part in answers for kept in part["keep"]],
            "wipe": [key_id for part in answers for key_id in part["wipe"]],
            "wipe_all": any(part["wipe_all"] for part in answers),
        }
        to_wipe = held if answer["wipe_all"] else answer["wipe"]
        for key_id in to_wipe:
            self.wipe(key_id)
        for kept in answer["keep"]:
            self.keystore.update_license(kept["key_id"], kept["license"])
        self.refresh_keys()
        self._remember(last_sync_at=time.time())
        return {**answer, "plays": plays}

    # -- offline steps -----------------------------------------------------------------------------

    def play(self, key_id: str, *, now: float | None = None) -> Iterator[bytes]:
        """The decrypted audio, chunk by chunk, if this device's license for it holds now."""
        stored = self.keystore.get(key_id)
        if stored is None:
            raise NotDownloaded(key_id)
        now = time.time() if now is None else now
        if now < self._state().get("last_sync_at", 0) - CLOCK_BACKWARDS_TOLERANCE_SECONDS:
            raise LicenseInvalid("the device clock is behind the last sync: reconnect to play")
        verify_license(
            stored.license,
            self._state().get("jwks", {}),
            device_id=self.device_id,
            key_id=key_id,
            song_id=stored.song_id,
            now=now,
        )
        return decrypt_file(Path(stored.file), stored.content_key)

    def record_play(self, key_id: str, started_at: float, listened_ms: int) -> dict[str, Any]:
        """Remember that this download was played (from ``started_at``, for ``listened_ms``): the next
        sync reports it. Called by the player when a track stops, whether or not it reached 30 s (the
        server decides what counts)."""
        if self.keystore.get(key_id) is None:
            raise NotDownloaded(key_id)
        return self.journal.record(key_id, started_at, listened_ms)

    def wipe(self, key_id: str) -> None:
        removed = self.keystore.remove(key_id)
        if removed is not None:
            Path(removed.file).unlink(missing_ok=True)
