"""The function's one logger, tracer and metrics; every module imports them from here."""

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

from tasks_shared.tracing import TRACED_MODULES

SERVICE = "tasks-api"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE, patch_modules=TRACED_MODULES)
metrics = Metrics(service=SERVICE, namespace="TasksPlatform")

# Reads publish no business metric (the cold-start one still goes out): Powertools' warning about an
# empty flush would be one useless log line per GET.
warnings.filterwarnings("ignore", message="No application metrics to publish", module="aws_lambda_powertools")
