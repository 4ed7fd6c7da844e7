"""The console in headless Chromium against the local stack: the API over HTTP, the built console, people.

Needs Debian's Chromium (``apt-get install -y chromium``; ``.ci/run`` installs it) and the built console
(``make lint`` builds it). Playwright drives the system browser: its own browser downloads are not used.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from helpers import PROJECT_ROOT

CHROMIUM = os.environ.get("SAUTI_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "console test password"
SCREENSHOTS = Path(os.environ.get("SAUTI_CONSOLE_SCREENSHOTS", PROJECT_ROOT / "console" / "screenshots"))
# The flags a closed network needs: no background connections, no component updates, no first-run work.
# Playwright adds --headless and a fresh temporary --user-data-dir itself.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class Person:
    id: str
    email: str
    password: str
    token: str


@dataclass
class ConsoleStack:
    url: str
    stream: Any  # the local fake of Stream, delivering its webhook to the API over HTTP


@pytest.fixture(scope="session")
def console_stack(functions: Any) -> Iterator[ConsoleStack]:
    """The built console, the API over HTTP allowing the console's origin (CORS) as in AWS, and Stream's fake.

    The console's CSP lets the browser post videos to the fake, as it does to Stream's upload origin in AWS.
    """
    from sauti_dev.console import DIST, local_r2_origin, serve_console
    from sauti_dev.gateway import LocalGateway, serve
    from sauti_dev.services import free_port
    from sauti_dev.stream_fake import http_deliver, start_fake_stream

    if not (DIST / "index.html").exists():
        pytest.fail(f"the console is not built ({DIST}): run make lint, which builds it")
    console_port = free_port()
    origin = f"http://127.0.0.1:{console_port}"
    api = serve(LocalGateway(functions, allowed_origins=[origin]), 0)
    api_base = f"http://127.0.0.1:{api.server_port}"
    stream = start_fake_stream(http_deliver(f"{api_base}/webhooks/stream"))
    uploads = [local_r2_origin(), stream.base_url]
    console = serve_console(api_base, console_port, upload_origins=uploads)
    yield ConsoleStack(console.url, stream)
    console.stop()
    stream.stop()
    api.shutdown()


@pytest.fixture(scope="session")
def console_url(console_stack: ConsoleStack) -> str:
    return console_stack.url


@pytest.fixture
def stream(console_stack: ConsoleStack) -> Iterator[Any]:
    """The API creates direct uploads on the console's Stream fake (STREAM_API_BASE) during the test."""
    from sauti.config import config

    previous = os.environ.get("STREAM_API_BASE")
    os.environ["STREAM_API_BASE"] = console_stack.stream.base_url
    config.cache_clear()
    yield console_stack.stream
    if previous is None:
        os.environ.pop("STREAM_API_BASE", None)
    else:
        os.environ["STREAM_API_BASE"] = previous
    config.cache_clear()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the console's browser tests need Debian's Chromium"
            " (apt-get install -y chromium; .ci/run installs it)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, console_url: str) -> Iterator[Any]:
    """A fresh tab (no session) on a laptop-sized screen."""
    context = browser.new_context(viewport={"width": 1366, "height": 820}, accept_downloads=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.console_url = console_url
    yield tab
    context.close()


@pytest.fixture(scope="session")
def password_hash(stack: Any) -> str:
    from sauti.auth import hashing

    return hashing.hash_password(PASSWORD)  # once: Argon2 is slow on purpose


@pytest.fixture
def person(password_hash: str, token_for: Any) -> Any:
    """An account that can sign in with a password, holding the given roles."""
    from sauti_dev import sql

    counter = iter(range(1, 1000))

    def make(*roles: str, name: str = "Console Tester") -> Person:
        email = f"{'-'.join(roles) or 'listener'}{next(counter)}-{os.urandom(2).hex()}@sauti.test"
        row = sql.fetch_one(
            "INSERT INTO users (email, display_name, roles, password_hash, email_verified_at)"
            " VALUES (%s, %s, %s, %s, now()) RETURNING id::text",
            (email, name, list(roles), password_hash),
        )
        assert row is not None
        return Person(row["id"], email, PASSWORD, token_for(row["id"], list(roles)))

    return make


@pytest.fixture
def sign_in() -> Any:
    def go(page: Any, who: Person) -> None:
        page.goto(page.console_url + "/#/login")
        page.get_by_role("textbox", name="Username").fill(who.email)
        page.get_by_role("textbox", name="Password").fill(who.password)
        page.get_by_role("button", name="Sign in").click()

    return go


@pytest.fixture
def screenshot() -> Any:
    def take(page: Any, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
