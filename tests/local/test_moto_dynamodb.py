"""The local DynamoDB adapter (tasks_local.moto_fixes.dynamodb) answers exactly as moto does, without moto's
O(table) copies, leaks and races.

Most tests run one scenario twice in this process, on moto as it is and on the adapter, and compare
everything a client can observe: items, errors, cancellation reasons, query pages, stream records.
"""

import gc
import sys
import threading
import tracemalloc
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.dynamodbstreams.models import dynamodbstreams_backends

from tasks_local.moto_fixes import dynamodb as moto_dynamodb
from tasks_local.moto_fixes import dynamodb_tables as moto_dynamodb_tables
from tasks_shared.tables import create_table_request

TASKS, VIEWS, NUMBERS = "t-tasks", "t-views", "t-numbers"
INDEXES = {None: "scope", "byStatus": "scopeStatus", "byPriority": "scopePriority"}
# Not one of ours: an LSI, and a GSI keyed by a number with no range key of its own.
NUMBERS_TABLE = {
    "TableName": NUMBERS,
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "n", "AttributeType": "N"},
        {"AttributeName": "label", "AttributeType": "S"},
        {"AttributeName": "num", "AttributeType": "N"},
    ],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
    "LocalSecondaryIndexes": [
        {
            "IndexName": "byLabel",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "label", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "byNum",
            "KeySchema": [{"AttributeName": "num", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ],
}


def _on_moto(scenario: Callable[[Any], Any], *, patched: bool) -> Any:
    with moto_dynamodb.PATCHES.installed(patched), mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(**create_table_request("tasks", TASKS))
        client.create_table(**create_table_request("views", VIEWS))
        client.create_table(**NUMBERS_TABLE)
        return scenario(client)


def _same_on_both(scenario: Callable[[Any], Any]) -> Any:
    unpatched = _on_moto(scenario, patched=False)
    patched = _on_moto(scenario, patched=True)
    assert patched == unpatched
    return patched


def _s(value: str) -> dict:
    return {"S": value}


def _task(task_id: str, version: int = 1, **more: Any) -> dict:
    return {"id": _s(task_id), "version": {"N": str(version)}, **more}


def _view(scope: str, sk: str, status: str | None = "pending", priority: str = "low") -> dict:
    item = {"scope": _s(scope), "sk": _s(sk), "scopePriority": _s(f"{scope}#{priority}")}
    if status is not None:  # a view without it is not in byStatus (a sparse index)
        item["scopeStatus"] = _s(f"{scope}#{status}")
    return item


def _put(table: str, item: dict) -> dict:
    return {"Put": {"TableName": table, "Item": item}}


def _scan(client: Any, table: str) -> list[dict]:
    items, request = [], {"TableName": table}
    while True:
        page = client.scan(**request)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _contents(client: Any) -> dict[str, list[dict]]:
    return {table: _scan(client, table) for table in (TASKS, VIEWS, NUMBERS)}


def _stream_iterator(table: str = TASKS) -> tuple[Any, str]:
    streams = boto3.client("dynamodbstreams")
    arn = boto3.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return streams, iterator["ShardIterator"]


def _read(streams: Any, iterator: str) -> tuple[list[tuple], str]:
    """One GetRecords, without the fields that differ on every run (eventID, creation time)."""
    response = streams.get_records(ShardIterator=iterator)
    records = [
        (
            r["eventName"],
            *(r["dynamodb"].get(key) for key in ("SequenceNumber", "Keys", "OldImage", "NewImage")),
        )
        for r in response["Records"]
    ]
    return records, response["NextShardIterator"]


def _stream(_client: Any = None) -> list[tuple]:
    """Every record of the tasks table's stream, as a reader starting now from TRIM_HORIZON sees it."""
    return _read(*_stream_iterator())[0]


def _error(client: Any, transact_items: list[dict]) -> tuple:
    with pytest.raises(ClientError) as caught:
        client.transact_write_items(TransactItems=transact_items)
    response = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response.get("CancellationReasons")


def _seed(client: Any) -> None:
    for task_id in ("a", "b", "c"):
        client.put_item(TableName=TASKS, Item=_task(task_id, title=_s(f"task {task_id}")))
    for scope in ("OWNER#alice", "ALL"):
        client.put_item(TableName=VIEWS, Item=_view(scope, "2024#a"))


# --- Items --------------------------------------------------------------------------------------

EVERY_TYPE = {
    "s": _s("Привет ✅"), "n": {"N": "-12.5"}, "b": {"B": b"\x00\xff"}, "bool": {"BOOL": False},
    "null": {"NULL": True}, "ss": {"SS": ["a", "é"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"x"]},
    "l": {"L": [{"N": "1"}, {"M": {"deep": {"L": [_s("x")]}}}]}, "m": {"M": {"k": {"SS": ["v"]}}},
}  # fmt: skip


def test_items_of_every_type_are_stored_as_moto_stores_them():
    def scenario(client):
        client.put_item(TableName=TASKS, Item=_task("a", **EVERY_TYPE))
        client.update_item(
            TableName=TASKS,
            Key={"id": _s("a")},
            UpdateExpression="SET m.added = :v, l[0] = :v REMOVE bool",
            ExpressionAttributeValues={":v": {"N": "7"}},
        )
        return _contents(client)

    assert _same_on_both(scenario)[TASKS][0]["m"]["M"]["added"] == {"N": "7"}


def test_the_400_kb_item_limit_falls_on_the_same_byte_as_moto_s():
    """moto counts each key's and value's size, limit 405000: the item's other attributes here come to
    17 (`id`+`a`, `nested`+its map), so a 404,983-character string is the largest that fits."""
    nested = {"M": {"k": {"L": [{"N": "12"}, _s("é")]}}}

    def scenario(client):
        outcomes = {}
        for length in range(404_980, 404_988):
            item = {"id": _s("a"), "nested": nested, "big": _s("x" * length)}
            try:
                client.put_item(TableName=TASKS, Item=item)
                outcomes[length] = "stored"
            except ClientError as error:
                outcomes[length] = error.response["Error"]["Message"]
        return outcomes

    outcomes = _same_on_both(scenario)
    assert outcomes[404_983] == "stored"
    assert outcomes[404_984] == "Item size has exceeded the maximum allowed size"


# --- Transactions ------------------------------------------------------------------------------


def test_successful_transactions_write_what_moto_writes():
    def scenario(client):
        _seed(client)
        client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": TASKS,
                        "Item": _task("d"),
                        "ConditionExpression": "attribute_not_exists(id)",
                    }
                },
                _put(VIEWS, _view("OWNER#alice", "2024#d")),
                {
                    "Update": {
                        "TableName": TASKS,
                        "Key": {"id": _s("a")},
                        "UpdateExpression": "SET version = version + :one, title = :t",
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":v": {"N": "1"}, ":t": _s("new")},
                    }
                },
                {"Delete": {"TableName": VIEWS, "Key": {"scope": _s("ALL"), "sk": _s("2024#a")}}},
                {
                    "ConditionCheck": {
                        "TableName": TASKS,
                        "Key": {"id": _s("b")},
                        "ConditionExpression": "attribute_exists(id)",
                    }
                },
            ]
        )
        client.transact_write_items(TransactItems=[{"Delete": {"TableName": TASKS, "Key": {"id": _s("c")}}}])
        return _contents(client), _stream()

    contents, stream = _same_on_both(scenario)
    assert [item["id"]["S"] for item in contents[TASKS]] == ["a", "b", "d"]
    assert [record[0] for record in stream][-3:] == ["INSERT", "MODIFY", "REMOVE"]


def test_a_cancelled_transaction_leaves_every_item_as_it_was_with_moto_s_reasons():
    def scenario(client):
        _seed(client)
        before = _contents(client), _stream()
        failure_on_the_second_of_three = _error(
            client,
            [
                {
                    "Update": {
                        "TableName": TASKS,
                        "Key": {"id": _s("a")},
                        "UpdateExpression": "SET title = :t",
                        "ExpressionAttributeValues": {":t": _s("lost")},
                    }
                },
                {
                    "Update": {
                        "TableName": TASKS,
                        "Key": {"id": _s("b")},
                        "UpdateExpression": "SET title = :t",
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": {":t": _s("lost"), ":v": {"N": "9"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
                {"Delete": {"TableName": TASKS, "Key": {"id": _s("c")}}},
            ],
        )
        across_tables = _error(
            client,
            [
                _put(VIEWS, _view("OWNER#bob", "2024#e")),
                {
                    "Put": {
                        "TableName": TASKS,
                        "Item": _task("e"),
                        "ConditionExpression": "attribute_exists(id)",
                    }
                },
                {"Delete": {"TableName": VIEWS, "Key": {"scope": _s("ALL"), "sk": _s("2024#a")}}},
                _put(TASKS, _task("a", version=7)),
            ],
        )
        return before, (_contents(client), _stream()), failure_on_the_second_of_three, across_tables

    before, after, failure, across_tables = _same_on_both(scenario)
    assert after == before
    code, _, reasons = failure
    assert code == "TransactionCanceledException"
    assert [reason["Code"] for reason in reasons] == ["None", "ConditionalCheckFailed", "None"]
    assert reasons[1]["Item"]["title"] == _s("task b")
    assert [reason["Code"] for reason in across_tables[2]] == [
        "None",
        "ConditionalCheckFailed",
        "None",
        "None",
    ]


@pytest.mark.parametrize(
    "transact_items",
    [
        pytest.param(
            [
                {
                    "Update": {
                        "TableName": TASKS,
                        "Key": {"id": _s("a")},
                        "UpdateExpression": "SET title = :t",
                        "ExpressionAttributeValues": {":t": _s("lost")},
                    }
                },
                {"Delete": {"TableName": TASKS, "Key": {"id": _s("a")}}},
            ],
            id="two operations on one item",
        ),
        pytest.param([_put(TASKS, _task(f"many-{i}")) for i in range(101)], id="more than 100 items"),
        pytest.param(
            [_put(TASKS, _task("f")), _put(TASKS, {"id": {"N": "1"}})],
            id="a key of the wrong type after a write",
        ),
        pytest.param(
            [
                _put(VIEWS, _view("OWNER#carol", "x")),
                {"Delete": {"TableName": VIEWS, "Key": {"scope": _s("ALL")}}},
            ],
            id="a key without its range after a write",
        ),
        pytest.param(
            [
                _put(TASKS, _task("g")),
                {**_put(TASKS, _task("h")), "Delete": {"TableName": TASKS, "Key": {"id": _s("b")}}},
            ],
            id="two operations in one entry (moto keeps the write before it)",
        ),
    ],
)
def test_a_rejected_transaction_fails_as_moto_fails(transact_items):
    def scenario(client):
        _seed(client)
        return _error(client, transact_items), _contents(client), _stream()

    (code, message, _), _, _ = _same_on_both(scenario)
    assert code == "ValidationException", message


def test_the_stream_keeps_delivering_after_a_cancelled_transaction_and_never_the_cancelled_writes():
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(**create_table_request("tasks", TASKS))
        streams, iterator = _stream_iterator()
        client.put_item(TableName=TASKS, Item=_task("before"))
        delivered, iterator = _read(streams, iterator)
        _error(
            client,
            [
                _put(TASKS, _task("cancelled")),
                {
                    "ConditionCheck": {
                        "TableName": TASKS,
                        "Key": {"id": _s("none")},
                        "ConditionExpression": "attribute_exists(id)",
                    }
                },
            ],
        )
        client.transact_write_items(TransactItems=[_put(TASKS, _task("after"))])
        later, _ = _read(streams, iterator)

    assert [record[2]["id"]["S"] for record in delivered + later] == ["before", "after"]
    assert int(later[0][1]) == int(delivered[0][1]) + 1  # the cancelled write took no sequence number


def test_a_cancelled_transaction_keeps_the_table_and_copies_none(monkeypatch):
    def no_table_copies(table, memo):
        raise AssertionError(f"a whole table was copied: {table.name}")

    monkeypatch.setattr(Table, "__deepcopy__", no_table_copies, raising=False)
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(**create_table_request("tasks", TASKS))
        table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[TASKS]
        client.transact_write_items(TransactItems=[_put(TASKS, _task("a"))])
        _error(client, [_put(TASKS, _task("b")), _put(TASKS, {"id": {"N": "1"}})])
        assert dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[TASKS] is table


# --- Queries -----------------------------------------------------------------------------------


def _pages(
    client: Any, table: str, index: str | None, attr: str, value: str, most: int = 1000, **more: Any
) -> list[dict]:
    request = {
        "TableName": table,
        "KeyConditionExpression": "#p = :p",
        "ExpressionAttributeNames": {"#p": attr},
        "ExpressionAttributeValues": {":p": _s(value)},
        **more,
    }
    if index:
        request["IndexName"] = index
    pages = []
    while True:
        page = client.query(**request)
        pages.append({key: page.get(key) for key in ("Items", "Count", "ScannedCount", "LastEvaluatedKey")})
        if "LastEvaluatedKey" not in page or len(pages) == most:
            return pages
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _views_queries(client: Any) -> list[list[dict]]:
    """Every partition of the views table and its indexes, in pages of 2, both ways; and more."""
    items = _scan(client, VIEWS)
    results = []
    for index, attr in INDEXES.items():
        for value in [*sorted({item[attr]["S"] for item in items if attr in item}), "absent"]:
            for forward in (True, False):
                results.append(_pages(client, VIEWS, index, attr, value, Limit=2, ScanIndexForward=forward))
            results.append(
                _pages(
                    client,
                    VIEWS,
                    index,
                    attr,
                    value,
                    KeyConditionExpression="#p = :p AND begins_with(sk, :sk)",
                    FilterExpression="attribute_exists(scopeStatus)",
                    ProjectionExpression="sk, scopeStatus",
                    ExpressionAttributeNames={"#p": attr},
                    ExpressionAttributeValues={":p": _s(value), ":sk": _s("2024")},
                    Limit=21,
                )
            )
    results.append(
        [
            client.query(
                TableName=TASKS, KeyConditionExpression="id = :id", ExpressionAttributeValues={":id": _s("a")}
            )["Items"]
        ]
    )
    return results


def test_index_queries_return_moto_s_pages_while_items_move_between_partitions():
    def update(client, sk, expression, **values):
        client.update_item(
            TableName=VIEWS,
            Key={"scope": _s("OWNER#alice"), "sk": _s(sk)},
            UpdateExpression=expression,
            **({"ExpressionAttributeValues": values} if values else {}),
        )

    def scenario(client):
        _seed(client)
        for i in range(7):
            client.put_item(
                TableName=VIEWS, Item=_view("OWNER#alice", f"2024#{i}", ("pending", "done", None)[i % 3])
            )
            client.put_item(
                TableName=VIEWS, Item=_view("ALL", f"2024#{i}", "pending", ("low", "high")[i % 2])
            )
        # Same index key and range in two partitions of the table: moto orders them by the table's key.
        client.put_item(
            TableName=VIEWS, Item={**_view("OWNER#bob", "2024#0"), "scopeStatus": _s("OWNER#alice#done")}
        )
        steps = [_views_queries(client)]
        client.put_item(TableName=VIEWS, Item=_view("OWNER#alice", "2024#0", "done"))  # Put moves it
        update(client, "2024#1", "SET scopeStatus = :s", **{":s": _s("OWNER#alice#pending")})
        update(client, "2024#3", "REMOVE scopeStatus")  # out of byStatus
        update(client, "2024#2", "SET scopeStatus = :s", **{":s": _s("OWNER#alice#done")})  # sparse, then in
        update(
            client,
            "2030#new",
            "SET scopeStatus = :s, scopePriority = :p",
            **{":s": _s("OWNER#alice#done"), ":p": _s("OWNER#alice#high")},
        )
        client.delete_item(TableName=VIEWS, Key={"scope": _s("OWNER#alice"), "sk": _s("2024#4")})
        steps.append(_views_queries(client))
        _error(  # a move that is rolled back
            client,
            [
                {
                    "Update": {
                        "TableName": VIEWS,
                        "Key": {"scope": _s("OWNER#alice"), "sk": _s("2024#5")},
                        "UpdateExpression": "SET scopeStatus = :s REMOVE scopePriority",
                        "ExpressionAttributeValues": {":s": _s("OWNER#alice#done")},
                    }
                },
                {"Delete": {"TableName": VIEWS, "Key": {"scope": _s("ALL"), "sk": _s("2024#1")}}},
                _put(VIEWS, _view("OWNER#alice", "2024#6", "done", "high")),
                {
                    "ConditionCheck": {
                        "TableName": TASKS,
                        "Key": {"id": _s("none")},
                        "ConditionExpression": "attribute_exists(id)",
                    }
                },
            ],
        )
        steps.append(_views_queries(client))
        client.transact_write_items(
            TransactItems=[
                _put(VIEWS, _view("OWNER#alice", "2024#6", "done", "high")),
                {"Delete": {"TableName": VIEWS, "Key": {"scope": _s("ALL"), "sk": _s("2024#1")}}},
            ]
        )
        client.batch_write_item(
            RequestItems={
                VIEWS: [
                    {"PutRequest": {"Item": _view("ALL", "2024#0", "done", "high")}},
                    {"DeleteRequest": {"Key": {"scope": _s("ALL"), "sk": _s("2024#2")}}},
                ]
            }
        )
        client.execute_statement(
            Statement="UPDATE \"t-views\" SET scopeStatus='ALL#done' WHERE scope='ALL' AND sk='2024#3'"
        )
        steps.append(_views_queries(client))
        return steps

    steps = _same_on_both(scenario)
    assert steps[0] != steps[1] != steps[3]
    assert steps[2] == steps[1]  # the rolled-back move left every partition as it was


def test_lsi_and_number_keyed_gsi_queries_are_moto_s():
    def scenario(client):
        for i in range(6):
            item = {"pk": _s(f"p{i % 2}"), "n": {"N": str(i)}, "label": _s(f"l{5 - i}")}
            if i != 4:
                item["num"] = {"N": ("1", "1.0", "2")[i % 3]}  # 1 and 1.0 are one number
            client.put_item(TableName=NUMBERS, Item=item)
        results = []
        for forward in (True, False):
            for index, attr, value in (
                ("byNum", "num", {"N": "1.00"}),
                ("byNum", "num", {"N": "2"}),
                ("byLabel", "pk", _s("p0")),
            ):
                request = {
                    "TableName": NUMBERS,
                    "IndexName": index,
                    "KeyConditionExpression": "#k = :v",
                    "ExpressionAttributeNames": {"#k": attr},
                    "ExpressionAttributeValues": {":v": value},
                    "ScanIndexForward": forward,
                    "Limit": 2,
                }
                while True:
                    page = client.query(**request)
                    results.append(page["Items"])
                    if "LastEvaluatedKey" not in page:
                        break
                    request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return results

    assert any(_same_on_both(scenario))


def test_a_query_reads_only_its_partition(monkeypatch):
    def whole_table(table):
        raise AssertionError(f"the Query read every item of {table.name}")

    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(**create_table_request("tasks", TASKS))
        client.create_table(**create_table_request("views", VIEWS))
        _seed(client)
        monkeypatch.setitem(moto_dynamodb_tables.ORIGINAL, "Table.all_items", whole_table)
        assert len(_pages(client, VIEWS, "byStatus", "scopeStatus", "ALL#pending")[0]["Items"]) == 1
        assert len(_pages(client, VIEWS, None, "scope", "ALL")[0]["Items"]) == 1
        assert len(_pages(client, TASKS, None, "id", "a")[0]["Items"]) == 1


# --- Memory, iterators, threads ----------------------------------------------------------------


def _retained_per_write(patched: bool, writes: int = 10) -> float:
    def scenario(client):
        client.batch_write_item(
            RequestItems={VIEWS: [{"PutRequest": {"Item": _view("ALL", f"{i:04d}")}} for i in range(25)]}
        )
        for chunk in range(1, 20):
            items = [{"PutRequest": {"Item": _view("ALL", f"{chunk:02d}{i:02d}")}} for i in range(25)]
            client.batch_write_item(RequestItems={VIEWS: items})
        client.transact_write_items(TransactItems=[_put(TASKS, _task("warm-up"))])
        # The first index Query builds the key maps: not a per-write cost.
        _pages(client, VIEWS, "byStatus", "scopeStatus", "ALL#pending", most=1, Limit=21)
        gc.collect()
        tracemalloc.start()
        try:
            start = tracemalloc.get_traced_memory()[0]
            for i in range(writes):
                client.transact_write_items(
                    TransactItems=[_put(TASKS, _task(f"w{i}")), _put(VIEWS, _view("ALL", f"w{i}"))]
                )
                _pages(client, VIEWS, "byStatus", "scopeStatus", "ALL#pending", most=1, Limit=21)
            gc.collect()
            return (tracemalloc.get_traced_memory()[0] - start) / writes
        finally:
            tracemalloc.stop()

    return _on_moto(scenario, patched=patched)


def test_writes_and_queries_keep_no_copies_of_the_table():
    patched, unpatched = _retained_per_write(True), _retained_per_write(False)
    # What a write stores: two items, a stream record, their key-map entries.
    assert patched < 30_000, f"{patched:.0f} bytes kept per write"
    assert unpatched > 10 * patched  # the measure sees moto's leak (a copy of 500 items per write)


def test_an_iterator_expires_as_in_aws_so_polling_keeps_none_forever(monkeypatch):
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(**create_table_request("tasks", TASKS))
        client.put_item(TableName=TASKS, Item=_task("a"))
        streams, first = _stream_iterator()
        assert _read(streams, first)[0] == _read(streams, first)[0]  # reusable while it lives
        monkeypatch.setattr(moto_dynamodb, "ITERATOR_LIFETIME_SECONDS", 0.0)
        iterator = first
        for _ in range(50):
            _, iterator = _read(streams, iterator)
        with pytest.raises(ClientError, match="ExpiredIteratorException"):
            _read(streams, first)
        assert len(dynamodbstreams_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].shard_iterators) <= 2


def test_concurrent_transactions_puts_and_queries_raise_nothing_and_lose_no_write():
    threads, rounds = 6, 25
    switch_interval = sys.getswitchinterval()
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer(n: int) -> None:
        client = boto3.client("dynamodb")
        try:
            for i in range(rounds):
                key = f"{n}-{i}"
                client.transact_write_items(
                    TransactItems=[_put(TASKS, _task(key)), _put(VIEWS, _view(f"OWNER#{n}", key))]
                )
                client.put_item(TableName=VIEWS, Item=_view("ALL", key))
                if i % 5 == 0:
                    _error(client, [_put(TASKS, _task(f"cancelled-{key}")), _put(TASKS, {"id": {"N": "1"}})])
                _pages(client, VIEWS, "byStatus", "scopeStatus", "ALL#pending", most=1, Limit=21)
        except BaseException as exc:  # any failure in a thread is the test's failure
            errors.append(exc)

    def reader(records: list) -> None:
        try:
            streams, iterator = _stream_iterator()
            while not stop.is_set():
                read, iterator = _read(streams, iterator)
                records += read
        except BaseException as exc:
            errors.append(exc)

    sys.setswitchinterval(1e-5)  # switch threads often, so that a race would show
    try:
        with mock_aws():
            client = boto3.client("dynamodb")
            client.create_table(**create_table_request("tasks", TASKS))
            client.create_table(**create_table_request("views", VIEWS))
            delivered: list[tuple] = []
            poller = threading.Thread(target=reader, args=(delivered,))
            poller.start()
            workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            stop.set()
            poller.join()
            delivered += _read(*_stream_iterator())[0][len(delivered) :]
            tasks, views = _scan(client, TASKS), _scan(client, VIEWS)
    finally:
        sys.setswitchinterval(switch_interval)

    assert errors == []
    assert len(tasks) == threads * rounds
    assert len(views) == 2 * threads * rounds
    assert sorted(record[2]["id"]["S"] for record in delivered) == sorted(item["id"]["S"] for item in tasks)
