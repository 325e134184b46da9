"""docs/operations.md has a row for every alarm infra/modules/observability creates, by the name it
gets (functions as `<function>-...`), and names no alarm that does not exist."""

import re

import yaml

from tests.contract.terraform import INFRA

ALARMS = (INFRA / "modules" / "observability" / "alarms.tf").read_text()
DOC = (INFRA.parent / "docs" / "operations.md").read_text()
MANIFESTS = [yaml.safe_load(path.read_text()) for path in (INFRA.parent / "services").glob("*/function.yml")]


def _local_keys(local: str) -> list[str]:
    block = ALARMS.split(f"{local} = merge(")[1].split("]...)")[0]
    return re.findall(r'"\$\{name\}-([a-z-]+)"\s*=', block)


def _documented() -> set[str]:
    table = DOC.split("## Alarms", 1)[1].split("\n## ", 1)[0]
    return {
        name
        for row in re.findall(r"^\| (.+?) \|", table, re.MULTILINE)
        for name in re.findall(r"`([^`]+)`", row)
    }


def _alarm_names() -> set[str]:
    """Every alarm's name after `<env>-tasks-`, functions generic."""
    events = [event for manifest in MANIFESTS for event in manifest.get("events", [])]
    consumer_dlqs = {f"{event['sqs']['queue']}-dlq" for event in events if "sqs" in event}
    failure_queues = {event["stream"]["onFailure"]["queue"] for event in events if "stream" in event}
    machines = {
        path.name.removesuffix(".asl.json") for path in (INFRA.parent / "statemachines").glob("*.asl.json")
    }
    names = {f"<function>-{key}" for key in _local_keys("function_alarms")}
    names |= {f"{machine}-{key}" for machine in machines for key in _local_keys("execution_alarms")}
    templates = re.findall(r'alarm_name\s*=\s*"\$\{var\.prefix\}-([^"]+)"', ALARMS)
    for template in templates:
        if template == "${each.key}-not-empty":
            names |= {f"{queue}-not-empty" for queue in consumer_dlqs | failure_queues | {"bus-dlq"}}
        elif template == "${each.key}-iterator-age":
            names.add("<function>-iterator-age")
        elif "${" not in template:
            names.add(template)
    return names


def test_every_alarm_has_a_row_saying_what_it_means_and_what_to_do():
    assert _alarm_names() - _documented() == set()


def test_the_page_documents_no_alarm_that_does_not_exist():
    functions = {manifest["name"] for manifest in MANIFESTS}  # a row may name the functions it is about

    assert _documented() - _alarm_names() - functions == set()
