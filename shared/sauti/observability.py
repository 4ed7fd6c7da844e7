"""One logger, tracer and metrics set-up, and the decorator stack every handler wears."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

# A function that published no metric of its own is normal, not worth a warning per invocation.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger()
tracer = Tracer()
metrics = Metrics()

Handler = Callable[[dict[str, Any], Any], Any]


def instrumented(correlation_id_path: str | None = None) -> Callable[[Handler], Handler]:
    """Logger context (with the request's correlation id), metrics and tracing for a Lambda entry point.

    Tracing never records responses: they hold signed links and personal data.
    """

    def decorate(handler: Handler) -> Handler:
        wrapped = logger.inject_lambda_context(correlation_id_path=correlation_id_path, clear_state=True)(
            tracer.capture_lambda_handler(capture_response=False)(metrics.log_metrics(handler))
        )
        return functools.wraps(handler)(wrapped)

    return decorate
