"""Domain events on the EventBridge bus.

Each event has ``source`` ``sauti.<module>``, a ``detail-type`` such as
``plan.changed``, and a JSON ``detail`` that always carries ``event_id`` and
``occurred_at`` so consumers can deduplicate and order what they receive.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sauti import clock
from sauti.aws import client
from sauti.core_settings import CoreSettings
from sauti.settings import settings

MAX_ENTRIES_PER_CALL = 10
Observer = Callable[[dict[str, Any]], None]
_observers: list[Observer] = []


@contextmanager
def observed(observer: Observer) -> Iterator[None]:
    """Call ``observer`` with each entry just before it goes to the bus, for the block (tests ask what
    was committed at that moment, the way ``clock.frozen`` fixes the time, without patching modules)."""
    _observers.append(observer)
    try:
        yield
    finally:
        _observers.remove(observer)


def domain_event(module: str, detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "Source": f"sauti.{module}",
        "DetailType": detail_type,
        "Detail": json.dumps(
            {
                "event_id": str(uuid.uuid4()),
                "occurred_at": clock.iso(clock.now()),
                **detail,
            }
        ),
        "EventBusName": settings(CoreSettings).event_bus_name,
    }


def publish_events(entries: Iterable[dict[str, Any]]) -> None:
    """Put events on the bus, ten per call (the PutEvents limit)."""
    batch: list[dict[str, Any]] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == MAX_ENTRIES_PER_CALL:
            _put(batch)
            batch = []
    if batch:
        _put(batch)


def publish_event(module: str, detail_type: str, detail: dict[str, Any]) -> None:
    publish_events([domain_event(module, detail_type, detail)])


def _put(batch: list[dict[str, Any]]) -> None:
    for observer in list(_observers):
        for entry in batch:
            observer(entry)
    response = client("events").put_events(Entries=batch)
    if response.get("FailedEntryCount"):
        raise RuntimeError(f"{response['FailedEntryCount']} domain events were not accepted")
