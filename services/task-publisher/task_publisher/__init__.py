"""The stream publisher: committed changes on the tasks table become domain events on the bus."""

from tasks_shared.deferred_init import defer_package_init

# Powertools' data_classes/__init__ imports all of its forty-odd event classes; the function reads one or
# two (tasks_shared/deferred_init.py says how, and why there is no cleaner way).
defer_package_init("aws_lambda_powertools.utilities.data_classes")

# The function's one logger, tracer and metrics, named after it; every module of the function imports
# them from here. Imported after the deferrals above: Powertools must not load those packages first.
from tasks_shared.observability import observability  # noqa: E402

SERVICE = "task-publisher"
logger, tracer, metrics = observability(SERVICE)
