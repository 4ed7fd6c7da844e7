"""Playing time forward on the local stack, for demos and tests: `sauti clock forward 31s`.

Some rules wait on real time (an offline play counts from 30 s after its download was issued, licenses
last 30 days, links five minutes). The offset lives in ``<data>/clock.json``; the running `make dev`
adds it to every ``sauti.clock`` reading (the clock every module asks), and `sauti-offline`, attached
to the stack, adds it to its own. PostgreSQL's ``now()`` and the tokens' expiry checks keep real time.

Local only: installing or setting an offset is refused unless ``APP_ENV`` is ``local``, and this module
is development tooling, never deployed.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

OFFSET_FILE = "clock.json"
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class NotLocal(RuntimeError):
    """Time travel asked for outside the local stack."""


def _refuse_unless_local() -> None:
    if os.environ.get("APP_ENV", "local") != "local":
        raise NotLocal("time travel is for the local stack only (APP_ENV=local)")


def parse_duration(text: str) -> float:
    """``31s``, ``90`` (seconds), ``15m``, ``2h``, ``31d``."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise ValueError(f"not a duration: {text!r} (say 31s, 15m, 2h or 31d)")
    return float(match[1]) * _UNIT_SECONDS[match[2]]


def offset_seconds(data_dir: Path) -> float:
    try:
        return float(json.loads((data_dir / OFFSET_FILE).read_text())["offset_seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0.0


def move_forward(data_dir: Path, seconds: float) -> float:
    """Add ``seconds`` to the local clock's offset; returns the new offset."""
    _refuse_unless_local()
    if seconds < 0:
        raise ValueError("time only moves forward (`sauti clock reset` goes back to real time)")
    offset = offset_seconds(data_dir) + seconds
    (data_dir / OFFSET_FILE).write_text(json.dumps({"offset_seconds": offset}) + "\n")
    return offset


def reset(data_dir: Path) -> None:
    (data_dir / OFFSET_FILE).unlink(missing_ok=True)


def install(data_dir: Path) -> None:
    """Make ``sauti.clock`` in this process follow the data folder's offset, read again when it changes."""
    _refuse_unless_local()
    from sauti import clock

    path = data_dir / OFFSET_FILE
    seen: dict[str, float] = {"mtime": -1.0, "offset": 0.0}

    def now() -> datetime:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            mtime = 0.0
        if mtime != seen["mtime"]:
            seen["mtime"], seen["offset"] = mtime, offset_seconds(data_dir)
        return datetime.now(UTC) + timedelta(seconds=seen["offset"])

    clock.set_source(now)
