"""GET /artists/{id}/stats and GET /songs/{id}/stats: who may see them, what they say, the cache."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from analytics_helpers import days_ago, play, today

from helpers import assert_problem

ADMIN_ROLES = ("super_admin", "content_manager", "moderator")


@pytest.fixture
def dashboard(new_user, make_artist, jsonl):
    """An artist account linked to an artist with two songs, and rolled-up plays on three past days."""
    from sauti.analytics.importer import import_file
    from sauti.analytics.rollup import catch_up

    owner = new_user(roles=["artist"])
    artist = make_artist(user_id=owner.id, titles=("Alpha", "Beta"))
    alpha, beta = artist.song_ids
    listeners = [str(uuid.uuid4()) for _ in range(4)]
    lines = [play(user, alpha, days_ago(1), n) for n, user in enumerate(listeners)]
    lines += [play(listeners[0], beta, days_ago(3), 1), play(listeners[1], alpha, days_ago(40), 1)]
    lines += [play(listeners[2], alpha, today(), 0, hour=0)]  # today: never shown
    assert import_file(jsonl(lines)).imported == len(lines)
    catch_up()
    return owner, artist


def test_the_linked_artist_sees_totals_through_yesterday(api, dashboard):
    owner, artist = dashboard
    alpha, beta = artist.song_ids

    response = api.get(f"/artists/{artist.id}/stats", token=owner.token, query={"range": "last_7_days"})

    assert response.status == 200, response.body
    body = response.json()
    assert body["artist_id"] == artist.id
    assert body["range"] == "last_7_days"
    assert body["through"] == days_ago(1).isoformat()
    assert body["total_plays"] == 5
    assert [entry["date"] for entry in body["daily"]] == [days_ago(n).isoformat() for n in range(7, 0, -1)]
    assert {entry["date"]: entry["plays"] for entry in body["daily"] if entry["plays"]} == {
        days_ago(3).isoformat(): 1,
        days_ago(1).isoformat(): 4,
    }
    assert body["top_songs"] == [
        {"song_id": alpha, "title": "Alpha", "plays": 4},
        {"song_id": beta, "title": "Beta", "plays": 1},
    ]
    assert set(body) == {"artist_id", "range", "through", "total_plays", "daily", "top_songs"}


def test_the_ranges_cover_their_days_and_all_time_starts_at_the_first_play(api, dashboard):
    owner, artist = dashboard

    totals = {}
    for range_ in ("last_7_days", "last_30_days", "last_365_days", "all_time"):
        body = api.get(f"/artists/{artist.id}/stats", token=owner.token, query={"range": range_}).json()
        totals[range_] = (body["total_plays"], len(body["daily"]))

    assert totals == {
        "last_7_days": (5, 7),
        "last_30_days": (5, 30),
        "last_365_days": (6, 365),
        "all_time": (6, 40),
    }


def test_a_song_dashboard_has_the_same_shape_for_one_song(api, dashboard):
    owner, artist = dashboard
    alpha = artist.song_ids[0]

    body = api.get(f"/songs/{alpha}/stats", token=owner.token, query={"range": "last_30_days"}).json()

    assert body["song_id"] == alpha
    assert body["through"] == days_ago(1).isoformat()
    assert body["total_plays"] == 4
    assert body["top_songs"] == [{"song_id": alpha, "title": "Alpha", "plays": 4}]


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_every_admin_role_sees_the_numbers(api, dashboard, new_user, role):
    _owner, artist = dashboard
    admin = new_user(roles=[role])

    artist_view = api.get(f"/artists/{artist.id}/stats", token=admin.token, query={"range": "last_7_days"})
    song_view = api.get(
        f"/songs/{artist.song_ids[0]}/stats", token=admin.token, query={"range": "last_7_days"}
    )

    assert artist_view.status == 200
    assert artist_view.json()["total_plays"] == 5
    assert song_view.status == 200
    assert song_view.json()["total_plays"] == 4


def test_a_user_who_is_not_an_artist_gets_403(api, dashboard, new_user):
    _owner, artist = dashboard
    listener = new_user()

    assert_problem(api.get(f"/artists/{artist.id}/stats", token=listener.token), 403, "forbidden")
    assert_problem(api.get(f"/songs/{artist.song_ids[0]}/stats", token=listener.token), 403, "forbidden")


def test_another_artist_gets_403_and_404_for_a_song_they_cannot_see(api, dashboard, new_user, make_artist):
    _owner, artist = dashboard
    stranger = new_user(roles=["artist"])
    draft = make_artist(titles=("Unreleased",), status="draft").song_ids[0]

    assert_problem(api.get(f"/artists/{artist.id}/stats", token=stranger.token), 403, "forbidden")
    assert_problem(api.get(f"/songs/{artist.song_ids[0]}/stats", token=stranger.token), 403, "forbidden")
    assert_problem(api.get(f"/songs/{draft}/stats", token=stranger.token), 404, "not_found")


def test_unknown_ids_are_404_and_a_bad_range_is_422(api, dashboard, new_user):
    admin = new_user(roles=["super_admin"])
    owner, artist = dashboard

    assert_problem(api.get(f"/artists/{uuid.uuid4()}/stats", token=admin.token), 404, "not_found")
    assert_problem(api.get("/artists/not-a-uuid/stats", token=admin.token), 404, "not_found")
    assert_problem(api.get(f"/songs/{uuid.uuid4()}/stats", token=admin.token), 404, "not_found")
    assert_problem(
        api.get(f"/artists/{artist.id}/stats", token=owner.token, query={"range": "today"}),
        422,
        "validation_error",
    )


def test_without_a_token_the_gateway_answers_401(api, dashboard):
    _owner, artist = dashboard

    assert api.get(f"/artists/{artist.id}/stats").status == 401


def test_the_cache_is_read_first_and_a_new_rollup_makes_it_stale(api, dashboard, jsonl):
    from sauti.analytics.importer import import_file
    from sauti.analytics.rollup import roll_up_day
    from sauti_dev import sql

    owner, artist = dashboard
    path, query = f"/artists/{artist.id}/stats", {"range": "last_7_days"}

    # given an answer computed once and saved
    first = api.get(path, token=owner.token, query=query).json()
    assert sql.fetch_one("SELECT count(*) AS n FROM dashboard_cache")["n"] == 1
    # when the totals change behind the cache's back, the saved answer is still what is served
    sql.execute("UPDATE song_daily_stats SET plays = plays + 100")
    assert api.get(path, token=owner.token, query=query).json() == first
    # then rolling yesterday up again (with one more play) makes it stale: the next read recomputes
    import_file(jsonl([play(str(uuid.uuid4()), artist.song_ids[1], days_ago(1), 7)]))
    roll_up_day(days_ago(1))
    fresh = api.get(path, token=owner.token, query=query).json()
    assert fresh["total_plays"] == (4 + 1) + (1 + 100)  # yesterday rolled up again; day 3 kept its edit


def test_the_answer_moves_to_a_new_yesterday_at_midnight(dashboard):
    from sauti.analytics.dashboard import artist_stats
    from sauti.principal import Principal

    owner, artist = dashboard
    caller = Principal(owner.id, frozenset({"artist"}))

    now = artist_stats(caller, artist.id, "last_7_days")
    tomorrow = artist_stats(caller, artist.id, "last_7_days", today=today() + timedelta(days=1))

    assert now.through == days_ago(1).isoformat()
    assert tomorrow.through == today().isoformat()
    assert tomorrow.daily[-1].model_dump() == {"date": today().isoformat(), "plays": 0}


def test_a_catalog_change_reaches_the_dashboards_access_rules(api, dashboard, new_user):
    from sauti.catalog import logic

    owner, artist = dashboard
    alpha = artist.song_ids[0]
    stranger = new_user(roles=["artist"])
    assert_problem(api.get(f"/songs/{alpha}/stats", token=stranger.token), 403, "forbidden")

    logic.set_song_status(alpha, "taken_down")

    assert_problem(api.get(f"/songs/{alpha}/stats", token=stranger.token), 404, "not_found")
    own = api.get(f"/songs/{alpha.upper()}/stats", token=owner.token, query={"range": "last_7_days"})
    assert own.status == 200 and own.json()["song_id"] == alpha
    assert own.json()["top_songs"] == [{"song_id": alpha, "title": "Alpha", "plays": 4}]
    by_artist = api.get(f"/artists/{artist.id.upper()}/stats", token=owner.token).json()
    assert by_artist["artist_id"] == artist.id and by_artist["total_plays"] == 5


def test_the_rollup_job_recomputes_the_cached_answers_it_made_stale(api, functions, dashboard, jsonl):
    from sauti.analytics import dashboard as dashboards
    from sauti.analytics.importer import import_file
    from sauti_dev import sql
    from sauti_dev.events import scheduled_event

    owner, artist = dashboard
    for range_ in ("last_7_days", "last_30_days"):
        api.get(f"/artists/{artist.id}/stats", token=owner.token, query={"range": range_})
    import_file(jsonl([play(str(uuid.uuid4()), artist.song_ids[1], days_ago(2), 7)]))

    result = functions.invoke("AnalyticsRollupFunction", scheduled_event(None))

    assert result["refreshed_dashboards"] == 2
    rows = sql.fetch_all(
        """SELECT range, (body->>'total_plays')::int AS total, generation,
                  generation = (SELECT rollup_generation FROM analytics_state) AS current
           FROM dashboard_cache ORDER BY range"""
    )
    assert [(row["range"], row["total"], row["current"]) for row in rows] == [
        ("last_30_days", 6, True),
        ("last_7_days", 6, True),
    ]
    assert dashboards.refresh_stale(batch=1) == 0  # nothing stale is left
    sql.execute("UPDATE analytics_state SET rollup_generation = rollup_generation + 1")
    assert dashboards.refresh_stale(keep_going=lambda: False) == 0  # no time left: left to the readers
    assert dashboards.refresh_stale(batch=1) == 2
