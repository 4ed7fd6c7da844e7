"""Catalog import holds the upload path's rule for rendition keys (``sauti.admin.media``): a key in the
song's own namespace, no other entity's object, in R2 as audio of the declared type and size."""

from __future__ import annotations

import json

import pytest

from helpers import AUDIO, assert_problem, put_object

ARTIST = {"type": "artist", "ref": "label-artist", "name": "Label Artist"}


def _song(ref: str, *renditions: dict) -> dict:
    return {
        "type": "song",
        "ref": ref,
        "artist": "label-artist",
        "title": f"Song {ref}",
        "duration_ms": 200_000,
        "status": "published",
        "renditions": list(renditions),
    }


def _rendition(object_key: str, quality: str = "normal", **declared) -> dict:
    return {"quality": quality, "codec": "aac", "bitrate_kbps": 128, "object_key": object_key, **declared}


def _import(api, user, *lines):
    return api.request(
        "POST",
        "/admin/catalog/imports",
        body="\n".join(json.dumps(line) for line in lines),
        token=user.token,
        headers={"content-type": "application/x-ndjson"},
    )


def _songs_count() -> int:
    from sauti_dev import sql

    return sql.fetch_one("SELECT count(*) AS n FROM songs")["n"]


def test_a_key_of_another_song_s_object_is_refused_and_nothing_is_imported(api, admins, catalog, stack):
    from sauti.catalog import logic

    draft = catalog.song("Unreleased", status="draft")
    secret = logic.song(draft)["renditions"]["low"]["object_key"]  # audio/<slug>/low.wav
    before = _songs_count()

    answer = _import(api, admins["content_manager"], ARTIST, _song(secret.split("/")[1], _rendition(secret)))

    problem = assert_problem(answer, 422, "import_invalid")
    assert problem["line"] == 2 and "another entity's object" in problem["detail"]
    assert _songs_count() == before


BAD_KEYS = {
    "a path out of the bucket": "../../../etc/passwd",
    "a query and a fragment": "audio/s9/x?verify=1#frag",
    "a dot segment": "audio/s9/../s1/normal.m4a",
    "an encoded character": "audio/s9/x%2F..%2Fy.m4a",
    "an empty segment": "audio/s9//normal.m4a",
    "another namespace": "audio/s1/normal.m4a",
    "outside audio": "ads/s9/normal.m4a",
}


@pytest.mark.parametrize("key", BAD_KEYS.values(), ids=BAD_KEYS.keys())
def test_a_key_that_is_not_plain_or_not_in_the_song_s_namespace_is_refused(api, admins, stack, key):
    put_object("audio/s1/normal.m4a")

    answer = _import(api, admins["content_manager"], ARTIST, _song("s9", _rendition(key)))

    problem = assert_problem(answer, 422, "import_invalid")
    assert problem["line"] == 2 and "renditions.normal.object_key" in problem["detail"], problem
    assert _songs_count() == 0


def test_an_id_namespace_is_the_song_s_own_not_a_ref_s(api, admins, catalog, stack):
    """A ref spelled like another song's id does not get that song's namespace."""
    draft = catalog.song("Upload", status="draft")
    put_object(f"audio/{draft}/high/a1b2.m4a")

    answer = _import(
        api, admins["content_manager"], ARTIST, _song(draft, _rendition(f"audio/{draft}/high/a1b2.m4a"))
    )

    assert "not in the song's media namespace" in assert_problem(answer, 422, "import_invalid")["detail"]


def test_the_object_must_be_in_r2_as_audio_of_the_declared_type_and_size(api, admins, stack):
    from sauti.settings import settings
    from sauti.signing.r2 import client
    from sauti.signing.settings import MediaSettings

    put_object("audio/s9/normal.wav")
    client().put_object(
        Bucket=settings(MediaSettings).media_bucket,
        Key="audio/s9/page.html",
        Body=b"<p>",
        ContentType="text/html",
    )
    cases = {
        "audio/s9/missing.m4a": ({}, "not in R2"),
        "audio/s9/page.html": ({}, "not audio"),
        "audio/s9/normal.wav": ({"size_bytes": len(AUDIO) + 1}, "declared"),
        "audio/s9/normal.wav ": ({"content_type": "audio/mpeg"}, "declared"),
    }
    for key, (declared, reason) in cases.items():
        answer = _import(
            api, admins["content_manager"], ARTIST, _song("s9", _rendition(key.strip(), **declared))
        )
        assert reason in assert_problem(answer, 422, "import_invalid")["detail"], key

    good = _import(
        api,
        admins["content_manager"],
        ARTIST,
        _song("s9", _rendition("audio/s9/normal.wav", size_bytes=len(AUDIO), content_type="audio/wav")),
    )
    assert good.status == 200, good.body


def test_two_songs_of_one_import_cannot_share_an_object(api, admins, stack):
    put_object("audio/s9/normal.m4a")
    shared = _rendition("audio/s9/normal.m4a")

    answer = _import(
        api, admins["content_manager"], ARTIST, _song("s9", shared), {**_song("s9", shared), "ref": "s10"}
    )

    problem = assert_problem(answer, 422, "import_invalid")
    assert problem["line"] == 3


def test_importing_a_song_again_keeps_its_own_object(api, admins, stack):
    put_object("audio/s9/normal.m4a")
    lines = (ARTIST, _song("s9", _rendition("audio/s9/normal.m4a")))

    assert _import(api, admins["content_manager"], *lines).status == 200
    again = _import(api, admins["content_manager"], *lines)

    assert again.status == 200, again.body
