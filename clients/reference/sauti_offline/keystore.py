"""Secure storage for content keys and licenses.

On a phone this is the Keychain (iOS, ``kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly``) or an
Android Keystore-wrapped store: never backed up, never synced, gone with the app. Here it is a JSON
file readable by its owner only.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class StoredKey:
    key_id: str
    download_id: str
    song_id: str
    content_key: bytes
    license: str
    file: str


class Keystore:
    def __init__(self, path: Path):
        self.path = path

    def _load(self) -> dict[str, dict[str, str]]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def _save(self, entries: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".part")
        partial.write_text(json.dumps(entries))
        partial.chmod(0o600)
        partial.replace(self.path)

    def put(self, key: StoredKey) -> None:
        entries = self._load()
        entry = asdict(key)
        entry["content_key"] = base64.b64encode(key.content_key).decode()
        entries[key.key_id] = entry
        self._save(entries)

    def get(self, key_id: str) -> StoredKey | None:
        entry = self._load().get(key_id)
        if entry is None:
            return None
        return StoredKey(**{**entry, "content_key": base64.b64decode(entry["content_key"])})

    def key_ids(self) -> list[str]:
        return sorted(self._load())

    def update_license(self, key_id: str, license_token: str) -> None:
        entries = self._load()
        if key_id in entries:
            entries[key_id]["license"] = license_token
            self._save(entries)

    def remove(self, key_id: str) -> StoredKey | None:
        entries = self._load()
        removed = entries.pop(key_id, None)
        self._save(entries)
        return None if removed is None else StoredKey(**{**removed, "content_key": b""})
