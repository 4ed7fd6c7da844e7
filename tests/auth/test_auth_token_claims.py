"""Claims a correctly signed token may not carry: an `exp` that is not whole seconds or lies beyond any
lifetime we issue, and a `sub` with no account. Each is 401 on every route, whichever function serves it."""

from __future__ import annotations

import time
import uuid

import pytest

from helpers import assert_problem
from sauti import tokens

# One authenticated route of each kind of function (read, write, the play path).
ROUTES = [
    ("GET", "/me"),
    ("GET", "/billing/subscription"),
    ("GET", "/me/playlists"),
    ("GET", "/me/notification-preferences"),
    ("POST", "/playback/sessions"),
    ("GET", "/admin/users"),
]


def _token(sub: str, **overrides):
    now = int(time.time())
    claims = {
        "iss": "",
        "aud": "",
        "sub": sub,
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": uuid.uuid4().hex,
        "roles": [],
    }
    from sauti.core_settings import TokenSettings
    from sauti.settings import settings

    claims["iss"], claims["aud"] = settings(TokenSettings).jwt_issuer, settings(TokenSettings).jwt_audience
    return tokens.sign({**claims, **overrides})


def _call(api, method, path, token):
    return api.request(
        method, path, json_body={"song_id": str(uuid.uuid4())} if method == "POST" else None, token=token
    )


@pytest.mark.parametrize(
    "exp",
    [
        pytest.param(lambda now: str(now + 900), id="numeric-string"),
        pytest.param(lambda now: 10**20, id="10^20"),
        pytest.param(lambda now: now + 400 * 86_400, id="a-year-on"),
        pytest.param(lambda now: now + 900.5, id="fraction"),
    ],
)
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_an_exp_we_never_issue_is_refused(api, new_user, exp, method, path):
    user = new_user(roles=("super_admin",))
    token = _token(user.id, exp=exp(int(time.time())), roles=["super_admin"])

    assert_problem(_call(api, method, path, token), 401)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_token_whose_account_does_not_exist_is_refused(api, method, path):
    token = _token(str(uuid.uuid4()), roles=["super_admin"])

    assert_problem(_call(api, method, path, token), 401, "account_unavailable")


def test_a_well_formed_token_of_a_real_account_still_passes(api, new_user):
    user = new_user()

    assert api.get("/billing/subscription", token=_token(user.id)).status == 200
