"""moto's server as it is against the local runtime's (moto_fixes: server, jsonpath), in one run.

    .venv/bin/python -m bench.emulator.moto_server [--rounds 5] [--seconds 3] [--threads 1 8] [--json F]

Both servers run in this process on loopback, over the same moto backends (on the local DynamoDB
adapter), as `make dev` runs its server beside the pollers and the API; the JSONPath cache is on
while the local server serves and off while moto's does. In each round, for each concurrency in
--threads, each server in turn (interleaved, so both see the same machine) serves --seconds of a mix
of the requests the stack makes most, each thread with its own clients: DynamoDB PutItem and GetItem,
EventBridge PutEvents (a rule delivers each event to an SQS queue, as the stack's rules do), then
SQS ReceiveMessage and DeleteMessageBatch of what arrived. Reported per server and concurrency:
requests a second (median of the rounds), and the p50 and p95 of every request's latency; then the
ratio local/moto of the throughput, each round's pair divided in that round.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import _common
import boto3
from moto.server import ThreadedMotoServer

from tasks_local.moto_fixes import dynamodb as moto_dynamodb
from tasks_local.moto_fixes import jsonpath as moto_jsonpath
from tasks_local.moto_fixes.server import LocalMotoServer

TABLE, QUEUE, BUS = "bench-server-table", "bench-server-queue", "bench-server-bus"


def _client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")


def _create_resources(endpoint: str) -> str:
    """The table, the bus with a rule to the queue (the two servers share moto's backends); the queue URL."""
    _client(endpoint, "dynamodb").create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    sqs, events = _client(endpoint, "sqs"), _client(endpoint, "events")
    queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.create_event_bus(Name=BUS)
    events.put_rule(Name="bench", EventBusName=BUS, EventPattern=json.dumps({"source": ["bench"]}))
    events.put_targets(Rule="bench", EventBusName=BUS, Targets=[{"Id": "queue", "Arn": queue_arn}])
    return queue_url


def _mix(endpoint: str, queue_url: str, worker: int) -> list[Callable[[], Any]]:
    """One worker's requests, in the order it sends them (its own clients, its own item)."""
    dynamodb, sqs, events = (_client(endpoint, name) for name in ("dynamodb", "sqs", "events"))
    key = {"pk": {"S": f"worker-{worker}"}}

    def receive_and_delete() -> None:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if messages:
            entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)]
            sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)

    entry = {"Source": "bench", "DetailType": "Bench", "Detail": '{"n": 1}', "EventBusName": BUS}
    return [
        lambda: dynamodb.put_item(TableName=TABLE, Item={**key, "n": {"N": "1"}}),
        lambda: dynamodb.get_item(TableName=TABLE, Key=key),
        lambda: events.put_events(Entries=[entry]),
        receive_and_delete,
    ]


def _serve_for(endpoint: str, queue_url: str, threads: int, seconds: float) -> tuple[float, list[float]]:
    """Requests a second over `seconds` with `threads` workers, and every request's latency (ms)."""
    mixes = [_mix(endpoint, queue_url, worker) for worker in range(threads)]  # clients built untimed
    latencies: list[list[float]] = [[] for _ in range(threads)]
    start = threading.Barrier(threads + 1)
    deadline = 0.0

    def work(worker: int) -> None:
        start.wait()
        calls, mine = mixes[worker], latencies[worker]
        while time.perf_counter() < deadline:
            for call in calls:
                took, _ = _common.time_ms(call)
                mine.append(took)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - began
    every = [took for mine in latencies for took in mine]
    return len(every) / elapsed, every


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0, help="per server, concurrency and round")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--json", help="write the raw numbers here")
    args = parser.parse_args()
    _common.use_local_environment()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log line per request
    moto_dynamodb.PATCHES.install()  # as `make dev` runs it, for both servers

    servers = {
        "moto": ThreadedMotoServer("127.0.0.1", 0, verbose=False),
        "local": LocalMotoServer("127.0.0.1", 0),
    }
    endpoints = {}
    for name, server in servers.items():
        server.start()
        host, port = server.get_host_and_port()
        endpoints[name] = f"http://{host}:{port}"
    queue_url = _create_resources(endpoints["local"])
    rates: dict[tuple[str, int], list[float]] = {(name, n): [] for name in servers for n in args.threads}
    latencies: dict[tuple[str, int], list[float]] = {key: [] for key in rates}
    print(
        f"{args.rounds} rounds of {args.seconds:g} s per server and concurrency {args.threads}...", flush=True
    )
    for round_number in range(args.rounds):
        for threads in args.threads:
            order = list(servers) if round_number % 2 == 0 else list(reversed(servers))
            for name in order:
                with moto_jsonpath.PATCHES.installed(name == "local"):
                    rate, every = _serve_for(endpoints[name], queue_url, threads, args.seconds)
                rates[name, threads].append(rate)
                latencies[name, threads] += every
        print(f"  round {round_number + 1}/{args.rounds} done", flush=True)
    for server in servers.values():
        server.stop()

    rows = [
        [
            name,
            threads,
            statistics.median(rates[name, threads]),
            _common.percentile(latencies[name, threads], 50),
            _common.percentile(latencies[name, threads], 95),
        ]
        for threads in args.threads
        for name in servers
    ]
    _common.print_table(
        "moto's server as it is vs the local runtime's (requests/s: median of the rounds)",
        ["server", "threads", "requests/s", "p50 ms", "p95 ms"],
        rows,
    )
    ratios = [
        [
            threads,
            statistics.median(
                ours / theirs
                for ours, theirs in zip(rates["local", threads], rates["moto", threads], strict=True)
            ),
        ]
        for threads in args.threads
    ]
    _common.print_table("throughput local/moto (median of each round's ratio)", ["threads", "ratio"], ratios)
    raw = {f"{name}/{threads}": values for (name, threads), values in rates.items()}
    _common.report_machine(args.json, requests_per_second=raw)


if __name__ == "__main__":
    main()
