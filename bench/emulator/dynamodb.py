"""moto's DynamoDB as it is against the local adapter (tasks_local.moto_fixes.dynamodb), in one run.

    .venv/bin/python -m bench.emulator.dynamodb [--items 20000] [--json results.json]

With 0 and with --items view items in the views table (its 3 GSIs; 200 owners, so one owner's
byStatus partition holds about 1/600 of the table), in-process on moto:
- p50 of a 2-item TransactWriteItems (two views);
- p50 of a GSI Query (byStatus, one owner's pending views, Limit 21: 21 items at 20,000, none at 0),
  and of one that reads an empty partition (the cost of finding a partition, without results);
- memory kept per write (tracemalloc, after gc) over 300 such transactions; on moto as it is with a
  full table, over 2 writes only (each keeps a copy of the table: 300 would take ~15 minutes and
  tens of GB);
- memory kept per Query, over 20 of them (10 on moto as it is with a full table).
The adapter's floor is what a write stores: two views, their key-map entries.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

import _common
import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from tasks_local.moto_fixes import dynamodb as moto_dynamodb
from tasks_shared.tables import create_table_request

OWNERS, STATUSES, PRIORITIES = 200, ("pending", "in_progress", "completed"), ("low", "medium", "high")
WRITES, QUERIES = 300, 20
EMPTY = "OWNER#nobody#pending"  # a partition no item is in: the read alone
SCOPES = ("OWNER#user7", "ALL")  # the two views a transaction writes


def _view(i: int, scope: str | None = None) -> dict[str, Any]:
    scope = scope or f"OWNER#user{i % OWNERS}"
    status, priority = STATUSES[i // OWNERS % 3], PRIORITIES[i // (3 * OWNERS) % 3]
    return {
        "scope": {"S": scope},
        "sk": {"S": f"2026#{i:08d}"},
        "scopeStatus": {"S": f"{scope}#{status}"},
        "scopePriority": {"S": f"{scope}#{priority}"},
        "scopeStatusPriority": {"S": f"{scope}#{status}#{priority}"},
        "task": {
            "M": {
                "id": {"S": f"task-{i}"},
                "title": {"S": "a task of a realistic size, with a sentence of a title"},
                "status": {"S": status},
                "priority": {"S": priority},
                "ownerId": {"S": f"user{i % OWNERS}"},
                "tags": {"L": [{"S": "bench"}]},
                "version": {"N": "1"},
            }
        },
    }


class Bench:
    """One fresh moto with the tables, `items` views loaded straight into the backend."""

    def __init__(self, client: Any, items: int) -> None:
        self.client, self.views, self.written = client, os.environ["VIEWS_TABLE"], 0
        backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_REGION"]]
        for i in range(items):
            backend.put_item(self.views, _view(i))

    def transaction(self) -> None:
        self.written += 1
        n = 10_000_000 + self.written
        puts = [{"Put": {"TableName": self.views, "Item": _view(n, scope)}} for scope in SCOPES]
        self.client.transact_write_items(TransactItems=puts)

    def query(self, partition: str = "OWNER#user7#pending") -> None:
        self.client.query(
            TableName=self.views,
            IndexName="byStatus",
            KeyConditionExpression="scopeStatus = :p",
            ExpressionAttributeValues={":p": {"S": partition}},
            ScanIndexForward=False,
            Limit=21,
        )


def _kept_per_call(call: Callable[[], Any], times: int) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(times):
            call()
        gc.collect()
        return (tracemalloc.get_traced_memory()[0] - start) / times
    finally:
        tracemalloc.stop()


def measure(patched: bool, items: int) -> dict[str, Any]:
    full_moto = not patched and items > 0
    with moto_dynamodb.PATCHES.installed(patched), mock_aws():
        client = boto3.client("dynamodb")
        for key in ("tasks", "views"):
            client.create_table(**create_table_request(key, os.environ[f"{key.upper()}_TABLE"]))
        bench = Bench(client, items)
        bench.transaction()
        bench.query()  # warm: the first index Query builds the adapter's key maps
        transactions = [_common.time_ms(bench.transaction)[0] for _ in range(5 if full_moto else 50)]
        queries = [_common.time_ms(bench.query)[0] for _ in range(10 if full_moto else 100)]
        empty = [_common.time_ms(lambda: bench.query(EMPTY))[0] for _ in range(10 if full_moto else 100)]
        writes = 2 if full_moto else WRITES
        per_write = _kept_per_call(bench.transaction, writes)
        per_query = _kept_per_call(bench.query, 10 if full_moto else QUERIES)
    print(f"measured {'the adapter' if patched else 'moto'} with {items:,} items", file=sys.stderr)
    return {
        "transaction_p50_ms": _common.percentile(transactions, 50),
        "query_p50_ms": _common.percentile(queries, 50),
        "empty_query_p50_ms": _common.percentile(empty, 50),
        "kept_per_write_bytes": per_write,
        "kept_per_query_bytes": per_query,
        "writes": writes,
    }


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    _common.use_local_environment()

    results = {
        f"{'adapter' if patched else 'moto'}@{items}": measure(patched, items)
        for items in (0, args.items)
        for patched in (False, True)
    }
    rows = []
    for items in (0, args.items):
        moto, adapter = results[f"moto@{items}"], results[f"adapter@{items}"]
        for label, key, scale in (
            ("TransactWriteItems, 2 items: p50 ms", "transaction_p50_ms", 1),
            ("GSI Query, Limit 21: p50 ms", "query_p50_ms", 1),
            ("GSI Query, an empty partition: p50 ms", "empty_query_p50_ms", 1),
            (f"kept per write, KB (moto: {moto['writes']} writes)", "kept_per_write_bytes", 1 / 1024),
            ("kept per Query, KB (moto: 10 at 20,000 items)", "kept_per_query_bytes", 1 / 1024),
        ):
            ratio = moto[key] / adapter[key] if adapter[key] > 0 else float("inf")
            rows.append([label, items, moto[key] * scale, adapter[key] * scale, f"{ratio:,.1f}x"])
    _common.print_table(
        "moto's DynamoDB as it is vs the local adapter (in-process)",
        ["measure", "items", "moto", "adapter", "moto/adapter"],
        rows,
    )
    _common.report_machine(args.json, results=results)


if __name__ == "__main__":
    main()
