"""`make demo`: the approval story told against the running stack, one line per step, each step checked.

alice owns the tasks (and is an approver too, to show that owners never decide their own); bob is
an approver. A step that does not behave stops the demo with a non-zero exit naming it.
"""

import sys
import time
import uuid
from collections.abc import Callable
from typing import Any, TextIO

from tasks_local.clients.api import ApiClient, ApiError
from tasks_local.clients.stack import running_stack
from tasks_local.clients.steps import timed_step
from tasks_local.runtime.settings import LocalSettings

OWNER, APPROVER = "alice", "bob"
# The contract's promises locally (docs/design.md §3): a decision on GET within 1 s, in lists within 2 s; the
# token is stored within 2 s of the create. The demo waits a little longer than promised, so a busy
# machine shows a slow step rather than a failure; the end-to-end tests hold the promises.
WAIT_SECONDS = 10.0


class DemoFailed(Exception):
    """A step did not behave: its name and what was seen instead."""


class Demo:
    def __init__(self, settings: LocalSettings, out: TextIO) -> None:
        running_stack(settings)
        self.api = ApiClient(settings, {OWNER: ["approvers"], APPROVER: ["approvers"]})
        self.api.check()
        self.out = out
        self.run = uuid.uuid4().hex[:6]

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def step(self, name: str, check: Callable[[], str]) -> None:
        """Run one step; its line says what happened, or the demo stops naming it."""
        try:
            timed_step(self.out, name, check)
        except ApiError as exc:
            raise DemoFailed(f"{name}: {exc}") from exc

    def refused(self, status: int, call: Callable[[], Any]) -> str:
        """A call that must be refused with `status`: the API's own message."""
        try:
            call()
        except ApiError as exc:
            if exc.status == status:
                return exc.detail
            raise
        raise DemoFailed(f"expected a {status}, but the call succeeded")

    def until(self, what: str, probe: Callable[[], Any]) -> Any:
        deadline = time.monotonic() + WAIT_SECONDS
        while not (value := probe()):
            if time.monotonic() > deadline:
                raise DemoFailed(f"{what}: not seen within {WAIT_SECONDS:.0f} s")
            time.sleep(0.1)
        return value

    def get(self, task_id: str) -> dict[str, Any]:
        return self.api.call("GET", f"/tasks/{task_id}", OWNER)

    def create_high(self, title: str) -> dict[str, Any]:
        body = {"title": f"{title} [demo {self.run}]", "priority": "high"}
        task = self.api.call("POST", "/tasks", OWNER, body)
        if task["approval"]["status"] != "awaiting":
            raise DemoFailed(f"a high-priority task should await approval, not {task['approval']['status']}")
        return task

    def awaiting(self, task_id: str) -> bool:
        queue = self.api.every_page("/approvals", APPROVER, {"limit": 100})
        return any(task["id"] == task_id for task in queue)

    def decide(self, task_id: str, decision: str, comment: str) -> str:
        """As an approver who just saw it in the queue, on the version read (If-Match): a request not
        stored yet is a 409, retried."""
        body = {"decision": decision, "comment": comment}
        deadline = time.monotonic() + WAIT_SECONDS
        etag = self.api.read(f"/tasks/{task_id}", APPROVER)[1]
        while True:
            try:
                self.api.call("POST", f"/tasks/{task_id}/approval", APPROVER, body, if_match=etag)
                return f"202 accepted on If-Match {etag}"
            except ApiError as exc:
                if exc.status != 409 or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def decided(self, task_id: str, status: str) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            task = self.get(task_id)
            return task if task["approval"]["status"] == status else None

        return self.until(f"approval {status}", probe)

    def put(self, task_id: str, changes: dict[str, Any], user: str = OWNER) -> dict[str, Any]:
        return self.api.call("PUT", f"/tasks/{task_id}", user, changes)

    def post_decision(self, task_id: str, user: str, decision: str, if_match: str | None = None) -> Any:
        etag = if_match or f'"{self.get(task_id)["version"]}"'
        return self.api.call(
            "POST", f"/tasks/{task_id}/approval", user, {"decision": decision}, if_match=etag
        )

    def approval_story(self) -> None:
        self.say(f"An approved task, from request to done (owner {OWNER}, approver {APPROVER}):")
        task_id = self.create_high("Rotate the production database credentials")["id"]
        self.step("alice creates a high-priority task", lambda: f"{task_id} awaits approval")
        self.step("bob sees it in GET /approvals", lambda: self.in_queue(task_id))
        self.step(
            "alice cannot start it yet",
            lambda: "409 " + self.refused(409, lambda: self.put(task_id, {"status": "in_progress"})),
        )
        self.step(
            "alice, an approver too, cannot approve her own task",
            lambda: "403 " + self.refused(403, lambda: self.post_decision(task_id, OWNER, "approve")),
        )
        self.step("bob approves", lambda: self.decide(task_id, "approve", "Go ahead, after the backup."))
        self.step(
            "the workflow records the decision", lambda: _approval_line(self.decided(task_id, "approved"))
        )
        self.step(
            "a second decision is refused",
            lambda: "409 " + self.refused(409, lambda: self.post_decision(task_id, APPROVER, "reject")),
        )
        approved_etag = f'"{self.get(task_id)["version"]}"'
        self.step(
            "alice rewrites what was approved: the approval is dismissed",
            lambda: self.dismissed(
                task_id, {"title": f"Rotate every database's credentials [demo {self.run}]"}
            ),
        )
        self.step(
            "alice cannot start it until it is approved again",
            lambda: "409 " + self.refused(409, lambda: self.put(task_id, {"status": "in_progress"})),
        )
        self.step(
            "bob's decision on the version he read before is stale",
            lambda: (
                "412 "
                + self.refused(412, lambda: self.post_decision(task_id, APPROVER, "approve", approved_etag))
            ),
        )
        self.step(
            "bob approves the new version", lambda: self.decide(task_id, "approve", "All of them, yes.")
        )
        self.step(
            "the workflow records the decision", lambda: _approval_line(self.decided(task_id, "approved"))
        )
        self.step("alice starts it", lambda: self.put(task_id, {"status": "in_progress"})["status"])
        self.step("alice completes it", lambda: self.put(task_id, {"status": "completed"})["status"])
        self.step("its history", lambda: self.history(task_id))
        self.step("alice's counters", self.stats)

    def rejection_story(self) -> None:
        self.say("A rejected task:")
        comment = "Auditors still read them."
        task_id = self.create_high("Drop the legacy audit tables")["id"]
        self.step("alice creates a high-priority task", lambda: f"{task_id} awaits approval")
        self.step("bob sees it in GET /approvals", lambda: self.in_queue(task_id))
        self.step("bob rejects it with a comment", lambda: self.decide(task_id, "reject", comment))
        self.step("the workflow records the rejection", lambda: self.rejected(task_id, comment))

    def dismissed(self, task_id: str, changes: dict[str, Any]) -> str:
        task = self.put(task_id, changes)
        if task["approval"]["status"] != "awaiting":
            raise DemoFailed(
                f"the change should ask for approval again, not leave it {task['approval']['status']}"
            )
        return f"approval awaiting again, requested at {task['approval']['requestedAt']}"

    def in_queue(self, task_id: str) -> str:
        self.until("the task in /approvals", lambda: self.awaiting(task_id))
        return "listed, oldest request first"

    def rejected(self, task_id: str, comment: str) -> str:
        task = self.decided(task_id, "rejected")
        if task["status"] != "cancelled" or task["approval"].get("comment") != comment:
            raise DemoFailed(
                f"rejected, but status {task['status']}, comment {task['approval'].get('comment')!r}"
            )
        return _approval_line(task) + "; the task is cancelled"

    def history(self, task_id: str) -> str:
        """Created, approved, changed (and the approval dismissed), approved again, started, completed:
        at least seven entries."""

        def probe() -> list[dict[str, Any]] | None:
            entries = self.api.every_page(f"/tasks/{task_id}/history", OWNER)
            return entries if len(entries) >= 7 else None

        entries = self.until("the history of every change", probe)
        for entry in reversed(entries):
            said = entry.get("reason") or ", ".join(change["field"] for change in entry["changes"])
            self.say(f"        {entry['occurredAt']}  {entry['actor'] or '?':<18} {entry['type']}: {said}")
        return f"{len(entries)} entries (the API gives them newest first; printed oldest first)"

    def stats(self) -> str:
        def probe() -> dict[str, Any] | None:
            stats = self.api.call("GET", "/stats", OWNER)
            return stats if stats["completed"] else None

        stats = self.until("a completed task counted", probe)
        return (
            f"created {stats['created']} (high {stats['byPriority']['high']}), completed {stats['completed']}"
        )


def _approval_line(task: dict[str, Any]) -> str:
    approval = task["approval"]
    comment = f", comment {approval['comment']!r}" if approval.get("comment") else ""
    by = f"by {approval.get('decidedBy')} at {approval.get('decidedAt')}"
    return f"approval {approval['status']} {by}{comment}"


def demo(settings: LocalSettings, out: TextIO = sys.stdout) -> int:
    story = Demo(settings, out)
    story.approval_story()
    story.rejection_story()
    print("The demo behaved at every step.", file=out)
    return 0
