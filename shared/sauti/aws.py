"""Lazy, per-container boto3 clients. boto3 is imported only by code that really calls AWS.

Locally ``AWS_ENDPOINT_URL`` points every client at the moto server; in Lambda it is unset.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def client(service: str) -> Any:
    """Short timeouts and few retries: a slow AWS call must fail well inside the function's own timeout."""
    import boto3
    from botocore.config import Config

    settings = Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 2, "mode": "standard"})
    return boto3.session.Session().client(service, config=settings)
