"""The function's one logger, tracer and metrics; every module imports them from here."""

from aws_lambda_powertools import Logger, Metrics, Tracer

from tasks_shared.tracing import TRACED_MODULES

SERVICE = "task-created"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE, patch_modules=TRACED_MODULES)
metrics = Metrics(service=SERVICE, namespace="TasksPlatform")
