"""One logger and metrics set-up, and the decorator stack every handler wears.

No Powertools Tracer: it imports the X-Ray SDK (and botocore) at cold start, about
170 ms measured by `make bench`. ``Tracing: Active`` on every function still gives
X-Ray a segment per invocation (init, invocation, overhead) at no import cost.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

# A function that published no metric of its own is normal, not worth a warning per invocation.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger()
metrics = Metrics()

Handler = Callable[[dict[str, Any], Any], Any]


def instrumented(correlation_id_path: str | None = None) -> Callable[[Handler], Handler]:
    """Logger context (with the request's correlation id, fresh per invocation) and metrics."""

    def decorate(handler: Handler) -> Handler:
        wrapped = logger.inject_lambda_context(correlation_id_path=correlation_id_path, clear_state=True)(
            metrics.log_metrics(handler)
        )
        return functools.wraps(handler)(wrapped)

    return decorate
