"""Routes of the tasks API: parse and validate, call the domain service, shape the response."""

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from tasks_api import SERVICE, inputs, logger, metrics, tracer
from tasks_api.activity_routes import router as activity_router
from tasks_api.approval_routes import router as approval_router
from tasks_api.dependencies import task_service
from tasks_api.errors import REFUSALS, HttpError, status_of
from tasks_api.http_responses import error_response, json_response, page_response
from tasks_api.openapi import openapi_document
from tasks_shared.domain.errors import DomainError
from tasks_shared.domain.listing import ListQuery
from tasks_shared.usecases.activity import ActivityService
from tasks_shared.usecases.tasks import TaskService

app = APIGatewayHttpResolver()
app.include_router(activity_router)  # GET /stats, GET /tasks/{taskId}/history
app.include_router(approval_router)  # POST /tasks/{taskId}/approval, GET /approvals


def _task_response(status: int, task, headers: dict[str, str] | None = None) -> Response:
    return json_response(status, task.to_dict(), {"ETag": task.etag, **(headers or {})})


@app.get("/health")
def health() -> Response:
    inputs.no_query(app.current_event)
    return json_response(200, {"status": "healthy", "service": SERVICE})


@app.get("/openapi.json")
def openapi() -> Response:
    inputs.no_query(app.current_event)
    return json_response(200, openapi_document())


@app.post("/tasks")
@tracer.capture_method
def create_task() -> Response:
    event = app.current_event
    caller = inputs.caller(event)
    inputs.no_query(event)
    task = task_service(app.context).create(caller, inputs.body(event, "task-create.json"))
    logger.info("task created", task_id=task.id, priority=task.priority.value)
    metrics.add_metric(name="TaskCreated", unit=MetricUnit.Count, value=1)
    return _task_response(201, task, {"Location": f"/tasks/{task.id}"})


@app.get("/tasks")
@tracer.capture_method
def list_tasks() -> Response:
    event = app.current_event
    caller, params = inputs.caller(event), inputs.query(event, "list-query.json")
    next_token = params.pop("nextToken", None)
    page = task_service(app.context).list(caller, ListQuery.for_caller(caller, **params), next_token)
    return page_response([task.to_dict() for task in page.items], page.next)


@app.get("/tasks/<task_id>")
@tracer.capture_method
def get_task(task_id: str) -> Response:
    event = app.current_event
    caller = inputs.caller(event)
    inputs.no_query(event)
    return _task_response(200, task_service(app.context).get(caller, inputs.task_id(task_id)))


@app.put("/tasks/<task_id>")
@tracer.capture_method
def update_task(task_id: str) -> Response:
    event = app.current_event
    caller = inputs.caller(event)
    inputs.no_query(event)
    changes = inputs.body(event, "task-update.json")
    task = task_service(app.context).update(caller, inputs.task_id(task_id), changes, inputs.if_match(event))
    logger.info("task updated", task_id=task.id, fields=sorted(changes), version=task.version)
    metrics.add_metric(name="TaskUpdated", unit=MetricUnit.Count, value=1)
    return _task_response(200, task)


@app.delete("/tasks/<task_id>")
@tracer.capture_method
def delete_task(task_id: str) -> Response:
    event = app.current_event
    caller = inputs.caller(event)
    inputs.no_query(event)
    task_service(app.context).delete(caller, inputs.task_id(task_id), inputs.if_match(event))
    logger.info("task deleted", task_id=task_id)
    metrics.add_metric(name="TaskDeleted", unit=MetricUnit.Count, value=1)
    return Response(status_code=204)


@app.exception_handler(list(REFUSALS))
def handle_refusal(error: DomainError | HttpError) -> Response:
    """Every refusal, a subclass added later too: its status is its nearest mapped class's (errors.py)."""
    status = status_of(error)
    logger.info("request rejected", status=status, code=error.code, reason=error.message)
    return error_response(status, error.code, error.message, error.details)


@app.exception_handler(Exception)
def handle_unexpected(error: Exception) -> Response:
    logger.exception("unhandled error")
    return error_response(500, "INTERNAL_ERROR", "the request could not be processed; it has been logged")


@app.not_found
def handle_not_found(_error: Exception) -> Response:
    path = app.current_event.path
    return error_response(404, "ROUTE_NOT_FOUND", f"no route for {app.current_event.http_method} {path}")


def handle(
    event: dict[str, Any],
    context: LambdaContext,
    service: TaskService | None = None,
    activity: ActivityService | None = None,
) -> dict[str, Any]:
    """Resolve one request; tests and benchmarks pass their own services instead of patching."""
    app.append_context(service=service, activity=activity)
    return app.resolve(event, context)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event, context)
