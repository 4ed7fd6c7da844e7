"""Playback fixtures (the edge and catalog fixtures are shared: tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import AUDIO


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
