"""What a saved file changes in a running stack (runtime/reload.py): the functions it reaches, their
manifests, the bus's rules and the state machine, applied through the AWS APIs on moto (in-process),
from a source layout of the test's own."""

import io
import json
import os
import shutil

import boto3
import pytest
from moto import mock_aws

from tasks_local.runtime.bus import RULES_PATH, provision_events, read_rules
from tasks_local.runtime.gateway import HttpApiGateway, routes_of
from tasks_local.runtime.identity import JwtAuthorizer
from tasks_local.runtime.manifest import load_all
from tasks_local.runtime.reload import RunningStack, SourceLayout, StackReloader
from tasks_local.runtime.workflow import ASL_PATH, provision_workflow
from tests.conftest import PREFIX

HANDLER = "import os\n\ndef handler(event, context):\n    return os.environ.get('GREETING', 'hello')\n"


@pytest.fixture
def reloader(source_tree, tmp_path, monkeypatch):
    """A running stack's parts on moto: two functions of the source tree (one behind a route), the
    bus, queues and rules as `make dev` creates them, the approval state machine; and its reloader."""
    monkeypatch.setenv("GREETING", "hello")  # restored at the end, whatever a saved manifest sets
    layout = SourceLayout(tmp_path)
    for source in (RULES_PATH, ASL_PATH):
        (layout.root / source.parent.name).mkdir(exist_ok=True)
        shutil.copy(source, layout.root / source.parent.name / source.name)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        functions = {
            "fn-a": source_tree.function(
                "fn-a",
                HANDLER,
                environment={"GREETING": "hello"},
                events=[{"httpApi": {"method": "GET", "path": "/a", "auth": "none"}}],
            ),
            "fn-b": source_tree.function("fn-b", HANDLER),
        }
        gateway = HttpApiGateway(
            [route for function in functions.values() for route in routes_of(function)],
            JwtAuthorizer(tmp_path),
            io.StringIO(),
        )
        resources = provision_events(PREFIX, os.environ["AWS_REGION"], load_all())
        workflow = provision_workflow(PREFIX, "tasks-table", "http://127.0.0.1:3000/app/")
        running = RunningStack(functions, gateway, {}, resources, workflow, PREFIX)
        rules = read_rules(layout.rules)
        yield StackReloader(running, source_tree.log, layout=layout, modules=source_tree.modules, rules=rules)


def _log(reloader: StackReloader) -> str:
    return reloader.log.getvalue()


def test_a_save_in_a_function_folder_starts_a_new_container_for_that_function_alone(reloader):
    fn_a, fn_b = reloader.stack.functions["fn-a"], reloader.stack.functions["fn-b"]
    fn_a.warm()
    fn_b.warm()
    saved = reloader.layout.services / "fn-a" / "notes.json"

    saved.write_text("{}")
    reloader.apply({saved})
    fn_a.invoke({})
    fn_b.invoke({})

    assert "fn-a | reloaded: " in " ".join(_log(reloader).split())
    assert "fn-b | reloaded" not in " ".join(_log(reloader).split())


def test_a_save_in_the_shared_folder_or_the_event_catalog_reaches_every_function(reloader):
    for function in reloader.stack.functions.values():
        function.warm()

    reloader.apply({reloader.layout.catalog / "TaskCreated.json"})
    for function in reloader.stack.functions.values():
        function.invoke({})

    assert _log(reloader).count("reloaded: ") == 2
    assert "the next invocation of each function (2) starts a new container" in _log(reloader)


def test_a_saved_manifest_applies_its_environment_and_routes_and_says_what_waits(reloader, source_tree):
    fn_a = reloader.stack.functions["fn-a"]
    assert fn_a.invoke({}) == "hello"

    manifest = source_tree.write_manifest(
        fn_a.manifest.folder,
        {
            "name": "fn-a",
            "handler": fn_a.manifest.handler,
            "environment": {"GREETING": "bonjour"},
            "events": [
                {"httpApi": {"method": "GET", "path": "/b", "auth": "none"}},
                {"sqs": {"queue": "a-queue-the-stack-lacks"}},
            ],
        },
    )
    reloader.apply({manifest})

    assert fn_a.invoke({}) == "bonjour"
    assert [route.key for route in reloader.stack.gateway.routes] == ["GET /b"]
    assert "fn-a's queue and stream triggers are set up at start: restart `make dev`" in _log(reloader)


def test_a_manifest_that_does_not_parse_changes_nothing_and_says_why(reloader):
    fn_a = reloader.stack.functions["fn-a"]
    before = fn_a.manifest
    manifest = before.folder / "function.yml"

    manifest.write_text("name: fn-a\nhandler: [unclosed\n")
    reloader.apply({manifest})

    assert fn_a.manifest == before
    assert f"saved {manifest}: not applied: " in _log(reloader)


def _pattern(rule: str) -> dict:
    described = boto3.client("events").describe_rule(Name=f"{PREFIX}-{rule}", EventBusName=f"{PREFIX}-bus")
    return json.loads(described["EventPattern"])


def test_a_saved_rule_pattern_is_put_on_the_bus(reloader):
    rules = read_rules(reloader.layout.rules)
    rules["rules"]["task-created"]["eventPattern"]["detail"] = {"task": {"priority": ["low"]}}

    reloader.layout.rules.write_text(json.dumps(rules))
    reloader.apply({reloader.layout.rules})

    assert _pattern("task-created")["detail"] == {"task": {"priority": ["low"]}}
    assert "rules put (PutRule, PutTargets): " in _log(reloader)


def test_a_rule_taken_out_is_deleted_and_one_whose_queue_the_stack_lacks_needs_a_restart(reloader):
    rules = read_rules(reloader.layout.rules)
    del rules["rules"]["task-completed"]
    rules["rules"]["new-consumer"] = {
        "description": "A consumer whose queue make dev creates at start only.",
        "eventPattern": {"detail-type": ["TaskCreated"]},
        "target": {"queue": "new-consumer"},
    }

    reloader.layout.rules.write_text(json.dumps(rules))
    reloader.apply({reloader.layout.rules})

    listed = boto3.client("events").list_rules(EventBusName=f"{PREFIX}-bus")["Rules"]
    names = {rule["Name"] for rule in listed}
    assert f"{PREFIX}-task-completed" not in names
    assert f"{PREFIX}-new-consumer" not in names
    assert "deleted: task-completed" in _log(reloader)
    assert "rule new-consumer targets a queue the stack does not have: restart `make dev`" in _log(reloader)


def _definition(reloader: StackReloader) -> dict:
    sfn = boto3.client("stepfunctions")
    arn = reloader.stack.workflow.state_machine_arn
    return json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])


def test_a_saved_state_machine_is_updated_for_new_executions(reloader):
    template = json.loads(reloader.layout.state_machine.read_text())
    template["Comment"] = "saved while make dev ran"

    reloader.layout.state_machine.write_text(json.dumps(template))
    reloader.apply({reloader.layout.state_machine})

    assert _definition(reloader)["Comment"] == "saved while make dev ran"
    assert "state machine updated (UpdateStateMachine)" in _log(reloader)


def test_a_state_machine_step_functions_refuses_is_not_applied_and_says_why(reloader):
    before = _definition(reloader)

    reloader.layout.state_machine.write_text('{"StartAt": "Nowhere", "States": {}}')
    reloader.apply({reloader.layout.state_machine})

    assert _definition(reloader) == before
    assert "not applied: UpdateStateMachine refused it: ASLParserException line 1" in _log(reloader)
