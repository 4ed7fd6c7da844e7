"""Roles are the account's, read on every request: a revocation takes effect on the next request, and a
token's own `roles` claim grants nothing."""

from __future__ import annotations

import pytest

from helpers import assert_problem
from sauti_dev.cli import main

NEW_ARTIST = {"name": "Sauti Sol"}


def test_a_revoked_admin_role_stops_working_on_the_next_request(api, admins):
    boss, manager = admins["super_admin"], admins["content_manager"]
    assert api.post("/admin/artists", json=NEW_ARTIST, token=manager.token).status == 201

    revoked = api.delete(f"/admin/users/{manager.id}/roles/content_manager", token=boss.token)

    assert revoked.status == 200
    assert_problem(api.post("/admin/artists", json=NEW_ARTIST, token=manager.token), 403)


def test_a_role_revoked_from_the_command_line_stops_working_on_the_next_request(api, admins):
    moderator = admins["moderator"]
    assert api.get("/admin/reports", token=moderator.token).status == 200

    assert main(["revoke-role", moderator.email, "moderator"]) == 0

    assert_problem(api.get("/admin/reports", token=moderator.token), 403)


def test_a_granted_role_works_with_the_token_already_held(api, admins):
    user = admins["user"]
    assert_problem(api.get("/admin/reports", token=user.token), 403)

    assert api.put(f"/admin/users/{user.id}/roles/moderator", token=admins["super_admin"].token).status == 200

    assert api.get("/admin/reports", token=user.token).status == 200


@pytest.mark.parametrize("claimed", ["super_admin", "content_manager", "moderator"])
def test_a_role_in_the_token_that_the_account_does_not_hold_grants_nothing(api, new_user, token_for, claimed):
    plain = new_user()
    boastful = token_for(plain.id, [claimed])

    assert_problem(api.get("/admin/users", token=boastful), 403)
    assert api.get("/me", token=boastful).json()["roles"] == []


def test_an_artist_whose_role_is_revoked_loses_the_dashboard_at_once(api, new_user, catalog):
    artist_id = catalog.artist_id
    owner = new_user(roles=("artist",))
    from sauti_dev import sql

    sql.execute("UPDATE artists SET user_id = %s WHERE id = %s", (owner.id, artist_id))
    stats = f"/artists/{artist_id}/stats"
    assert api.get(stats, token=owner.token, query={"range": "last_7_days"}).status == 200

    assert main(["revoke-role", owner.email, "artist"]) == 0

    assert_problem(api.get(stats, token=owner.token, query={"range": "last_7_days"}), 403)


def test_a_revocation_that_rolls_back_leaves_the_role_working(api, admins):
    """The last super admin's own revocation is refused: the role record written ahead is undone."""
    boss = admins["super_admin"]

    assert_problem(api.delete(f"/admin/users/{boss.id}/roles/super_admin", token=boss.token), 409)

    assert api.get("/admin/users", token=boss.token).status == 200


def test_a_role_change_reaches_every_request_without_refilling_from_the_database(api, admins):
    """After a role change the next request finds the account's record in Redis (one round trip)."""
    from sauti import cache
    from sauti.auth.access import account_key

    boss, user = admins["super_admin"], admins["user"]
    api.put(f"/admin/users/{user.id}/roles/moderator", token=boss.token)

    assert cache.redis_client().get(account_key(user.id)) == "roles:moderator"
