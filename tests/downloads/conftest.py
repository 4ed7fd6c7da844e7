"""Phones running the reference client against the local stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import Api
from sauti_offline.client import OfflineClient
from sauti_offline.transport import HttpTransport


class GatewayTransport(HttpTransport):
    """API calls through the local API Gateway; media fetched over HTTP from the local edge."""

    def __init__(self, api: Api):
        super().__init__("http://unused")
        self.api = api

    def call(self, method: str, path: str, body: dict[str, Any] | None, token: str | None) -> tuple[int, Any]:
        response = self.api.request(method, path, json_body=body, token=token)
        return response.status, response.json() if response.body else None


@pytest.fixture
def phone(api: Api, tmp_path: Path, edge: str) -> Iterator[Any]:
    """``phone(user, "A")``: a fresh app install for ``user``, registered as a device."""

    def make(user: Any, name: str, platform: str = "ios") -> OfflineClient:
        client = OfflineClient(tmp_path / name, GatewayTransport(api), user.token)
        client.register(name=f"phone {name}", platform=platform)
        return client

    yield make
