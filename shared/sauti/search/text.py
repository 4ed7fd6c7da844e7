"""Text as the index sees it: one normalisation for documents and queries, terms, the query syntax and
the typo distance. Pure functions, no I/O, the same at index and query time.

Normalisation: NFKC, case folded, accents dropped from Latin, Greek and Cyrillic letters (``é`` → ``e``,
``ø`` → ``o``, ``ß`` → ``ss``) but not from kana (``が`` stays ``が``). Words are runs of letters and
digits; scripts written without spaces between words (Han, kana, Hangul, Thai, ...) are indexed as
overlapping character bigrams plus single characters, so any substring of two or more characters is
found by requiring all its bigrams.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

# Letters NFKD does not decompose into a base letter and a mark.
_FOLDS = str.maketrans(
    {
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "\u0131": "i",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ħ": "h",
        "ŧ": "t",
    }
)
_TOKEN = re.compile(r"\w+")
# Scripts without spaces between words: CJK ideographs, kana, Hangul, Thai, Lao, Khmer, Myanmar.
_NGRAM_SCRIPT = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f"
    "\uac00-\ud7ff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff]"
)
_NGRAM_RUN = re.compile(f"({_NGRAM_SCRIPT.pattern}+)")
MAX_TERM_LENGTH = 40  # longer runs are cut: nobody types them, and they would bloat the vocabulary


def normalize(value: str) -> str:
    """Case folded, NFKC, without the accents of alphabetic scripts."""
    if value.isascii():
        return value.lower()
    folded = unicodedata.normalize("NFKC", value).casefold().translate(_FOLDS)
    decomposed = unicodedata.normalize("NFKD", folded)
    kept: list[str] = []
    base = ""
    for char in decomposed:
        if unicodedata.combining(char) and base and ord(base) < 0x0590:  # Latin, Greek, Cyrillic, Armenian
            continue
        kept.append(char)
        if not unicodedata.combining(char):
            base = char
    return unicodedata.normalize("NFC", "".join(kept))


def is_ngram_script(term: str) -> bool:
    return bool(_NGRAM_SCRIPT.match(term))


def words(normalized: str) -> list[str]:
    """The words of normalised text, runs of an n-gram script split off as words of their own."""
    found: list[str] = []
    for token in _TOKEN.findall(normalized):
        if token.isascii():
            found.append(token.strip("_")[:MAX_TERM_LENGTH])
            continue
        for piece in _NGRAM_RUN.split(token):
            if piece and piece != "_":
                found.append(piece.strip("_")[:MAX_TERM_LENGTH])
    return [word for word in found if word]


def ngrams(run: str) -> list[str]:
    """Single characters and overlapping bigrams of a run of an n-gram script."""
    return list(dict.fromkeys([*run, *(run[i : i + 2] for i in range(len(run) - 1))]))


@functools.lru_cache(maxsize=65_536)  # artists' names and albums' titles repeat across their songs
def _terms(value: str) -> tuple[str, ...]:
    found: list[str] = []
    for word in words(normalize(value)):
        found.extend(ngrams(word) if is_ngram_script(word) else [word])
    return tuple(dict.fromkeys(found))


def terms(value: str | None) -> list[str]:
    """The index terms of a field: its words, n-gram script runs as their n-grams."""
    return list(_terms(value)) if value else []


def title_key(value: str) -> str:
    """A title as one comparable string: its words, normalised, single-spaced."""
    return " ".join(words(normalize(value)))


def allowed_typos(word: str) -> int:
    """Meilisearch's rule: none under 4 letters, one from 4, two from 8."""
    if is_ngram_script(word):
        return 0
    return 2 if len(word) >= 8 else 1 if len(word) >= 4 else 0


def deletions(word: str) -> list[str]:
    """Every string one character shorter (the symmetric-delete neighbourhood of distance 1)."""
    return list(dict.fromkeys(word[:i] + word[i + 1 :] for i in range(len(word))))


def typo_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: a swap of two neighbours is one typo);
    anything above ``limit`` is reported as ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


# -- queries --------------------------------------------------------------------------------------

FILTERS = ("artist", "album", "year", "isrc")
_FILTER = re.compile(r'(?i)\b(artist|album|year|isrc):\s*(?:"([^"]*)"?|(\S+))')


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # the free text, filters taken out
    words: list[str]  # normalised words of the free text (n-gram runs kept whole)
    last_is_prefix: bool  # the last word is still being typed (no space after it)
    artist: list[str] = field(default_factory=list)
    album: list[str] = field(default_factory=list)
    year: int | None = None
    isrc: str | None = None

    @property
    def has_filters(self) -> bool:
        return bool(self.artist or self.album or self.year is not None or self.isrc)


def parse_query(raw: str) -> ParsedQuery:
    """``q`` as typed: free text and the field filters ``artist:``, ``album:``, ``year:``, ``isrc:``
    (a value with spaces in double quotes: ``artist:"sauti sol"``)."""
    found: dict[str, str] = {}

    def take(match: re.Match[str]) -> str:
        found[match.group(1).lower()] = match.group(2) if match.group(2) is not None else match.group(3)
        return " "

    text = _FILTER.sub(take, raw)
    year = found.get("year", "").strip()
    isrc = re.sub(r"[^0-9A-Za-z]", "", found.get("isrc", "")).upper()
    return ParsedQuery(
        text=" ".join(text.split()),
        words=words(normalize(text)),
        last_is_prefix=bool(text) and not text[-1].isspace(),
        artist=words(normalize(found.get("artist", ""))),
        album=words(normalize(found.get("album", ""))),
        year=int(year) if year.isdigit() and len(year) == 4 else None,
        isrc=isrc or None,
    )
