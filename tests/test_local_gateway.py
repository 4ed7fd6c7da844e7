"""The local gateway as a real HTTP server: bursts of connections, odd methods, Swagger UI."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sauti_dev.gateway import LocalGateway, serve


@pytest.fixture(scope="module")
def base_url(gateway: LocalGateway) -> Iterator[str]:
    server = serve(gateway, 0)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_fifty_simultaneous_new_connections_are_all_answered(base_url):
    def fetch(_: int) -> int:
        with requests.Session() as fresh:  # a new connection each
            return fresh.get(f"{base_url}/openapi.json", timeout=30).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(fetch, range(50)))

    assert statuses == [200] * 50


def test_a_method_no_route_has_gets_a_problem_not_html(base_url):
    response = requests.request("TRACE", f"{base_url}/songs", timeout=10)

    assert response.status_code in (404, 405)
    assert response.headers["content-type"] == "application/problem+json"


def test_swagger_ui_shows_the_api_description(base_url):
    response = requests.get(f"{base_url}/docs", timeout=10)

    assert response.status_code == 200
    assert "swagger-ui" in response.text
    assert '"openapi": "3.1.0"' in response.text
