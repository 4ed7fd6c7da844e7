"""Catalog import: JSON Lines (the contract's format) checked line by line, then written in one go.

A bad line is reported by its number and nothing is imported. Objects refer to each other by ``ref``,
within the file or from an earlier import; importing again updates (the catalog keeps the refs).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

from sauti.admin.errors import ImportInvalid
from sauti.catalog import public as catalog
from sauti.models import RequestModel

Ref = Annotated[str, Field(min_length=1, max_length=200)]


class ArtistLine(RequestModel):
    type: Literal["artist"]
    ref: Ref
    name: str = Field(min_length=1, max_length=300)
    bio: str | None = Field(default=None, max_length=5000)


class AlbumLine(RequestModel):
    type: Literal["album"]
    ref: Ref
    artist: Ref
    title: str = Field(min_length=1, max_length=300)
    release_date: date | None = None


class RenditionLine(RequestModel):
    quality: Literal["low", "normal", "high"]
    codec: str = Field(min_length=1, max_length=40)
    bitrate_kbps: int = Field(ge=1, le=10_000)
    object_key: str = Field(min_length=1, max_length=500)


class SongLine(RequestModel):
    type: Literal["song"]
    ref: Ref
    artist: Ref
    album: Ref | None = None
    track_number: int | None = Field(default=None, ge=1, le=10_000)
    title: str = Field(min_length=1, max_length=300)
    duration_ms: int = Field(ge=1, le=86_400_000)
    explicit: bool = False
    isrc: str | None = Field(default=None, max_length=20)
    status: Literal["draft", "published"] = "published"
    renditions: list[RenditionLine] = Field(default_factory=list, max_length=3)


_LINE: TypeAdapter[Any] = TypeAdapter(
    Annotated[ArtistLine | AlbumLine | SongLine, Field(discriminator="type")]
)


def _invalid(number: int, message: str) -> ImportInvalid:
    return ImportInvalid(f"line {number}: {message}", line=number)


def parse(lines: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Staged rows (the catalog store's COPY columns) from an iterable of lines (bytes or str)."""
    staged: dict[str, list[tuple[Any, ...]]] = {"artists": [], "albums": [], "songs": [], "renditions": []}
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
        key = (line.type, line.ref)
        if key in seen:
            raise _invalid(number, f"{line.type} ref {line.ref!r} already on line {seen[key]}")
        seen[key] = number
        if isinstance(line, ArtistLine):
            staged["artists"].append((line.ref, line.name, line.bio))
        elif isinstance(line, AlbumLine):
            wanted.setdefault(("artist", line.artist), number)
            staged["albums"].append((line.ref, line.artist, line.title, line.release_date))
        else:
            wanted.setdefault(("artist", line.artist), number)
            if line.album:
                wanted.setdefault(("album", line.album), number)
            if line.status == "published" and not line.renditions:
                raise _invalid(number, "a published song needs at least one rendition")
            qualities = [rendition.quality for rendition in line.renditions]
            if len(set(qualities)) != len(qualities):
                raise _invalid(number, "renditions: one per quality")
            staged["songs"].append(
                (
                    line.ref,
                    line.artist,
                    line.album,
                    line.track_number,
                    line.title,
                    line.duration_ms,
                    line.explicit,
                    line.isrc,
                    line.status,
                )
            )
            staged["renditions"].extend(
                (line.ref, r.quality, r.codec, r.bitrate_kbps, r.object_key) for r in line.renditions
            )
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


def run(lines: Any) -> dict[str, Any]:
    """Parse, then import in one transaction; ``{imported: {kind: n}, ids: [{type, ref, id}]}``."""
    staged = parse(lines)
    ids = catalog.import_catalog(staged["artists"], staged["albums"], staged["songs"], staged["renditions"])
    counts = {kind: sum(1 for item in ids if item["type"] == kind) for kind in ("artist", "album", "song")}
    return {"imported": counts, "ids": ids}
