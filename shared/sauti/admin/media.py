"""Which R2 object may back a song's rendition: the one rule of the upload path and the catalog import.

A key may back a rendition of a song when

- it is a plain object key: segments of letters, digits, ``.``, ``_`` and ``-``, none starting with a
  dot (no ``..``, no ``?``, ``#``, ``%`` or spaces to end up in a signed CDN link);
- it is in that song's media namespace: ``audio/{song id}/`` (where the upload path puts its objects),
  or, for an import, ``audio/{song ref}/`` (where the label staged its files before importing; a ref
  that is not key-safe, or is an id, has no such namespace);
- it is not another entity's object: no other song's rendition, no ad, no upload handed out for
  another target, no other song of the same import uses it;
- R2 holds it, as audio, with the declared type and size when they are declared.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sauti.admin import store
from sauti.catalog import public as catalog
from sauti.errors import ServiceUnavailable
from sauti.ids import canonical_id

MAX_KEY_LENGTH = 500
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
_KEY_SAFE_REF = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}")
HEAD_WORKERS = 16  # R2 HEADs at once for an import's objects

Found = dict[str, Any]  # {size_bytes, content_type}
Lookup = Callable[[Sequence[str]], dict[str, Found | None]]


@dataclass(frozen=True)
class Candidate:
    """An object key proposed for a song's rendition, and what its sender declared of it."""

    object_key: str
    song_id: str | None  # None: a song the import is creating
    song_ref: str | None = None  # an import's song
    content_type: str | None = None
    size_bytes: int | None = None


def namespaces(song_id: str | None, song_ref: str | None) -> list[str]:
    prefixes = [f"audio/{song_id}/"] if song_id else []
    if song_ref and _KEY_SAFE_REF.fullmatch(song_ref) and canonical_id(song_ref) is None:
        prefixes.append(f"audio/{song_ref}/")
    return prefixes


def r2_heads(keys: Sequence[str]) -> dict[str, Found | None]:
    """R2's ``HEAD`` of each key, a few at once; 503 when R2 cannot be asked."""
    from botocore.exceptions import BotoCoreError, ClientError

    from sauti.signing import r2

    try:
        if len(keys) <= 1:
            return {key: r2.head(key) for key in keys}
        with ThreadPoolExecutor(max_workers=HEAD_WORKERS) as pool:
            return dict(zip(keys, pool.map(r2.head, keys), strict=True))
    except (BotoCoreError, ClientError) as exc:
        raise ServiceUnavailable("R2 could not be asked; retry shortly") from exc


def refusals(conn: Any, candidates: Iterable[Candidate], lookup: Lookup = r2_heads) -> list[str | None]:
    """For each candidate, why its key may not back the rendition, or None when it may (in order)."""
    candidates = list(candidates)
    reasons: list[str | None] = [_shape_refusal(candidate) for candidate in candidates]
    keys = sorted({c.object_key for c, reason in zip(candidates, reasons, strict=True) if reason is None})
    owners = catalog.media_owners(keys) if keys else {}
    for row in store.pending_uploads_of(conn, keys) if keys else []:
        owners.setdefault(row["object_key"], set()).add((row["target_type"], row["target_id"]))
    claimed: dict[str, int] = {}  # key -> the first candidate citing it
    for index, candidate in enumerate(candidates):
        if reasons[index] is not None:
            continue
        own = {("song", candidate.song_id)} if candidate.song_id else set()
        first = claimed.setdefault(candidate.object_key, index)
        if owners.get(candidate.object_key, set()) - own or _other_song(candidates[first], candidate):
            reasons[index] = "another entity's object"
    wanted = sorted({c.object_key for c, reason in zip(candidates, reasons, strict=True) if reason is None})
    found = lookup(wanted) if wanted else {}
    for index, candidate in enumerate(candidates):
        if reasons[index] is None:
            reasons[index] = _object_refusal(candidate, found.get(candidate.object_key))
    return reasons


def _other_song(first: Candidate, candidate: Candidate) -> bool:
    return (first.song_id, first.song_ref) != (candidate.song_id, candidate.song_ref)


def _shape_refusal(candidate: Candidate) -> str | None:
    key = candidate.object_key
    if len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        return "not a plain object key (letters, digits, '.', '_', '-' and '/' between segments)"
    if not any(key.startswith(prefix) for prefix in namespaces(candidate.song_id, candidate.song_ref)):
        return "not in the song's media namespace (audio/{song id}/ or audio/{song ref}/)"
    return None


def _object_refusal(candidate: Candidate, found: Found | None) -> str | None:
    if found is None:
        return "the object is not in R2"
    content_type = str(found.get("content_type") or "")
    if not content_type.startswith("audio/"):
        return f"R2 holds {content_type or 'an untyped object'}, not audio"
    if candidate.content_type is not None and content_type != candidate.content_type:
        return f"R2 holds {content_type}, declared {candidate.content_type}"
    if candidate.size_bytes is not None and found.get("size_bytes") != candidate.size_bytes:
        return f"R2 holds {found.get('size_bytes')} bytes, declared {candidate.size_bytes}"
    return None
