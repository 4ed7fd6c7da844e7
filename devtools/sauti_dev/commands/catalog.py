"""Catalog commands: `sauti catalog import FILE [--map FILE]` (the JSON Lines of docs/catalog-import.md)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from sauti_dev.session import local_stack


def register(subparsers: argparse._SubParsersAction) -> None:
    catalog = subparsers.add_parser("catalog", help="catalog tools")
    actions = catalog.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    importing = actions.add_parser("import", help="import a JSON Lines catalog (atomic, idempotent by ref)")
    importing.add_argument("file", help="the JSON Lines file")
    importing.add_argument(
        "--map", dest="map_file", help="write the id given to each ref here, as JSON Lines"
    )
    importing.set_defaults(run=run_import)


def run_import(args: argparse.Namespace) -> int:
    with local_stack():
        from sauti.admin.audit import CLI_IMPORT
        from sauti.admin.logic import import_lines
        from sauti.errors import DomainError

        started = time.perf_counter()
        try:
            with Path(args.file).open("rb") as lines:
                result = import_lines(CLI_IMPORT, lines)
        except (DomainError, OSError) as exc:
            print(f"error: {exc}")
            return 1
        seconds = time.perf_counter() - started
        if args.map_file:
            with Path(args.map_file).open("w") as out:
                for item in result["ids"]:
                    out.write(json.dumps(item) + "\n")
        else:
            for item in result["ids"]:
                print(json.dumps(item))
        counts = ", ".join(f"{n} {kind}s" for kind, n in result["imported"].items())
        print(f"imported {counts} in {seconds:.1f} s")
    return 0
