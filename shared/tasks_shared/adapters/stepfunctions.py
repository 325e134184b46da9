"""Step Functions: answering the approval workflow's waiting request with its task token.

The token is a credential (docs/design.md §3): it goes into the call and nowhere else. A refusal becomes an
error of ours whose message names only the error code, raised without the botocore error as its cause
or context, so no traceback or log line can carry what the service echoed back.
"""

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from tasks_shared.domain.approval import Decision, TaskToken
from tasks_shared.domain.errors import ApprovalRequestEnded
from tasks_shared.usecases.ports import Withdrawal

# The request is over: AWS says TaskTimedOut after the timeout, moto InvalidToken (docs/local-runtime.md).
_ENDED = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}
_REJECTED = "Rejected"  # the SendTaskFailure error the workflow reads as a rejection
# Why a request ended early, as the failure's cause: the execution history shows it (no task data in it).
_WITHDRAWN_BECAUSE = {
    Withdrawal.WITHDRAWN: "The request was withdrawn.",
    Withdrawal.TASK_DELETED: "The task was deleted.",
    Withdrawal.TASK_CHANGED: "The task changed after the request was opened: its approval was dismissed.",
}


class ApprovalCallFailed(RuntimeError):
    """Step Functions refused a call for another reason than the request having ended."""


class StepFunctionsApprovals:
    """`client` returns the Step Functions client, called at the first answer: most requests answer
    none, so a cold start need not build it."""

    def __init__(self, client: Callable[[], Any]) -> None:
        self._client = client

    def approve(self, token: TaskToken) -> None:
        output = json.dumps({"decision": Decision.APPROVE.value})
        self._send("send_task_success", taskToken=token.secret, output=output)

    def reject(self, token: TaskToken) -> None:
        # The workflow reads the comment from the item: moto drops a failure's cause (docs/local-runtime.md).
        cause = "An approver rejected the request; the decision is on the task."
        self._send("send_task_failure", taskToken=token.secret, error=_REJECTED, cause=cause)

    def withdraw(self, token: TaskToken, reason: Withdrawal) -> None:
        cause = _WITHDRAWN_BECAUSE[reason]
        self._send("send_task_failure", taskToken=token.secret, error=reason.value, cause=cause)

    def _send(self, operation: str, **request: Any) -> None:
        code = self._refusal(operation, request)
        if code in _ENDED:
            raise ApprovalRequestEnded(
                f"the approval request had already ended ({code}): it timed out or was closed meanwhile"
            )
        if code is not None:
            raise ApprovalCallFailed(f"Step Functions refused {operation} ({code})")

    def _refusal(self, operation: str, request: dict[str, Any]) -> str | None:
        """The error code of a refused call, None when accepted. The botocore error ends here, so no
        error of ours is chained to it."""
        try:
            getattr(self._client(), operation)(**request)
        except ClientError as exc:
            return str(exc.response.get("Error", {}).get("Code"))
        return None
