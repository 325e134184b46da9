"""The local DynamoDB adapter is pinned to the moto it was written against: a new moto, or a changed
function the adapter replaces or relies on, fails here and says what to re-check."""

import hashlib
import inspect

import moto
import pytest
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import Item

from tasks_local import moto_dynamodb

# sha256 (first 16 hex digits) of inspect.getsource() of each function, in moto 5.2.5.
RECORDED = {
    "DynamoDBBackend.transact_write_items": "81db2cb7d94e39c9",
    "DynamoDBBackend.update_item": "218984588dd689a5",
    "DynamoDBBackend.get_item": "290b95c46b38bc5a",
    "DynamoDBBackend.get_keys_value": "1f948797496ddc2c",
    "DynamoDBBackend.execute_statement": "6579d0ba9df2be56",
    "DynamoDBBackend.update_table_global_indexes": "e93880c7dfef2ec5",
    "DynamoHandler.call_action": "ce5f57cf83cde340",
    "DynamoHandler.batch_write_item": "26221a09e2b2b1fd",
    "Table.query": "002b4d00be6df07c",
    "Table.all_items": "c80d2ee3c896acd0",
    "Table.put_item": "de23933013ef8426",
    "Table.delete_item": "1594f7b07616c8cb",
    "Table.get_item": "b08e98fe37b7e583",
    "StreamShard.add": "357dc6da267e5dd7",
    "StreamShard.get": "fa7e9a0d7b438c2f",
    "ShardIterator.get": "8932c0f7250e8996",
    "DynamoDBStreamsBackend.get_shard_iterator": "a0be676df0bfc9ef",
    "DynamoDBStreamsBackend.get_records": "db8c6cb04430c08f",
    "BaseModel.__new__": "08cf0ef20e88029a",
    "Item.__deepcopy__": "7621d16ad7ce49d9",
}


def test_moto_is_the_version_the_adapter_was_written_against():
    assert moto.__version__ == moto_dynamodb.MOTO_VERSION, (
        f"moto is {moto.__version__}; tasks_local.moto_dynamodb was written against "
        f"{moto_dynamodb.MOTO_VERSION}. Re-check every function in its RELIED_ON against the new moto "
        "(the other tests here name the changed ones), re-run tests/integration/test_local_dynamodb.py, "
        "then update MOTO_VERSION and the hashes in this file."
    )


def test_every_function_the_adapter_relies_on_has_a_recorded_source():
    assert set(moto_dynamodb.RELIED_ON) == set(RECORDED)


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_a_moto_function_the_adapter_relies_on_is_unchanged(name):
    function, assumption = moto_dynamodb.RELIED_ON[name]
    digest = hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]
    assert digest == RECORDED[name], (
        f"moto's {name} changed since moto {moto_dynamodb.MOTO_VERSION}. Re-read it and re-check what "
        f"tasks_local.moto_dynamodb assumes about it: {assumption}. Then record {digest} here."
    )


def test_the_adapter_refuses_another_moto_version(monkeypatch):
    with moto_dynamodb.installed(False), monkeypatch.context() as patch:
        patch.setattr(moto, "__version__", "9.9.9")
        with pytest.raises(RuntimeError, match=r"written against moto 5\.2\.5, not moto 9\.9\.9"):
            moto_dynamodb.install()
        assert not moto_dynamodb.is_installed()


def test_install_is_idempotent_and_uninstall_puts_moto_back():
    with moto_dynamodb.installed(False):
        original = DynamoDBBackend.transact_write_items
        moto_dynamodb.install()
        patched = DynamoDBBackend.transact_write_items
        moto_dynamodb.install()
        assert DynamoDBBackend.transact_write_items is patched is not original
        moto_dynamodb.uninstall()
        assert DynamoDBBackend.transact_write_items is original
        assert "__new__" not in Item.__dict__
