"""`make dev` keeps its state across a restart (issue 18): tasks, lists, counters, history, the events
still queued and the page-token key come back; an approval that awaited is re-opened and decidable;
every event is consumed exactly once across the restart, after a SIGTERM and after a SIGKILL alike."""

import json
import os
import signal
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.harness import LocalStack, start_stack, stop_stack
from tests.support.polling import eventually
from tests.support.processes import descendants

pytestmark = pytest.mark.e2e

OWNER, APPROVER, OTHER = "alice", "victor", "olaf"
DEADLINE = 10.0


@dataclass
class Before:
    """What the stack held when it was stopped, and a page token it had issued."""

    ids: list[str]
    high: str
    stats: dict[str, Any]
    history: dict[str, int]
    next_token: str


def _call(
    stack: LocalStack, user: str, method: str, path: str, groups: tuple[str, ...] = (), **kwargs
) -> Any:
    headers = {"Authorization": f"Bearer {stack.token(user, *groups)}", **kwargs.pop("headers", {})}
    return requests.request(method, stack.api_url + path, headers=headers, timeout=30, **kwargs)


def _token_stored(stack: LocalStack, task_id: str) -> str | None:
    names = json.loads((stack.state_dir / f"stack-{stack.ports['AWS_PORT']}.json").read_text())["names"]
    item = stack.client("dynamodb").get_item(TableName=names["tables"]["tasks"], Key={"id": {"S": task_id}})
    return item.get("Item", {}).get("approvalToken", {}).get("S")


def _work(stack: LocalStack) -> Before:
    """Tasks created, one completed, one awaiting approval with its token stored; then settled."""
    ids = [_call(stack, OWNER, "POST", "/tasks", json={"title": f"task {n}"}).json()["id"] for n in range(3)]
    assert _call(stack, OWNER, "PUT", f"/tasks/{ids[0]}", json={"status": "completed"}).ok
    high = _call(stack, OWNER, "POST", "/tasks", json={"title": "rotate keys", "priority": "high"}).json()[
        "id"
    ]
    assert eventually(lambda: _token_stored(stack, high), DEADLINE), "the approval request never opened"

    def settled() -> dict[str, Any] | None:
        stats = _call(stack, OWNER, "GET", "/stats").json()
        return stats if (stats["created"], stats["completed"]) == (4, 1) else None

    stats = eventually(settled, DEADLINE)
    assert stats, "the counters never caught up"
    history = {
        task_id: len(_call(stack, OWNER, "GET", f"/tasks/{task_id}/history").json()["items"])
        for task_id in ids
    }
    page = _call(stack, OWNER, "GET", "/tasks", params={"limit": 1}).json()
    return Before([*ids, high], high, stats, history, page["nextToken"])


def _queue_an_event(stack: LocalStack, runtime_pid: int) -> None:
    """An event of another system put on the bus while the runtime is paused: it waits in a queue."""
    os.kill(runtime_pid, signal.SIGSTOP)
    names = json.loads((stack.state_dir / f"stack-{stack.ports['AWS_PORT']}.json").read_text())["names"]
    sample = json.loads(
        (Path(__file__).parents[2] / "events/samples/eventbridge/external-TaskCreated.json").read_text()
    )
    sample["detail"]["task"]["ownerId"] = OTHER
    stack.client("events").put_events(
        Entries=[
            {
                "Source": sample["source"],
                "DetailType": sample["detail-type"],
                "Detail": json.dumps(sample["detail"]),
                "EventBusName": names["bus"]["name"],
            }
        ]
    )
    queue = names["bus"]["name"].removesuffix("-bus") + "-task-created"
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]

    def queued() -> bool:  # waiting, or in flight to the paused runtime's long poll
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        depth = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        return sum(int(depth[name]) for name in names) >= 1

    assert eventually(queued, DEADLINE), "the event never reached the consumer's queue"


def _port_free(port: str) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", int(port))) != 0


def _stop(stack: LocalStack, how: signal.Signals) -> None:
    processes = descendants(stack.process.pid)
    runtime = processes[0]
    _queue_an_event(stack, runtime)
    if how is signal.SIGKILL:
        for pid in [stack.process.pid, *processes]:
            os.kill(pid, signal.SIGKILL)
        stack.process.wait(timeout=10)
    else:
        os.killpg(stack.process.pid, signal.SIGTERM)
        os.kill(runtime, signal.SIGCONT)  # it wakes to the SIGTERM waiting for it
        stack.process.wait(timeout=30)
    assert eventually(lambda: _port_free(stack.ports["AWS_PORT"]), DEADLINE), "the emulator did not stop"


@pytest.fixture
def stacks(tmp_path):
    """Stacks started on one state folder and one pair of ports, each stopped at the end if still up."""
    started: list[LocalStack] = []

    def start() -> LocalStack:
        ports = started[0].ports if started else None
        started.append(start_stack(tmp_path, ports=ports))
        return started[-1]

    yield start
    for stack in started:
        stop_stack(stack)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_a_restarted_stack_has_what_it_had_and_counts_each_event_once(stacks, how):
    first = stacks()
    before = _work(first)
    _stop(first, how)

    second = stacks()
    output = "".join(second.output)
    assert "state: restored from" in output
    assert "re-opened (new requests): 1" in output
    for task_id in before.ids:
        assert _call(second, OWNER, "GET", f"/tasks/{task_id}").status_code == 200
    listed = {
        task["id"] for task in _call(second, OWNER, "GET", "/tasks", params={"limit": 100}).json()["items"]
    }
    assert set(before.ids) <= listed
    again = _call(second, OWNER, "GET", "/tasks", params={"limit": 1, "nextToken": before.next_token})
    assert again.status_code == 200, "a page token issued before the restart still reads the next page"

    # The queued event of another system: counted once, wherever it was when the stack stopped.
    assert eventually(lambda: _call(second, OTHER, "GET", "/stats").json()["created"] == 1, DEADLINE)
    stats = _call(second, OWNER, "GET", "/stats").json()
    assert (stats["created"], stats["completed"]) == (before.stats["created"], before.stats["completed"])
    for task_id, entries in before.history.items():
        assert len(_call(second, OWNER, "GET", f"/tasks/{task_id}/history").json()["items"]) == entries

    # The approval that awaited: re-opened, said in its history, and decided on the new request.
    assert eventually(lambda: _token_stored(second, before.high), DEADLINE), "the request was not re-opened"
    history = _call(second, OWNER, "GET", f"/tasks/{before.high}/history").json()["items"]
    assert history[0].get("reason") == "approval request re-opened"
    read = _call(second, APPROVER, "GET", f"/tasks/{before.high}", groups=("approvers",))
    decided = _call(
        second,
        APPROVER,
        "POST",
        f"/tasks/{before.high}/approval",
        groups=("approvers",),
        json={"decision": "approve", "comment": "after the restart"},
        headers={"If-Match": read.headers["ETag"]},
    )
    assert decided.status_code == 202, decided.text

    def approved() -> bool:
        return _call(second, OWNER, "GET", f"/tasks/{before.high}").json()["approval"]["status"] == "approved"

    assert eventually(approved, DEADLINE)
