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


def test_a_change_during_a_rebuild_waits_for_it_and_is_applied_when_delivered_again(shelf, find):
    """The indexer (another process, as in AWS or beside `make dev`) and a rebuild never race: the change
    gives up with a named reason while the rebuild holds the index, and applies once it committed."""
    import threading

    from sauti.catalog import public as catalog
    from sauti.search.public import reindex

    artist = shelf.artist("Nyota Band")
    song = catalog.create_song(artist, "Usiku Mwema", 200_000, [], status="published")  # no event yet
    change = {"kind": "song", "id": song, "artist_id": artist, "status": "published", "change": "published"}
    loading, resume = threading.Event(), threading.Event()
    outcome: list[Any] = []

    def paused(message: str) -> None:
        if "songs read" in message:  # inside the rebuild's transaction, the song loaded
            loading.set()
            resume.wait(60)

    rebuild = threading.Thread(target=lambda: outcome.append(reindex(progress=paused)))
    rebuild.start()
    try:
        assert loading.wait(60)
        refused = _apply_in_another_process(change)
    finally:
        resume.set()
        rebuild.join(120)

    assert refused.returncode != 0 and "being rebuilt" in refused.stderr, refused.stderr
    assert outcome and outcome[0].docs == 2  # the rebuild committed: the song and its artist
    assert _apply_in_another_process(change).returncode == 0  # delivered again
    assert [item["title"] for item in find("usiku")["songs"]["items"]] == ["Usiku Mwema"]


def test_a_rebuild_leaves_statistics_of_what_it_loaded(shelf):
    from sauti.search.public import reindex
    from sauti_dev import sql

    artist = shelf.artist("Bahari Kuu")
    for title in ("Mawimbi", "Pwani", "Jua"):
        shelf.song(artist, title)
    rebuilt = reindex()
    counted = sql.fetch_one("SELECT reltuples FROM pg_class WHERE relname = 'search_docs'")
    assert counted is not None and counted["reltuples"] == rebuilt.docs == 4


def _apply_in_another_process(detail: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    script = (
        "import json, sys\n"
        "from sauti.search.public import apply_catalog_change\n"
        "apply_catalog_change(json.loads(sys.argv[1]))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script, json.dumps(detail)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
