"""The approval workflow on `make dev`, over HTTP as approvers and owners use it: moto's Step Functions
interpreter runs statemachines/approval.asl.json, started from the bus's rule through its queue.

The deadlines are the contract's (docs/design.md §3): the token stored within 2 s of the create, a decision on
GET within 1 s and in the owner's list within 2 s. The last test searches everything these runs
produced (responses, events, notifications, every log line) for any task token."""

import json
import time
from urllib.parse import urlparse

import pytest

from tests.support.polling import eventually

pytestmark = pytest.mark.e2e

OWNER, APPROVER, OTHER_APPROVER = "olivia", "abe", "ada"
TOKEN_DEADLINE = 2.0
GET_DEADLINE = 1.0
LIST_DEADLINE = 2.0


class Run:
    """The stack as the story's users, recording every response and every task token it saw."""

    def __init__(self, stack) -> None:
        self.stack = stack
        self.sessions = {
            OWNER: stack.session(OWNER, "approvers"),  # an approver too: still never decides her own
            APPROVER: stack.session(APPROVER, "approvers"),
            OTHER_APPROVER: stack.session(OTHER_APPROVER, "approvers"),
        }
        self.responses: list[str] = []
        self.tokens: set[str] = set()
        self.ddb = stack.client("dynamodb")
        self.sfn = stack.client("stepfunctions")
        self.sqs = stack.client("sqs")
        names = json.loads((stack.state_dir / f"stack-{urlparse(stack.aws_url).port}.json").read_text())[
            "names"
        ]
        self.names = names
        self.outbox = self._capture(names)
        self.captured: list[str] = []

    def _capture(self, names: dict) -> str:
        """A queue that receives every notification and every event of ours, to search them later."""
        url = self.sqs.create_queue(QueueName="token-search")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns = self.stack.client("sns")
        for topic in names["topics"].values():
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        events = self.stack.client("events")
        bus = names["bus"]["name"]
        events.put_rule(
            Name="token-search", EventBusName=bus, EventPattern=json.dumps({"source": ["tasks.service"]})
        )
        events.put_targets(Rule="token-search", EventBusName=bus, Targets=[{"Id": "search", "Arn": arn}])
        return url

    def call(self, user: str, method: str, path: str, **kwargs):
        response = self.sessions[user].request(method, self.stack.api_url + path, timeout=30, **kwargs)
        self.responses.append(json.dumps(dict(response.headers)) + response.text)
        return response

    def create_high(self, title: str = "Rotate the signing keys") -> dict:
        response = self.call(OWNER, "POST", "/tasks", json={"title": title, "priority": "high"})
        assert response.status_code == 201, response.text
        assert response.json()["approval"]["status"] == "awaiting"
        return response.json()

    def item(self, task_id: str) -> dict:
        return self.ddb.get_item(TableName=self.names["tables"]["tasks"], Key={"id": {"S": task_id}}).get(
            "Item", {}
        )

    def stored_token(self, task_id: str) -> str | None:
        token = self.item(task_id).get("approvalToken", {}).get("S")
        if token:
            self.tokens.add(token)
        return token

    def decide(
        self, user: str, task_id: str, decision: str, comment: str | None = None, if_match: str | None = ""
    ):
        """As an approver decides: on the version they read now (its ETag), unless `if_match` names
        one (None: no If-Match at all)."""
        body = {"decision": decision, **({"comment": comment} if comment else {})}
        if if_match == "":
            if_match = self.call(user, "GET", f"/tasks/{task_id}").headers.get("ETag")
        headers = {"If-Match": if_match} if if_match is not None else {}
        return self.call(user, "POST", f"/tasks/{task_id}/approval", json=body, headers=headers)

    def get(self, task_id: str) -> dict:
        return self.call(OWNER, "GET", f"/tasks/{task_id}").json()

    def captured_bodies(self) -> list[str]:
        """Every notification and event captured so far (kept for the next look)."""
        while batch := self.sqs.receive_message(QueueUrl=self.outbox, MaxNumberOfMessages=10).get("Messages"):
            self.captured += [message["Body"] for message in batch]
            self.sqs.delete_message_batch(
                QueueUrl=self.outbox,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
            )
        return self.captured

    def running_executions(self) -> list[dict]:
        machine = self.names["stateMachines"]["approval"]
        return self.sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"]


@pytest.fixture(scope="module")
def run(stack) -> Run:
    return Run(stack)


def _awaiting(run: Run) -> dict:
    task = run.create_high()
    assert eventually(lambda: run.stored_token(task["id"]), TOKEN_DEADLINE), "no token within 2 s"
    return task


def test_a_high_priority_task_has_its_token_stored_within_two_seconds(run):
    started = time.monotonic()
    task = run.create_high()
    assert eventually(lambda: run.stored_token(task["id"]), TOKEN_DEADLINE)
    assert time.monotonic() - started < TOKEN_DEADLINE
    assert run.get(task["id"])["version"] == 1  # storing the token changes nothing a client sees


def test_an_approval_shows_on_get_within_a_second_and_in_the_owners_list_within_two(run):
    task = _awaiting(run)
    assert run.decide(APPROVER, task["id"], "approve", "ship it").status_code == 202
    approved = eventually(
        lambda: (t := run.get(task["id"]))["approval"]["status"] == "approved" and t, GET_DEADLINE
    )
    assert approved, "the decision was not on GET within 1 s"
    assert approved["approval"]["decidedBy"] == APPROVER
    assert approved["approval"]["comment"] == "ship it"

    def listed() -> bool:
        items = run.call(OWNER, "GET", "/tasks", params={"limit": 100}).json()["items"]
        return any(t["id"] == task["id"] and t["approval"]["status"] == "approved" for t in items)

    assert eventually(listed, LIST_DEADLINE), "the decision was not in the owner's list within 2 s"
    assert run.call(OWNER, "PUT", f"/tasks/{task['id']}", json={"status": "in_progress"}).status_code == 200


def test_the_owner_cannot_decide_even_as_an_approver(run):
    task = _awaiting(run)
    assert run.decide(OWNER, task["id"], "approve").status_code == 403
    assert run.get(task["id"])["approval"]["status"] == "awaiting"


def test_a_second_decision_is_a_conflict(run):
    task = _awaiting(run)
    assert run.decide(APPROVER, task["id"], "approve").status_code == 202
    second = run.decide(OTHER_APPROVER, task["id"], "reject")
    assert second.status_code == 409, second.text
    assert eventually(lambda: run.get(task["id"])["approval"]["status"] == "approved", GET_DEADLINE)


def test_a_rejection_keeps_its_comment_and_cancels_the_task(run):
    task = _awaiting(run)
    assert run.decide(APPROVER, task["id"], "reject", "not before the audit").status_code == 202
    rejected = eventually(
        lambda: (t := run.get(task["id"]))["approval"]["status"] == "rejected" and t, GET_DEADLINE
    )
    assert rejected
    assert rejected["status"] == "cancelled"
    assert rejected["approval"]["comment"] == "not before the audit"


def test_a_deleted_awaiting_task_leaves_no_running_execution(run):
    task = _awaiting(run)
    mine = [e for e in run.running_executions() if e["name"].startswith(task["id"])]
    assert len(mine) == 1
    assert run.call(OWNER, "DELETE", f"/tasks/{task['id']}").status_code == 204
    assert eventually(lambda: not [e for e in run.running_executions() if e["name"].startswith(task["id"])])
    assert run.item(task["id"]) == {}


def test_make_approvals_and_make_approve_work_against_the_stack(run):
    task = _awaiting(run)
    listed = run.stack.run(["make", "-s", "approvals", f"USER={APPROVER}"])
    assert listed.returncode == 0, listed.stderr
    assert task["id"] in listed.stdout
    decided = run.stack.run(
        [
            "make",
            "-s",
            "approve",
            f"TASK={task['id']}",
            f"USER={APPROVER}",
            "DECISION=reject",
            "COMMENT=too risky",
        ]
    )
    assert decided.returncode == 0, decided.stderr
    assert eventually(lambda: run.get(task["id"])["approval"].get("comment") == "too risky", GET_DEADLINE)
    again = run.stack.run(["make", "-s", "approve", f"TASK={task['id']}", f"USER={APPROVER}"])
    assert again.returncode != 0
    assert "409" in again.stderr


# --- an approval holds only for what was approved (issue 14) -----------------------------------


def test_an_edit_after_approval_puts_the_task_back_to_awaiting_and_it_cannot_start(run):
    """The probe: "Rotate staging keys" approved by victor, rewritten, started: refused."""
    task = run.create_high("Rotate staging keys")
    assert eventually(lambda: run.stored_token(task["id"]), TOKEN_DEADLINE)
    assert run.decide(APPROVER, task["id"], "approve", "staging ok").status_code == 202
    assert eventually(lambda: run.get(task["id"])["approval"]["status"] == "approved", GET_DEADLINE)

    rewrite = {"title": "Drop the production database", "description": "prod, no backup"}
    rewritten = run.call(OWNER, "PUT", f"/tasks/{task['id']}", json=rewrite)
    assert rewritten.status_code == 200, rewritten.text
    assert rewritten.json()["approval"]["status"] == "awaiting"
    started = run.call(OWNER, "PUT", f"/tasks/{task['id']}", json={"status": "in_progress"})
    assert (started.status_code, started.json()["code"]) == (409, "INVALID_TRANSITION")

    def dismissed_in_history() -> bool:
        entries = run.call(OWNER, "GET", f"/tasks/{task['id']}/history").json()["items"]
        return any(
            entry.get("reason") == "approval dismissed: title and description changed" for entry in entries
        )

    assert eventually(dismissed_in_history, LIST_DEADLINE), "the dismissal is not in the history"
    assert eventually(lambda: run.stored_token(task["id"]), TOKEN_DEADLINE), "no new request was opened"


def test_a_decision_on_a_version_read_before_a_change_is_412_and_without_if_match_428(run):
    task = _awaiting(run)
    read = run.call(APPROVER, "GET", f"/tasks/{task['id']}")
    assert (read.status_code, read.headers["ETag"]) == (200, '"1"')
    assert run.call(OWNER, "PUT", f"/tasks/{task['id']}", json={"title": "Drop the production database"}).ok

    stale = run.decide(APPROVER, task["id"], "approve", if_match='"1"')
    assert (stale.status_code, stale.json()["code"]) == (412, "PRECONDITION_FAILED")
    missing = run.decide(APPROVER, task["id"], "approve", if_match=None)
    assert (missing.status_code, missing.json()["code"]) == (428, "PRECONDITION_REQUIRED")
    assert run.get(task["id"])["approval"]["status"] == "awaiting"
    assert "approvalDecision" not in run.item(task["id"])


def test_make_approve_passes_quotes_and_shell_text_as_the_comment(run):
    task = _awaiting(run)
    comment = """it's "fine": $(echo INJECTED) `echo INJECTED`; echo INJECTED '"""
    decided = run.stack.run(
        ["make", "-s", "approve", f"TASK={task['id']}", f"USER={APPROVER}", f"COMMENT={comment}"]
    )
    assert decided.returncode == 0, decided.stderr
    assert "INJECTED" not in decided.stdout + decided.stderr
    assert eventually(lambda: run.get(task["id"])["approval"].get("comment") == comment, GET_DEADLINE)


def test_make_demo_tells_the_story_and_exits_zero(run):
    result = run.stack.run(["make", "-s", "demo"], timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The demo behaved at every step." in result.stdout
    assert " ok  bob approves" in result.stdout
    assert " ok  bob's decision on the version he read before is stale" in result.stdout


def _every_way_a_request_ends(run: Run) -> None:
    """Approved, rejected, a second decision refused, lowered (withdrawn), dismissed by a change, and
    deleted: each request's token stored first, so the search below knows every one of them."""
    for outcome in ("approve", "reject", "second", "lower", "dismiss", "delete"):
        task = _awaiting(run)
        if outcome in ("approve", "reject", "second"):
            assert run.decide(APPROVER, task["id"], "reject" if outcome == "reject" else "approve", "ok").ok
        if outcome == "second":
            assert run.decide(OTHER_APPROVER, task["id"], "reject").status_code == 409
        if outcome == "lower":
            assert run.call(OWNER, "PUT", f"/tasks/{task['id']}", json={"priority": "low"}).ok
        if outcome == "dismiss":
            assert run.call(OWNER, "PUT", f"/tasks/{task['id']}", json={"title": "Rotate every key"}).ok
            new_token = eventually(lambda task_id=task["id"]: run.stored_token(task_id), TOKEN_DEADLINE)
            assert new_token, "no new request"
        if outcome == "delete":
            assert run.call(OWNER, "DELETE", f"/tasks/{task['id']}").status_code == 204
        run.call(APPROVER, "GET", "/approvals")
        run.call(OWNER, "GET", f"/tasks/{task['id']}/history")


def test_no_task_token_in_any_response_event_notification_or_log_line(run):
    _every_way_a_request_ends(run)
    assert len(run.tokens) >= 7, "every request stored its token"

    def captured() -> list[str] | None:
        bodies = run.captured_bodies()
        notified = any("Approval requested" in body for body in bodies)
        return bodies if notified and any("TaskUpdated" in body for body in bodies) else None

    messages = eventually(captured, LIST_DEADLINE)
    assert messages, "the approvers' notifications and the events were captured"
    searched = {"responses": run.responses, "events and notifications": messages, "logs": run.stack.output}
    for where, texts in searched.items():
        leaks = [token[:12] for token in run.tokens for text in texts if token in text]
        assert not leaks, f"a task token appeared in the {where}"
