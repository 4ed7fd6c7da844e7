"""`sauti`: the developer command acting on the local stack.

Subcommands live in ``sauti_dev/commands/<area>.py``, each module exposing
``register(subparsers)``; every one found there is offered here.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from sauti_dev import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sauti", description="Sauti developer tools (local stack).")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"{commands.__name__}.{module_info.name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
