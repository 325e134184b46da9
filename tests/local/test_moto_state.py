"""The local stack's state, written down as moto changes it and read back (tasks_local.moto_fixes.state):
a fresh moto given the journal, or the snapshot, holds what the first one held, without a new stream
record of its own."""

import json
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tasks_local.moto_fixes import state
from tests.conftest import create_resources

ACCOUNT, REGION = "123456789012", "us-east-1"
TASKS = "test-tasks-tasks"
QUEUE, BUCKET = "orders", "archive"


def _provision() -> dict[str, Any]:
    """What the runtime creates at each start: the tables (with their streams), a queue, a bucket."""
    create_resources()
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    return {"sqs": sqs, "url": url, "ddb": boto3.client("dynamodb")}


def _writes(aws: dict[str, Any]) -> None:
    """One of each kind of write the stack makes."""
    ddb, sqs, url = aws["ddb"], aws["sqs"], aws["url"]
    for number in range(3):
        ddb.put_item(
            TableName=TASKS,
            Item={"id": {"S": f"t{number}"}, "title": {"S": f"task {number}"}, "version": {"N": "1"}},
        )
    ddb.update_item(
        TableName=TASKS,
        Key={"id": {"S": "t1"}},
        UpdateExpression="SET title = :t, version = version + :one",
        ExpressionAttributeValues={":t": {"S": "renamed"}, ":one": {"N": "1"}},
    )
    ddb.delete_item(TableName=TASKS, Key={"id": {"S": "t2"}})
    with pytest.raises(ddb.exceptions.TransactionCanceledException):  # rolled back: no trace kept
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TASKS, "Item": {"id": {"S": "t9"}, "title": {"S": "never"}}}},
                {
                    "ConditionCheck": {
                        "TableName": TASKS,
                        "Key": {"id": {"S": "t0"}},
                        "ConditionExpression": "attribute_not_exists(id)",
                    }
                },
            ]
        )
    for number in range(3):
        sqs.send_message(
            QueueUrl=url,
            MessageBody=f"event {number}",
            MessageAttributes={"reason": {"DataType": "String", "StringValue": "why"}},
        )
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]  # in flight, counted
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"])
    boto3.client("s3").put_object(Bucket=BUCKET, Key="tasks/t0.json", Body=b'{"id": "t0"}')
    boto3.client("secretsmanager").put_secret_value(
        SecretId="test-tasks-pagination", SecretString="the kept key"
    )


def _comparable(exported: dict[str, Any]) -> str:
    tables = {
        name: {
            "items": sorted(json.dumps(item, sort_keys=True) for item in table["items"]),
            "stream": table.get("stream"),
        }
        for name, table in exported["tables"].items()
    }
    for table in tables.values():
        for record in (table["stream"] or {}).get("records", []):
            record["dynamodb"].pop("ApproximateCreationDateTime")  # a float through JSON: compared as written
    objects = sorted(json.dumps(stored, sort_keys=True) for stored in exported["objects"])
    return json.dumps({**exported, "tables": tables, "objects": objects}, sort_keys=True)


def _record_writes() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The changes journaled while the writes ran on a first moto, and that moto's state, exported."""
    changes: list[dict[str, Any]] = []
    with state.PATCHES.installed(), mock_aws():
        aws = _provision()
        state.Recording.to(changes.append)
        try:
            _writes(aws)
        finally:
            state.Recording.to(None)
        exported = json.loads(json.dumps(state.export(ACCOUNT, REGION, lambda _table: None)))
    return changes, exported


@pytest.fixture
def recorded() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return _record_writes()


def _restored(
    snapshot: dict[str, Any], changes: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, int]]:
    with state.PATCHES.installed(), mock_aws():
        _provision()
        counted = state.restore(snapshot, changes, ACCOUNT, REGION)
        return json.loads(json.dumps(state.export(ACCOUNT, REGION, lambda _table: None))), counted


def test_a_fresh_moto_given_the_journal_holds_what_the_first_held(recorded):
    changes, first = recorded
    second, _ = _restored({}, changes)
    assert _comparable(second) == _comparable(first)


def test_a_fresh_moto_given_the_snapshot_holds_what_the_first_held(recorded):
    _, first = recorded
    second, counted = _restored(first, [])
    assert _comparable(second) == _comparable(first)
    assert (counted[f"table {TASKS}"], counted[f"queue {QUEUE}"]) == (2, 2)


def test_replaying_the_journal_over_the_snapshot_changes_nothing_twice(recorded):
    changes, first = recorded
    second, _ = _restored(first, changes)
    assert _comparable(second) == _comparable(first)


def test_the_restore_adds_no_stream_record_of_its_own(recorded):
    changes, first = recorded
    second, _ = _restored(first, changes)
    records = second["tables"][TASKS]["stream"]["records"]
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT", "INSERT", "MODIFY", "REMOVE"]
    assert records == first["tables"][TASKS]["stream"]["records"]


def test_a_message_in_flight_comes_back_visible_with_its_receive_count(recorded):
    changes, _ = recorded
    with state.PATCHES.installed(), mock_aws():
        aws = _provision()
        state.restore({}, changes, ACCOUNT, REGION)
        back = aws["sqs"].receive_message(
            QueueUrl=aws["url"], MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"]
        )["Messages"]
    assert sorted(m["Body"] for m in back) == ["event 1", "event 2"]
    counts = {m["Body"]: int(m["Attributes"]["ApproximateReceiveCount"]) for m in back}
    assert counts["event 1"] == 2  # received before the stop, and now
    assert {m["MessageAttributes"]["reason"]["StringValue"] for m in back} == {"why"}


def test_the_stream_keeps_only_what_some_reader_has_not_processed(recorded):
    _, first = recorded
    start = first["tables"][TASKS]["stream"]["start"]
    with state.PATCHES.installed(), mock_aws():
        _provision()
        state.restore(first, [], ACCOUNT, REGION)
        trimmed = state.export(ACCOUNT, REGION, lambda table: start + 2 if table == TASKS else None)
    kept = trimmed["tables"][TASKS]["stream"]
    assert kept["start"] == start + 3
    assert [r["dynamodb"]["SequenceNumber"] for r in kept["records"]] == [str(start + 3), str(start + 4)]


def test_a_restored_stream_is_read_after_the_last_processed_record():
    """A poller that had processed up to n resumes at n + 1 on the restored stream (AFTER_SEQUENCE_NUMBER)."""
    changes, _ = _record_writes()
    with state.PATCHES.installed(), mock_aws():
        _provision()
        state.restore({}, changes, ACCOUNT, REGION)
        streams = boto3.client("dynamodbstreams")
        arn = boto3.client("dynamodb").describe_table(TableName=TASKS)["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        first = int(shard["SequenceNumberRange"]["StartingSequenceNumber"])
        iterator = streams.get_shard_iterator(
            StreamArn=arn,
            ShardId=shard["ShardId"],
            ShardIteratorType="AFTER_SEQUENCE_NUMBER",
            SequenceNumber=str(first + 2),
        )["ShardIterator"]
        records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["eventName"] for r in records] == ["MODIFY", "REMOVE"]
