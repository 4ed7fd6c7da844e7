"""Lazy, per-container boto3 clients. boto3 is imported only by code that really calls AWS.

Locally ``AWS_ENDPOINT_URL`` points every client at the moto server; in Lambda it is unset.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def client(service: str) -> Any:
    import boto3

    return boto3.session.Session().client(service)
