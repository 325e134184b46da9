"""A local DynamoDB on moto that scales and does not race: one small adapter over moto's backend.

Why, measured on moto 5.2.5 (`make dev` runs moto's server; tests run it in-process):

- TransactWriteItems deep-copies every table it names before it starts, so a 2-item transaction
  costs O(table): 3 to 5 s in-process at 20,000 items. On cancel it puts the copies in place of the
  Table objects, so the stream iterators already handed out keep reading the old table: they deliver
  the records of the cancelled writes and then nothing, ever again.
- Memory is never given back: every BaseModel instance is appended to its class's
  `instances_tracked` list for the dashboard, and that list is only emptied by a reset. Each
  transaction's copy (every Item of the table), each Query's result copies, each UpdateItem's old
  copy, each stream record and each GetRecords' new iterator stay alive for good (~85 MB per write
  at 20,000 items). GetRecords also keeps every iterator it returns in a dict, forever.
- Query reads every item of the table, for a GSI as well as for the table's own partition.
- Building an Item measures its size for the 400 KB limit at every attribute set, over every attribute
  set so far: n²/2 walks of an item of n attributes, 85% of a restart's restore.
- The server serves requests on threads and the backend has no lock: a transaction's deep copy
  raced concurrent writers (`RuntimeError: dictionary changed size during iteration`).

What it does: back up only the items a transaction touches and restore them in place
(`moto_dynamodb_tables`); per-GSI key maps so a Query reads one partition; DynamoDB items, stream
records and iterators are no longer tracked (the dashboard stops listing them) and an iterator is
dropped 15 minutes after it was returned, as AWS expires it; an Item's size is summed as it is
built; one re-entrant lock per backend around every DynamoDB request and every backend call that
reads or writes items. Answers stay moto's, but for two: a cancelled transaction also rolls back a
table it named by ARN (moto skips those), and GetRecords with an unknown or expired iterator is
ExpiredIteratorException (moto: a KeyError, a 500).

A stream record is still handed to moto's Lambda event source mappings under the lock; a function
that calls DynamoDB back through the server would wait for it (this runtime registers none).
Patches moto only; pinned to one moto version (PATCHES.install() refuses another).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from moto.core.common_models import BaseModel
from moto.core.exceptions import JsonRESTError
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import StreamRecord, StreamShard, Table
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator

from tasks_local.moto_fixes import dynamodb_tables as tables
from tasks_local.moto_fixes.patches import MotoPatches

MOTO_VERSION = "5.2.5"
ITERATOR_LIFETIME_SECONDS = 15 * 60  # AWS: a shard iterator expires 15 minutes after it is returned

# Backend calls that read or write a table's items, or the tables themselves.
_LOCKED = (
    "create_table", "delete_table", "update_table", "describe_table", "list_tables",
    "put_item", "get_item", "delete_item", "query", "scan",
    "execute_statement", "execute_transaction", "batch_execute_statement",
    "create_backup", "restore_table_from_backup", "restore_table_to_point_in_time",
)  # fmt: skip
_ORIGINAL: dict[str, Callable[..., Any]] = {
    **{f"DynamoDBBackend.{name}": getattr(DynamoDBBackend, name) for name in _LOCKED},
    "DynamoHandler.call_action": DynamoHandler.call_action,
    "DynamoDBStreamsBackend.describe_stream": DynamoDBStreamsBackend.describe_stream,
    "DynamoDBStreamsBackend.get_shard_iterator": DynamoDBStreamsBackend.get_shard_iterator,
    "DynamoDBStreamsBackend.get_records": DynamoDBStreamsBackend.get_records,
    "Item.__init__": Item.__init__,
}
SIZE_LIMIT = 405_000  # moto's LimitedSizeDict: an item's keys and values, in its own measure

# What the adapter replaces or relies on, and what to re-check in each when moto changes it.
RELIED_ON: dict[str, tuple[Callable[..., Any], str]] = {
    "DynamoDBBackend.transact_write_items": (
        tables.ORIGINAL["DynamoDBBackend.transact_write_items"],
        "forked line for line in moto_dynamodb_tables.transact_write_items: port the change there",
    ),
    "DynamoDBBackend.update_item": (
        tables.ORIGINAL["DynamoDBBackend.update_item"],
        "the only write that changes a stored Item in place; finds it as get_keys_value does",
    ),
    "DynamoDBBackend.get_item": (DynamoDBBackend.get_item, "the journal locates items as it does"),
    "DynamoDBBackend.get_keys_value": (DynamoDBBackend.get_keys_value, "the journal's item location"),
    "DynamoDBBackend.execute_statement": (
        _ORIGINAL["DynamoDBBackend.execute_statement"],
        "PartiQL writes go through Table.put_item/delete_item (key maps stay current)",
    ),
    "DynamoDBBackend.update_table_global_indexes": (
        DynamoDBBackend.update_table_global_indexes,
        "changes table.global_indexes: key maps rebuild when the (name, hash attribute) list changes",
    ),
    "DynamoHandler.call_action": (_ORIGINAL["DynamoHandler.call_action"], "every request passes here"),
    "DynamoHandler.batch_write_item": (DynamoHandler.batch_write_item, "writes via backend put/delete"),
    "Table.query": (
        tables.ORIGINAL["Table.query"],
        "reads its items through one all_items() call, then filters every key condition and sorts "
        "by the full key itself (so a superset of candidates, in any order, gives the same answer)",
    ),
    "Table.all_items": (tables.ORIGINAL["Table.all_items"], "the table's items, as Query reads them"),
    "Table.put_item": (tables.ORIGINAL["Table.put_item"], "stores a new Item at items[hash][range]"),
    "Table.delete_item": (tables.ORIGINAL["Table.delete_item"], "pops the Item and returns it"),
    "Table.get_item": (Table.get_item, "items is a defaultdict keyed by hash, then range"),
    "StreamShard.add": (
        StreamShard.add,
        "sequence number = starting number + index in items: truncating after a cancel reuses them",
    ),
    "StreamShard.get": (StreamShard.get, "reads records by that index"),
    "ShardIterator.get": (ShardIterator.get, "registers the next iterator in shard_iterators"),
    "DynamoDBStreamsBackend.get_shard_iterator": (
        _ORIGINAL["DynamoDBStreamsBackend.get_shard_iterator"],
        "registers the iterator it returns in shard_iterators",
    ),
    "DynamoDBStreamsBackend.get_records": (
        _ORIGINAL["DynamoDBStreamsBackend.get_records"],
        "an unknown iterator is a KeyError (the adapter answers ExpiredIteratorException first)",
    ),
    "BaseModel.__new__": (BaseModel.__new__, "tracks every instance forever; three classes opt out"),
    "Item.__deepcopy__": (Item.__deepcopy__, "copies through __class__.__new__ (untracked)"),
    "Item.__init__": (_ORIGINAL["Item.__init__"], "replaced by _item_init: keep the two the same"),
    "LimitedSizeDict.__setitem__": (
        LimitedSizeDict.__setitem__,
        "_item_init makes its check: the size of every key and value, limit 405000",
    ),
}

_LOCK_ATTRIBUTE = "_moto_dynamodb_lock"
_ISSUED_ATTRIBUTE = "_moto_dynamodb_issued_iterators"


class ExpiredIteratorException(JsonRESTError):
    def __init__(self) -> None:
        super().__init__("ExpiredIteratorException", "Iterator expired or unknown; get a new one")


def lock_of(backend: DynamoDBBackend) -> threading.RLock:
    """The backend's one lock; made on first use (a backend is created lazily, and reset empties it)."""
    lock = backend.__dict__.get(_LOCK_ATTRIBUTE)
    return lock if lock is not None else backend.__dict__.setdefault(_LOCK_ATTRIBUTE, threading.RLock())


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    def locked(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with lock_of(self):
            return method(self, *args, **kwargs)

    locked.__name__, locked.__doc__ = method.__name__, method.__doc__
    return locked


def _call_action(self: DynamoHandler) -> Any:
    with lock_of(self.dynamodb_backend):  # the answer is serialized from live items: keep them still
        return _ORIGINAL["DynamoHandler.call_action"](self)


def _issued(streams: DynamoDBStreamsBackend, iterator_arn: str) -> None:
    issued = streams.__dict__.get(_ISSUED_ATTRIBUTE)
    if issued is None:
        issued = streams.__dict__.setdefault(_ISSUED_ATTRIBUTE, deque())
    now = time.monotonic()
    issued.append((now, iterator_arn))
    while now - issued[0][0] > ITERATOR_LIFETIME_SECONDS:
        streams.shard_iterators.pop(issued.popleft()[1], None)


def _describe_stream(self: DynamoDBStreamsBackend, arn: str) -> dict[str, Any]:
    with lock_of(self.dynamodb):
        return _ORIGINAL["DynamoDBStreamsBackend.describe_stream"](self, arn)


def _get_shard_iterator(self: DynamoDBStreamsBackend, *args: Any, **kwargs: Any) -> ShardIterator:
    with lock_of(self.dynamodb):  # a reader never sees a transaction half-way
        iterator = _ORIGINAL["DynamoDBStreamsBackend.get_shard_iterator"](self, *args, **kwargs)
        _issued(self, iterator.arn)
        return iterator


def _get_records(self: DynamoDBStreamsBackend, iterator_arn: str, limit: int) -> dict[str, Any]:
    with lock_of(self.dynamodb):
        if iterator_arn not in self.shard_iterators:
            raise ExpiredIteratorException()
        result = _ORIGINAL["DynamoDBStreamsBackend.get_records"](self, iterator_arn, limit)
        _issued(self, result["NextShardIterator"])
        return result


def _untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    return object.__new__(cls)


def _item_init(self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]) -> None:
    """moto's Item.__init__ with its size check made once per attribute. moto's LimitedSizeDict measures
    every attribute set so far at each one it sets (each item's build walks it n²/2 times: 85% of a
    restore's time); nothing changes the attributes while the item is built, so a running total makes
    the same check, raising at the same attribute."""
    self.hash_key = hash_key
    self.range_key = range_key
    self.attrs = LimitedSizeDict()
    size = 0
    for key, value in attrs.items():
        typed = DynamoType(value)
        size += bytesize(key) + typed.size()
        if size > SIZE_LIMIT:
            raise ItemSizeTooLarge
        dict.__setitem__(self.attrs, key, typed)


def _patches() -> list[tuple[type, str, Any]]:
    backend = {name: _locked(_ORIGINAL[f"DynamoDBBackend.{name}"]) for name in _LOCKED}
    backend["update_item"] = _locked(tables.update_item)
    backend["transact_write_items"] = _locked(tables.transact_write_items)
    return [
        *((DynamoDBBackend, name, method) for name, method in backend.items()),
        (Table, "query", tables.query),
        (Table, "all_items", tables.all_items),
        (Table, "put_item", tables.put_item),
        (Table, "delete_item", tables.delete_item),
        (DynamoHandler, "call_action", _call_action),
        (DynamoDBStreamsBackend, "describe_stream", _describe_stream),
        (DynamoDBStreamsBackend, "get_shard_iterator", _get_shard_iterator),
        (DynamoDBStreamsBackend, "get_records", _get_records),
        *((model, "__new__", staticmethod(_untracked_new)) for model in (Item, StreamRecord, ShardIterator)),
        (Item, "__init__", _item_init),
    ]


# Installed by embedded_aws.patch_moto (the runtime); `PATCHES.installed(False)` compares with moto as it is.
PATCHES = MotoPatches(__name__, MOTO_VERSION, _patches, after_change=tables.forget_maps)
