"""Search: the query engine over search's own index (docs/search.md).

A query is parsed into words and field filters; each word gets its candidate terms from the vocabulary
(the word itself, completions of the last word while it is typed, and terms within the typos its length
allows); the most selective word drives the match, through its postings ordered by popularity, and
every word must be matched by the document. The documents found are ranked by

    (typos, last word only a prefix, fields matched, not the exact title, -plays, title)

so exact beats prefix beats typo, title beats artist beats album, and the more played wins a tie.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sauti.db import transaction
from sauti.search import store, text
from sauti.search.documents import ALBUM, ARTIST, KIND_NAMES, KINDS, PLAYLIST, SONG
from sauti.search.errors import UnknownResultType
from sauti.search.settings import SearchSettings
from sauti.settings import settings

DEFAULT_LIMIT, MAX_LIMIT = 10, 50
MAX_QUERY_LENGTH = 200
# ?types=: names of KINDS, singular or plural, comma-separated (spaces around them allowed), or none at
# all. The route validates with this pattern alone, so the document says exactly what is refused.
_TYPE = rf" *({'|'.join(KINDS)})s? *"
TYPES_PATTERN = rf"^({_TYPE}(,{_TYPE})*)?$"
TYPES_MAX_LENGTH = 100
MAX_WORDS = 8  # words past the eighth are ignored (a pasted paragraph is not a search)
SUGGESTIONS = 10
COMPLETIONS = 10  # terms a typed prefix expands to, most frequent first
TYPO_CANDIDATES = 10
# Postings read for the driving word of a query of several words, shared by its terms, kinds and fields
# (the other words filter them); a single word reads only what can make its top ``limit``.
CANDIDATE_BUDGET = 600
EXACT, PREFIX = 0, 1


@dataclass
class Word:
    """One query word: candidate term → (typos, is a prefix completion)."""

    typed: str
    scope: str = "any"  # "artist" / "album" for a filter's words
    prefix: bool = False  # the last word, still being typed
    candidates: dict[str, tuple[int, bool]] = field(default_factory=dict)
    docs: dict[str, int] = field(default_factory=dict)  # candidate → documents holding it
    corrected: str | None = None
    completions_cut: bool = False  # more terms complete the prefix than were read: candidates are a sample

    @property
    def weight(self) -> int:
        return sum(self.docs.values())

    @property
    def completes(self) -> str | None:
        """The prefix a document's term may start with to match (the word being typed, not CJK)."""
        return self.typed if self.prefix and not text.is_ngram_script(self.typed) else None


def parse_types(raw: str | None) -> list[int]:
    if not raw:
        return list(KINDS.values())
    names = [name.strip().removesuffix("s") for name in raw.split(",") if name.strip()]
    unknown = sorted({name for name in names if name not in KINDS})
    if unknown:
        raise UnknownResultType(
            f"unknown result types: {', '.join(unknown)}; use song, artist, album, playlist"
        )
    return sorted({KINDS[name] for name in names}) or list(KINDS.values())


def search(q: str, kinds: list[int], limit: int) -> dict[str, Any]:
    """``GET /search``: the best ``limit`` songs, artists, albums and playlists for ``q``."""
    query = text.parse_query(q[:MAX_QUERY_LENGTH])
    found, corrected = _find(query, kinds, limit)
    answer: dict[str, Any] = {"query": q, "corrected_query": corrected}
    for kind, name in KIND_NAMES.items():
        answer[f"{name}s"] = {"items": [hit["display"] for hit in found if hit["kind"] == kind][:limit]}
    return answer


def suggest(q: str) -> dict[str, Any]:
    """``GET /search/suggest``: up to ten completions of what is being typed, best first."""
    query = text.parse_query(q[:MAX_QUERY_LENGTH])
    found, _ = _find(query, list(KINDS.values()), SUGGESTIONS)
    items, seen = [], set()
    for hit in found:
        display = hit["display"]
        label = display.get("title") or display.get("name")
        if label and label.casefold() not in seen:
            seen.add(label.casefold())
            items.append({"type": KIND_NAMES[hit["kind"]], "id": display["id"], "text": label})
        if len(items) == SUGGESTIONS:
            break
    return {"items": items}


# -- the engine -----------------------------------------------------------------------------------


def _find(query: text.ParsedQuery, kinds: list[int], limit: int) -> tuple[list[dict[str, Any]], str | None]:
    kinds = _kinds_for(query, kinds)
    if not kinds:
        return [], None
    free = query.words[:MAX_WORDS]
    words = [
        Word(piece, prefix=query.last_is_prefix and index == len(free) - 1)
        for index, word in enumerate(free)
        for piece in _pieces(word)
    ]
    words += [Word(piece, "artist") for word in query.artist[:MAX_WORDS] for piece in _pieces(word)]
    words += [Word(piece, "album") for word in query.album[:MAX_WORDS] for piece in _pieces(word)]
    with transaction() as conn:
        if not words:
            if query.isrc:
                rows = store.by_isrc(conn, query.isrc, query.year)
            elif query.year is not None:
                rows = store.by_year(conn, query.year, kinds, limit)
            else:
                return [], None
            return _ranked(rows, [], None, limit), None
        _expand(conn, words)
        if any(not word.candidates for word in words):
            return [], None
        # A prefix with more completions than were read drives only alone: its candidates are a sample.
        driver = min(words, key=lambda word: (word.completions_cut, word.weight, word.prefix))
        title = " ".join(free) if free else None
        rows = store.match(
            conn,
            driver=list(driver.candidates),
            kinds=kinds,
            per_term=_per_term(driver, words, kinds, limit),
            required=[(word.scope, list(word.candidates), word.completes) for word in words],
            title=title,
            title_prefix=query.last_is_prefix,
            year=query.year,
            isrc=query.isrc,
        )
    corrected = _corrected(query, words)
    return _ranked(rows, words, title, limit), corrected


def _per_term(driver: Word, words: list[Word], kinds: list[int], limit: int) -> int:
    """Postings read per (term, kind, field) of the driving word: a single word's top ``limit`` in each
    is all ranking can use (the key is typos, prefix, field, then plays: the postings' own order);
    with other words to filter them, a share of the budget."""
    if len(words) == 1 and driver.scope == "any":
        return limit
    ranges = len(driver.candidates) * sum(len(store.FIELDS_OF_KIND[kind]) for kind in kinds)
    return max(2 * limit, CANDIDATE_BUDGET // ranges)


def _kinds_for(query: text.ParsedQuery, kinds: list[int]) -> list[int]:
    """Kinds a filter can apply to: ``isrc:`` songs, ``year:`` and ``album:`` songs and albums,
    ``artist:`` songs, albums and artists; playlists have none of these fields."""
    allowed = set(kinds)
    if query.isrc:
        allowed &= {SONG}
    if query.year is not None or query.album:
        allowed &= {SONG, ALBUM}
    if query.artist:
        allowed &= {SONG, ALBUM, ARTIST}
    return sorted(allowed)


def _pieces(word: str) -> list[str]:
    """A word as the index holds it: a run of an n-gram script is its bigrams (all required)."""
    if text.is_ngram_script(word) and len(word) > 1:
        return [word[i : i + 2] for i in range(len(word) - 1)]
    return [word]


def _expand(conn: Any, words: list[Word]) -> None:
    """Each word's candidate terms: itself, its completions while typed, then, when the word alone finds
    few documents, terms within the typos its length allows. One round trip for all words (plus one
    per long word that needs two-typo candidates)."""
    typo_keys = [
        (index, key)
        for index, word in enumerate(words)
        if text.allowed_typos(word.typed)
        for key in [word.typed, *text.deletions(word.typed)]
    ]
    prefix = next(
        ((i, w.typed) for i, w in enumerate(words) if w.prefix and not text.is_ngram_script(w.typed)), None
    )
    neighbours: dict[int, dict[str, int]] = {index: {} for index in range(len(words))}
    completions = 0
    for row in store.vocabulary(conn, [w.typed for w in words], prefix, typo_keys, COMPLETIONS):
        word = words[row["word"]]
        completions += row["how"] == "prefix"
        if row["how"] == "typo":
            neighbours[row["word"]][row["term"]] = row["docs"]
        elif row["term"] not in word.candidates:
            word.candidates[row["term"]] = (0, row["how"] == "prefix")
            word.docs[row["term"]] = row["docs"]
    if prefix and completions >= COMPLETIONS:
        words[prefix[0]].completions_cut = True
    below = settings(SearchSettings).search_typo_below_docs
    for index, word in enumerate(words):
        allowed = text.allowed_typos(word.typed)
        if not allowed or word.weight >= below:
            continue
        found = neighbours[index]
        if allowed > 1:
            found.update(store.nearest_terms(conn, word.typed, TYPO_CANDIDATES * 2))
        _add_typos(word, found, allowed)


def _add_typos(word: Word, neighbours: dict[str, int], allowed: int) -> None:
    typed = word.typed
    close = []
    for term, docs in neighbours.items():
        if term in word.candidates:
            continue
        typos = text.typo_distance(typed, term, allowed)
        if word.prefix and typos > allowed:
            # While typing, a typo may sit in the part typed so far: "beyo" for "beyonce".
            typos = min(typos, text.typo_distance(typed, term[: len(typed)], allowed))
        if typos <= allowed:
            close.append((typos, -docs, term))
    close.sort()
    for typos, neg_docs, term in close[:TYPO_CANDIDATES]:
        word.candidates[term] = (typos, False)
        word.docs[term] = -neg_docs
    if close and not any(typos == 0 for typos, _ in word.candidates.values()):
        word.corrected = close[0][2]


def _corrected(query: text.ParsedQuery, words: list[Word]) -> str | None:
    fixes = {word.typed: word.corrected for word in words if word.corrected and word.scope == "any"}
    if not fixes:
        return None
    return " ".join(fixes.get(word, word) for word in query.words[:MAX_WORDS])


def _ranked(
    rows: list[dict[str, Any]], words: list[Word], title: str | None, limit: int
) -> list[dict[str, Any]]:
    keyed = []
    for row in rows:
        key = _rank(row, words, title)
        if key is not None:
            keyed.append((key, row))
    keyed.sort(key=lambda item: item[0])
    per_kind: dict[int, int] = {}
    ranked = []
    for _, row in keyed:
        if per_kind.get(row["kind"], 0) < limit:
            per_kind[row["kind"]] = per_kind.get(row["kind"], 0) + 1
            ranked.append({**row, "display": json.loads(row["display"])})
    return ranked


def _rank(row: dict[str, Any], words: list[Word], title: str | None) -> tuple[Any, ...] | None:
    fields = [set(row["title_terms"]), set(row["artist_terms"]), set(row["album_terms"])]
    if row["kind"] in (ARTIST, PLAYLIST):
        fields[1] = fields[2] = set()
    typos = prefixes = field_sum = 0
    for word in words:
        best: tuple[int, int, int] | None = None  # (typos, prefix, field)
        completes = word.completes
        for position, terms in enumerate(fields):
            for term in terms:
                found = word.candidates.get(term)
                if found is None and completes and term.startswith(completes):
                    found = (0, True)
                if found is not None:
                    candidate = (found[0], int(found[1]), position)
                    best = candidate if best is None or candidate < best else best
        if best is None:
            if word.scope != "any":
                continue  # filters are checked by the query; artists keep their name in the title
            return None
        typos += best[0]
        prefixes += best[1]
        field_sum += best[2] if word.scope == "any" else 0
    exact_title = title is not None and row["title_key"] == title
    return (
        typos,
        prefixes,
        field_sum,
        not exact_title,
        -row["plays"],
        row["title_key"],
        row["ref"],
    )
