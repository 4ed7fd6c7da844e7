"""One-statement SQL for tests, benchmarks and seeds (never the layer: there, logic owns the transaction
and each module's store holds its SQL)."""

from __future__ import annotations

from typing import Any

from sauti.db import Row, transaction


def fetch_one(query: str, params: Any = None) -> Row | None:
    with transaction() as conn:
        return conn.execute(query, params).fetchone()


def fetch_all(query: str, params: Any = None) -> list[Row]:
    with transaction() as conn:
        return conn.execute(query, params).fetchall()


def execute(query: str, params: Any = None) -> int:
    with transaction() as conn:
        return conn.execute(query, params).rowcount
