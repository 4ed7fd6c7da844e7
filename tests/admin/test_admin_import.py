"""Catalog import (JSON Lines, by API and CLI): atomic, bad lines reported by number, idempotent by ref."""

from __future__ import annotations

import json

import pytest

from helpers import assert_problem, put_object

LINES = [
    {"type": "artist", "ref": "a1", "name": "Sauti Sol", "bio": "Nairobi"},
    {"type": "album", "ref": "al1", "artist": "a1", "title": "Midnight Train", "release_date": "2020-06-05"},
    {
        "type": "song",
        "ref": "s1",
        "artist": "a1",
        "album": "al1",
        "track_number": 1,
        "title": "Suzanna",
        "duration_ms": 215000,
        "explicit": False,
        "isrc": "KEA012000001",
        "status": "published",
        "renditions": [
            {"quality": "normal", "codec": "aac", "bitrate_kbps": 128, "object_key": "audio/s1/normal.m4a"}
        ],
    },
    {"type": "song", "ref": "s2", "artist": "a1", "title": "Demo", "duration_ms": 1000, "status": "draft"},
]


@pytest.fixture(autouse=True)
def delivered(stack):
    """The label delivered its files to R2 (under audio/{song ref}/) before importing."""
    for key in ("audio/s1/normal.m4a", "audio/s1/v2.m4a", "audio/s1/v2.flac"):
        put_object(key)


def _jsonl(lines):
    return "\n".join(json.dumps(line) for line in lines) + "\n"


def _import(api, user, lines):
    return api.request(
        "POST",
        "/admin/catalog/imports",
        body=_jsonl(lines),
        token=user.token,
        headers={"content-type": "application/x-ndjson"},
    )


def _counts():
    from sauti_dev import sql

    return {t: sql.fetch_one(f"SELECT count(*) AS n FROM {t}")["n"] for t in ("artists", "albums", "songs")}


def test_an_import_creates_the_catalog_and_importing_again_updates_with_the_same_ids(
    api, admins, audit_entries
):
    manager = admins["content_manager"]

    first = _import(api, manager, LINES)

    assert first.status == 200, first.body
    assert first.json()["imported"] == {"artist": 1, "album": 1, "song": 2}
    ids = {(item["type"], item["ref"]): item["id"] for item in first.json()["ids"]}
    song = api.get(f"/songs/{ids['song', 's1']}", token=manager.token).json()
    assert song["title"] == "Suzanna" and song["album"]["id"] == ids["album", "al1"]
    assert api.get(f"/songs/{ids['song', 's2']}", token=manager.token).status == 404  # a draft

    remastered = [
        {"quality": "normal", "codec": "aac", "bitrate_kbps": 256, "object_key": "audio/s1/v2.m4a"},
        {"quality": "high", "codec": "flac", "bitrate_kbps": 900, "object_key": "audio/s1/v2.flac"},
    ]
    changed = [*LINES[:2], {**LINES[2], "title": "Suzanna (remastered)", "renditions": remastered}, LINES[3]]
    second = _import(api, manager, changed)

    assert {(item["type"], item["ref"]): item["id"] for item in second.json()["ids"]} == ids
    assert _counts() == {"artists": 1, "albums": 1, "songs": 2}
    seen = api.get(f"/songs/{ids['song', 's1']}", token=manager.token).json()
    assert seen["title"] == "Suzanna (remastered)" and seen["qualities"] == ["normal", "high"]
    from sauti.catalog import logic

    assert logic.song(ids["song", "s1"])["renditions"]["normal"]["object_key"] == "audio/s1/v2.m4a"
    later = _import(
        api,
        manager,
        [
            {
                "type": "song",
                "ref": "s3",
                "artist": "a1",
                "album": "al1",
                "title": "New",
                "duration_ms": 2000,
                "status": "draft",
            }
        ],
    )
    assert later.status == 200, later.body  # refs of an earlier import still resolve
    assert [e["action"] for e in audit_entries(action="catalog.import")] == ["catalog.import"] * 3


def test_a_bad_line_is_reported_by_number_and_nothing_is_imported(api, admins):
    manager = admins["content_manager"]
    for bad_third_line in (
        {**LINES[2], "duration_ms": -5},
        {**LINES[2], "artist": "nobody"},
        {"type": "song", "ref": "s1"},
        "not json at all",
    ):
        body = [LINES[0], LINES[1], bad_third_line, LINES[3]]
        text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in body)
        response = api.request(
            "POST",
            "/admin/catalog/imports",
            body=text,
            token=manager.token,
            headers={"content-type": "application/x-ndjson"},
        )
        problem = assert_problem(response, 422, "import_invalid")
        assert problem["line"] == 3 and "line 3" in problem["detail"], problem
        assert _counts() == {"artists": 0, "albums": 0, "songs": 0}


def test_every_refused_line_is_named_with_its_reason_so_a_file_is_fixed_in_one_go(api, admins):
    body = [
        LINES[0],
        {**LINES[1], "artist": "nobody"},
        {**LINES[2], "duration_ms": -5},
        "not json at all",
        {**LINES[3], "album": "al9"},
        {**LINES[3], "ref": "s4", "album": "al9"},
    ]
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in body)

    response = api.request(
        "POST",
        "/admin/catalog/imports",
        body=text,
        token=admins["content_manager"].token,
        headers={"content-type": "application/x-ndjson"},
    )

    problem = assert_problem(response, 422, "import_invalid")
    assert [error["line"] for error in problem["errors"]] == [2, 3, 4, 5, 6], problem
    assert "unknown artist ref 'nobody'" in problem["errors"][0]["detail"]
    assert "duration_ms" in problem["errors"][1]["detail"]
    assert problem["errors"][3]["detail"] == problem["errors"][4]["detail"] == "unknown album ref 'al9'"
    assert problem["line"] == 2 and problem["refused"] == 5
    assert problem["detail"].startswith("line 2: ") and "4 more refused lines" in problem["detail"]
    assert _counts() == {"artists": 0, "albums": 0, "songs": 0}


def test_an_import_over_5_mb_by_api_is_refused(api, admins):
    big = '{"type": "artist", "ref": "a", "name": "' + "x" * (5 * 1024 * 1024) + '"}'
    response = api.request(
        "POST",
        "/admin/catalog/imports",
        body=big,
        token=admins["super_admin"].token,
        headers={"content-type": "application/x-ndjson"},
    )
    assert_problem(response, 413, "import_too_large")


def test_the_cli_imports_a_file_and_writes_the_id_map(tmp_path, stack, capsys):
    from sauti_dev.cli import main

    source, id_map = tmp_path / "catalog.jsonl", tmp_path / "ids.jsonl"
    source.write_text(_jsonl(LINES))

    assert main(["catalog", "import", str(source), "--map", str(id_map)]) == 0
    first = [json.loads(line) for line in id_map.read_text().splitlines()]
    assert main(["catalog", "import", str(source), "--map", str(id_map)]) == 0
    assert [json.loads(line) for line in id_map.read_text().splitlines()] == first
    assert {(item["type"], item["ref"]) for item in first} == {
        ("artist", "a1"),
        ("album", "al1"),
        ("song", "s1"),
        ("song", "s2"),
    }
    source.write_text(_jsonl([LINES[0], LINES[1], {"type": "song"}]))
    assert main(["catalog", "import", str(source)]) == 1
    assert "line 3" in capsys.readouterr().out
