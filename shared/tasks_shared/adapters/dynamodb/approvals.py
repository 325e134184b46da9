"""The approval workflow's attributes of a task item, and the API's writes on them, written down as
docs/approval-workflow.md gives them (STYLE 11): the token the workflow stores while its request waits
(`approvalToken`) and the decision an approver claims before the workflow records it
(`approvalDecision`). Neither bumps the version: they change nothing a client sees.
"""

from typing import Any

from tasks_shared.adapters.dynamodb.items import to_item
from tasks_shared.domain.approval import WORKFLOW_ACTOR, ApprovalStatus, ClaimedDecision, TaskToken
from tasks_shared.domain.model import Status

TOKEN_ATTRIBUTE = "approvalToken"  # noqa: S105 - the attribute's name, not a token
DECISION_ATTRIBUTE = "approvalDecision"
NAMES = {"#token": TOKEN_ATTRIBUTE, "#decision": DECISION_ATTRIBUTE}


def decision_record(claim: ClaimedDecision) -> dict[str, str]:
    """`approvalDecision`: the workflow copies it into `approval` as it is, so the comment is "" when none."""
    return {
        "decision": claim.decision.value,
        "decidedBy": claim.decided_by,
        "decidedAt": claim.decided_at,
        "comment": claim.comment,
    }


def token_condition(token: TaskToken | None) -> tuple[str, dict[str, Any]]:
    """The token is still the one read, or there is still none: a token stored after the read (the
    workflow's first state) is never removed unseen, so its execution is always told."""
    if token is None:
        return "attribute_not_exists(#token)", {}
    return "#token = :token", {":token": token.secret}


def claim_request(task_id: str, token: TaskToken, claim: ClaimedDecision, version: int) -> dict[str, Any]:
    """UpdateItem arguments of a claim: only one can take the token, so one of two racing decisions wins,
    and only on the version the approver decided on, so a change after their read is never approved."""
    return {
        "Key": to_item({"id": task_id}),
        "UpdateExpression": "SET #decision = :decision REMOVE #token",
        "ConditionExpression": "#token = :token AND #approval.#status = :awaiting AND #version = :version",
        "ExpressionAttributeNames": {
            **NAMES,
            "#approval": "approval",
            "#status": "status",
            "#version": "version",
        },
        "ExpressionAttributeValues": to_item(
            {
                ":decision": decision_record(claim),
                ":token": token.secret,
                ":awaiting": ApprovalStatus.AWAITING.value,
                ":version": version,
            }
        ),
    }


def expire_request(
    task_id: str, claim: ClaimedDecision, now: str, correlation_id: str | None
) -> dict[str, Any]:
    """UpdateItem arguments that close an ended request as RecordExpired does (approval expired, task
    cancelled, a new version), only while it still awaits under the decision this request claimed."""
    values = {
        ":expired": ApprovalStatus.EXPIRED.value,
        ":cancelled": Status.CANCELLED.value,
        ":one": 1,
        ":now": now,
        ":actor": WORKFLOW_ACTOR,
        ":awaiting": ApprovalStatus.AWAITING.value,
        ":decidedBy": claim.decided_by,
        ":decidedAt": claim.decided_at,
    }
    names = {
        "#decision": DECISION_ATTRIBUTE,
        "#approval": "approval",
        "#status": "status",
        "#version": "version",
        "#updatedAt": "updatedAt",
        "#updatedBy": "updatedBy",
        "#decidedBy": "decidedBy",
        "#decidedAt": "decidedAt",
    }
    sets = "#approval.#status = :expired, #status = :cancelled, #version = #version + :one, "
    sets += "#updatedAt = :now, #updatedBy = :actor"
    if correlation_id:
        sets += ", #correlationId = :correlationId"
        names["#correlationId"] = "correlationId"
        values[":correlationId"] = correlation_id
    return {
        "Key": to_item({"id": task_id}),
        "UpdateExpression": f"SET {sets} REMOVE #decision",
        "ConditionExpression": "#approval.#status = :awaiting AND #decision.#decidedBy = :decidedBy"
        " AND #decision.#decidedAt = :decidedAt",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": to_item(values),
    }
