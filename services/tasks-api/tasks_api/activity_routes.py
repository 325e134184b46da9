"""Routes over what the event consumers record: GET /stats and GET /tasks/{taskId}/history.

A Powertools Router included by handler.py: the app's exception handlers map the domain errors here too,
and its context (router.context is the app's) carries the services handle() was given.
"""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from tasks_api import inputs, tracer
from tasks_api.dependencies import activity_service
from tasks_api.http_responses import json_response, page_response

router = APIGatewayHttpRouter()


@router.get("/stats")
@tracer.capture_method
def get_stats() -> Response:
    event = router.current_event
    caller = inputs.caller(event)
    inputs.no_query(event)
    return json_response(200, activity_service(router.context).stats(caller).to_dict())


@router.get("/tasks/<task_id>/history")
@tracer.capture_method
def get_history(task_id: str) -> Response:
    event = router.current_event
    caller, params = inputs.caller(event), inputs.query(event, "history-query.json")
    page = activity_service(router.context).history(
        caller, inputs.task_id(task_id), params.get("limit", 20), params.get("nextToken")
    )
    return page_response([entry.to_dict() for entry in page.items], page.next)
