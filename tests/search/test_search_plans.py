"""The statements of a query, planned on the indexes they are written for (read from EXPLAIN)."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql as psql


def _plan(conn: Any, statement: str, params: Any) -> str:
    rows = conn.execute(psql.SQL("EXPLAIN ") + psql.SQL(statement), params).fetchall()  # type: ignore[arg-type]
    return "\n".join(row["QUERY PLAN"] for row in rows)


def _gist_indexes(conn: Any) -> list[str]:
    rows = conn.execute(
        """SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           JOIN pg_am a ON a.oid = c.relam
           WHERE i.indrelid = 'search_terms'::regclass AND a.amname = 'gist'"""
    ).fetchall()
    return [row["relname"] for row in rows]


def test_the_vocabulary_lookup_can_never_be_planned_on_the_trigram_index(shelf):
    from sauti.db import transaction
    from sauti.search import store

    shelf.song(shelf.artist("Zé Ramalho"), "Avôhai")
    statement, params = store.vocabulary_statement(["ramalho", "ze"], (1, "ze"), [(0, "ramalho")], 10)
    with transaction() as conn:
        conn.execute("ANALYZE search_terms")
        conn.execute("SET LOCAL enable_seqscan = off")
        gist = _gist_indexes(conn)
        assert gist, "the trigram index for nearest terms exists"
        assert "search_terms_pkey" in _plan(conn, statement, params)
        # Without the primary key the lookup has no index left: not even then may it use the trigram one.
        conn.execute("ALTER TABLE search_terms DROP CONSTRAINT search_terms_pkey CASCADE")
        plan = _plan(conn, statement, params)
        assert not any(name in plan for name in gist), plan
        # The nearest-term lookup still is a trigram nearest-neighbour scan.
        nearest = _plan(conn, store.NEAREST_TERMS, ("ramalo", 20))
        assert any(f"Index Scan using {name}" in nearest for name in gist), nearest
        raise psycopg.Rollback()  # the primary key comes back


def test_the_vocabulary_round_trip_sets_the_plan_of_the_match_after_it(shelf):
    from sauti.db import transaction
    from sauti.search import store

    shelf.song(shelf.artist("Zé Ramalho"), "Avôhai")
    with transaction() as conn:
        rows = store.vocabulary(conn, ["ze"], None, [], 10)
        setting = conn.execute("SHOW enable_bitmapscan").fetchone()
    assert [row["term"] for row in rows] == ["ze"] and setting == {"enable_bitmapscan": "off"}
    with transaction() as conn:  # local to the transaction
        assert conn.execute("SHOW enable_bitmapscan").fetchone() == {"enable_bitmapscan": "on"}
