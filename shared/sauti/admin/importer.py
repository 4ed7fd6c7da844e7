"""Catalog import: JSON Lines (the contract's format) checked line by line, then written in one go.

Every bad line is reported by its number (the first hundred in full) and nothing is imported.
Objects refer to each other by ``ref``, within the file or from an earlier import; importing again
updates (the catalog keeps the refs).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict

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


MAX_REPORTED = 100  # refused lines named in one answer; the rest are counted


class _Refusals:
    """Every refused line of a file (the first MAX_REPORTED by number), so a sender fixes them in one go."""

    def __init__(self) -> None:
        self.lines: list[tuple[int, str]] = []

    def add(self, number: int, message: str) -> None:
        self.lines.append((number, message))

    def raise_any(self) -> None:
        if not self.lines:
            return
        ordered = sorted(self.lines)
        number, message = ordered[0]
        more = f" (and {len(ordered) - 1} more refused lines)" if len(ordered) > 1 else ""
        raise ImportInvalid(
            f"line {number}: {message}{more}",
            line=number,
            refused=len(ordered),
            errors=[{"line": n, "detail": m} for n, m in ordered[:MAX_REPORTED]],
        )


def parse(lines: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Staged rows (the catalog store's COPY columns) from an iterable of lines (bytes or str)."""
    staged: dict[str, list[tuple[Any, ...]]] = {"artists": [], "albums": [], "songs": [], "renditions": []}
    seen: dict[tuple[str, str], int] = {}
    wanted: dict[tuple[str, str], list[int]] = {}  # (kind, ref) referred to -> the lines referring to it
    refusals = _Refusals()
    number = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            line = _LINE.validate_json(raw)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error.get("loc", ()) if not isinstance(part, int))
            refusals.add(number, f"{where or 'line'}: {error.get('msg', 'invalid')}")
            continue
        kind, ref = line["type"], line["ref"]
        if (kind, ref) in seen:
            refusals.add(number, f"{kind} ref {ref!r} already on line {seen[kind, ref]}")
            continue
        seen[kind, ref] = number
        if kind == "artist":
            staged["artists"].append((ref, line["name"], line.get("bio")))
            continue
        wanted.setdefault(("artist", line["artist"]), []).append(number)
        if kind == "album":
            staged["albums"].append((ref, line["artist"], line["title"], line.get("release_date")))
            continue
        if album := line.get("album"):
            wanted.setdefault(("album", album), []).append(number)
        renditions = line.get("renditions") or []
        status = line.get("status", "published")
        if status == "published" and not renditions:
            refusals.add(number, "a published song needs at least one rendition")
            continue
        if len({r["quality"] for r in renditions}) != len(renditions):
            refusals.add(number, "renditions: one per quality")
            continue
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
    if not refusals.lines and (number == 0 or not seen):
        raise ImportInvalid("the file holds no objects", line=0)
    _check_refs(wanted, seen, refusals)
    refusals.raise_any()
    return staged


def _check_refs(
    wanted: dict[tuple[str, str], list[int]], seen: dict[tuple[str, str], int], refusals: _Refusals
) -> None:
    """Every ref points at an object of the file or of an earlier import; else the lines that miss."""
    missing = {key: number for key, number in wanted.items() if key not in seen}
    for kind in ("artist", "album"):
        refs = [ref for (k, ref) in missing if k == kind]
        for start in range(0, len(refs), 10_000):
            for ref in catalog.known_refs(kind, refs[start : start + 10_000]):
                missing.pop((kind, ref))
    for (kind, ref), numbers in missing.items():
        for number in numbers:
            refusals.add(number, f"unknown {kind} ref {ref!r}")


def run(lines: Any, *, statement_timeout_ms: int) -> dict[str, Any]:
    """Parse, then import in one transaction; ``{imported: {kind: n}, ids: [{type, ref, id}]}``."""
    staged = parse(lines)
    ids = catalog.import_catalog(
        staged["artists"],
        staged["albums"],
        staged["songs"],
        staged["renditions"],
        statement_timeout_ms=statement_timeout_ms,
    )
    counts = {kind: sum(1 for item in ids if item["type"] == kind) for kind in ("artist", "album", "song")}
    return {"imported": counts, "ids": ids}
