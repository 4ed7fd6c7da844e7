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

from psycopg import sql

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


# What the application role may do: read and write rows, use sequences; no DDL, no other roles.
_APP_ROLE_GRANTS = (
    "GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {role}",
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
    "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}",
    # Tables, partitions and sequences the owner creates later (migrations, partition upkeep) too.
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO {role}",
    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
    # The audit log is append-only for the application twice over: no grant, and the trigger (0650).
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {role}",
    # A connection left by a retired Lambda container is closed by the server, not kept forever.
    "ALTER ROLE {role} SET idle_session_timeout = '15min'",
)


def ensure_app_role(username: str, password: str) -> None:
    """Create (or re-password) the application's login role and grant it row access only.

    Run as the database owner after the migrations, so every table they made is covered; the
    functions then connect as this role, never as the owner (docs/deploy.md)."""
    role = sql.Identifier(username)
    with transaction() as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,))
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (username,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(
            sql.SQL(
                verb + " ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {password}"
            ).format(role=role, password=sql.Literal(password))
        )
        found = conn.execute("SELECT current_database() AS name").fetchone()
        assert found is not None
        database = found["name"]
        for grant in _APP_ROLE_GRANTS:
            conn.execute(sql.SQL(grant).format(role=role, database=sql.Identifier(database)))
