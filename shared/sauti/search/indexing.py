"""Keeping the index true: one change at a time (events), popularity after each rollup, or from scratch.

Every path reads the sources' current truth, so an event applied twice, late or out of order leaves the
same index. A song's change touches its artist and album documents too (an artist or album is searchable
while it has a published song); an artist's or album's change touches the songs that carry its name.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sauti.db import lift_client_deadline, transaction
from sauti.ids import canonical_id
from sauti.observability import logger
from sauti.search import documents, sources, store
from sauti.search.documents import ALBUM, ALBUM_FIELD, ARTIST, ARTIST_FIELD, PLAYLIST, SONG, TITLE, popularity
from sauti.search.errors import IndexRebuilding
from sauti.search.settings import SearchSettings
from sauti.settings import settings

PLAYLIST_HIDDEN = ("deleted", "hidden")


def _postings(doc: dict[str, Any]) -> list[tuple[str, int]]:
    """(term, field) of each term of the document, in the best field holding it."""
    title, artist = set(doc["title_terms"]), set(doc["artist_terms"])
    return [
        (term, TITLE if term in title else ARTIST_FIELD if term in artist else ALBUM_FIELD)
        for term in doc["terms"]
    ]


def _upsert(conn: Any, doc: dict[str, Any]) -> None:
    old = store.lock_doc(conn, doc["kind"], doc["ref"])
    if old is None:
        created = store.insert_doc(conn, doc)
        store.add_postings(conn, doc["kind"], created["pop"], created["doc"], _postings(doc))
        store.count_terms(conn, doc["terms"], [], created["pop"])
        return
    store.update_doc(conn, old["doc"], doc)
    before, after = _postings(old), _postings(doc)
    store.remove_postings(
        conn, doc["kind"], old["pop"], old["doc"], [p for p in before if p not in set(after)]
    )
    store.add_postings(conn, doc["kind"], old["pop"], old["doc"], [p for p in after if p not in set(before)])
    added = [term for term in doc["terms"] if term not in set(old["terms"])]
    removed = [term for term in old["terms"] if term not in set(doc["terms"])]
    store.count_terms(conn, added, removed, old["pop"])


def _remove(conn: Any, kind: int, ref: str) -> Any:
    old = store.lock_doc(conn, kind, ref)
    if old is not None:
        store.remove_postings(conn, kind, old["pop"], old["doc"], _postings(old))
        store.count_terms(conn, [], old["terms"], old["pop"])
        store.delete_doc(conn, old["doc"])
    return old


def _lock_for_change(conn: Any) -> None:
    if not store.lock_for_change(conn):
        raise IndexRebuilding("the search index is being rebuilt; the change is applied when delivered again")


def _sync(kind: int, refs: Iterable[str | None], rows: list[dict[str, Any]], build: Any) -> None:
    """Make the documents of ``refs`` what ``rows`` (the searchable ones among them) say."""
    wanted = {row["id"]: build(row) for row in rows}
    with transaction() as conn:
        _lock_for_change(conn)
        for ref in sorted({ref for ref in refs if ref} | wanted.keys()):
            if ref in wanted:
                _upsert(conn, wanted[ref])
            else:
                _remove(conn, kind, ref)


def sync_songs(ids: list[str]) -> None:
    _sync(SONG, ids, sources.songs(ids=ids) if ids else [], documents.song)


def sync_albums(ids: list[str]) -> None:
    _sync(ALBUM, ids, sources.albums(ids=ids) if ids else [], documents.album)


def sync_artists(ids: list[str]) -> None:
    _sync(ARTIST, ids, sources.artists(ids=ids) if ids else [], documents.artist)


def _refs(kind: int, **where: str) -> list[str]:
    with transaction() as conn:
        return store.docs_referring(conn, kind, **where)


def apply_catalog_change(detail: dict[str, Any]) -> None:
    """``catalog.changed`` ``{kind, id, artist_id, status, change}``: re-read what it touched."""
    kind, ref = detail.get("kind"), canonical_id(detail.get("id"))
    artist_id = canonical_id(detail.get("artist_id"))
    if ref is None:
        logger.warning("catalog.changed without a valid id ignored")
        return
    if kind == "song":
        with transaction() as conn:
            old = store.lock_doc(conn, SONG, ref)
        rows = sources.songs(ids=[ref])
        _sync(SONG, [ref], rows, documents.song)
        albums = {old and old["album_ref"], *(row["album_id"] for row in rows)}
        artists = {artist_id, old and old["artist_ref"], *(row["artist_id"] for row in rows)}
        sync_albums([a for a in albums if a])
        sync_artists([a for a in artists if a])
    elif kind == "album":
        sync_albums([ref])
        songs = sources.songs(album_id=ref)
        _sync(SONG, _refs(SONG, album_ref=ref), songs, documents.song)
    elif kind == "artist":
        sync_artists([ref])
        _sync(ALBUM, _refs(ALBUM, artist_ref=ref), sources.albums(artist_id=ref), documents.album)
        _sync(SONG, _refs(SONG, artist_ref=ref), sources.songs(artist_id=ref), documents.song)
    # videos are not searchable


def apply_playlist_change(detail: dict[str, Any]) -> None:
    """``playlist.changed`` ``{playlist_id, owner_id, visible_to_others, change}``. Hiding is applied at
    once from the event; showing re-reads the playlist, which must still be visible to others."""
    ref = canonical_id(detail.get("playlist_id"))
    if ref is None:
        logger.warning("playlist.changed without a valid playlist_id ignored")
        return
    hidden = detail.get("change") in PLAYLIST_HIDDEN or detail.get("visible_to_others") is not True
    rows = [] if hidden else sources.playlists([ref])
    _sync(PLAYLIST, [ref], rows, documents.playlist)


# -- popularity -----------------------------------------------------------------------------------


def refresh_popularity() -> int:
    """Plays of the last days from analytics' rollups onto every document; returns documents moved."""
    days = settings(SearchSettings).search_popularity_days
    plays = list(sources.recent_plays(days))  # read first: a running COPY holds the connection
    with transaction() as conn:
        _lock_for_change(conn)
        store.stage_plays(conn, plays)
        return store.apply_plays(conn)


# -- from scratch ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rebuilt:
    docs: int
    postings: int
    terms: int
    bytes: int
    seconds: float


def _with_plays(doc: dict[str, Any], plays: dict[str, int]) -> dict[str, Any]:
    count = plays.get(doc["ref"], 0) if doc["kind"] == SONG else 0
    return {**doc, "plays": count, "pop": popularity(count)}


def _document_batches(progress: Any, plays: dict[str, int]) -> Iterator[list[dict[str, Any]]]:
    for kind, build in (("artist", documents.artist), ("album", documents.album), ("song", documents.song)):
        count = 0
        for batch in sources.catalog_batches(kind):
            count += len(batch)
            yield [_with_plays(build(row), plays) for row in batch]
            progress(f"{count:,} {kind}s read")
    count = 0
    for batch in sources.all_playlists():
        count += len(batch)
        yield [_with_plays(documents.playlist(row), plays) for row in batch]
    progress(f"{count:,} playlists read")


def reindex(progress: Any = lambda _message: None) -> Rebuilt:
    """Rebuild the whole index from the catalog's and the playlists' public functions, in one transaction
    (searches keep answering from the old index until it commits), ranked by the plays of the last days."""
    started = time.perf_counter()
    try:
        plays = dict(sources.recent_plays(settings(SearchSettings).search_popularity_days))
    except Exception:  # the index is still whole; popularity comes with the next rollup
        logger.exception("plays not read for the reindex")
        plays = {}
    with transaction() as conn:
        conn.execute("SET LOCAL statement_timeout = 0")
        lift_client_deadline(conn)  # the function's own timeout bounds the rebuild
        store.lock_for_rebuild(conn)
        store.clear(conn)
        # Batch by batch: the sources read on this same connection, which a running COPY would hold.
        for batch in _document_batches(progress, plays):
            store.copy_docs(conn, batch)
        store.analyze(conn, "search_docs")
        store.sum_plays_of_artists_and_albums(conn)
        progress("documents loaded; building postings and vocabulary")
        store.build_postings_and_vocabulary(conn)
        store.analyze(conn, "search_postings", "search_terms", "search_term_deletes")
    with transaction() as conn:
        size = store.index_size(conn)
    seconds = time.perf_counter() - started
    return Rebuilt(size["docs"], size["postings"], size["terms"], size["bytes"] or 0, seconds)
