"""moto's state, written down as it changes and read back at the next start: what the local stack keeps
across restarts (runtime/state_store.py keeps the files; docs/local-runtime.md says what survives).

What is kept, in the services' own JSON: every table's items (DynamoDB JSON) and its stream's records
(with their sequence numbers, so a poller resumes after the last record it processed), every queue's
messages (in flight or not: a message in flight comes back visible, as after its visibility timeout,
with its receive count), the bucket's objects, and the secrets' values. What is not: the bus, its
rules, the queues, the topics and the state machine themselves (the runtime creates them from their
definitions at every start), the workflow's executions (an execution cannot be frozen mid-wait: the
runtime re-opens each awaiting approval instead), the event archive and subscriptions made by hand.

Each change is written as an idempotent line (an item by its key, a record by its sequence number, a
queue by its whole content), under the lock its service's write holds, so the journal's order is the
writes' order. Patches moto only; pinned to one moto version (tests/local/test_moto_pin.py).
"""

from __future__ import annotations

import base64
import inspect
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import StreamRecord, StreamShard, Table
from moto.s3.models import S3Backend, s3_backends
from moto.secretsmanager.models import SecretsManagerBackend, secretsmanager_backends
from moto.sqs.models import Message, Queue, SQSBackend, sqs_backends

from tasks_local.moto_fixes import dynamodb_tables as tables
from tasks_local.moto_fixes.dynamodb import lock_of
from tasks_local.moto_fixes.patches import MotoPatches, Replacement

MOTO_VERSION = "5.2.5"
Change = dict[str, Any]

# The SQS writes after which a queue's content is journaled whole (each takes the queue's name first).
_QUEUE_WRITES = (
    "send_message", "send_message_batch", "receive_message", "delete_message", "delete_message_batch",
    "change_message_visibility", "change_message_visibility_batch", "purge_queue",
)  # fmt: skip
_MESSAGE_FIELDS = (
    "id", "body", "message_attributes", "sender_id", "sent_timestamp",
    "approximate_first_receive_timestamp", "approximate_receive_count", "deduplication_id",
    "group_id", "sequence_number", "system_attributes",
)  # fmt: skip
_ORIGINAL: dict[str, Callable[..., Any]] = {
    "StreamShard.add": StreamShard.add,
    "S3Backend.put_object": S3Backend.put_object,
    "S3Backend.delete_object": S3Backend.delete_object,
    "SecretsManagerBackend.create_secret": SecretsManagerBackend.create_secret,
    "SecretsManagerBackend.put_secret_value": SecretsManagerBackend.put_secret_value,
    **{f"SQSBackend.{name}": getattr(SQSBackend, name) for name in _QUEUE_WRITES},
}

# What this module replaces or relies on, checked against the source recorded in test_moto_pin.py.
RELIED_ON: dict[str, tuple[Any, str]] = {
    "StreamShard.add": (_ORIGINAL["StreamShard.add"], "appends one StreamRecord, numbered start + index"),
    "StreamShard.get": (StreamShard.get, "reads records by sequence number - starting number"),
    "StreamRecord.__init__": (StreamRecord.__init__, "everything a reader gets is its `record` dict"),
    "Table.put_item": (
        tables.ORIGINAL["Table.put_item"],
        "adds a stream record only when stream_shard is set",
    ),
    "Message.__init__": (Message.__init__, "_MESSAGE_FIELDS are a message's whole state but its visibility"),
    "Queue.__init__": (Queue.__init__, "a queue's messages are its _messages list"),
    "S3Backend.put_object": (_ORIGINAL["S3Backend.put_object"], "(bucket_name, key_name, value) first"),
    "S3Backend.delete_object": (_ORIGINAL["S3Backend.delete_object"], "(bucket_name, key_name) first"),
    "SecretsManagerBackend.create_secret": (_ORIGINAL["SecretsManagerBackend.create_secret"], "name first"),
    "SecretsManagerBackend.put_secret_value": (
        _ORIGINAL["SecretsManagerBackend.put_secret_value"],
        "secret_id first; the new value becomes AWSCURRENT",
    ),
    **{
        f"SQSBackend.{name}": (_ORIGINAL[f"SQSBackend.{name}"], "takes the queue's name first")
        for name in _QUEUE_WRITES
    },
}


class Recording:
    """Where changes go (the journal), and the last content journaled of each queue (a long poll that
    receives nothing changes nothing, and writes nothing)."""

    sink: Callable[[Change], None] | None = None
    queues: dict[str, tuple] = {}  # noqa: RUF012 - one recording per emulator process

    @classmethod
    def to(cls, sink: Callable[[Change], None] | None) -> None:
        cls.sink, cls.queues = sink, {}

    @classmethod
    def write(cls, change: Change) -> None:
        if cls.sink is not None:
            cls.sink(change)


# --- what a change looks like -----------------------------------------------------------------


def _key(table: Table, pk: tuple) -> dict[str, Any]:
    key = {table.hash_key_attr: pk[0].to_json()}
    if table.range_key_attr and pk[1] is not None:
        key[table.range_key_attr] = pk[1].to_json()
    return key


def _record(shard: StreamShard, index: int) -> dict[str, Any]:
    record = shard.items[index].record
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = created.replace(tzinfo=UTC).timestamp()
    return {**record, "dynamodb": dynamodb}


def _messages(queue: Queue) -> list[dict[str, Any]]:
    return [{name: _plain(getattr(message, name)) for name in _MESSAGE_FIELDS} for message in queue._messages]


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _unplain(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"base64"}:
            return base64.b64decode(value["base64"])
        return {key: _unplain(item) for key, item in value.items()}
    return value


# --- recording: moto's writes, each journaled as it happens -------------------------------------


def _item_changed(table: Table, pk: tuple, item: Item | None) -> None:
    attributes = item.to_json()["Attributes"] if item is not None else None
    Recording.write({"op": "item", "table": table.name, "key": _key(table, pk), "item": attributes})


def _stream_cut(shard: StreamShard, length: int) -> None:
    Recording.write(
        {"op": "stream_cut", "table": shard.table.name, "to": shard.starting_sequence_number + length}
    )


def _add(self: StreamShard, old: Item | None, new: Item | None) -> None:
    _ORIGINAL["StreamShard.add"](self, old, new)
    Recording.write({"op": "record", "table": self.table.name, "record": _record(self, len(self.items) - 1)})


def _argument(original: Callable[..., Any], name: str) -> Callable[..., Any]:
    """Reads the argument `name` of a call to `original`, however the caller passed it."""
    signature = inspect.signature(original)
    return lambda self, args, kwargs: signature.bind(self, *args, **kwargs).arguments[name]


def _queue_write(name: str) -> Callable[..., Any]:
    original = _ORIGINAL[f"SQSBackend.{name}"]
    queue_name_of = _argument(original, "queue_name")

    def write(self: SQSBackend, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, *args, **kwargs)
        finally:
            queue_name = queue_name_of(self, args, kwargs)
            queue = self.queues.get(queue_name)
            if queue is not None:
                content = tuple((m.id, m.approximate_receive_count) for m in queue._messages)
                if Recording.queues.get(queue_name) != content:
                    Recording.queues[queue_name] = content
                    Recording.write({"op": "queue", "name": queue_name, "messages": _messages(queue)})

    write.__name__ = name
    return write


def _object_write(name: str) -> Callable[..., Any]:
    original = _ORIGINAL[f"S3Backend.{name}"]
    bucket_of, key_of = _argument(original, "bucket_name"), _argument(original, "key_name")

    def write(self: S3Backend, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        bucket, key = bucket_of(self, args, kwargs), key_of(self, args, kwargs)
        stored = self.buckets[bucket].keys.get(key) if bucket in self.buckets else None
        body = base64.b64encode(stored.value).decode() if stored is not None else None
        Recording.write({"op": "object", "bucket": bucket, "key": key, "body": body})
        return result

    write.__name__ = name
    return write


def _secret_write(name: str, id_parameter: str) -> Callable[..., Any]:
    original = _ORIGINAL[f"SecretsManagerBackend.{name}"]
    secret_of = _argument(original, id_parameter)

    def write(self: SecretsManagerBackend, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        secret_id = secret_of(self, args, kwargs)
        value = self.get_secret_value(secret_id, None, "AWSCURRENT").get("SecretString")
        Recording.write({"op": "secret", "name": secret_id, "value": value})
        return result

    write.__name__ = name
    return write


def _replacements() -> list[Replacement]:
    return [
        (StreamShard, "add", _add),
        (S3Backend, "put_object", _object_write("put_object")),
        (S3Backend, "delete_object", _object_write("delete_object")),
        (SecretsManagerBackend, "create_secret", _secret_write("create_secret", "name")),
        (SecretsManagerBackend, "put_secret_value", _secret_write("put_secret_value", "secret_id")),
        *((SQSBackend, name, _queue_write(name)) for name in _QUEUE_WRITES),
    ]


def _listen(listening: bool) -> None:
    for listeners, listener in (
        (tables.ITEM_LISTENERS, _item_changed),
        (tables.STREAM_LISTENERS, _stream_cut),
    ):
        if listening and listener not in listeners:
            listeners.append(listener)
        elif not listening and listener in listeners:
            listeners.remove(listener)


# Installed by the emulator when it keeps its state (runtime/emulator.py); the tests install and remove it.
PATCHES = MotoPatches(
    __name__, MOTO_VERSION, _replacements, after_change=lambda: _listen(PATCHES.is_installed())
)


# --- exporting and restoring ------------------------------------------------------------------


def export(account_id: str, region: str, processed: Callable[[str], int | None]) -> dict[str, Any]:
    """Everything kept, as a snapshot. `processed(table)` is the sequence number every reader of the
    table's stream has processed (None: unknown); records up to it are left out, the rest kept."""
    dynamodb = dynamodb_backends[account_id][region]
    with lock_of(dynamodb):
        snapshot_tables = {
            name: _export_table(table, processed(name)) for name, table in dynamodb.tables.items()
        }
    sqs = sqs_backends[account_id][region]
    s3 = s3_backends[account_id]["global"]
    secrets = secretsmanager_backends[account_id][region]
    return {
        "tables": snapshot_tables,
        "queues": {name: _messages(queue) for name, queue in list(sqs.queues.items())},
        "objects": [
            {"bucket": bucket.name, "key": key.name, "body": base64.b64encode(key.value).decode()}
            for bucket in list(s3.buckets.values())
            for key in list(bucket.keys.values())
        ],
        "secrets": {
            name: secrets.get_secret_value(name, None, "AWSCURRENT").get("SecretString")
            for name in list(secrets.secrets.keys())
        },
    }


def _export_table(table: Table, processed: int | None) -> dict[str, Any]:
    shard = table.stream_shard
    exported: dict[str, Any] = {
        "items": [item.to_json()["Attributes"] for item in tables.stored_items(table)]
    }
    if shard is not None:
        start = shard.starting_sequence_number
        first = max(0, (processed + 1 - start) if processed is not None else 0)
        exported["stream"] = {
            "start": start + first,
            "records": [_record(shard, index) for index in range(first, len(shard.items))],
        }
    return exported


def restore(
    snapshot: dict[str, Any], changes: Iterable[Change], account_id: str, region: str
) -> dict[str, int]:
    """The snapshot, then each change after it, written into the running moto without a stream record
    of their own (the tables, queues, bucket and secrets exist: the runtime created them). Counts of
    what was restored, by table and queue; a change for something that no longer exists is skipped."""
    dynamodb = dynamodb_backends[account_id][region]
    with lock_of(dynamodb):
        for name, table_state in snapshot.get("tables", {}).items():
            table = dynamodb.tables.get(name)
            if table is not None:
                for item in table_state["items"]:
                    _put(table, item)
                if table.stream_shard is not None and "stream" in table_state:
                    _set_stream(
                        table.stream_shard, table_state["stream"]["start"], table_state["stream"]["records"]
                    )
        for name, messages in snapshot.get("queues", {}).items():
            _set_queue(account_id, region, name, messages)
        for stored in snapshot.get("objects", []):
            _object(account_id, stored["bucket"], stored["key"], stored["body"])
        for name, value in snapshot.get("secrets", {}).items():
            _secret(account_id, region, name, value)
        for change in changes:
            _apply(change, dynamodb, account_id, region)
    return counts(account_id, region)


def counts(account_id: str, region: str) -> dict[str, int]:
    dynamodb = dynamodb_backends[account_id][region]
    found = {f"table {name}": len(tables.stored_items(table)) for name, table in dynamodb.tables.items()}
    found |= {
        f"queue {name}": len(queue._messages)
        for name, queue in sqs_backends[account_id][region].queues.items()
    }
    return found


def _apply(change: Change, dynamodb: DynamoDBBackend, account_id: str, region: str) -> None:
    kind = change["op"]
    table = dynamodb.tables.get(change.get("table", ""))
    if kind == "item" and table is not None:
        if change["item"] is None:
            hash_key = DynamoType(change["key"][table.hash_key_attr])
            range_value = change["key"].get(table.range_key_attr) if table.range_key_attr else None
            _without_stream(
                table, lambda: table.delete_item(hash_key, DynamoType(range_value) if range_value else None)
            )
        else:
            _put(table, change["item"])
    elif kind == "record" and table is not None and table.stream_shard is not None:
        shard = table.stream_shard
        index = int(change["record"]["dynamodb"]["SequenceNumber"]) - shard.starting_sequence_number
        if index >= 0:  # below the start: a record every reader had processed, left out of the snapshot
            del shard.items[index:]
            shard.items.append(_stream_record(change["record"]))
    elif kind == "stream_cut" and table is not None and table.stream_shard is not None:
        del table.stream_shard.items[max(0, change["to"] - table.stream_shard.starting_sequence_number) :]
    elif kind == "queue":
        _set_queue(account_id, region, change["name"], change["messages"])
    elif kind == "object":
        _object(account_id, change["bucket"], change["key"], change["body"])
    elif kind == "secret":
        _secret(account_id, region, change["name"], change["value"])


def _without_stream(table: Table, write: Callable[[], Any]) -> Any:
    """A restored write is no new change: it adds no stream record (the stream keeps its own)."""
    shard, table.stream_shard = table.stream_shard, None
    try:
        return write()
    finally:
        table.stream_shard = shard


def _put(table: Table, attributes: dict[str, Any]) -> None:
    _without_stream(table, lambda: table.put_item(attributes))


def _set_stream(shard: StreamShard, start: int, records: list[dict[str, Any]]) -> None:
    shard.starting_sequence_number = start
    shard.items = [_stream_record(record) for record in records]


def _stream_record(stored: dict[str, Any]) -> StreamRecord:
    record = StreamRecord.__new__(StreamRecord)
    dynamodb = dict(stored["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, float | int):
        dynamodb["ApproximateCreationDateTime"] = datetime.fromtimestamp(created, UTC).replace(tzinfo=None)
    record.record = {**stored, "dynamodb": dynamodb}
    return record


def _set_queue(account_id: str, region: str, name: str, messages: list[dict[str, Any]]) -> None:
    queue = sqs_backends[account_id][region].queues.get(name)
    if queue is None:
        return
    restored = []
    for stored in messages:
        message = Message(stored["id"], stored["body"])
        for field_name in _MESSAGE_FIELDS:
            setattr(message, field_name, _unplain(stored[field_name]))
        restored.append(message)  # visible now: in flight at the stop, back as after its timeout
    queue._messages = restored
    queue._pending_messages = set()
    Recording.queues[name] = tuple((m.id, m.approximate_receive_count) for m in restored)


def _object(account_id: str, bucket_name: str, key_name: str, body: str | None) -> None:
    s3 = s3_backends[account_id]["global"]
    if bucket_name not in s3.buckets:
        return
    if body is None:
        _ORIGINAL["S3Backend.delete_object"](s3, bucket_name, key_name)
    else:
        _ORIGINAL["S3Backend.put_object"](
            s3, bucket_name, key_name, base64.b64decode(body), disable_notification=True
        )


def _secret(account_id: str, region: str, name: str, value: str | None) -> None:
    secrets = secretsmanager_backends[account_id][region]
    if name in secrets.secrets and value is not None:
        _ORIGINAL["SecretsManagerBackend.put_secret_value"](secrets, name, value, None, None, ["AWSCURRENT"])
