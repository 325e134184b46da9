"""Local latency from an HTTP write to each consumer's effect, through the whole `make dev` stack.

HTTP write → DynamoDB (moto) → stream poller → task-publisher → EventBridge (moto) → SQS → queue poller →
consumer → its effect. For each write the clock starts before the HTTP request and stops when the
effect is visible in moto (polled every --poll-ms):

  create   → task-created   has counted it           (activity table: OWNER#<id>/STATS.created)
  rename   → task-updated   has appended its entry   (activity table: TASK#<id>/HIST#...)
  complete → task-completed has archived a snapshot  (S3: tasks/<owner>/<id>.json)

Run: .venv/bin/python -m bench.event_latency [--writes 40]
"""

from __future__ import annotations

import argparse
import time
import uuid

from bench._common import on_local_stack, report_latencies, wait_ms
from tests.support.harness import LocalStack

PREFIX = "local-tasks"


def measure(stack: LocalStack, writes: int, poll_seconds: float) -> dict[str, list[float]]:
    dynamodb, s3 = stack.client("dynamodb"), stack.client("s3")
    user = f"bench-{uuid.uuid4().hex[:8]}"
    session = stack.session(user)
    samples: dict[str, list[float]] = {
        "create → counted": [],
        "rename → audit entry": [],
        "complete → archived": [],
    }

    def created_count() -> int:
        key = {"pk": {"S": f"OWNER#{user}"}, "sk": {"S": "STATS"}}
        item = dynamodb.get_item(TableName=f"{PREFIX}-activity", Key=key).get("Item", {})
        return int(item.get("created", {}).get("N", 0))

    def history_length(task_id: str) -> int:
        return dynamodb.query(
            TableName=f"{PREFIX}-activity",
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"TASK#{task_id}"}},
            Select="COUNT",
        )["Count"]

    def archived(task_id: str) -> bool:
        listing = s3.list_objects_v2(Bucket=f"{PREFIX}-archive", Prefix=f"tasks/{user}/{task_id}.json")
        return listing["KeyCount"] > 0

    for index in range(writes):
        started = time.perf_counter()
        task = session.post(f"{stack.api_url}/tasks", json={"title": f"bench {index}"}, timeout=10).json()
        samples["create → counted"].append(
            wait_ms(started, lambda n=index + 1: created_count() >= n, poll_seconds, timeout=10.0)
        )
        url = f"{stack.api_url}/tasks/{task['id']}"
        started = time.perf_counter()
        session.put(url, json={"title": f"bench {index}, renamed"}, timeout=10)
        samples["rename → audit entry"].append(
            wait_ms(started, lambda t=task["id"]: history_length(t) >= 2, poll_seconds, timeout=10.0)
        )
        started = time.perf_counter()
        session.put(url, json={"status": "completed"}, timeout=10)
        samples["complete → archived"].append(
            wait_ms(started, lambda t=task["id"]: archived(t), poll_seconds, timeout=10.0)
        )
    return samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--writes", type=int, default=40, help="tasks created, renamed and completed")
    parser.add_argument("--poll-ms", type=float, default=5.0, help="how often the effect is looked for")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)

    print(f"starting the local stack (make dev) and making {args.writes} writes of each kind...", flush=True)
    samples = on_local_stack(lambda stack: measure(stack, args.writes, args.poll_ms / 1000))
    report_latencies("HTTP write → consumer effect (ms)", "path", samples, args.json)


if __name__ == "__main__":
    main()
