"""Search commands: `sauti search reindex` rebuilds the search index from scratch."""

from __future__ import annotations

import argparse

from sauti_dev.session import local_stack


def register(subparsers: argparse._SubParsersAction) -> None:
    search = subparsers.add_parser("search", help="the search index")
    commands = search.add_subparsers(dest="search_command", required=True, metavar="ACTION")
    reindex = commands.add_parser(
        "reindex", help="rebuild the search index from the catalog and the playlists (searches keep working)"
    )
    reindex.set_defaults(run=run_reindex)


def run_reindex(args: argparse.Namespace) -> int:
    with local_stack():
        from sauti.migrate import apply_migrations
        from sauti.search.public import reindex

        apply_migrations()
        rebuilt = reindex(progress=print)
    print(
        f"search index rebuilt in {rebuilt.seconds:.1f} s: {rebuilt.docs:,} documents, "
        f"{rebuilt.postings:,} postings, {rebuilt.terms:,} terms, {rebuilt.bytes / 2**20:,.1f} MiB"
    )
    return 0
