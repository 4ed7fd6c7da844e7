"""Views and plays of public playlists, the scheduled ranking, premium lapses and deleted accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from helpers import assert_problem, drain_queue
from playlists_helpers import rank_now
from sauti_dev.events import scheduled_event

DAY = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _top(api: Any, user: Any, period: str) -> list[tuple[str, int]]:
    response = api.get("/playlists/top", token=user.token, query={"period": period})
    assert response.status == 200, response.body
    return [(item["id"], item["score"]) for item in response.json()["items"]]


def _rewind(session_id: str, seconds: float) -> None:
    """Make the play session look as if it started ``seconds`` earlier (the server's view is in Redis)."""
    from sauti.cache import redis_client
    from sauti.playback.sessions import session_key

    for field in ("started_at", "last_seen_at"):
        value = redis_client().hget(session_key(session_id), field)
        redis_client().hset(session_key(session_id), field, repr(float(value) - seconds))


def _play_from(api: Any, user: Any, song_id: str, playlist_id: str) -> None:
    started = api.post(
        "/playback/sessions",
        json={"song_id": song_id, "context": {"type": "playlist", "id": playlist_id}},
        token=user.token,
    )
    assert started.status == 201, started.body
    session_id = started.json()["session_id"]
    _rewind(session_id, 40)
    ended = api.post(f"/playback/sessions/{session_id}/end", json={"listened_ms": 35_000}, token=user.token)
    assert ended.json()["counted"] is True, ended.body


def test_owner_and_editor_views_never_count_and_a_viewer_counts_once_per_day(
    api, new_user, premium_user, playlists, functions
):
    from sauti import clock

    owner, editor, viewer, other = premium_user(), new_user(), new_user(), new_user()
    playlist = playlists.create(owner, "Hits", visibility="public")
    playlists.invite_editor(owner, playlist["id"], editor)

    with clock.frozen(DAY) as move_to:
        for _ in range(3):
            for user in (owner, editor, viewer):
                assert playlists.get(user, playlist["id"]).status == 200
        rank_now(functions)
        assert _top(api, other, "day") == [(playlist["id"], 1)]

        move_to(DAY + timedelta(days=1))
        playlists.get(viewer, playlist["id"])
        playlists.get(other, playlist["id"])
        playlists.get(viewer, playlist["id"], cursor=None)
        assert rank_now(functions)["flushed"] >= 1
        assert _top(api, other, "day") == [(playlist["id"], 2)]
        assert _top(api, other, "week") == [(playlist["id"], 3)]  # viewer once on each day, other once

    from sauti_dev import sql as db

    stats = db.fetch_all("SELECT day, viewers FROM playlist_daily_stats ORDER BY day")
    assert [(row["day"], row["viewers"]) for row in stats] == [
        (DAY.date(), 1),
        (DAY.date() + timedelta(days=1), 2),
    ]


def test_private_playlists_are_never_counted_or_ranked(api, new_user, premium_user, playlists, functions):
    owner, editor, viewer = premium_user(), new_user(), new_user()
    private = playlists.create(owner, "Secret")
    playlists.invite_editor(owner, private["id"], editor)
    playlists.get(editor, private["id"])
    assert_problem(playlists.get(viewer, private["id"]), 404)
    rank_now(functions)
    assert _top(api, viewer, "week") == []


def test_more_distinct_viewers_rank_higher_and_a_play_from_the_playlist_counts_more(
    api, new_user, premium_user, catalog, playlists, functions
):
    owner = premium_user()
    song = catalog.song("Anthem")
    viewed, played = (playlists.create(owner, name, visibility="public") for name in ("Viewed", "Played"))
    playlists.add(owner, played["id"], [song])
    viewers = [new_user() for _ in range(3)]
    for user in viewers:
        playlists.get(user, viewed["id"])
    listener = viewers[0]
    playlists.get(listener, played["id"])
    _play_from(api, listener, song, played["id"])
    _play_from(api, owner, song, played["id"])  # the owner's own plays never count

    rank_now(functions)

    # three viewers (3) against one viewer who also played a song from it (1 + 3 by default)
    assert _top(api, listener, "day") == [(played["id"], 4), (viewed["id"], 3)]
    another = new_user()
    playlists.get(another, viewed["id"])
    rank_now(functions)
    assert _top(api, listener, "day") == [(viewed["id"], 4), (played["id"], 4)]  # more viewers first on a tie


def test_one_account_counts_for_a_bounded_number_of_playlists_per_day(
    api, new_user, premium_user, playlists, functions, monkeypatch
):
    from sauti.config import config

    monkeypatch.setenv("PLAYLISTS_VIEWER_DAILY_BUDGET", "2")
    config.cache_clear()
    try:
        owner, scraper = premium_user(), new_user()
        lists = [playlists.create(owner, f"P{i}", visibility="public") for i in range(3)]
        for playlist in lists:
            playlists.get(scraper, playlist["id"])
        rank_now(functions)
        assert sorted(score for _, score in _top(api, scraper, "day")) == [1, 1]
    finally:
        monkeypatch.undo()
        config.cache_clear()


def test_the_ranking_survives_a_redis_flush_from_the_database_copy(
    api, new_user, premium_user, playlists, functions
):
    from sauti.cache import redis_client

    owner, viewer = premium_user(), new_user()
    playlist = playlists.create(owner, visibility="public")
    playlists.get(viewer, playlist["id"])
    rank_now(functions)
    redis_client().flushdb()
    assert _top(api, viewer, "month") == [(playlist["id"], 1)]
    assert_problem(api.get("/playlists/top", token=viewer.token, query={"period": "year"}), 422)


def _plan_changed(user_id: str, plan: str) -> dict[str, Any]:
    return {
        **scheduled_event(),
        "source": "sauti.billing",
        "detail-type": "plan.changed",
        "detail": {
            "user_id": user_id,
            "plan": plan,
            "previous_plan": "premium" if plan == "free" else "free",
        },
    }


def test_premium_lapse_hides_public_playlists_and_its_return_restores_them(
    api, new_user, premium_user, playlists, functions, stack
):
    from sauti.billing.entitlements import invalidate
    from sauti_dev import sql as db
    from sauti_dev.queues import drain_once

    owner, fan = premium_user(), new_user()
    public = playlists.create(owner, "Open", visibility="public")
    assert api.put(f"/playlists/{public['id']}/followers/me", token=fan.token).status == 204
    playlists.get(fan, public["id"])
    rank_now(functions)
    assert _top(api, fan, "day") == [(public["id"], 1)]
    drain_queue(stack.rule_queues["PlaylistsJobsFunction"])

    # a stale "free" while premium changes nothing
    assert functions.invoke("PlaylistsJobsFunction", _plan_changed(owner.id, "free")) == {
        "visibility_changed": 0
    }

    db.execute("UPDATE subscriptions SET status = 'canceled' WHERE user_id = %s", (owner.id,))
    invalidate(owner.id)
    from sauti.events import publish_event

    publish_event(
        "billing", "plan.changed", {"user_id": owner.id, "plan": "free", "previous_plan": "premium"}
    )
    assert (
        drain_once(functions, stack.queue_urls, rule_queues=stack.rule_queues) >= 1
    )  # the bus's rule delivers

    assert_problem(playlists.get(fan, public["id"]), 404)
    assert _top(api, fan, "day") == []
    assert api.get("/me/playlists", token=fan.token).json()["items"] == []
    mine = playlists.get(owner, public["id"]).json()
    assert mine["visibility"] == "public" and mine["visible_to_others"] is False
    # a duplicate of the event changes nothing more
    assert functions.invoke("PlaylistsJobsFunction", _plan_changed(owner.id, "free")) == {
        "visibility_changed": 0
    }

    db.execute("UPDATE subscriptions SET status = 'active' WHERE user_id = %s", (owner.id,))
    invalidate(owner.id)
    assert functions.invoke("PlaylistsJobsFunction", _plan_changed(owner.id, "premium")) == {
        "visibility_changed": 1
    }
    back = playlists.get(fan, public["id"]).json()
    assert back["relation"] == "follower" and back["followers"] == 1
    assert _top(api, fan, "day") == [(public["id"], 1)]


def test_playlist_changed_events_tell_search_what_others_may_see(
    api, premium_user, playlists, stack, functions
):
    import json

    from sauti.aws import client

    sqs = client("sqs")
    queue = sqs.create_queue(QueueName="playlists-test-listener")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = client("events")
    from sauti.core_settings import CoreSettings
    from sauti.settings import settings

    bus = settings(CoreSettings).event_bus_name
    events.put_rule(
        Name="playlists-test", EventBusName=bus, EventPattern=json.dumps({"source": ["sauti.playlists"]})
    )
    events.put_targets(Rule="playlists-test", EventBusName=bus, Targets=[{"Id": "t", "Arn": arn}])
    try:
        owner = premium_user()
        playlist = playlists.create(owner, visibility="public")
        api.patch(f"/playlists/{playlist['id']}", json={"visibility": "private"}, token=owner.token)
        api.delete(f"/playlists/{playlist['id']}", token=owner.token)
        details = [
            json.loads(body["Message"] if "Message" in body else json.dumps(body))["detail"]
            for body in drain_queue(queue)
        ]
        assert [(d["change"], d["visible_to_others"]) for d in details] == [
            ("created", True),
            ("hidden", False),
            ("deleted", False),
        ]
        assert all(d["playlist_id"] == playlist["id"] and d["owner_id"] == owner.id for d in details)
    finally:
        events.remove_targets(Rule="playlists-test", EventBusName=bus, Ids=["t"])
        events.delete_rule(Name="playlists-test", EventBusName=bus)
        sqs.delete_queue(QueueUrl=queue)


def test_a_deleted_account_loses_its_playlists_follows_and_collaborations(
    api, new_user, premium_user, catalog, playlists, functions
):
    leaving, friend = premium_user(), premium_user()
    own = playlists.create(leaving, "Mine", visibility="public")
    theirs = playlists.create(friend, "Theirs", visibility="public")
    playlists.invite_editor(friend, theirs["id"], leaving)
    playlists.add(leaving, theirs["id"], [catalog.song()])
    assert api.put(f"/playlists/{theirs['id']}/followers/me", token=leaving.token).status == 204
    event = {
        **scheduled_event(),
        "source": "sauti.auth",
        "detail-type": "user.deleted",
        "detail": {"user_id": leaving.id},
    }

    result = functions.invoke("PlaylistsJobsFunction", event)

    assert result == {"playlists_deleted": 1, "follows_ended": 1, "collaborations_ended": 1}
    assert_problem(playlists.get(friend, own["id"]), 404)
    kept = playlists.get(friend, theirs["id"]).json()
    assert kept["followers"] == 0 and kept["track_count"] == 1
    assert kept["tracks"]["items"][0]["added_by"] is None
    assert functions.invoke("PlaylistsJobsFunction", event) == {
        "playlists_deleted": 0,
        "follows_ended": 0,
        "collaborations_ended": 0,
    }


def test_the_ranking_job_is_declared_for_run_job_and_acts_on_a_given_day(
    api, new_user, premium_user, playlists, functions
):
    from sauti import clock
    from sauti_dev.template import load_template

    assert load_template().function_for_job("playlists-rank").logical_id == "PlaylistsJobsFunction"
    owner, viewer = premium_user(), new_user()
    playlist = playlists.create(owner, visibility="public")
    with clock.frozen(DAY):
        playlists.get(viewer, playlist["id"])
    # a week later, the job run for that day (`sauti run-job playlists-rank --date 2026-11-24`) still finds it
    assert functions.invoke("PlaylistsJobsFunction", scheduled_event(DAY.date()))["ranked"]["day"] == 1
    assert functions.invoke("PlaylistsJobsFunction", {**scheduled_event(), "detail": {"date": "nope"}}) == {
        "flushed": 0,
        "ranked": {},
    }


def test_a_moderator_takedown_hides_a_public_playlist_until_restored(
    api, new_user, premium_user, playlists, functions
):
    from sauti.playlists import public

    owner, fan = premium_user(), new_user()
    playlist = playlists.create(owner, "Reported", visibility="public")
    assert api.put(f"/playlists/{playlist['id']}/followers/me", token=fan.token).status == 204
    playlists.get(fan, playlist["id"])
    rank_now(functions)

    before, after = public.take_down(playlist["id"], "spam")

    assert (before["status"], after["status"]) == ("active", "taken_down")
    assert after["visible_to_others"] is False
    assert_problem(playlists.get(fan, playlist["id"]), 404)
    assert _top(api, fan, "day") == []
    assert api.get("/me/playlists", token=fan.token).json()["items"] == []
    assert playlists.get(owner, playlist["id"]).json()["visible_to_others"] is False
    # premium coming and going meanwhile does not bring it back
    assert functions.invoke("PlaylistsJobsFunction", _plan_changed(owner.id, "premium")) == {
        "visibility_changed": 0
    }

    assert public.restore(playlist["id"])[1]["status"] == "active"
    assert playlists.get(fan, playlist["id"]).json()["relation"] == "follower"
    assert _top(api, fan, "day") == [(playlist["id"], 1)]
    import pytest

    from sauti.errors import NotFound

    with pytest.raises(NotFound):
        public.take_down("00000000-0000-4000-8000-00000000dead", "x")


def test_search_reads_only_the_playlists_others_may_see(new_user, premium_user, playlists):
    from sauti.playlists import public

    owner, free = premium_user(display_name="Curator"), new_user()
    shown = playlists.create(owner, "Shown", visibility="public")
    playlists.create(owner, "Private")
    playlists.create(free, "Free and private")
    down = playlists.create(owner, "Down", visibility="public")
    public.take_down(down["id"], "spam")

    assert public.searchable_playlists() == [
        {"id": shown["id"], "name": "Shown", "owner": {"id": owner.id, "display_name": "Curator"}}
    ]
    assert public.searchable_playlists([down["id"], shown["id"], "junk"]) == public.searchable_playlists()
    assert public.searchable_playlists(after=shown["id"]) == []
