"""Demo data. Each module here exposes ``seed()``, idempotent; they run in name order."""

from __future__ import annotations

import importlib
import pkgutil


def run_all() -> list[str]:
    done = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{module_info.name}").seed()
        done.append(module_info.name)
    return done
