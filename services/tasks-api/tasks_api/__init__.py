"""The tasks REST API function (API Gateway HTTP API, payload 2.0).

Before any module of the function imports Powertools' event handler: its package `__init__` imports
every resolver and its data classes every event class, where the API uses the HTTP API's alone, so
both are deferred (tasks_shared/deferred_init.py says how, and why no cleaner way exists).
"""

from tasks_shared.deferred_init import defer_package_init

for _package in ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes"):
    defer_package_init(_package)

# The function's one logger, tracer and metrics, named after it; every module of the function imports
# them from here. Imported after the deferrals above: Powertools must not load those packages first.
from tasks_shared.observability import observability  # noqa: E402

SERVICE = "tasks-api"
logger, tracer, metrics = observability(SERVICE)
