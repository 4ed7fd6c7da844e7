"""Catalog & playback fixtures: the local Cloudflare edge on a free port, songs with real objects in R2."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from sauti_dev.stack import LocalStack

AUDIO = b"RIFF" + bytes(range(256)) * 64  # stands in for a rendition's bytes


@pytest.fixture(scope="session")
def edge(stack: LocalStack) -> Iterator[str]:
    """The local edge, serving the local R2 bucket behind the token rule; CDN_BASE_URL points at it."""
    from sauti.config import config
    from sauti.signing import links
    from sauti_dev.edge import serve_edge

    server = serve_edge(0)
    base_url = f"http://127.0.0.1:{server.server_port}"
    previous = os.environ.get("CDN_BASE_URL")
    os.environ["CDN_BASE_URL"] = base_url
    config.cache_clear()
    links.reset()
    yield base_url
    server.shutdown()
    if previous is None:
        os.environ.pop("CDN_BASE_URL", None)
    else:
        os.environ["CDN_BASE_URL"] = previous
    config.cache_clear()
    links.reset()


def put_object(key: str, body: bytes = AUDIO) -> None:
    from sauti.config import config
    from sauti.signing.r2 import client

    client().put_object(Bucket=config().get("MEDIA_BUCKET"), Key=key, Body=body, ContentType="audio/wav")


@dataclass
class Catalog:
    artist_id: str
    album_id: str

    def song(
        self,
        title: str = "Mawimbi",
        *,
        qualities: tuple[str, ...] = ("low", "normal", "high"),
        status: str = "published",
        track_number: int | None = None,
        album: bool = True,
    ) -> str:
        from sauti.catalog import logic

        slug = f"{title.lower().replace(' ', '-')}-{os.urandom(3).hex()}"
        renditions = []
        for quality in qualities:
            key = f"audio/{slug}/{quality}.wav"
            put_object(key)
            renditions.append(
                {
                    "quality": quality,
                    "codec": "pcm_s16le",
                    "bitrate_kbps": 128,
                    "object_key": key,
                    "size_bytes": 1,
                }
            )
        return logic.create_song(
            self.artist_id,
            title,
            200_000,
            renditions,
            album_id=self.album_id if album else None,
            track_number=track_number,
            status=status,
        )

    def ad(self, title: str = "Chai ya Asubuhi") -> str:
        from sauti.catalog import logic

        key = f"ads/{os.urandom(4).hex()}.wav"
        put_object(key)
        return logic.create_ad(title, "Kahawa Co.", key, 5_000)


@pytest.fixture
def catalog(stack: LocalStack) -> Catalog:
    from sauti.catalog import logic

    artist_id = logic.create_artist("Amani Wave", "Coastal benga")
    return Catalog(artist_id=artist_id, album_id=logic.create_album(artist_id, "Pwani Nights"))


@pytest.fixture
def start(api: Any) -> Any:
    """Start a play session through the API; returns the response."""

    def make(user: Any, **body: Any) -> Any:
        return api.post("/playback/sessions", json=body, token=user.token)

    return make


@pytest.fixture
def audio() -> bytes:
    """The bytes every test rendition holds."""
    return AUDIO
