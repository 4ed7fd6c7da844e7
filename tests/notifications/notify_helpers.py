"""Helpers of the notifications tests: the queue's messages and catalog's events."""

from __future__ import annotations

from typing import Any


def queued(stack: Any) -> list[dict[str, Any]]:
    """Take every message off the notifications queue."""
    from helpers import drain_queue

    return drain_queue(stack.queue_urls["NotificationsQueue"])


def catalog_changed(
    kind: str, item_id: str, artist_id: str, change: str = "published", status: str | None = None
) -> dict[str, Any]:
    """The EventBridge event catalog's write logic emits (shape: /work/notes/shape.md, docs/catalog.md)."""
    import uuid

    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "catalog.changed",
        "source": "sauti.catalog",
        "account": "123456789012",
        "time": "2026-11-30T10:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "event_id": str(uuid.uuid4()),
            "occurred_at": "2026-11-30T10:00:00Z",
            "kind": kind,
            "id": item_id,
            "artist_id": artist_id,
            "status": status or ("taken_down" if change == "taken_down" else "published"),
            "change": change,
        },
    }
