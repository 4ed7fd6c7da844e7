"""Catalog import: JSON Lines (the format of docs/catalog-import.md) checked line by line, then written
in one go.

A bad line is reported by its number and nothing is imported. Objects refer to each other by ``ref``,
within the file or from an earlier import; importing again updates (the catalog keeps the refs).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict

from sauti.admin import media
from sauti.admin.errors import ImportInvalid
from sauti.catalog import public as catalog

# TypedDicts, not models: validated by pydantic's core straight from each line's bytes, about three
# times faster than building a model per line (bench/admin_import.py).
Ref = Annotated[str, Field(min_length=1, max_length=200)]
Title = Annotated[str, Field(min_length=1, max_length=300)]
STRICT = ConfigDict(extra="forbid")


@with_config(STRICT)
class ArtistLine(TypedDict):
    type: Literal["artist"]
    ref: Ref
    name: Title
    bio: NotRequired[Annotated[str, Field(max_length=5000)] | None]


@with_config(STRICT)
class AlbumLine(TypedDict):
    type: Literal["album"]
    ref: Ref
    artist: Ref
    title: Title
    release_date: NotRequired[date | None]


@with_config(STRICT)
class RenditionLine(TypedDict):
    quality: Literal["low", "normal", "high"]
    codec: Annotated[str, Field(min_length=1, max_length=40)]
    bitrate_kbps: Annotated[int, Field(ge=1, le=10_000)]
    object_key: Annotated[str, Field(min_length=1, max_length=500)]
    content_type: NotRequired[Annotated[str, Field(pattern=r"^audio/[A-Za-z0-9.+-]{1,60}$")]]
    size_bytes: NotRequired[Annotated[int, Field(ge=1, le=10_000_000_000)]]


@with_config(STRICT)
class SongLine(TypedDict):
    type: Literal["song"]
    ref: Ref
    artist: Ref
    album: NotRequired[Ref | None]
    track_number: NotRequired[Annotated[int, Field(ge=1, le=10_000)] | None]
    title: Title
    duration_ms: Annotated[int, Field(ge=1, le=86_400_000)]
    explicit: NotRequired[bool]
    isrc: NotRequired[Annotated[str, Field(max_length=20)] | None]
    status: NotRequired[Literal["draft", "published"]]
    renditions: NotRequired[Annotated[list[RenditionLine], Field(max_length=3)]]


_LINE: TypeAdapter[Any] = TypeAdapter(
    Annotated[ArtistLine | AlbumLine | SongLine, Field(discriminator="type")]
)


def _invalid(number: int, message: str) -> ImportInvalid:
    return ImportInvalid(f"line {number}: {message}", line=number)


def parse(lines: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Staged rows (the catalog store's COPY columns) from an iterable of lines (bytes or str)."""
    staged: dict[str, list[tuple[Any, ...]]] = {
        "artists": [],
        "albums": [],
        "songs": [],
        "renditions": [],
        "objects": [],  # (line number, song ref, rendition line): what media.refusals checks
    }
    seen: dict[tuple[str, str], int] = {}
    wanted: dict[tuple[str, str], int] = {}  # (kind, ref) referred to -> first line referring to it
    number = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            line = _LINE.validate_json(raw)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error.get("loc", ()) if not isinstance(part, int))
            raise _invalid(number, f"{where or 'line'}: {error.get('msg', 'invalid')}") from None
        kind, ref = line["type"], line["ref"]
        if (kind, ref) in seen:
            raise _invalid(number, f"{kind} ref {ref!r} already on line {seen[kind, ref]}")
        seen[kind, ref] = number
        if kind == "artist":
            staged["artists"].append((ref, line["name"], line.get("bio")))
            continue
        wanted.setdefault(("artist", line["artist"]), number)
        if kind == "album":
            staged["albums"].append((ref, line["artist"], line["title"], line.get("release_date")))
            continue
        if album := line.get("album"):
            wanted.setdefault(("album", album), number)
        renditions = line.get("renditions") or []
        status = line.get("status", "published")
        if status == "published" and not renditions:
            raise _invalid(number, "a published song needs at least one rendition")
        if len({r["quality"] for r in renditions}) != len(renditions):
            raise _invalid(number, "renditions: one per quality")
        staged["songs"].append(
            (
                ref,
                line["artist"],
                album,
                line.get("track_number"),
                line["title"],
                line["duration_ms"],
                line.get("explicit", False),
                line.get("isrc"),
                status,
            )
        )
        staged["renditions"].extend(
            (ref, r["quality"], r["codec"], r["bitrate_kbps"], r["object_key"]) for r in renditions
        )
        staged["objects"].extend((number, ref, r) for r in renditions)
    if number == 0 or not seen:
        raise ImportInvalid("the file holds no objects", line=0)
    _check_refs(wanted, seen)
    return staged


def _check_refs(wanted: dict[tuple[str, str], int], seen: dict[tuple[str, str], int]) -> None:
    """Every ref points at an object of the file or of an earlier import; else the first line that misses."""
    missing = {key: number for key, number in wanted.items() if key not in seen}
    for kind in ("artist", "album"):
        refs = [ref for (k, ref) in missing if k == kind]
        for start in range(0, len(refs), 10_000):
            for ref in catalog.known_refs(kind, refs[start : start + 10_000]):
                missing.pop((kind, ref))
    if missing:
        (kind, ref), number = min(missing.items(), key=lambda item: item[1])
        raise _invalid(number, f"unknown {kind} ref {ref!r}")


def check_objects(conn: Any, objects: list[tuple[Any, ...]], lookup: media.Lookup) -> None:
    """Every rendition's key may back it (``media.refusals``, the upload path's rule); else the first line
    whose key may not."""
    song_ids: dict[str, str] = {}
    refs = sorted({ref for _number, ref, _rendition in objects})
    for start in range(0, len(refs), 10_000):
        song_ids.update(catalog.ref_ids("song", refs[start : start + 10_000]))
    candidates = [
        media.Candidate(
            rendition["object_key"],
            song_ids.get(ref),
            ref,
            content_type=rendition.get("content_type"),
            size_bytes=rendition.get("size_bytes"),
        )
        for _number, ref, rendition in objects
    ]
    for (number, _ref, rendition), refusal in zip(
        objects, media.refusals(conn, candidates, lookup), strict=True
    ):
        if refusal is not None:
            raise _invalid(number, f"renditions.{rendition['quality']}.object_key: {refusal}")


def run(
    conn: Any, lines: Any, *, statement_timeout_ms: int, lookup: media.Lookup = media.r2_heads
) -> dict[str, Any]:
    """Parse, check the objects, then import in one transaction; ``{imported: {kind: n}, ids: [{type,
    ref, id}]}``. ``lookup`` finds the objects in R2 (a benchmark hands in one that knows them all)."""
    staged = parse(lines)
    check_objects(conn, staged["objects"], lookup)
    ids = catalog.import_catalog(
        staged["artists"],
        staged["albums"],
        staged["songs"],
        staged["renditions"],
        statement_timeout_ms=statement_timeout_ms,
    )
    counts = {kind: sum(1 for item in ids if item["type"] == kind) for kind in ("artist", "album", "song")}
    return {"imported": counts, "ids": ids}
