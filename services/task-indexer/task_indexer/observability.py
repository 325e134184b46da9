"""The function's one logger, tracer and metrics; every module imports them from here."""

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "task-indexer"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace="TasksPlatform")
