"""A client generated from the served API description by a tool nobody here wrote (openapi-python-client,
pinned in requirements/dev.txt) walks the main journeys, with no hand-written request and no edit to the
generated code: what it can parse is what the document promises."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sauti_dev.gateway import LocalGateway, serve
from sauti_dev.queues import drain_once

PASSWORD = "correct horse battery staple"
# No formatter run on the generated code (ruff would only restyle it); the import body as raw bytes.
GENERATOR_CONFIG = """\
post_hooks: []
content_type_overrides:
  application/x-ndjson: application/octet-stream
"""


@pytest.fixture(scope="module")
def base_url(gateway: LocalGateway) -> Iterator[str]:
    server = serve(gateway, 0)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def sdk(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The package generated from GET /openapi.json, imported as ``sauti_client``."""
    folder = tmp_path_factory.mktemp("generated")
    (folder / "openapi.json").write_bytes(requests.get(f"{base_url}/openapi.json", timeout=30).content)
    (folder / "config.yaml").write_text(GENERATOR_CONFIG)
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [
            *(str(generator), "generate", "--path", "openapi.json", "--meta", "none"),
            *("--output-path", "sauti_client", "--config", "config.yaml"),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout  # nothing in the document it could not use
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("sauti_client")
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == "sauti_client"]:
            del sys.modules[name]


def op(name: str) -> Any:
    """A generated operation's module: ``op("auth.login").sync(...)``."""
    return importlib.import_module(f"sauti_client.api.{name}")


def models(sdk: Any) -> Any:
    return importlib.import_module("sauti_client.models")


def test_a_listener_signs_up_browses_searches_plays_and_signs_out(sdk, base_url, stack, functions, catalog):
    m = models(sdk)
    from sauti.events import publish_event

    song_id = catalog.song("Mawimbi")
    for kind, id_ in (("artist", catalog.artist_id), ("song", song_id)):  # as the admin's writes announce
        change = {"kind": kind, "id": id_, "artist_id": catalog.artist_id, "status": "published"}
        publish_event("catalog", "catalog.changed", {**change, "change": "published"})
    while drain_once(functions, stack.queue_urls, rule_queues=stack.rule_queues):
        pass  # search indexes what the catalog announced
    anonymous = sdk.Client(base_url=base_url, raise_on_unexpected_status=True)
    email = "listener@example.com"

    signed_up = op("auth.signup").sync(
        client=anonymous, body=m.SignupRequest(email=email, password=PASSWORD, display_name="Listener")
    )
    assert isinstance(signed_up, m.SignedIn)
    login = op("auth.login")
    signed_in = login.sync(client=anonymous, body=m.LoginRequest(email=email, password=PASSWORD))
    assert isinstance(signed_in, m.SignedIn)
    wrong = login.sync(client=anonymous, body=m.LoginRequest(email=email, password="not it at all"))
    assert isinstance(wrong, m.Problem) and wrong.code == "invalid_credentials"
    refresh = op("auth.refresh")
    tokens = refresh.sync(client=anonymous, body=m.RefreshRequest(refresh_token=signed_in.refresh_token))
    assert isinstance(tokens, m.Tokens)
    reused = refresh.sync(client=anonymous, body=m.RefreshRequest(refresh_token=signed_in.refresh_token))
    assert isinstance(reused, m.Problem) and reused.status == 401
    me = sdk.AuthenticatedClient(
        base_url=base_url, token=tokens.access_token, raise_on_unexpected_status=True
    )

    profile = op("auth.me").sync(client=me)
    songs = op("catalog.list_songs").sync(client=me, limit=10)
    found = op("search.search").sync(client=me, q="mawimbi")
    assert isinstance(profile, m.Profile) and profile.email == email
    assert song_id in [song.id for song in songs.items]
    assert [hit.id for hit in found.songs.items] == [song_id]

    session = op("playback.start_session").sync(client=me, body=m.StartSession(song_id=song_id))
    assert isinstance(session, m.PlaySession)
    ended = op("playback.end_session").sync(
        session.session_id, client=me, body=m.EndSession(listened_ms=1_000)
    )
    assert isinstance(ended, m.PlayEnded) and ended.counted is False

    logout = op("auth.logout")
    out = logout.sync_detailed(client=me, body=m.RefreshRequest(refresh_token=tokens.refresh_token))
    assert (out.status_code, out.parsed) == (204, None)
    after = refresh.sync(client=anonymous, body=m.RefreshRequest(refresh_token=tokens.refresh_token))
    assert isinstance(after, m.Problem) and after.code in ("invalid_refresh_token", "refresh_token_reused")


def test_a_listener_edits_a_playlist_with_if_match_and_follows_an_artist(sdk, base_url, new_user, catalog):
    m = models(sdk)
    me = sdk.AuthenticatedClient(base_url=base_url, token=new_user().token, raise_on_unexpected_status=True)

    created = op("playlists.create_playlist").sync_detailed(client=me, body=m.CreatePlaylist(name="Road"))
    assert created.status_code == 201
    first = created.headers["etag"]
    playlist_id = created.parsed.id
    added = op("playlists.add_tracks").sync_detailed(
        playlist_id, client=me, body=m.AddTracks(song_ids=[catalog.song()]), if_match=first
    )
    assert added.status_code == 201 and added.parsed.version == created.parsed.version + 1
    stale = op("playlists.update_playlist").sync_detailed(
        playlist_id, client=me, body=m.UpdatePlaylist(name="Lost"), if_match=first
    )
    assert stale.status_code == 412
    assert stale.parsed.code == "version_conflict" and stale.headers["etag"] == added.headers["etag"]
    renamed = op("playlists.update_playlist").sync(
        playlist_id, client=me, body=m.UpdatePlaylist(name="Road trip"), if_match=added.headers["etag"]
    )
    assert isinstance(renamed, m.Playlist) and renamed.name == "Road trip"

    follow = op("notifications.follow_artist").sync_detailed(catalog.artist_id, client=me)
    unfollow = op("notifications.unfollow_artist").sync_detailed(catalog.artist_id, client=me)
    deleted = op("playlists.delete_playlist").sync_detailed(playlist_id, client=me)
    assert [(r.status_code, r.parsed) for r in (follow, unfollow, deleted)] == [(204, None)] * 3


def test_a_refused_token_is_the_gateways_own_401_and_the_client_reads_it(sdk, base_url):
    m = models(sdk)
    me = op("auth.me")
    stranger = sdk.AuthenticatedClient(
        base_url=base_url, token="not-a-token", raise_on_unexpected_status=True
    )

    refused = me.sync_detailed(client=stranger)

    assert refused.status_code == 401
    assert isinstance(refused.parsed, m.GatewayMessage) and refused.parsed.message == "Unauthorized"
