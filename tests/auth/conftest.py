"""Fixtures of the auth tests: accounts made through the API, as a client makes them."""

from __future__ import annotations

import os
from typing import Any

import pytest

PASSWORD = "correct horse battery staple"


@pytest.fixture
def signup(api: Any) -> Any:
    """Sign up through POST /auth/signup; returns the 201 body (plus the email and password used)."""

    def make(
        email: str | None = None,
        password: str = PASSWORD,
        display_name: str = "Amani Otieno",
        **extra: Any,
    ) -> dict[str, Any]:
        email = email or f"listener-{os.urandom(4).hex()}@example.com"
        response = api.post(
            "/auth/signup",
            json={"email": email, "password": password, "display_name": display_name, **extra},
        )
        assert response.status == 201, response.body
        return {**response.json(), "email": email, "password": password}

    return make


@pytest.fixture
def login(api: Any) -> Any:
    def attempt(email: str, password: str = PASSWORD, **kwargs: Any) -> Any:
        return api.post("/auth/login", json={"email": email, "password": password}, **kwargs)

    return attempt
