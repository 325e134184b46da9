"""infra/ reads the repository's definitions and interprets them as the local runtime does.

The definitions module (manifests, rules, tables, ASL) is evaluated by Terraform itself and compared
with the files and with local/tasks_local's reading of them; the resource modules are read with
python-hcl2 to check that they build each function, mapping, rule, route and role from that output.
"""

import dataclasses
import importlib
import json
from typing import Any

import pytest
import yaml

from tasks_api.openapi import openapi_document
from tasks_local.runtime.bus import event_resource_names, rules_definition
from tasks_local.runtime.manifest import load, manifest_paths
from tasks_local.runtime.workflow import ASL_PATH, placeholders
from tasks_shared.tables import create_table_request, definitions
from tests.contract.terraform import INFRA, TERRAFORM, blocks, evaluate_definitions, fake_arn, parsed

PREFIX = "test-tasks"
REGION = "eu-west-1"
MANIFESTS = {path.parent.name: yaml.safe_load(path.read_text()) for path in manifest_paths()}
VALUES = {
    "tables": {key: f"{PREFIX}-{key}" for key in definitions()},
    "secrets": {"pagination": "arn:test:secret/pagination"},
    "settings": {"retention_days": "30", "metrics_disabled": "false"},
    **event_resource_names(PREFIX, REGION),
}
KEY_ARNS = {
    kind: f"arn:test:key/{kind}" for kind in ("table", "queue", "topic", "bucket", "stateMachine", "secret")
}
WORKFLOW_ARNS = {"tasks_table": "arn:test:table/tasks", "approvals_topic_arn": "arn:test:topic/approvals"}

pytestmark = pytest.mark.skipif(
    TERRAFORM is None, reason="the terraform CLI is not on PATH: the definitions module cannot be evaluated"
)


def _references() -> set[str]:
    return {r for manifest in MANIFESTS.values() for s in manifest.get("iam", []) for r in s["resources"]}


@pytest.fixture(scope="module")
def terraform(tmp_path_factory) -> dict[str, Any]:
    inputs = {
        "repo_root": str(INFRA.parent),
        "region": REGION,
        "values": VALUES,
        "arns": {
            fake_arn(reference).removeprefix("arn:test:"): fake_arn(reference) for reference in _references()
        },
        "key_arns": KEY_ARNS,
        "workflow_arns": WORKFLOW_ARNS,
    }
    return evaluate_definitions(tmp_path_factory.mktemp("definitions"), inputs)


def _own(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statements that come from the manifest (the KMS ones carry a kms:ViaService condition)."""
    return [statement for statement in statements if statement["condition"] is None]


def test_terraform_reads_one_function_per_manifest_with_its_settings(terraform):
    read = {
        name: {
            k: function[k]
            for k in ("handler", "runtime", "architecture", "memory_size", "timeout", "description")
        }
        for name, function in terraform["functions"].items()
    }
    assert read == {
        manifest["name"]: {
            "handler": manifest["handler"],
            "runtime": manifest["runtime"],
            "architecture": manifest["architecture"],
            "memory_size": manifest["memorySize"],
            "timeout": manifest["timeout"],
            "description": manifest["description"],
        }
        for manifest in MANIFESTS.values()
    }


def test_terraform_fills_each_environment_as_the_local_runtime_does(terraform):
    local = {
        manifest.name: manifest.environment for manifest in (load(path, VALUES) for path in manifest_paths())
    }
    assert {name: function["environment"] for name, function in terraform["functions"].items()} == local


@pytest.mark.parametrize("folder", sorted(MANIFESTS))
def test_every_setting_a_function_reads_is_set_by_terraform(terraform, folder):
    manifest = MANIFESTS[folder]
    config = importlib.import_module(f"{manifest['handler'].split('.')[0]}.config")
    read = {field.name.upper() for field in dataclasses.fields(config.Settings)}
    assert read <= terraform["functions"][manifest["name"]]["environment"].keys()


@pytest.mark.parametrize("folder", sorted(MANIFESTS))
def test_each_manifest_statement_is_its_role_statement_with_arns_and_the_keys_it_needs(terraform, folder):
    manifest = MANIFESTS[folder]
    statements = terraform["functions"][manifest["name"]]["statements"]
    expected = [
        {
            "actions": statement["actions"],
            "resources": [
                fake_arn(r) + r[len(fake_arn(r).removeprefix("arn:test:")) :] for r in statement["resources"]
            ],
            "condition": None,
        }
        for statement in manifest["iam"]
    ]
    kinds = {
        r.split("/")[0] for statement in manifest["iam"] for r in statement["resources"]
    } & KEY_ARNS.keys()
    assert _own(statements) == expected
    assert {s["resources"][0] for s in statements if s["condition"]} == {KEY_ARNS[kind] for kind in kinds}


def test_the_stack_gives_an_arn_to_every_kind_of_resource_a_manifest_names():
    arns = json.dumps(blocks("stack", "module")["definitions"]["arns"])
    kinds = {r.split("/")[0] if "/" in r else r for r in _references()}
    prefixes = {kind: (f'"{kind}/' if kind != "bus" else "bus") for kind in kinds}
    assert {kind: prefix in arns.replace('\\"', '"') for kind, prefix in prefixes.items()} == dict.fromkeys(
        kinds, True
    )


def test_terraform_handles_every_kind_of_trigger_a_manifest_declares(terraform):
    declared = {
        kind for manifest in MANIFESTS.values() for event in manifest.get("events", []) for kind in event
    }
    assert declared <= {"sqs", "stream", "httpApi"}
    triggers = {
        name: {"sqs": t["queue"], "stream": t["stream"], "httpApi": t["http"]}
        for name, t in terraform["triggers"].items()
    }
    assert triggers == {
        manifest["name"]: {
            kind: [event[kind] for event in manifest.get("events", []) if kind in event]
            for kind in ("sqs", "stream", "httpApi")
        }
        for manifest in MANIFESTS.values()
    }


def test_each_queue_and_stream_trigger_is_an_event_source_mapping_of_the_live_alias():
    mappings = blocks("function", "resource", "aws_lambda_event_source_mapping")
    queue, stream = (
        mappings["aws_lambda_event_source_mapping.queue"],
        mappings["aws_lambda_event_source_mapping.stream"],
    )
    assert "var.function.queue_triggers" in queue["for_each"]
    assert "var.function.stream_triggers" in stream["for_each"]
    for mapping in (queue, stream):
        assert mapping["function_name"] == "${aws_lambda_alias.live.arn}"
        assert mapping["function_response_types"] == ["${each.value.functionResponseType}"]
        assert mapping["batch_size"] == "${each.value.batchSize}"
    assert stream["bisect_batch_on_function_error"] == "${each.value.bisectBatchOnFunctionError}"
    assert stream["maximum_retry_attempts"] == "${each.value.maximumRetryAttempts}"
    assert "each.value.onFailure.queue" in json.dumps(stream["destination_config"])


def test_every_manifest_asks_its_triggers_to_report_batch_item_failures():
    triggers = [
        event[kind]
        for manifest in MANIFESTS.values()
        for event in manifest.get("events", [])
        for kind in ("sqs", "stream")
        if kind in event
    ]
    assert {trigger["functionResponseType"] for trigger in triggers} == {"ReportBatchItemFailures"}


def test_each_function_gets_its_role_its_live_alias_and_its_manifest_statements():
    function = blocks("function", "resource")
    role = blocks("function", "module")["role"]  # its own role, from the role module (STYLE 20)
    assert role["source"] == "../role"
    assert function["aws_lambda_function.this"]["role"] == "${module.role.role_arn}"
    assert blocks("role", "output")["role_arn"]["value"] == "${aws_iam_role.this.arn}"
    assert function["aws_lambda_function.this"]["publish"] is True
    assert function["aws_lambda_alias.live"]["function_version"] == "${aws_lambda_function.this.version}"
    assert role["statements"].startswith("${concat(var.function.statements, [")
    policy = blocks("role", "data")["aws_iam_policy_document.this"]
    assert policy["dynamic"][0]["statement"]["for_each"] == "${var.statements}"
    assert blocks("role", "resource")["aws_iam_role_policy.this"] == {
        "name": "${var.policy_name}",
        "role": "${aws_iam_role.this.id}",
        "policy": "${data.aws_iam_policy_document.this.json}",
    }
    assert "module.definitions.functions" in blocks("stack", "module")["function"]["for_each"]


def test_each_rule_becomes_a_rule_and_a_target_as_the_local_bus_reads_it(terraform):
    rules = rules_definition()["rules"]
    assert {
        name: {**rule, "event_pattern": json.loads(rule["event_pattern"])}
        for name, rule in terraform["rules"].items()
    } == {
        name: {
            "description": rule["description"],
            "event_pattern": rule["eventPattern"],
            "queue": rule["target"].get("queue"),
            "state_machine": rule["target"].get("stateMachine"),
            "execution_name": rule["target"].get("executionName", []),
        }
        for name, rule in rules.items()
    }
    bus = blocks("bus", "resource")
    assert (
        bus["aws_cloudwatch_event_rule.this"]["for_each"]
        == bus["aws_cloudwatch_event_target.this"]["for_each"]
        == "${var.rules}"
    )


def test_every_rule_target_exists_and_has_a_retry_policy_and_a_dlq(terraform):
    targets = {(rule["queue"], rule["state_machine"]) for rule in terraform["rules"].values()}
    assert {queue for queue, _ in targets if queue} <= terraform["queues"].keys()
    assert {machine for _, machine in targets if machine} <= terraform["state_machine_files"].keys()
    target = blocks("bus", "resource")["aws_cloudwatch_event_target.this"]
    assert target["retry_policy"]
    assert target["dead_letter_config"][0]["arn"] == "${var.dead_letter_arn}"


def test_every_asl_placeholder_is_supplied_by_the_workflow_module(terraform):
    template = ASL_PATH.read_text()
    supplied = blocks("workflow", "resource")["aws_sfn_state_machine.this"]["definition"]
    assert terraform["state_machine_placeholders"]["approval"] == sorted(placeholders(template))
    assert {
        name
        for name in placeholders(template)
        if f"{name} = " not in supplied and f"'{name}':" not in supplied
    } == set()


def _task_states(states: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for state in states.values():
        found += [state] if state["Type"] == "Task" else []
        for branch in state.get("Branches", []):
            found += _task_states(branch["States"])
    return found


def test_the_workflow_role_grants_exactly_what_its_task_states_call(terraform):
    calls = set()
    for state in _task_states(json.loads(ASL_PATH.read_text())["States"]):
        service, api = (
            state["Resource"]
            .removeprefix("arn:aws:states:::")
            .removeprefix("aws-sdk:")
            .split(".")[0]
            .split(":")
        )
        target = state["Parameters"].get("TableName") or state["Parameters"]["TopicArn"]
        calls.add((f"{service}:{api[0].upper()}{api[1:]}", WORKFLOW_ARNS[target.strip("${}")]))
    granted = {
        (a, r)
        for s in _own(terraform["state_machine_statements"]["approval"])
        for a in s["actions"]
        for r in s["resources"]
    }
    assert granted == calls


def test_tables_are_the_definitions_create_table_requests(terraform):
    for key, table in terraform["tables"].items():
        request = create_table_request(key, "x")
        assert [table["hash_key"], table["range_key"]] == [
            next((k["AttributeName"] for k in request["KeySchema"] if k["KeyType"] == kind), None)
            for kind in ("HASH", "RANGE")
        ]
        assert table["attributes"] == {
            a["AttributeName"]: a["AttributeType"] for a in request["AttributeDefinitions"]
        }
        assert [
            (index["name"], index["projection_type"], index["non_key_attributes"])
            for index in table["global_secondary_indexes"]
        ] == [
            (
                index["IndexName"],
                index["Projection"]["ProjectionType"],
                index["Projection"].get("NonKeyAttributes"),
            )
            for index in request.get("GlobalSecondaryIndexes", [])
        ]
        assert table["stream_view_type"] == request.get("StreamSpecification", {}).get("StreamViewType")
        assert table["ttl_attribute"] == definitions()[key].get("TimeToLive", {}).get("AttributeName")


def test_every_openapi_route_is_an_api_route_with_the_same_auth(terraform):
    documented = {
        f"{method.upper()} {path}": "none" if operation.get("security") == [] else "jwt"
        for path, operations in openapi_document()["paths"].items()
        for method, operation in operations.items()
    }
    assert {key: route["auth"] for key, route in terraform["routes"].items()} == documented
    assert blocks("api", "resource")["aws_apigatewayv2_route.this"]["for_each"] == "${var.routes}"


def test_prod_protects_its_tables_and_keeps_logs_longest():
    settings = {env: parsed(INFRA / "envs" / env / "terraform.tfvars") for env in ("dev", "staging", "prod")}
    assert {env: s["deletion_protection"] for env, s in settings.items()} == {
        "dev": False,
        "staging": False,
        "prod": True,
    }
    assert settings["prod"]["log_retention_days"] == max(s["log_retention_days"] for s in settings.values())


def test_prod_keeps_its_keys_dashboard_every_alarm_its_metrics_and_lambdas_own_tracing():
    prod = parsed(INFRA / "envs" / "prod" / "terraform.tfvars")

    assert prod["profile"] == {
        "customer_managed_keys": True,
        "dashboard": True,
        "alarms": "all",
        "custom_metrics": True,
    }
    assert prod["tracing"]["lambda_mode"] == "Active"


@pytest.mark.parametrize("path", sorted(INFRA.rglob("*.tf")), ids=lambda p: str(p.relative_to(INFRA)))
def test_every_variable_and_output_has_a_description_and_variables_a_type(path):
    document = parsed(path)
    variables = [body for block in document.get("variable", []) for body in block.values()]
    outputs = [body for block in document.get("output", []) for body in block.values()]
    assert all("description" in body and "type" in body for body in variables)
    assert all("description" in body for body in outputs)
