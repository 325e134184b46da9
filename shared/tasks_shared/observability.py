"""Each function's one logger, tracer and metrics, made in one place (STYLE: one observability module).

In AWS every function is its own process; locally (`make dev`) and in the tests all of them share one,
so the environment's POWERTOOLS_SERVICE_NAME cannot tell them apart there. Each function asks for its
own by name, once, in its package's `__init__`, and its modules import them from there: the same three
objects for the whole function, with its name on every log line, trace and metric.
"""

import warnings
from functools import cache
from typing import NamedTuple

from aws_lambda_powertools import Logger, Metrics, Tracer

from tasks_shared.tracing import TRACED_MODULES

METRICS_NAMESPACE = "TasksPlatform"

# Reads publish no business metric (the cold-start one still goes out): Powertools' warning about an
# empty flush would be one useless log line per GET.
warnings.filterwarnings("ignore", message="No application metrics to publish", module="aws_lambda_powertools")


class Observability(NamedTuple):
    logger: Logger
    tracer: Tracer
    metrics: Metrics


@cache
def observability(service: str) -> Observability:
    return Observability(
        Logger(service=service),
        Tracer(service=service, patch_modules=TRACED_MODULES),
        Metrics(service=service, namespace=METRICS_NAMESPACE),
    )
