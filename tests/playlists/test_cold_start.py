"""A cold start of the playlists function: reads load neither boto3 nor the password and token libraries."""

from __future__ import annotations

from helpers import cold_start, gateway_claims_for
from sauti_dev.events import http_event

# botocore is imported by Powertools itself (its user agent), in every function; boto3 is the heavy part.
HEAVY = ("boto3", "argon2", "jwt", "cryptography.hazmat")


def test_reading_playlists_and_the_ranking_starts_without_boto3(new_user, playlists):
    owner = new_user()
    playlist = playlists.create(owner)
    claims = gateway_claims_for(owner.id)
    events = [
        http_event(
            "GET /playlists/{playlist_id}",
            "GET",
            f"/playlists/{playlist['id']}",
            path_parameters={"playlist_id": playlist["id"]},
            claims=claims,
        ),
        http_event("GET /me/playlists", "GET", "/me/playlists", claims=claims),
        http_event("GET /playlists/top", "GET", "/playlists/top", query="period=day", claims=claims),
    ]

    statuses, loaded = cold_start("playlists", events, HEAVY)

    assert statuses == [200, 200, 200]
    assert loaded == []
