"""Routes of the approval workflow's API side (docs/approval-workflow.md): an approver's decision, and
the approvers' queue. A Powertools Router included by handler.py, like activity_routes."""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from tasks_api import inputs, logger, metrics, tracer
from tasks_api.dependencies import task_service
from tasks_api.http_responses import json_response, page_response
from tasks_shared.domain.approval import Decision
from tasks_shared.domain.listing import ListQuery

router = APIGatewayHttpRouter()


@router.post("/tasks/<task_id>/approval")
@tracer.capture_method
def decide(task_id: str) -> Response:
    """202: the decision is claimed on the version named by If-Match and the workflow told; it records the
    outcome on the task."""
    event = router.current_event
    caller = inputs.caller(event)
    inputs.no_query(event)
    body = inputs.body(event, "approval-decision.json")
    task_id = inputs.task_id(task_id)
    claim = task_service(router.context).decide(
        caller, task_id, Decision(body["decision"]), body.get("comment"), inputs.if_match(event)
    )
    logger.info("approval decision accepted", task_id=task_id, decision=claim.decision.value)
    metrics.add_metric(name="ApprovalDecided", unit=MetricUnit.Count, value=1)
    accepted = {"taskId": task_id, "decision": claim.decision.value, "status": "accepted"}
    return json_response(202, accepted, {"Location": f"/tasks/{task_id}"})


@router.get("/approvals")
@tracer.capture_method
def list_approvals() -> Response:
    event = router.current_event
    caller, params = inputs.caller(event), inputs.query(event, "approvals-query.json")
    next_token = params.pop("nextToken", None)
    query = ListQuery.awaiting_approval(caller, **params)
    page = task_service(router.context).list(caller, query, next_token)
    return page_response([task.to_dict() for task in page.items], page.next)
