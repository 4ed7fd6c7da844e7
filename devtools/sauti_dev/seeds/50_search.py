"""The search index of the seeded catalog, so a fresh stack finds it at once (not only after
`sauti search reindex`). Rebuilt only when the index is empty while the catalog is not: a restart
costs nothing, and an index the events keep current is left alone."""

from __future__ import annotations


def seed() -> None:
    from sauti_dev.sql import fetch_one

    if fetch_one("SELECT 1 FROM search_docs LIMIT 1") or not fetch_one("SELECT 1 FROM songs LIMIT 1"):
        return
    from sauti.search.public import reindex

    reindex()
