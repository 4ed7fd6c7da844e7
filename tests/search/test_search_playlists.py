"""Playlists in search through the real playlists module: its routes publish ``playlist.changed``, the bus
delivers it to the indexer, which reads ``sauti.playlists.public.searchable_playlists``."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def settle(functions: Any, stack: Any) -> Any:
    """Deliver every event the bus holds (``playlist.changed``, ``plan.changed``) to its functions."""
    from sauti_dev.queues import drain_once

    def run() -> None:
        while drain_once(functions, stack.queue_urls, rule_queues=stack.rule_queues):
            pass

    return run


def test_public_playlists_are_found_private_ones_never(api, new_user, make_premium, find, settle):
    from sauti.billing.entitlements import invalidate
    from sauti.search.public import reindex
    from sauti_dev import sql

    owner = new_user(display_name="Zawadi")
    make_premium(owner.id)

    def create(name: str, visibility: str) -> str:
        response = api.post("/playlists", json={"name": name, "visibility": visibility}, token=owner.token)
        assert response.status == 201, response.body
        return str(response.json()["id"])

    public = create("Kilimanjaro Roadtrip", "public")
    private = create("Kilimanjaro Secrets", "private")
    settle()

    def found(q: str) -> list[str]:
        return [item["id"] for item in find(q)["playlists"]["items"]]

    assert found("kilimanjaro") == [public]
    item = find("kilimanjaro roadtrip")["playlists"]["items"][0]
    assert item == {
        "id": public,
        "name": "Kilimanjaro Roadtrip",
        "owner": {"id": owner.id, "display_name": "Zawadi"},
    }
    assert private not in found("kilimanjaro secrets") and found("secrets") == []

    # A rebuild from scratch reads the module again: still the public one only.
    reindex()
    assert found("kilimanjaro") == [public]

    # Made private: gone at once; made public again: back.
    assert api.patch(f"/playlists/{public}", json={"visibility": "private"}, token=owner.token).status == 200
    settle()
    assert found("kilimanjaro") == []
    assert api.patch(f"/playlists/{public}", json={"visibility": "public"}, token=owner.token).status == 200
    settle()
    assert found("kilimanjaro") == [public]

    # The owner's premium lapses: the playlist is no longer visible to others, nor found.
    sql.execute("UPDATE subscriptions SET status = 'canceled' WHERE user_id = %s", (owner.id,))
    invalidate(owner.id)
    from sauti.events import publish_event

    publish_event(
        "billing", "plan.changed", {"user_id": owner.id, "plan": "free", "previous_plan": "premium"}
    )
    settle()
    assert found("kilimanjaro") == []
    reindex()
    assert found("kilimanjaro") == []
