"""Helpers the playlists tests share (a module of its own: every test folder has a ``conftest``)."""

from __future__ import annotations

from typing import Any


def rank_now(functions: Any) -> dict[str, Any]:
    """What the schedule does every five minutes (`sauti run-job playlists-rank`)."""
    from sauti_dev.events import scheduled_event

    return functions.invoke("PlaylistsJobsFunction", scheduled_event())
