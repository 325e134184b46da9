"""`make approve` and `make approvals`: an approver's two calls, against the running stack's API."""

import sys
from typing import TextIO

from tasks_local.clients.api import ApiClient
from tasks_local.clients.stack import running_stack
from tasks_local.runtime.settings import LocalSettings

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
    """As an approver does: read the task, then POST /tasks/{id}/approval on the version read (its ETag
    in If-Match); one line saying what was decided on what (errors raise ApiError)."""
    if decision not in DECISIONS:
        raise ValueError(f"DECISION must be approve or reject, not {decision!r}")
    body = {"decision": decision, **({"comment": comment} if comment else {})}
    api = approver_client(settings, user)
    task, etag = api.read(f"/tasks/{task_id}", user)
    api.call("POST", f"/tasks/{task_id}/approval", user, body, if_match=etag)
    print(
        f"{user} {decision}d task {task_id} ({task['title']!r}, version {etag}): the workflow records it in "
        f"a moment (GET /tasks/{task_id})",
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
