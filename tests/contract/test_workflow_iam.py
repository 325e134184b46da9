"""The approval workflow's role grants exactly what its executions really call.

The ASL runs on moto's Step Functions interpreter over every path that writes or publishes (approve,
reject, timeout, a duplicate start); each AWS call the interpreter makes is recorded with the call
stack that made it, turned into its IAM action and resource, and compared with the role Terraform
builds for the state machine (infra/modules/definitions, evaluated by Terraform itself).
"""

import traceback

import pytest
from botocore.client import BaseClient

from tests.contract.terraform import TERRAFORM
from tests.contract.test_infra import WORKFLOW_ARNS, _own, terraform  # noqa: F401 - terraform is a fixture
from tests.integration.test_approval_workflow import Machine, machine  # noqa: F401 - machine is a fixture

pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="the terraform CLI is not on PATH")

_RESOURCE_PARAMETER = {("dynamodb", "UpdateItem"): "TableName", ("sns", "Publish"): "TopicArn"}


def _made_by_the_interpreter() -> bool:
    return any("moto/stepfunctions/" in frame.filename for frame in traceback.extract_stack())


@pytest.fixture
def recorded(monkeypatch) -> list[tuple[str, str, str]]:
    """(service, operation, resource parameter) of every call moto's interpreter makes."""
    calls = []
    original = BaseClient._make_api_call

    def recording(client, operation, params):
        if _made_by_the_interpreter():
            service = client.meta.service_model.service_name
            calls.append((service, operation, params.get(_RESOURCE_PARAMETER.get((service, operation), ""))))
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    return calls


def test_the_workflow_role_grants_every_call_its_executions_make_and_nothing_more(
    terraform,  # noqa: F811
    machine,  # noqa: F811
    recorded,
):
    for decision in ("approve", "reject"):
        task = machine.high_task()
        arn = machine.start(task)
        machine.decide(task.id, decision)
        machine.finished(arn)
    short = Machine(timeout_seconds=1)
    expired = short.high_task()
    short.finished(short.start(expired))
    duplicate = machine.high_task()
    machine.start(duplicate)
    machine.token(duplicate.id)
    machine.finished(machine.start(duplicate))

    physical = {machine.table: WORKFLOW_ARNS["tasks_table"]}
    physical |= dict.fromkeys(
        (machine.workflow.topic_arn, short.workflow.topic_arn), WORKFLOW_ARNS["approvals_topic_arn"]
    )
    called = {(f"{service}:{operation}", physical[resource]) for service, operation, resource in recorded}
    granted = {
        (action, resource)
        for statement in _own(terraform["state_machine_statements"]["approval"])
        for action in statement["actions"]
        for resource in statement["resources"]
    }
    assert called == {
        ("dynamodb:UpdateItem", WORKFLOW_ARNS["tasks_table"]),
        ("sns:Publish", WORKFLOW_ARNS["approvals_topic_arn"]),
    }
    assert called <= granted, f"called without a grant: {called - granted}"
    assert granted <= called, f"granted but never called: {granted - called}"
