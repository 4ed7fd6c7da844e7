"""Running a command against the local stack: attach to what runs, start what does not, stop only that."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sauti_dev.stack import LocalStack


@contextmanager
def local_stack() -> Iterator[LocalStack]:
    stack = LocalStack()
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
