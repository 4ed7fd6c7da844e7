"""The admin module's SQL: the audit log and the reports, and nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import Connection
from psycopg.types.json import Jsonb

from sauti.db import Row

AUDIT_COLUMNS = (
    """id, actor_id::text, system_actor, action, target_type, target_id, before, after, reason, created_at"""
)
REPORT_COLUMNS = """id::text, reporter_id::text, target_type, target_id::text, reason, status, resolution,
                    note, resolved_by::text, resolved_at, created_at"""


def insert_audit(conn: Connection[Row], entry: dict[str, Any]) -> None:
    conn.execute(
        """INSERT INTO audit_log (actor_id, system_actor, action, target_type, target_id, before, after,
                                  reason)
           VALUES (%(actor_id)s, %(system_actor)s, %(action)s, %(target_type)s, %(target_id)s,
                   %(before)s, %(after)s, %(reason)s)""",
        {**entry, "before": Jsonb(entry["before"]), "after": Jsonb(entry["after"])},
    )


def audit_page(
    conn: Connection[Row], filters: dict[str, Any], limit: int, before_id: int | None
) -> list[Row]:
    return conn.execute(
        f"""SELECT {AUDIT_COLUMNS} FROM audit_log
            WHERE (%(actor)s::uuid IS NULL OR actor_id = %(actor)s::uuid)
              AND (%(system_actor)s::text IS NULL OR system_actor = %(system_actor)s)
              AND (%(target_id)s::text IS NULL OR target_id = %(target_id)s)
              AND (%(action)s::text IS NULL OR action = %(action)s)
              AND (%(since)s::date IS NULL OR created_at >= %(since)s::date::timestamp AT TIME ZONE 'UTC')
              AND (%(until)s::date IS NULL
                   OR created_at < (%(until)s::date + 1)::timestamp AT TIME ZONE 'UTC')
              AND (%(before_id)s::bigint IS NULL OR id < %(before_id)s)
            ORDER BY id DESC LIMIT %(limit)s""",
        {**filters, "before_id": before_id, "limit": limit},
    ).fetchall()


def reports_filed_since(conn: Connection[Row], reporter_id: str, since: datetime) -> int:
    row = conn.execute(
        "SELECT count(*) AS n FROM reports WHERE reporter_id = %s AND created_at >= %s", (reporter_id, since)
    ).fetchone()
    return int(row["n"]) if row else 0


def insert_report(conn: Connection[Row], fields: dict[str, Any]) -> Row | None:
    """The new open report; None when this reporter already has one open on this target."""
    return conn.execute(
        f"""INSERT INTO reports (reporter_id, target_type, target_id, reason)
            VALUES (%(reporter_id)s, %(target_type)s, %(target_id)s, %(reason)s)
            ON CONFLICT (reporter_id, target_type, target_id) WHERE status = 'open' DO NOTHING
            RETURNING {REPORT_COLUMNS}""",
        fields,
    ).fetchone()


def open_report(conn: Connection[Row], reporter_id: str, target_type: str, target_id: str) -> Row | None:
    return conn.execute(
        f"""SELECT {REPORT_COLUMNS} FROM reports
            WHERE reporter_id = %s AND target_type = %s AND target_id = %s AND status = 'open'""",
        (reporter_id, target_type, target_id),
    ).fetchone()


def report(conn: Connection[Row], report_id: str, *, lock: bool = False) -> Row | None:
    suffix = " FOR UPDATE" if lock else ""
    return conn.execute(
        f"SELECT {REPORT_COLUMNS} FROM reports WHERE id = %s{suffix}", (report_id,)
    ).fetchone()


def reports_page(
    conn: Connection[Row], status: str, limit: int, after: tuple[datetime, str] | None
) -> list[Row]:
    return conn.execute(
        f"""SELECT {REPORT_COLUMNS} FROM reports
            WHERE status = %(status)s
              AND (%(ts)s::timestamptz IS NULL OR (created_at, id) < (%(ts)s, %(id)s::uuid))
            ORDER BY created_at DESC, id DESC LIMIT %(limit)s""",
        {
            "status": status,
            "ts": after[0] if after else None,
            "id": after[1] if after else None,
            "limit": limit,
        },
    ).fetchall()


def resolve_report(
    conn: Connection[Row], report_id: str, resolution: str, note: str | None, actor: str
) -> Row:
    return conn.execute(  # type: ignore[return-value]
        f"""UPDATE reports SET status = 'resolved', resolution = %s, note = %s, resolved_by = %s,
                   resolved_at = now()
            WHERE id = %s RETURNING {REPORT_COLUMNS}""",
        (resolution, note, actor, report_id),
    ).fetchone()


def insert_pending_upload(conn: Connection[Row], fields: dict[str, Any]) -> None:
    conn.execute(
        """INSERT INTO pending_uploads (object_key, target_type, target_id, quality, content_type, size_bytes,
                                        created_by, expires_at)
           VALUES (%(object_key)s, %(target_type)s, %(target_id)s, %(quality)s, %(content_type)s,
                   %(size_bytes)s, %(created_by)s, %(expires_at)s)""",
        fields,
    )


def pending_upload(conn: Connection[Row], object_key: str) -> Row | None:
    return conn.execute(
        """SELECT object_key, target_type, target_id::text, quality, content_type, size_bytes
           FROM pending_uploads WHERE object_key = %s FOR UPDATE""",
        (object_key,),
    ).fetchone()


def pending_uploads_of(conn: Connection[Row], object_keys: list[str]) -> list[Row]:
    """The pending uploads handed out for any of ``object_keys``."""
    return conn.execute(
        "SELECT object_key, target_type, target_id::text FROM pending_uploads WHERE object_key = ANY(%s)",
        (object_keys,),
    ).fetchall()


def delete_pending_upload(conn: Connection[Row], object_key: str) -> None:
    conn.execute("DELETE FROM pending_uploads WHERE object_key = %s", (object_key,))
