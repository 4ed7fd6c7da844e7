"""Plays recorded while offline, kept on the device until the server has answered for them.

Each play gets its own uuid (``play_id``) when it is recorded, so sending it again after a lost answer
is a duplicate on the server, never a second play. A play leaves the journal only once the server
answered for its batch (accepted, duplicate or refused: all final); a failed upload keeps everything
for the next sync. Stored as a JSON file written atomically (on a phone: the app's private storage).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class PlayJournal:
    def __init__(self, path: Path):
        self.path = path

    def _load(self) -> list[dict[str, Any]]:
        return json.loads(self.path.read_text()) if self.path.exists() else []

    def _save(self, plays: list[dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".part")
        partial.write_text(json.dumps(plays))
        partial.replace(self.path)

    def record(self, key_id: str, started_at: float, listened_ms: int) -> dict[str, Any]:
        play = {
            "play_id": str(uuid.uuid4()),
            "key_id": key_id,
            "played_at": datetime.fromtimestamp(started_at, UTC).isoformat().replace("+00:00", "Z"),
            "listened_ms": int(listened_ms),
        }
        self._save([*self._load(), play])
        return play

    def pending(self) -> list[dict[str, Any]]:
        return self._load()

    def forget(self, play_ids: set[str]) -> None:
        self._save([play for play in self._load() if play["play_id"] not in play_ids])
