"""Dependency faults for the robustness tests: Redis unreachable, a server frozen mid-flight."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def redis_down() -> Any:
    """``with redis_down():`` every Redis call of the functions fails to connect (a closed port)."""
    from sauti import cache
    from sauti.config import config

    @contextlib.contextmanager
    def down() -> Iterator[None]:
        saved = os.environ["REDIS_URL"]
        os.environ["REDIS_URL"] = "redis://127.0.0.1:1/0"
        config.cache_clear()
        cache.redis_client.cache_clear()
        try:
            yield
        finally:
            os.environ["REDIS_URL"] = saved
            config.cache_clear()
            cache.redis_client.cache_clear()

    return down


@pytest.fixture
def frozen(stack: Any) -> Any:
    """``with frozen("postgres"):`` (or ``"redis"``) the test server's processes are stopped (SIGSTOP), as
    a hung server would be: connections stay open and nothing answers. Always resumed (SIGCONT)."""
    import signal

    @contextlib.contextmanager
    def freeze(name: str) -> Iterator[None]:
        server = getattr(stack, name, None)
        pids = server.processes() if server is not None else []
        if not pids:
            pytest.skip(f"{name} was not started by the test stack: cannot freeze it")
        stopped = []
        try:
            for pid in pids:
                os.kill(pid, signal.SIGSTOP)
                stopped.append(pid)
            yield
        finally:
            for pid in stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    return freeze
