"""Time windows from outside: a CDN link dated further ahead than its lifetime is refused by the edge."""

from __future__ import annotations

import time

import requests

from helpers import AUDIO, put_object


def _link(edge: str, key: str, issued_at: float) -> str:
    from sauti.config import config
    from sauti.signing.cdn import object_path, sign_path

    settings = config()
    return sign_path(
        object_path(key),
        secret=settings.get("CDN_TOKEN_SECRET"),
        base_url=edge,
        ttl_seconds=settings.int("MEDIA_LINK_TTL_SECONDS"),
        now=issued_at,
    ).url


def test_the_edge_refuses_a_link_dated_further_ahead_than_its_lifetime(edge):
    from sauti.config import config

    ttl = config().int("MEDIA_LINK_TTL_SECONDS")
    put_object("audio/ahead/low.wav")
    now = time.time()

    current = requests.get(_link(edge, "audio/ahead/low.wav", now), timeout=5)
    slightly_ahead = requests.get(_link(edge, "audio/ahead/low.wav", now + ttl / 2), timeout=5)
    far_ahead = requests.get(_link(edge, "audio/ahead/low.wav", now + 2 * ttl), timeout=5)
    expired = requests.get(_link(edge, "audio/ahead/low.wav", now - 2 * ttl), timeout=5)

    assert current.status_code == 200 and current.content == AUDIO
    assert slightly_ahead.status_code == 200  # a signer's clock a little ahead: still within the lifetime
    assert far_ahead.status_code == 403
    assert expired.status_code == 403
