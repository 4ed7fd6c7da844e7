"""Versioned SQL migrations, forward only.

Files are ``migrations/NNNN_description.sql``, applied in order, each in its own
transaction, and recorded in ``schema_migrations`` with a checksum. An applied
file that changed afterwards is an error: write a new migration instead. So is a
pending file numbered below the newest applied one (it would run in a different
order here than on a fresh database): renumber it above. An advisory lock keeps
two runs (two deploys, a deploy and a laptop) apart.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

from sauti.db import transaction

MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
ADVISORY_LOCK_KEY = 7_242_515  # any constant shared by every run


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available_migrations() -> list[Migration]:
    found = []
    for entry in resources.files("sauti.migrations").iterdir():
        match = MIGRATION_FILE.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text()))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if len(versions) != len(set(versions)):
        raise MigrationError("two migration files share a version number")
    return found


def apply_migrations() -> list[str]:
    """Apply every pending migration; returns the names applied, in order."""
    applied_now: list[str] = []
    with transaction() as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
    try:
        with transaction() as conn:
            conn.execute(
                """CREATE TABLE IF NOT EXISTS schema_migrations (
                       version integer PRIMARY KEY,
                       name text NOT NULL,
                       checksum text NOT NULL,
                       applied_at timestamptz NOT NULL DEFAULT now())"""
            )
            done = {row["version"]: row for row in conn.execute("SELECT * FROM schema_migrations")}
        newest = max(done, default=0)
        for migration in available_migrations():
            previous = done.get(migration.version)
            if previous is None and migration.version < newest:
                raise MigrationError(
                    f"migration {migration.version:04d}_{migration.name} is older than the applied "
                    f"{newest:04d}: give it a number above {newest:04d}"
                )
            if previous is not None:
                if previous["checksum"] != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.version:04d}_{migration.name} changed after it was applied"
                    )
                continue
            with transaction() as conn:
                conn.execute(migration.sql)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
            applied_now.append(f"{migration.version:04d}_{migration.name}")
    finally:
        with transaction() as conn:
            conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
    return applied_now
