"""The local runtime's moto adapters are pinned to the moto they were written against: a new moto, or a
changed function an adapter replaces or relies on, fails here and says what to re-check."""

import hashlib
import inspect

import moto
import pytest
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import Item
from moto.sqs.models import SQSBackend
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.utils import json_path

from tasks_local.moto_fixes import dynamodb as moto_dynamodb
from tasks_local.moto_fixes import jsonpath as moto_jsonpath
from tasks_local.moto_fixes import server as moto_server
from tasks_local.moto_fixes import sqs as moto_sqs
from tasks_local.moto_fixes import state as moto_state
from tasks_local.moto_fixes import stepfunctions as moto_stepfunctions

# sha256 (first 16 hex digits) of inspect.getsource() of each function, in moto 5.2.5.
RECORDED_DYNAMODB = {
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
    "Item.__init__": "d9c12b62cb921831",
    "LimitedSizeDict.__setitem__": "d979580fdbe14f79",
}

RECORDED_SERVER = {
    "DomainDispatcherApplication.get_backend_for_host": "1f41972c1e4e660f",
    "DomainDispatcherApplication.get_application": "0ff6939685bde917",
    "ThreadedMotoServer._server_entry": "ef744bd45e1e465a",
}
RECORDED_JSONPATH = {
    "EventTemplateParser.parse": "40a5a46a321811bb",
    "json_path.extract_json": "932245247973780c",
    "ResultPath._eval_body": "a6d93b4e5a332fad",
}
RECORDED_SQS = {
    "Queue.attributes": "40cb990b121628d5",
    "Queue.approximate_number_of_messages": "d357a9506a56d2f8",
    "Queue.approximate_number_of_messages_not_visible": "5dbecc4dda174358",
    "Queue.approximate_number_of_messages_delayed": "c3c1dadb0c42ed5f",
    "SQSBackend.is_message_valid_based_on_retention_period": "cca23b94a5f3af9d",
}
RECORDED_STEPFUNCTIONS = {
    "AmazonStateLanguageParser.parse": "a59a7d18760fb22e",
}
RECORDED_STATE = {
    "StreamShard.add": "357dc6da267e5dd7",
    "StreamShard.get": "fa7e9a0d7b438c2f",
    "StreamRecord.__init__": "511904c6352cfd9a",
    "Table.put_item": "de23933013ef8426",
    "Message.__init__": "4ab16d5eb16ec41c",
    "Queue.__init__": "0a4781ed5a21a050",
    "S3Backend.put_object": "db803f2da9d786ad",
    "S3Backend.delete_object": "5c1677b529710591",
    "SecretsManagerBackend.create_secret": "fa9d45682d27ae62",
    "SecretsManagerBackend.put_secret_value": "9b3e948abda1903c",
    "SQSBackend.send_message": "bf161af09a9e6b86",
    "SQSBackend.send_message_batch": "0707ad219481c867",
    "SQSBackend.receive_message": "065f3e5e7d214408",
    "SQSBackend.delete_message": "9eb658afdceb6bd9",
    "SQSBackend.delete_message_batch": "53c0bc5d5f51468a",
    "SQSBackend.change_message_visibility": "f0e9df5f66627114",
    "SQSBackend.change_message_visibility_batch": "6194b4570c67a1a0",
    "SQSBackend.purge_queue": "443ea1ae7b15230c",
}
RECORDED = {
    moto_dynamodb: RECORDED_DYNAMODB,
    moto_server: RECORDED_SERVER,
    moto_jsonpath: RECORDED_JSONPATH,
    moto_sqs: RECORDED_SQS,
    moto_stepfunctions: RECORDED_STEPFUNCTIONS,
    moto_state: RECORDED_STATE,
}
CHECK_AFTER = {
    moto_dynamodb: "re-run tests/local/test_moto_dynamodb.py",
    moto_server: "re-run the e2e suite (it talks to the server)",
    moto_jsonpath: "re-run tests/local/test_moto_jsonpath.py",
    moto_sqs: "re-run tests/local/test_moto_sqs.py",
    moto_stepfunctions: "re-run tests/local/test_moto_stepfunctions.py",
    moto_state: "re-run tests/local/test_moto_state.py and tests/local/test_stack_restart.py",
}
# One attribute each patch set replaces, to see it installed and removed.
PATCHED = {
    moto_dynamodb: (DynamoDBBackend, "transact_write_items"),
    moto_jsonpath: (json_path, "parse"),
    moto_sqs: (SQSBackend, "is_message_valid_based_on_retention_period"),
    moto_stepfunctions: (AmazonStateLanguageParser, "parse"),
    moto_state: (SQSBackend, "send_message"),
}


@pytest.mark.parametrize("adapter", RECORDED, ids=lambda adapter: adapter.__name__)
def test_moto_is_the_version_each_adapter_was_written_against(adapter):
    assert moto.__version__ == adapter.MOTO_VERSION, (
        f"moto is {moto.__version__}; {adapter.__name__} was written against {adapter.MOTO_VERSION}. "
        "Re-check every function in its RELIED_ON against the new moto (the other tests here name the "
        f"changed ones), {CHECK_AFTER[adapter]}, then update MOTO_VERSION and the hashes in this file."
    )


@pytest.mark.parametrize("adapter", RECORDED, ids=lambda adapter: adapter.__name__)
def test_every_function_an_adapter_relies_on_has_a_recorded_source(adapter):
    assert set(adapter.RELIED_ON) == set(RECORDED[adapter])


@pytest.mark.parametrize(
    ("adapter", "name"),
    [(adapter, name) for adapter, names in RECORDED.items() for name in sorted(names)],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_a_moto_function_an_adapter_relies_on_is_unchanged(adapter, name):
    function, assumption = adapter.RELIED_ON[name]
    digest = hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]
    assert digest == RECORDED[adapter][name], (
        f"moto's {name} changed since moto {adapter.MOTO_VERSION}. Re-read it and re-check what "
        f"{adapter.__name__} assumes about it: {assumption}. Then record {digest} here."
    )


@pytest.mark.parametrize("adapter", PATCHED, ids=lambda adapter: adapter.__name__)
def test_a_patch_set_refuses_another_moto_version(monkeypatch, adapter):
    patches = adapter.PATCHES
    with patches.installed(False), monkeypatch.context() as patch:
        patch.setattr(moto, "__version__", "9.9.9")
        with pytest.raises(RuntimeError, match=r"written against moto 5\.2\.5, not moto 9\.9\.9"):
            patches.install()
        assert not patches.is_installed()


@pytest.mark.parametrize("adapter", PATCHED, ids=lambda adapter: adapter.__name__)
def test_install_is_idempotent_and_uninstall_puts_moto_back(adapter):
    patches, (target, name) = adapter.PATCHES, PATCHED[adapter]
    with patches.installed(False):
        original = getattr(target, name)
        patches.install()
        patched = getattr(target, name)
        patches.install()
        assert getattr(target, name) is patched is not original
        patches.uninstall()
        assert getattr(target, name) is original


def test_uninstall_removes_an_attribute_moto_did_not_have():
    with moto_dynamodb.PATCHES.installed(False):
        moto_dynamodb.PATCHES.install()
        assert "__new__" in Item.__dict__
        moto_dynamodb.PATCHES.uninstall()
        assert "__new__" not in Item.__dict__
