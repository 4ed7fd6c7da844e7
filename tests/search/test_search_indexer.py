"""The indexer: duplicated, late and odd events leave the same index; the rebuild command."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from helpers import EVENTS


def test_duplicated_and_out_of_order_events_leave_the_current_truth(shelf, find, functions):
    from sauti.catalog import public as logic

    artist = shelf.artist("Nyota Band")
    song = shelf.song(artist, "Usiku Mwema")
    logic.set_song_status(song, "taken_down")
    taken_down = {
        "kind": "song",
        "id": song,
        "artist_id": artist,
        "status": "taken_down",
        "change": "taken_down",
    }
    published = {**taken_down, "status": "published", "change": "published"}

    # The take-down's event, then the publish's (late, duplicated): the song stays out.
    for detail in (taken_down, published, published):
        functions.invoke("SearchIndexerFunction", _event("sauti.catalog", "catalog.changed", detail))
    assert find("usiku")["songs"]["items"] == []
    assert find("nyota")["artists"]["items"] == []


def test_odd_events_are_ignored_without_failing(functions):
    odd = [
        _event("sauti.catalog", "catalog.changed", {"kind": "song", "id": "not-a-uuid"}),
        _event(
            "sauti.catalog",
            "catalog.changed",
            {"kind": "video", "id": "00000000-0000-4000-8000-0000000000aa"},
        ),
        _event(
            "sauti.catalog", "catalog.changed", {"kind": "song", "id": "00000000-0000-4000-8000-0000000000aa"}
        ),
        _event("sauti.playlists", "playlist.changed", {"playlist_id": None}),
        _event("sauti.billing", "plan.changed", {"user_id": "u1", "plan": "free"}),
        json.loads((EVENTS / "SearchIndexerFunction.json").read_text()),
        json.loads((EVENTS / "SearchIndexerFunction.playlist.json").read_text()),
    ]
    for event in odd:
        functions.invoke("SearchIndexerFunction", event)


def test_sauti_search_reindex_rebuilds_the_index(shelf, find, stack):
    from sauti_dev import sql

    shelf.song(shelf.artist("Bahari Kuu"), "Mawimbi Makubwa")
    sql.execute("DELETE FROM search_postings")
    sql.execute("DELETE FROM search_docs")
    assert find("mawimbi")["songs"]["items"] == []

    result = subprocess.run(
        [sys.executable, "-m", "sauti_dev.cli", "search", "reindex"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "search index rebuilt" in result.stdout
    assert [item["title"] for item in find("mawimbi")["songs"]["items"]] == ["Mawimbi Makubwa"]


def _event(source: str, detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {"version": "0", "source": source, "detail-type": detail_type, "detail": detail}
