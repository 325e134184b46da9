"""Latency of the approval workflow on `make dev`: moto's Step Functions interpreter running
statemachines/approval.asl.json, started from the bus's rule through its queue.

For each of --requests high-priority tasks, the clock starts before the HTTP request and stops when
the effect is visible (polled every --poll-ms):

  create → awaiting    POST /tasks until the workflow has stored its task token on the item
                       (stream → publisher → bus → rule → queue → StartExecution → updateItem)
  decision → on GET    POST /tasks/{id}/approval (approve) until GET /tasks/{id} shows `approved`
                       (the API's claim → SendTaskSuccess → RecordApproved)
  decision → listed    the same decision until the owner's GET /tasks shows `approved`
                       (… → stream → task-indexer → views)

The contract (docs/design.md §3): token stored within 2 s; a decision on GET within 1 s, in lists within 2 s.

Run: .venv/bin/python -m bench.approval_latency [--requests 30]
"""

from __future__ import annotations

import argparse
import time
import uuid

from bench._common import on_local_stack, report_latencies, wait_ms
from tests.support.harness import LocalStack

TASKS_TABLE = "local-tasks-tasks"


def measure(stack: LocalStack, requests: int, poll_seconds: float) -> dict[str, list[float]]:
    dynamodb = stack.client("dynamodb")
    owner = f"bench-{uuid.uuid4().hex[:8]}"
    alice, bob = stack.session(owner), stack.session("bench-approver", "approvers")
    samples: dict[str, list[float]] = {
        "create → awaiting": [],
        "decision → on GET": [],
        "decision → listed": [],
    }

    def token_stored(task_id: str) -> bool:
        item = dynamodb.get_item(TableName=TASKS_TABLE, Key={"id": {"S": task_id}}).get("Item", {})
        return "approvalToken" in item

    def approved_on_get(task_id: str) -> bool:
        task = alice.get(f"{stack.api_url}/tasks/{task_id}", timeout=10).json()
        return task["approval"]["status"] == "approved"

    def approved_in_list(task_id: str) -> bool:
        page = alice.get(f"{stack.api_url}/tasks", params={"limit": 5}, timeout=10).json()
        return any(t["id"] == task_id and t["approval"]["status"] == "approved" for t in page["items"])

    for index in range(requests):
        started = time.perf_counter()
        body = {"title": f"bench approval {index}", "priority": "high"}
        task_id = alice.post(f"{stack.api_url}/tasks", json=body, timeout=10).json()["id"]
        samples["create → awaiting"].append(wait_ms(started, lambda t=task_id: token_stored(t), poll_seconds))
        started = time.perf_counter()
        decision = bob.post(
            f"{stack.api_url}/tasks/{task_id}/approval", json={"decision": "approve"}, timeout=10
        )
        decision.raise_for_status()
        samples["decision → on GET"].append(
            wait_ms(started, lambda t=task_id: approved_on_get(t), poll_seconds)
        )
        samples["decision → listed"].append(
            wait_ms(started, lambda t=task_id: approved_in_list(t), poll_seconds)
        )
    return samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--requests", type=int, default=30, help="high-priority tasks requested and approved")
    parser.add_argument("--poll-ms", type=float, default=5.0, help="how often the effect is looked for")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)

    print(f"starting the local stack (make dev) and running {args.requests} approvals...", flush=True)
    samples = on_local_stack(lambda stack: measure(stack, args.requests, args.poll_ms / 1000))
    report_latencies("Approval workflow on make dev (ms)", "path", samples, args.json)


if __name__ == "__main__":
    main()
