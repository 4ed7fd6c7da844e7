"""A JSON body is read as JSON whatever the spelling of its media type; anything else is 415, never 500."""

from __future__ import annotations

import json

import pytest

from helpers import assert_problem

JSON_MEDIA_TYPES = [
    "application/json",
    "Application/JSON",
    "application/JSON;charset=UTF-8",
    "APPLICATION/JSON ; charset=utf-8",
    "application/merge-patch+json",
    "application/problem+json",
    "application/vnd.sauti.v1+JSON; charset=utf-8",
]
NOT_JSON = ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data"]
LOGIN = {"email": "nobody-here@example.com", "password": "not the right passphrase"}


@pytest.mark.parametrize("content_type", JSON_MEDIA_TYPES)
def test_a_json_body_is_read_as_json_whatever_the_media_type_s_spelling(api, content_type):
    response = api.post("/auth/login", body=json.dumps(LOGIN), headers={"content-type": content_type})

    assert_problem(response, 401, "invalid_credentials")  # read, checked, refused: the body was understood


@pytest.mark.parametrize("content_type", JSON_MEDIA_TYPES)
def test_a_json_body_reaches_a_route_behind_the_authorizer(api, new_user, content_type):
    user = new_user()

    response = api.request(
        "PATCH",
        "/me",
        body=json.dumps({"display_name": "Zawadi"}),
        token=user.token,
        headers={"content-type": content_type},
    )

    assert response.status == 200, response.body
    assert response.json()["display_name"] == "Zawadi"


@pytest.mark.parametrize("content_type", NOT_JSON)
def test_a_body_in_any_other_media_type_is_415(api, content_type):
    response = api.post("/auth/login", body=json.dumps(LOGIN), headers={"content-type": content_type})

    assert_problem(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data", "application/xml", "x/y; a=b"])
def test_an_empty_body_is_no_body_whatever_its_content_type(api, new_user, content_type):
    user = new_user()

    without_body = api.request("POST", "/auth/login", body=b"", headers={"content-type": content_type})
    needs_no_body = api.request(
        "DELETE", "/me/sessions", body=b"", token=user.token, headers={"content-type": content_type}
    )

    assert_problem(without_body, 422, "validation_error")  # the route needs a body, and got none
    assert needs_no_body.status == 204, needs_no_body.body


def test_the_issue_s_reproduction_answers_401_not_500(api):
    """curl -X POST $BASE/auth/login -H 'content-type: Application/JSON'
    -d '{"email":"a@b.c","password":"x"}'"""
    response = api.post(
        "/auth/login", body='{"email":"a@b.c","password":"x"}', headers={"content-type": "Application/JSON"}
    )

    assert response.status < 500
    assert_problem(response, 401)
