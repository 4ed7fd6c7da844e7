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

from aws_lambda_powertools import Logger, Metrics, single_metric
from aws_lambda_powertools.metrics import MetricUnit

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


def count(name: str, value: int = 1, **dimensions: str) -> None:
    """A business count an operator charts (``Logins``, ``PlaysCounted``...), as CloudWatch EMF.

    Without dimensions it joins the invocation's metrics (flushed by ``instrumented``); with them
    (``provider="stripe"``) it is written at once as its own record, so its dimensions stay its own.
    """
    if not dimensions:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        return
    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=metrics.namespace) as metric:
        for key, dimension in dimensions.items():
            metric.add_dimension(name=key, value=dimension)
