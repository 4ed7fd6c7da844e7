"""Search's SQL, and nothing else: its own tables only (docs/search.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from psycopg import Connection
from psycopg.errors import LockNotAvailable
from psycopg.types.json import Jsonb

from sauti.db import Row
from sauti.search.text import deletions

_DOC_COLUMNS = (
    "kind",
    "ref",
    "display",
    "title_key",
    "terms",
    "title_terms",
    "artist_terms",
    "album_terms",
    "artist_ref",
    "album_ref",
    "year",
    "isrc",
)
TOP = "\U0010ffff"  # sorts after every character: [p, p + TOP) is every string starting with p
# The fields each kind has: a song's title, artist and album; an album's title and artist; a name.
FIELDS_OF_KIND = {1: (0, 1, 2), 2: (0,), 3: (0, 1), 4: (0,)}


# Advisory lock, held to the end of the transaction taking it: shared by every change of the indexer
# (they may run together), exclusive for a rebuild (it deletes and reloads every row).
INDEX_LOCK = 7_242_580
CHANGE_LOCK_WAIT = "2s"  # a change waits this long for a running rebuild, then fails to be retried


def lock_for_change(conn: Connection[Row]) -> bool:
    """Take the index's lock for one change; False when a rebuild held it past ``CHANGE_LOCK_WAIT``."""
    conn.execute(f"SET LOCAL lock_timeout = '{CHANGE_LOCK_WAIT}'")
    try:
        with conn.transaction():  # a savepoint: a timed-out wait leaves the transaction usable
            conn.execute("SELECT pg_advisory_xact_lock_shared(%s)", (INDEX_LOCK,))
    except LockNotAvailable:
        return False
    finally:
        conn.execute("SET LOCAL lock_timeout = DEFAULT")
    return True


def lock_for_rebuild(conn: Connection[Row]) -> None:
    """Wait for the changes being applied, then keep every other change out until the rebuild commits."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (INDEX_LOCK,))


def analyze(conn: Connection[Row], *tables: str) -> None:
    """Fresh statistics for what this transaction loaded, before a statement joins on it (a plan made on
    an empty or rolled-back table's estimate runs quadratic)."""
    for table in tables:
        conn.execute(f"ANALYZE {table}")


def _doc_values(doc: dict[str, Any]) -> dict[str, Any]:
    return {**doc, "display": Jsonb(doc["display"])}


# -- one document at a time (the indexer) ----------------------------------------------------------


def lock_doc(conn: Connection[Row], kind: int, ref: str) -> Row | None:
    return conn.execute(
        "SELECT doc, terms, title_terms, artist_terms, pop, artist_ref::text, album_ref::text"
        " FROM search_docs WHERE kind = %s AND ref = %s FOR UPDATE",
        (kind, ref),
    ).fetchone()


def insert_doc(conn: Connection[Row], doc: dict[str, Any]) -> Row:
    columns = ", ".join(_DOC_COLUMNS)
    values = ", ".join(f"%({name})s" for name in _DOC_COLUMNS)
    return conn.execute(  # type: ignore[return-value]
        f"INSERT INTO search_docs ({columns}) VALUES ({values}) RETURNING doc, pop", _doc_values(doc)
    ).fetchone()


def update_doc(conn: Connection[Row], doc_id: int, doc: dict[str, Any]) -> None:
    assignments = ", ".join(f"{name} = %({name})s" for name in _DOC_COLUMNS if name not in ("kind", "ref"))
    conn.execute(
        f"UPDATE search_docs SET {assignments} WHERE doc = %(doc)s", {**_doc_values(doc), "doc": doc_id}
    )


def delete_doc(conn: Connection[Row], doc_id: int) -> None:
    conn.execute("DELETE FROM search_docs WHERE doc = %s", (doc_id,))


def add_postings(
    conn: Connection[Row], kind: int, pop: int, doc_id: int, postings: list[tuple[str, int]]
) -> None:
    """``postings``: (term, field) pairs of the document."""
    conn.execute(
        """INSERT INTO search_postings (term, kind, field, pop, doc)
           SELECT t, %s, f, %s, %s FROM unnest(%s::text[], %s::smallint[]) AS p(t, f)
           ON CONFLICT DO NOTHING""",
        (kind, pop, doc_id, [p[0] for p in postings], [p[1] for p in postings]),
    )


def remove_postings(
    conn: Connection[Row], kind: int, pop: int, doc_id: int, postings: list[tuple[str, int]]
) -> None:
    conn.execute(
        """DELETE FROM search_postings s USING unnest(%s::text[], %s::smallint[]) AS p(t, f)
           WHERE s.term = p.t AND s.kind = %s AND s.field = p.f AND s.pop = %s AND s.doc = %s""",
        ([p[0] for p in postings], [p[1] for p in postings], kind, pop, doc_id),
    )


def count_terms(conn: Connection[Row], added: list[str], removed: list[str], pop: int) -> None:
    """Move the vocabulary's document counts and raise its popularity to the document's (``pop``); a
    term seen for the first time gets its deletions."""
    if removed:
        conn.execute(
            "UPDATE search_terms SET docs = greatest(0, docs - 1) WHERE term = ANY(%s::text[])", (removed,)
        )
    if not added:
        return
    new = conn.execute(
        """INSERT INTO search_terms (term, docs, pop) SELECT t, 1, %s FROM unnest(%s::text[]) t ORDER BY t
           ON CONFLICT (term) DO UPDATE SET docs = search_terms.docs + 1,
                                            pop = greatest(search_terms.pop, excluded.pop)
           RETURNING term, (xmax = 0) AS inserted""",
        (pop, sorted(added)),
    ).fetchall()
    add_deletions(conn, [row["term"] for row in new if row["inserted"]])


def add_deletions(conn: Connection[Row], terms: Iterable[str]) -> None:
    pairs = [(variant, term) for term in terms for variant in [term, *deletions(term)]]
    if pairs:
        conn.execute(
            """INSERT INTO search_term_deletes (variant, term)
               SELECT * FROM unnest(%s::text[], %s::text[]) ON CONFLICT DO NOTHING""",
            ([p[0] for p in pairs], [p[1] for p in pairs]),
        )


def docs_referring(
    conn: Connection[Row], kind: int, *, artist_ref: str | None = None, album_ref: str | None = None
) -> list[str]:
    """Refs of the documents of ``kind`` that name this artist or album."""
    column = "artist_ref" if artist_ref else "album_ref"
    rows = conn.execute(
        f"SELECT ref::text FROM search_docs WHERE kind = %s AND {column} = %s",
        (kind, artist_ref or album_ref),
    ).fetchall()
    return [row["ref"] for row in rows]


# -- the vocabulary (query time) -------------------------------------------------------------------


SETTING = "setting"  # the vocabulary's row that is not a term


def vocabulary(
    conn: Connection[Row],
    words: list[str],
    prefix: tuple[int, str] | None,
    typo_keys: list[tuple[int, str]],
    completions: int,
) -> list[Row]:
    """In one round trip, ``{word, how, term, docs}`` for each query word (its 0-based position):
    ``exact`` the word itself; ``prefix`` the completions of the word being typed found in the most
    played documents (then the most frequent)
    (``prefix``: its position and text);
    ``typo`` terms sharing a deletion with the word (``typo_keys``: the word and its deletions), a
    superset of those within one typo."""
    statement, params = vocabulary_statement(words, prefix, typo_keys, completions)
    rows = conn.execute(statement, params, prepare=False).fetchall()
    return [row for row in rows if row["how"] != SETTING]


def vocabulary_statement(
    words: list[str], prefix: tuple[int, str] | None, typo_keys: list[tuple[int, str]], completions: int
) -> tuple[str, dict[str, Any]]:
    last, typed = prefix or (0, "")
    width = min(len(typed), 3)
    parts = [
        # For the rest of the transaction (the match statement after this one), in this round trip: a
        # term's postings are skewed (Zipf), and the planner, expecting a handful, would read all of a
        # common term's postings through a bitmap and sort them; the index range in popularity order
        # stops at k. The row it adds is skipped.
        f"""SELECT -1 AS word, '{SETTING}' AS how, set_config('enable_bitmapscan', 'off', true) AS term,
                   0 AS docs""",
        """SELECT (w.i - 1)::int, 'exact', t.term, t.docs
           FROM unnest(%(words)s::text[]) WITH ORDINALITY AS w(word, i)
           JOIN search_terms t ON t.term = w.word WHERE t.docs > 0""",
    ]
    if prefix:
        parts.append(
            f"""SELECT %(last)s, 'prefix', c.term, c.docs FROM (
                    SELECT term, docs FROM search_terms
                    WHERE left(term, {width}) = %(start)s AND starts_with(term, %(prefix)s) AND docs > 0
                    ORDER BY left(term, {width}), pop DESC, docs DESC LIMIT %(completions)s) c"""
        )
    if typo_keys:
        parts.append(
            """SELECT DISTINCT k.word, 'typo', t.term, t.docs
               FROM unnest(%(key_words)s::int[], %(keys)s::text[]) AS k(word, variant)
               JOIN search_term_deletes d ON d.variant = k.variant
               JOIN search_terms t ON t.term = d.term WHERE t.docs > 0"""
        )
    params = {
        "words": words,
        "last": last,
        "start": typed[:width],
        "prefix": typed,
        "completions": completions,
        "key_words": [key[0] for key in typo_keys],
        "keys": [key[1] for key in typo_keys],
    }
    return " UNION ALL ".join(f"({part})" for part in parts), params


# On the expression the trigram index covers (migration 0980): equality on `term` never reaches it.
NEAREST_TERMS = "SELECT term, docs FROM search_terms WHERE docs > 0 ORDER BY lower(term) <-> %s LIMIT %s"


def nearest_terms(conn: Connection[Row], word: str, limit: int) -> dict[str, int]:
    """The terms nearest ``word`` by trigrams (a GiST nearest-neighbour scan): candidates for two typos."""
    rows = conn.execute(NEAREST_TERMS, (word, limit)).fetchall()
    return {row["term"]: row["docs"] for row in rows}


# -- matching --------------------------------------------------------------------------------------

# Where each kind keeps what a field filter looks at: artist:x is an artist's own name, a song's or
# album's artist; album:x is an album's own title or a song's album.
_FIELD_COLUMNS = {
    "any": "d.terms",
    "artist": "(CASE WHEN d.kind = 2 THEN d.title_terms ELSE d.artist_terms END)",
    "album": "(CASE WHEN d.kind = 3 THEN d.title_terms ELSE d.album_terms END)",
}
# ``display`` as text: only the few answered are decoded, not the hundreds of candidates ranked.
_RESULT_COLUMNS = (
    "d.doc, d.kind, d.ref::text AS ref, d.display::text AS display, d.plays, d.title_key, d.title_terms,"
    " d.artist_terms, d.album_terms"
)


def match(
    conn: Connection[Row],
    *,
    driver: list[str],
    kinds: list[int],
    per_term: int,
    required: list[tuple[str, list[str], str | None]],
    title: str | None,
    title_prefix: bool,
    year: int | None,
    isrc: str | None,
) -> list[Row]:
    """Documents holding, for every ``(field, candidates, prefix)`` in ``required``, one of the candidates
    or, when ``prefix`` is given (the word being typed), any term starting with it: however many terms
    complete a short prefix ("sigur r"), the document's own terms decide.

    Candidates come from the driver's postings (the most selective word: for each of its terms and
    each kind, the ``per_term`` most popular documents, one index range each) plus the documents whose
    whole title is the query (or starts with it, while typing), found on the title index.
    """
    pairs = [(kind, field) for kind in kinds for field in FIELDS_OF_KIND[kind]]
    params: dict[str, Any] = {
        "driver": driver,
        "kinds": kinds,
        "pair_kinds": [pair[0] for pair in pairs],
        "pair_fields": [pair[1] for pair in pairs],
        "per_term": per_term,
        "year": year,
        "isrc": isrc,
    }
    sources = [
        """SELECT p.doc FROM unnest(%(driver)s::text[]) AS t(term)
           CROSS JOIN unnest(%(pair_kinds)s::smallint[], %(pair_fields)s::smallint[]) AS k(kind, field)
           CROSS JOIN LATERAL (SELECT s.doc FROM search_postings s
                               WHERE s.term = t.term AND s.kind = k.kind AND s.field = k.field
                               ORDER BY s.pop DESC LIMIT %(per_term)s) p"""
    ]
    if title:
        params.update(title=title, title_end=title + TOP)
        sources.append(
            """SELECT e.doc FROM unnest(%(kinds)s::smallint[]) AS k(kind)
               CROSS JOIN LATERAL (SELECT doc FROM search_docs WHERE title_key = %(title)s AND kind = k.kind
                                   ORDER BY pop DESC LIMIT %(per_term)s) e"""
        )
        if title_prefix:
            sources.append(
                """(SELECT doc FROM search_docs WHERE title_key >= %(title)s AND title_key < %(title_end)s
                     AND kind = ANY(%(kinds)s::smallint[]) ORDER BY title_key LIMIT 50)"""
            )
    conditions = ["true"]
    for index, (field, candidates, prefix) in enumerate(required):
        params[f"c{index}"] = candidates
        condition = f"{_FIELD_COLUMNS[field]} && %(c{index})s::text[]"
        if prefix:
            params[f"p{index}"] = prefix
            condition = (
                f"({condition} OR EXISTS (SELECT FROM unnest({_FIELD_COLUMNS[field]}) AS w(term)"
                f" WHERE starts_with(w.term, %(p{index})s)))"
            )
        conditions.append(condition)
    if year is not None:
        conditions.append("d.year = %(year)s")
    if isrc is not None:
        conditions.append("d.isrc = %(isrc)s")
    union = " UNION ".join(sources)
    # The candidates as an array first, so the documents are always fetched by primary key (never a scan
    # of every document checked against the words), and custom plans only (prepare=False): a generic
    # plan cannot see how few candidates the arrays give.
    return conn.execute(
        f"""SELECT {_RESULT_COLUMNS} FROM search_docs d
            WHERE d.doc = ANY(ARRAY(SELECT doc FROM ({union}) AS found))
              AND {" AND ".join(conditions)}""",
        params,
        prepare=False,
    ).fetchall()


def by_isrc(conn: Connection[Row], isrc: str, year: int | None) -> list[Row]:
    return conn.execute(
        f"""SELECT {_RESULT_COLUMNS} FROM search_docs d
            WHERE d.isrc = %s AND d.kind = 1 AND (%s::int IS NULL OR d.year = %s) LIMIT 50""",
        (isrc, year, year),
    ).fetchall()


def by_year(conn: Connection[Row], year: int, kinds: list[int], limit: int) -> list[Row]:
    return conn.execute(
        f"""SELECT {_RESULT_COLUMNS} FROM unnest(%s::smallint[]) AS k(kind)
            CROSS JOIN LATERAL (SELECT * FROM search_docs d WHERE d.year = %s AND d.kind = k.kind
                                ORDER BY d.plays DESC LIMIT %s) d""",
        (kinds, year, limit),
    ).fetchall()


# -- popularity ------------------------------------------------------------------------------------


def stage_plays(conn: Connection[Row], rows: Iterable[tuple[str, int]]) -> None:
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS search_plays (song uuid PRIMARY KEY, plays bigint) ON COMMIT DROP"
    )
    with conn.cursor().copy("COPY search_plays (song, plays) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def apply_plays(conn: Connection[Row]) -> int:
    """Songs get their staged plays (0 if none), artists and albums the sum of their songs'; the
    postings of every document whose popularity bucket moved are moved with it, and the vocabulary's
    popularity of their terms. Returns how many documents moved."""
    analyze(conn, "search_plays")
    conn.execute(
        """UPDATE search_docs d SET plays = coalesce(p.plays, 0)
           FROM search_docs s LEFT JOIN search_plays p ON p.song = s.ref
           WHERE s.kind = 1 AND d.doc = s.doc AND d.plays <> coalesce(p.plays, 0)"""
    )
    for kind, column in ((2, "artist_ref"), (3, "album_ref")):
        conn.execute(
            f"""UPDATE search_docs d SET plays = coalesce(t.plays, 0)
                FROM search_docs o
                LEFT JOIN (SELECT {column} AS ref, sum(plays)::bigint AS plays FROM search_docs
                           WHERE kind = 1 AND {column} IS NOT NULL GROUP BY {column}) t
                  ON t.ref = o.ref
                WHERE o.kind = %s AND d.doc = o.doc AND d.plays <> coalesce(t.plays, 0)""",
            (kind,),
        )
    conn.execute(
        """CREATE TEMP TABLE search_moved ON COMMIT DROP AS
           SELECT doc, kind, pop AS old_pop, terms,
                  least(32000, floor(16 * ln(1 + plays)))::smallint AS new_pop
           FROM search_docs WHERE pop <> least(32000, floor(16 * ln(1 + plays)))::smallint"""
    )
    analyze(conn, "search_moved")  # joined on below
    conn.execute(
        """UPDATE search_postings p SET pop = m.new_pop
           FROM (SELECT doc, kind, old_pop, new_pop, unnest(terms) AS term FROM search_moved) m
           WHERE p.term = m.term AND p.kind = m.kind AND p.field IN (0, 1, 2) AND p.pop = m.old_pop
             AND p.doc = m.doc"""
    )
    moved = conn.execute(
        "UPDATE search_docs d SET pop = m.new_pop FROM search_moved m WHERE d.doc = m.doc"
    ).rowcount
    conn.execute(
        """UPDATE search_terms t SET pop = m.pop
           FROM (SELECT p.term, max(p.pop) AS pop FROM search_postings p
                 WHERE p.term IN (SELECT DISTINCT unnest(terms) FROM search_moved) GROUP BY p.term) m
           WHERE t.term = m.term AND t.pop <> m.pop"""
    )
    conn.execute("DROP TABLE search_moved")
    return moved


# -- rebuilding from scratch -----------------------------------------------------------------------


def clear(conn: Connection[Row]) -> None:
    """Empty the index inside the rebuild's transaction: readers see the old index until it commits."""
    for table in ("search_postings", "search_term_deletes", "search_terms", "search_docs"):
        conn.execute(f"DELETE FROM {table}")


def copy_docs(conn: Connection[Row], docs: Iterable[dict[str, Any]]) -> None:
    """Documents with their ``plays`` and ``pop``."""
    names = (*_DOC_COLUMNS, "plays", "pop")
    with conn.cursor().copy(f"COPY search_docs ({', '.join(names)}) FROM STDIN") as copy:
        for doc in docs:
            copy.write_row([Jsonb(doc["display"]) if name == "display" else doc[name] for name in names])


def sum_plays_of_artists_and_albums(conn: Connection[Row]) -> None:
    """An artist's or album's plays are its songs' (before the postings exist: no posting moves)."""
    for kind, column in ((2, "artist_ref"), (3, "album_ref")):
        conn.execute(
            f"""UPDATE search_docs d SET plays = t.plays, pop = least(32000, floor(16 * ln(1 + t.plays)))
                FROM (SELECT {column} AS ref, sum(plays)::bigint AS plays FROM search_docs
                      WHERE kind = 1 AND {column} IS NOT NULL GROUP BY {column}) t
                WHERE d.kind = %s AND d.ref = t.ref AND t.plays > 0""",
            (kind,),
        )


def build_postings_and_vocabulary(conn: Connection[Row]) -> None:
    conn.execute(
        """INSERT INTO search_postings (term, kind, field, pop, doc)
           SELECT t, kind, CASE WHEN t = ANY(title_terms) THEN 0 WHEN t = ANY(artist_terms) THEN 1 ELSE 2 END,
                  pop, doc
           FROM search_docs, unnest(terms) AS t"""
    )
    conn.execute(
        """INSERT INTO search_terms (term, docs, pop)
           SELECT term, count(*), max(pop) FROM search_postings GROUP BY term"""
    )
    conn.execute(
        """INSERT INTO search_term_deletes (variant, term)
           SELECT term, term FROM search_terms
           UNION
           SELECT left(term, i - 1) || substr(term, i + 1), term
           FROM search_terms, generate_series(1, length(term)) AS i"""
    )


def index_size(conn: Connection[Row]) -> Row:
    return conn.execute(  # type: ignore[return-value]
        """SELECT (SELECT count(*) FROM search_docs) AS docs,
                  (SELECT count(*) FROM search_postings) AS postings,
                  (SELECT count(*) FROM search_terms) AS terms,
                  (SELECT sum(pg_total_relation_size(c)) FROM unnest(ARRAY['search_docs', 'search_postings',
                       'search_terms', 'search_term_deletes']::regclass[]) c)::bigint AS bytes"""
    ).fetchone()
