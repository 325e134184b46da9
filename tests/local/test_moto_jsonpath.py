"""The local runtime's JSONPath cache (tasks_local.moto_fixes.jsonpath): EventBridge targets and Step
Functions states get what moto gives them without it, while each path is parsed once."""

import json

import boto3
import jsonpath_ng.ext
from moto import mock_aws
from moto.stepfunctions.parser.asl.component.common.path import result_path

from tasks_local.moto_fixes import jsonpath as moto_jsonpath
from tests.support.polling import eventually

TRANSFORMER = {
    "InputPathsMap": {"kind": "$.detail-type", "task": "$.detail.task.id", "tags": "$.detail.task.tags"},
    "InputTemplate": '{"what": "<kind>", "task": "<task>", "tags": <tags>}',
}
EVENT = {
    "Source": "tasks.service",
    "DetailType": "TaskCreated",
    "Detail": json.dumps({"task": {"id": "t-1", "tags": ["a", "b"], "priority": "high"}}),
}
# A state that uses every kind of path moto parses: InputPath, Parameters' ".$", ResultPath, OutputPath.
PASS_MACHINE = {
    "StartAt": "Shape",
    "States": {
        "Shape": {
            "Type": "Pass",
            "InputPath": "$.task",
            "Parameters": {"id.$": "$.id", "firstTag.$": "$.tags[0]", "fixed": 1},
            "ResultPath": "$.shaped",
            "OutputPath": "$.shaped",
            "End": True,
        }
    },
}


def _delivered(patched: bool) -> list[dict]:
    """What a plain target and a transformed target receive for EVENT, with the cache on or off."""
    with moto_jsonpath.PATCHES.installed(patched), mock_aws():
        events, sqs = boto3.client("events"), boto3.client("sqs")
        urls = [sqs.create_queue(QueueName=name)["QueueUrl"] for name in ("plain", "transformed")]
        arns = [sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"]) for url in urls]
        events.put_rule(Name="high", EventPattern=json.dumps({"detail": {"task": {"priority": ["high"]}}}))
        events.put_targets(
            Rule="high",
            Targets=[
                {"Id": "plain", "Arn": arns[0]["Attributes"]["QueueArn"]},
                {
                    "Id": "transformed",
                    "Arn": arns[1]["Attributes"]["QueueArn"],
                    "InputTransformer": TRANSFORMER,
                },
            ],
        )
        events.put_events(Entries=[EVENT])
        bodies = [json.loads(sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"]) for url in urls]
    for volatile in ("id", "time"):
        bodies[0].pop(volatile)
    return bodies


def test_event_targets_receive_what_moto_delivers_without_the_cache():
    plain, transformed = _delivered(patched=True)
    assert [plain, transformed] == _delivered(patched=False)
    assert (plain["detail-type"], plain["detail"]["task"]["id"]) == ("TaskCreated", "t-1")
    assert transformed == {"what": "TaskCreated", "task": "t-1", "tags": ["a", "b"]}


def _executed(patched: bool) -> dict:
    with (
        moto_jsonpath.PATCHES.installed(patched),
        mock_aws(config={"stepfunctions": {"execute_state_machine": True}}),
    ):
        sfn = boto3.client("stepfunctions")
        machine = sfn.create_state_machine(
            name="shape", definition=json.dumps(PASS_MACHINE), roleArn="arn:aws:iam::123456789012:role/sfn"
        )["stateMachineArn"]
        execution = sfn.start_execution(
            stateMachineArn=machine, input=json.dumps({"task": {"id": "t-1", "tags": ["a", "b"]}})
        )["executionArn"]
        done = eventually(
            lambda: (d := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and d
        )
        assert done, "the execution did not end"
        return {"status": done["status"], "output": json.loads(done["output"])}


def test_state_machine_paths_give_what_moto_gives_without_the_cache():
    patched = _executed(patched=True)
    assert patched == _executed(patched=False)
    assert patched == {"status": "SUCCEEDED", "output": {"id": "t-1", "firstTag": "a", "fixed": 1}}


def _parses_and_uses() -> tuple[int, int]:
    """Paths parsed and paths used so far, by the two parse functions moto calls (cached ones now)."""
    infos = [jsonpath_ng.ext.parse.cache_info(), result_path.parse.cache_info()]
    return sum(info.misses for info in infos), sum(info.hits + info.misses for info in infos)


def test_each_path_is_parsed_once_however_often_it_is_used():
    with moto_jsonpath.PATCHES.installed():
        _delivered(patched=True)
        _executed(patched=True)
        parsed, used = _parses_and_uses()
        for _ in range(3):
            _delivered(patched=True)
            _executed(patched=True)
        parsed_again, used_again = _parses_and_uses()
    assert parsed_again == parsed
    assert used_again - used >= 3 * (8 + 3 + 3)  # 8 default-template paths, 3 transformer paths, 3+ states
