"""The local runtime's Step Functions parse cache (tasks_local.moto_fixes.stepfunctions): executions
run as they do on moto as it is, each definition is parsed once however many executions it has, and a
definition that does not parse is refused with moto's own error."""

import json
import re
import time

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.stepfunctions.parser.asl.parse.asl_parser import ASLParser

from tasks_local.moto_fixes import stepfunctions as moto_stepfunctions
from tests.support.polling import eventually

ROLE = "arn:aws:iam::123456789012:role/machine"
# What the approval workflow's executions do: a Parallel state, an aws-sdk DynamoDB task whose Retry
# counts attempts per execution (its counter must not be shared between executions), a Catch.
MACHINE = {
    "StartAt": "Both",
    "States": {
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "End": True}},
                },
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "b", "End": True}}},
            ],
            "ResultPath": "$.both",
            "Next": "Read",
        },
        "Read": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
            "Parameters": {"TableName": "missing", "Key": {"id": {"S.$": "States.Format('{}', $.n)"}}},
            "Retry": [
                {
                    "ErrorEquals": ["DynamoDb.ResourceNotFoundException"],
                    "IntervalSeconds": 1,
                    "MaxAttempts": 1,
                    "BackoffRate": 1.0,
                }
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
            "End": True,
        },
        "Caught": {"Type": "Pass", "End": True},
    },
}
RUNS = 4
# moto runs executions (and checks definitions) only when asked to (docs/local-runtime.md).
EXECUTING = {"stepfunctions": {"execute_state_machine": True}}


def _outcomes(patched: bool) -> list[tuple[str, str, list[str]]]:
    """Status, output and the history's event types of several executions of one machine (sorted: the
    Parallel state's branches run in threads, whose events interleave as they will)."""
    with (
        moto_stepfunctions.PATCHES.installed(patched),
        mock_aws(config={"stepfunctions": {"execute_state_machine": True}}),
    ):
        sfn = boto3.client("stepfunctions")
        machine = sfn.create_state_machine(name="m", definition=json.dumps(MACHINE), roleArn=ROLE)
        arns = [
            sfn.start_execution(
                stateMachineArn=machine["stateMachineArn"], name=f"run-{n}", input=json.dumps({"n": n})
            )["executionArn"]
            for n in range(RUNS)
        ]

        def finished() -> list[dict] | None:
            described = [sfn.describe_execution(executionArn=arn) for arn in arns]
            return described if all(d["status"] != "RUNNING" for d in described) else None

        described = eventually(finished, 10.0)
        assert described, "the executions did not finish"
        return [
            (
                d["status"],
                re.sub(r"Request ID: \w+", "Request ID: *", d.get("output", "")),  # a new one each time
                sorted(
                    e["type"] for e in sfn.get_execution_history(executionArn=d["executionArn"])["events"]
                ),
            )
            for d in described
        ]


def test_executions_run_as_on_moto_as_it_is():
    assert _outcomes(patched=True) == _outcomes(patched=False)


def test_a_definition_is_parsed_once_however_many_executions_run_it(monkeypatch):
    parses = []
    original = ASLParser.state_machine

    def counted(self):
        parses.append(time.monotonic())
        return original(self)

    monkeypatch.setattr(ASLParser, "state_machine", counted)
    _outcomes(patched=True)
    with_cache = len(parses)
    parses.clear()
    _outcomes(patched=False)
    # moto parses at creation (its static analysis) and once per execution; the cache, once in all.
    assert (with_cache, len(parses)) == (1, 1 + RUNS)


def _refusal(patched: bool) -> str:
    broken = '{"StartAt": "A", "States": {"A": {"Type": "Passs", "End": true}}}'
    with moto_stepfunctions.PATCHES.installed(patched), mock_aws(config=EXECUTING):
        sfn = boto3.client("stepfunctions")
        with pytest.raises(ClientError) as refused:
            sfn.create_state_machine(name="broken", definition=broken, roleArn=ROLE)
    return refused.value.response["Error"]["Message"]


def test_a_definition_that_does_not_parse_is_refused_with_motos_error():
    refusal = _refusal(patched=True)
    assert "ASLParserException" in refusal
    assert refusal == _refusal(patched=False)
