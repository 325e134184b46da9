"""Inside one moto DynamoDB table: a rollback that restores only what a transaction touched, and key
maps that let a Query read one partition instead of every item of the table.

Installed by `tasks_local.moto_fixes.dynamodb.PATCHES.install()`; nothing here changes moto until then.
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections.abc import Callable
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    ResourceNotFoundException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

# moto's own functions, as they are before install(): the wrappers below call these.
ORIGINAL = {
    "Table.query": Table.query,
    "Table.all_items": Table.all_items,
    "Table.put_item": Table.put_item,
    "Table.delete_item": Table.delete_item,
    "DynamoDBBackend.update_item": DynamoDBBackend.update_item,
    "DynamoDBBackend.transact_write_items": DynamoDBBackend.transact_write_items,
}
_KEY_TYPES = {"S", "N", "B"}  # a key attribute is one of these; only they are filed


# --- Key maps: index hash value -> the items of that partition ---------------------------------


class _KeyMaps:
    """For each GSI of one table, its hash value -> {primary key: item}, and where each item is filed.

    It holds the table's own Item objects (no copies). Writes re-file an item by its primary key, so
    moving it between partitions needs no old copy, even after moto's in-place UpdateItem.
    """

    def __init__(self, table: Table) -> None:
        self.items = table.items
        self.signature = _signature(table)
        self.buckets: dict[str, dict[DynamoType, dict[tuple, Item]]] = {n: {} for n, _ in self.signature}
        self.filed: dict[tuple, dict[str, DynamoType]] = {}
        for item in stored_items(table):
            self.file((item.hash_key, item.range_key), item)

    def file(self, pk: tuple, item: Item | None) -> None:
        for name, value in self.filed.pop(pk, {}).items():
            bucket = self.buckets[name][value]
            bucket.pop(pk, None)
            if not bucket:
                del self.buckets[name][value]
        if item is None:
            return
        filed = {}
        for name, attr in self.signature:
            value = item.attrs.get(attr)
            if value is not None and value.type in _KEY_TYPES:
                value = copy.deepcopy(value)  # a frozen key: UpdateItem may change the item's own in place
                self.buckets[name].setdefault(value, {})[pk] = item
                filed[name] = value
        if filed:
            self.filed[pk] = filed


# Kept beside the tables, never in them: a Table deep-copied by CreateBackup carries no map along.
_maps: weakref.WeakKeyDictionary[Table, _KeyMaps] = weakref.WeakKeyDictionary()
_query_scope = threading.local()


def forget_maps() -> None:
    """Drop every map (on install and uninstall: writes made meanwhile did not keep them current)."""
    _maps.clear()


def _signature(table: Table) -> tuple[tuple[str, str], ...]:
    return tuple((index.name, attr) for index in table.global_indexes if (attr := _hash_attr(index)))


def _hash_attr(index: Any) -> str | None:
    return next((key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"), None)


def stored_items(table: Table) -> list[Item]:
    buckets = table.items.values()
    if table.range_key_attr:
        return [item for bucket in buckets if isinstance(bucket, dict) for item in bucket.values()]
    return [bucket for bucket in buckets if isinstance(bucket, Item)]


def _stored(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
    bucket = table.items.get(hash_key)  # .get: table.items is a defaultdict, [] would add a bucket
    if table.range_key_attr:
        return bucket.get(range_key) if isinstance(bucket, dict) else None
    return bucket if isinstance(bucket, Item) else None


def _partition(table: Table, hash_key: DynamoType) -> list[Item]:
    bucket = table.items.get(hash_key)
    if table.range_key_attr:
        return list(bucket.values()) if isinstance(bucket, dict) else []
    return [bucket] if isinstance(bucket, Item) else []


# Told of every change of an item (its new state, None when gone) and of every stream a cancelled
# transaction cut back (to its new length): the local stack's journal (moto_fixes/state.py) listens.
ITEM_LISTENERS: list[Callable[[Table, tuple, Item | None], None]] = []
STREAM_LISTENERS: list[Callable[[Any, int], None]] = []


def refile(table: Table, pk: tuple, item: Item | None) -> None:
    """Every write of an item ends here (put, delete, update, a transaction's rollback)."""
    if (maps := _maps.get(table)) is not None:
        maps.file(pk, item)
    for listener in ITEM_LISTENERS:
        listener(table, pk, item)


def _candidates(table: Table, hash_key: Any, index_name: str | None, conditions: Any) -> list[Item] | None:
    """The items a Query may match (a superset: moto still applies every condition to them), or None
    when this Query is not one partition's (moto then reads the whole table, as before)."""
    if index_name is None:
        return _partition(table, hash_key) if isinstance(hash_key, DynamoType) else None
    index = next((index for index in table.all_indexes() if index.name == index_name), None)
    attr = _hash_attr(index) if index is not None else None
    value = dict(conditions or []).get(attr)
    if not isinstance(value, DynamoType) or value.type not in _KEY_TYPES:
        return None
    if attr == table.hash_key_attr:  # an LSI, or a GSI keyed like the table: the table's partition
        return _partition(table, value)
    if index not in table.global_indexes:
        return None
    maps = _maps.get(table)
    if maps is None or maps.items is not table.items or maps.signature != _signature(table):
        maps = _maps[table] = _KeyMaps(table)  # built once per table, then kept current by writes
    return list(maps.buckets[index_name].get(value, {}).values())


def query(  # noqa: PLR0917 - moto's own signature, which Table.query's callers use positionally
    self: Table,
    hash_key: DynamoType | None,
    range_comparison: str | None,
    range_objs: list[DynamoType],
    limit: int,
    exclusive_start_key: dict[str, Any],
    scan_index_forward: bool,
    projection_expressions: list[list[str]] | None,
    index_name: str | None = None,
    consistent_read: bool = False,
    filter_expression: Any = None,
    hash_key_conditions: list[tuple[str, DynamoType]] | None = None,
    range_key_conditions: list[tuple[str, str, list[DynamoType]]] | None = None,
    **filter_kwargs: Any,
) -> tuple[list[Item], int, dict[str, Any] | None]:
    """moto's Table.query, reading one partition: its `all_items()` returns only the candidates."""
    candidates = _candidates(self, hash_key, index_name, hash_key_conditions)
    previous = getattr(_query_scope, "candidates", None)
    if candidates is not None:
        _query_scope.candidates = (self, candidates)
    try:
        return ORIGINAL["Table.query"](
            self,
            hash_key,
            range_comparison,
            range_objs,
            limit,
            exclusive_start_key,
            scan_index_forward,
            projection_expressions,
            index_name,
            consistent_read,
            filter_expression,
            hash_key_conditions=hash_key_conditions,
            range_key_conditions=range_key_conditions,
            **filter_kwargs,
        )
    finally:
        _query_scope.candidates = previous


def all_items(self: Table) -> list[Item]:
    scope = getattr(_query_scope, "candidates", None)
    if scope is not None and scope[0] is self:
        return list(scope[1])
    return ORIGINAL["Table.all_items"](self)


def put_item(self: Table, *args: Any, **kwargs: Any) -> Item:
    item = ORIGINAL["Table.put_item"](self, *args, **kwargs)
    refile(self, (item.hash_key, item.range_key), item)
    return item


def delete_item(self: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
    item = ORIGINAL["Table.delete_item"](self, hash_key, range_key)
    if item is not None:
        refile(self, (item.hash_key, item.range_key), None)
    return item


def update_item(
    self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any
) -> Item:
    """moto's UpdateItem changes the stored Item in place; re-file it afterwards, even when it failed
    half-way (moto may have created the item, or changed part of it, before raising)."""
    try:
        return ORIGINAL["DynamoDBBackend.update_item"](self, table_name, key, *args, **kwargs)
    finally:
        try:
            table = self.get_table(table_name)
            hash_key, range_key = self.get_keys_value(table, key)
        except (ResourceNotFoundException, MockValidationException):
            pass  # moto found no item by this key either
        else:
            refile(table, (hash_key, range_key), _stored(table, hash_key, range_key))


# --- Transactions: back up the touched items, restore them in place ---------------------------


class _Journal:
    """What a transaction changed: a deep copy of each touched item as it was (None: absent), and the
    length of each touched table's stream before its first write."""

    def __init__(self, backend: DynamoDBBackend) -> None:
        self.backend = backend
        self.kept: list[tuple[Table, DynamoType, DynamoType | None, Item | None]] = []
        self.streams: dict[int, tuple[Any, list, int]] = {}

    def keep(self, table_name: str, key: dict[str, Any], current: Item | None) -> None:
        table = self.backend.get_table(table_name)
        hash_key, range_key = self.backend.get_keys_value(table, key)
        self.kept.append((table, hash_key, range_key, copy.deepcopy(current)))
        shard = table.stream_shard
        if shard is not None and id(shard) not in self.streams:
            self.streams[id(shard)] = (shard, shard.items, len(shard.items))

    def rollback(self) -> None:
        for table, hash_key, range_key, item in reversed(self.kept):
            if item is not None and table.range_key_attr:
                table.items[hash_key][range_key] = item
            elif item is not None:
                table.items[hash_key] = item
            elif table.range_key_attr and isinstance(bucket := table.items.get(hash_key), dict):
                bucket.pop(range_key, None)
                if not bucket:
                    del table.items[hash_key]
            else:
                table.items.pop(hash_key, None)
            refile(table, (hash_key, range_key), item)
        # Forget the records of the cancelled writes, as moto does by restoring its copy of the table:
        # a reader never sees them, and the next write gets the next sequence number.
        for shard, records, length in self.streams.values():
            del records[length:]
            shard.items = records
            for listener in STREAM_LISTENERS:
                listener(shard, length)


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:  # noqa: PLR0912, PLR0915
    """moto's DynamoDBBackend.transact_write_items, line for line, except for its rollback backup.

    moto deep-copies every table the transaction names before it starts (O(table) per call) and, on
    cancel, replaces the Table objects with the copies, which strands the stream readers on the old
    table. Here the journal keeps a deep copy of each item an operation is about to write (or its
    absence) and, on cancel, puts those back into the same Table. Lines that differ: `journal`.
    One deliberate difference: a table named by its ARN is rolled back too (moto skips it).
    """
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    journal = _Journal(self)
    for item in transact_items:  # moto reads every op's TableName up front; a malformed op fails here
        _, op = next(iter(item.items()))
        op.get("TableName")

    target_items: set[tuple[str, str]] = set()

    def check_unicity(table_name: str, key: dict[str, Any]) -> None:
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in target_items:
            raise MultipleTransactionsException()
        target_items.add(item)

    errors: list[tuple[str, str, dict[str, Any]] | tuple[None, None, None]] = []
    for item in transact_items:
        original_item: dict[str, Any] | None = None
        if len(list(item.keys())) > 1:
            raise TransactWriteSingleOpException  # moto raises this one without a rollback

        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")

            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            expression_attribute_names = op.get("ExpressionAttributeNames")
            expression_attribute_values = op.get("ExpressionAttributeValues")
            return_values_on_condition_check_failure = op.get("ReturnValuesOnConditionCheckFailure")

            if op_type == "Put":
                attrs = op["Item"]
                table = self.get_table(table_name)
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]

            check_unicity(table_name, key)

            current = self.get_item(table_name, key)
            if op_type != "ConditionCheck":
                journal.keep(table_name, key, current)
            if condition_expression is not None:
                condition_op = get_filter_expression(
                    condition_expression, expression_attribute_names, expression_attribute_values
                )
                if not condition_op.expr(current):
                    if return_values_on_condition_check_failure == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)

            if op_type == "Put":
                attrs = op["Item"]
                self.put_item(
                    table_name,
                    attrs,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    table_name,
                    key,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Update":
                update_expression = op["UpdateExpression"]
                self.update_item(
                    table_name,
                    key,
                    update_expression=update_expression,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            journal.rollback()
            raise
        except ConditionalCheckFailed as e:
            errors.append(("ConditionalCheckFailed", str(e.message), original_item))  # type: ignore[arg-type]
        except Exception as e:  # moto records any other failure as the op's cancellation reason
            errors.append((type(e).__name__, str(e), original_item))  # type: ignore[arg-type]

    if any(code is not None for code, _, _ in errors):
        journal.rollback()
        raise TransactionCanceledException(errors)
