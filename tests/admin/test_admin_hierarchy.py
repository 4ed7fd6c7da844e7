"""The admin hierarchy: nobody suspends or changes the roles of an account of an equal or higher role,
nobody suspends themselves, and the last active super admin is never suspended, deleted or demoted.
Every pair of roles is tried."""

from __future__ import annotations

import itertools

import pytest

from helpers import assert_problem

# Ranks: super admin above the two staff roles, both above artists and listeners.
RANK = {"super_admin": 3, "content_manager": 2, "moderator": 2, "artist": 1, "listener": 1}
ACCOUNTS = list(RANK)
MAY_SUSPEND = {"super_admin", "moderator"}
MAY_CHANGE_ROLES = {"super_admin"}
REASON = {"reason": "hierarchy check"}


@pytest.fixture
def account(new_user):
    def make(kind):
        return new_user(roles=() if kind == "listener" else (kind,))

    return make


@pytest.mark.parametrize(("actor_kind", "target_kind"), list(itertools.product(ACCOUNTS, ACCOUNTS)))
def test_suspension_follows_the_hierarchy(api, account, actor_kind, target_kind):
    account("super_admin")  # another super admin, so the target is never the last one
    actor, target = account(actor_kind), account(target_kind)

    response = api.post(f"/admin/users/{target.id}/suspend", json=REASON, token=actor.token)

    if actor_kind not in MAY_SUSPEND:
        assert_problem(response, 403, "forbidden")
    elif RANK[target_kind] >= RANK[actor_kind]:
        assert_problem(response, 403, "outranked")
        assert api.get("/me", token=target.token).status == 200  # their tokens still work
    else:
        assert response.status == 200, response.body
        assert_problem(api.get("/me", token=target.token), 403, "account_suspended")


@pytest.mark.parametrize(("actor_kind", "target_kind"), list(itertools.product(ACCOUNTS, ACCOUNTS)))
def test_unsuspension_follows_the_hierarchy(api, account, actor_kind, target_kind):
    from sauti.auth import public as auth

    account("super_admin")
    actor, target = account(actor_kind), account(target_kind)
    auth.suspend_user(target.id)

    response = api.post(f"/admin/users/{target.id}/unsuspend", json=REASON, token=actor.token)

    if actor_kind not in MAY_SUSPEND:
        assert_problem(response, 403, "forbidden")
    elif RANK[target_kind] >= RANK[actor_kind]:
        assert_problem(response, 403, "outranked")
    else:
        assert response.status == 200, response.body


@pytest.mark.parametrize("grant", [True, False], ids=["grant", "revoke"])
@pytest.mark.parametrize(("actor_kind", "target_kind"), list(itertools.product(ACCOUNTS, ACCOUNTS)))
def test_role_changes_follow_the_hierarchy(api, account, actor_kind, target_kind, grant):
    account("super_admin")
    actor, target = account(actor_kind), account(target_kind)
    path = f"/admin/users/{target.id}/roles/moderator"

    response = api.put(path, token=actor.token) if grant else api.delete(path, token=actor.token)

    if actor_kind not in MAY_CHANGE_ROLES:
        assert_problem(response, 403, "forbidden")
    elif RANK[target_kind] >= RANK[actor_kind]:
        assert_problem(response, 403, "outranked")
    else:
        assert response.status == 200, response.body


@pytest.mark.parametrize("kind", sorted(MAY_SUSPEND))
def test_nobody_suspends_themselves(api, account, kind):
    account("super_admin")
    actor = account(kind)

    assert_problem(
        api.post(f"/admin/users/{actor.id}/suspend", json=REASON, token=actor.token), 403, "own_account"
    )
    assert api.get("/me", token=actor.token).status == 200


def test_a_super_admin_may_step_down_but_never_as_the_last_one(api, account):
    first, second = account("super_admin"), account("super_admin")

    assert api.delete(f"/admin/users/{first.id}/roles/super_admin", token=first.token).status == 200
    assert_problem(
        api.delete(f"/admin/users/{second.id}/roles/super_admin", token=second.token), 409, "last_super_admin"
    )


def test_a_suspended_super_admin_does_not_count_as_an_active_one(api, account):
    from sauti.auth import public as auth

    active, suspended = account("super_admin"), account("super_admin")
    auth.suspend_user(suspended.id)

    assert_problem(
        api.delete(f"/admin/users/{active.id}/roles/super_admin", token=active.token), 409, "last_super_admin"
    )


def test_the_last_active_super_admin_can_never_be_suspended(account):
    from sauti.auth import public as auth
    from sauti.errors import Conflict

    only = account("super_admin")

    with pytest.raises(Conflict):
        auth.suspend_user(only.id)


def test_the_last_active_super_admin_cannot_delete_their_account(api, account):
    only = account("super_admin")

    assert_problem(api.delete("/me", token=only.token), 409, "last_super_admin")
    assert api.get("/me", token=only.token).status == 200
    other = account("super_admin")
    assert api.delete("/me", token=only.token).status == 204
    assert api.get("/me", token=other.token).status == 200


def test_a_moderator_cannot_suspend_a_super_admin_through_a_report(api, account):
    boss, moderator, reporter = account("super_admin"), account("moderator"), account("listener")
    filed = api.post(
        "/reports", json={"target_type": "user", "target_id": boss.id, "reason": "rude"}, token=reporter.token
    )
    assert filed.status == 202, filed.body

    resolved = api.post(
        f"/admin/reports/{filed.json()['id']}/resolve", json={"action": "suspend"}, token=moderator.token
    )

    assert_problem(resolved, 403, "outranked")
    assert api.get("/me", token=boss.token).status == 200
