"""`make lint`'s check of the approval workflow: statelint on the ASL as the local runtime renders it,
then what statelint misses (docs/local-runtime.md): a misspelt `.waitForTaskToken`, a token wait without a
timeout, an error name in the wrong service spelling, a placeholder nobody supplies."""

import json
import re
import sys
from collections.abc import Iterator
from typing import Any

from statelint.config import Config
from statelint.linter import Linter

from tasks_local.runtime.workflow import ASL_PATH, placeholders, render, workflow_values

_WAIT = ".waitForTaskToken"
_PLACEHOLDERS = re.compile(r"\$\{[A-Za-z0-9_]+\}")
# An optimized integration (sns:publish) or an SDK one (aws-sdk:dynamodb:updateItem), with an optional
# pattern suffix spelt exactly.
_RESOURCE = re.compile(
    r"arn:aws:states:::(aws-sdk:[a-z0-9]+:[a-z][A-Za-z0-9]*|[a-z0-9]+:[a-z][A-Za-z0-9]*)"
    r"(\.waitForTaskToken|\.sync|\.sync:2)?"
)
# Step Functions names SDK errors by the service's own spelling: DynamoDB's are `DynamoDb.*` (lower-case
# b), so a Catch on `DynamoDB.ConditionalCheckFailedException` never matches.
_MISSPELT_ERRORS = re.compile(r"^(DynamoDB|Dynamodb|Sns)\.")


def _states(states: dict[str, Any], where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every state, Parallel branches included, with its path for messages."""
    for name, state in states.items():
        yield f"{where}{name}", state
        for number, branch in enumerate(state.get("Branches", [])):
            yield from _states(branch["States"], f"{where}{name}[{number}].")


def _uses_token(value: Any) -> bool:
    return "$$.Task.Token" in json.dumps(value)


def own_problems(definition: dict[str, Any]) -> list[str]:
    problems = []
    for name, state in _states(definition["States"]):
        resource = state.get("Resource")
        if resource is not None and not _RESOURCE.fullmatch(resource):
            problems.append(f"{name}: Resource {resource!r} is not an integration ARN spelt as AWS spells it")
        if _uses_token(state.get("Parameters", {})) and not str(resource).endswith(_WAIT):
            problems.append(f"{name}: passes $$.Task.Token but its Resource does not end with {_WAIT}")
        if str(resource).endswith(_WAIT) and not {"TimeoutSeconds", "TimeoutSecondsPath"} & state.keys():
            problems.append(f"{name}: waits for a task token with no timeout (it would wait a year)")
        for handler in state.get("Retry", []) + state.get("Catch", []):
            problems.extend(
                f"{name}: error {error!r} is never raised (Step Functions spells it DynamoDb./SNS./sns.)"
                for error in handler["ErrorEquals"]
                if _MISSPELT_ERRORS.match(error)
            )
    return problems


def problems(template: str, values: dict[str, str]) -> list[str]:
    """Everything wrong with the template once filled with `values`."""
    if template.count("${") != len(_PLACEHOLDERS.findall(template)):
        return ["a '${' that is not a ${name} placeholder: Terraform's templatefile would fail on it"]
    missing = placeholders(template) - values.keys()
    if missing:
        return [f"placeholder ${{{name}}} has no value in the local runtime" for name in sorted(missing)]
    rendered = render(template, values)
    found = [f"statelint: {problem}" for problem in Linter.validate(rendered, Config(None, False, False))]
    return found + own_problems(json.loads(rendered))


def main() -> int:
    values = workflow_values("lint-tasks-tasks", "arn:aws:sns:us-east-1:123456789012:lint", "http://x")
    found = problems(ASL_PATH.read_text(), values)
    for problem in found:
        print(f"{ASL_PATH.name}: {problem}", file=sys.stderr)
    return 1 if found else 0
