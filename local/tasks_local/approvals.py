"""`make approve` and `make approvals`: an approver's two calls, against the running stack's API."""

import sys
from typing import TextIO

from tasks_local.client import ApiClient
from tasks_local.settings import LocalSettings
from tasks_local.tools import running_stack

APPROVERS = ["approvers"]
DECISIONS = {"approve": "approved", "reject": "rejected"}


def approver_client(settings: LocalSettings, user: str) -> ApiClient:
    """The API as `user`, a member of the approvers group, on the stack that runs here."""
    running_stack(settings)
    api = ApiClient(settings, {user: APPROVERS})
    api.check()
    return api


def approve(
    settings: LocalSettings, task_id: str, user: str, *, decision: str, comment: str, out: TextIO = sys.stdout
) -> int:
    """POST /tasks/{id}/approval as `user`; one line saying what was decided (errors raise ApiError)."""
    if decision not in DECISIONS:
        raise ValueError(f"DECISION must be approve or reject, not {decision!r}")
    body = {"decision": decision, **({"comment": comment} if comment else {})}
    approver_client(settings, user).call("POST", f"/tasks/{task_id}/approval", user, body)
    print(
        f"{user} {decision}d task {task_id}: the workflow records it in a moment (GET /tasks/{task_id})",
        file=out,
    )
    return 0


def approvals(settings: LocalSettings, user: str, out: TextIO = sys.stdout) -> int:
    """What awaits a decision, oldest request first, one line each."""
    tasks = approver_client(settings, user).every_page("/approvals", user, {"limit": 100})
    if not tasks:
        print("nothing awaits approval", file=out)
        return 0
    print(f"{'requested at':<28} {'task id':<36}  {'owner':<16} title", file=out)
    for task in tasks:
        requested = task["approval"].get("requestedAt", "")
        print(f"{requested:<28} {task['id']:<36}  {task['ownerId']:<16} {task['title']}", file=out)
    print(f"{len(tasks)} awaiting approval: make approve TASK=<id> USER={user} [DECISION=reject]", file=out)
    return 0
