"""No role gets a wildcard action or the resource "*" without a written reason.

checkov's IAM checks read policy statements where they are written as blocks. The role module
(infra/modules/role) renders its callers' statements with `dynamic "statement"`, which checkov 3.3
does not evaluate (nor a `for` over a list of objects in `jsonencode`), so it no longer sees them.
This test reads every statement a role module call is given, where checkov cannot:

- a statement written in infra/ is an object literal with `actions`; python-hcl2 finds it in the
  call's `statements` expression (through `concat`, `for`, indexing and the locals it names);
- the manifests' and the state machines' statements are made by infra/modules/definitions, which
  Terraform evaluates (tests/contract/test_infra.py's fixture).

A wildcard action (`*` anywhere in it: `*`, `iam:*`, `s3:Get*`) or the resource "*" needs the
statement's `justification`: a reason, in the statement's own data, so it stays with the statement
through `concat` and `for` (a comment does not, and a Sid is an identifier AWS renders, not a
reason). The role module does not render it, so adding one changes no policy.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hcl2.rules.base import AttributeRule, BlockRule
from hcl2.rules.containers import ObjectRule, TupleRule
from hcl2.rules.expressions import ConditionalRule, ExprTermRule
from hcl2.rules.for_expressions import ForObjectExprRule, ForTupleExprRule
from hcl2.rules.functions import FunctionCallRule
from hcl2.rules.indexing import GetAttrExprTermRule, IndexExprTermRule
from hcl2.utils import SerializationContext, SerializationOptions
from hcl2.walk import find_all

from tests.contract.terraform import INFRA, TERRAFORM, blocks
from tests.contract.test_infra import terraform  # noqa: F401 - a fixture

FILES = sorted(path for path in INFRA.rglob("*.tf") if ".terraform" not in path.parts)
_PLAIN = SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)
_MIN_REASON = 10  # characters, as for a checkov skip's reason (`make lint`): a word or two is not one
_LIST_FUNCTIONS = {"concat", "flatten", "distinct"}
# The statements a role call takes from its inputs rather than writing them: made by the definitions
# module from the manifests and the ASL, and checked below as Terraform evaluates them.
FROM_DEFINITIONS = {
    "modules/function": {"var.function.statements"},
    "modules/workflow": {"var.statements"},
}


@dataclass(frozen=True)
class Statement:
    where: str  # folder of infra/, and the statement's sid or first action
    body: dict[str, Any]  # as python-hcl2 serializes it: lists of strings, or an expression "${...}"


@dataclass(frozen=True)
class RoleCall:
    folder: str
    statements: list[Statement]
    references: set[str]  # what else its statements come from (a variable, a module's output)
    unreadable: list[str]  # expressions this reading does not follow


def _text(node) -> str:
    value = node.serialize(_PLAIN, SerializationContext())
    return value.removeprefix("${").removesuffix("}") if isinstance(value, str) else str(value)


def _unwrap(node):
    while isinstance(node, ExprTermRule):
        node = node.expression
    return node


def _function(call: FunctionCallRule) -> str:
    return call.identifiers[0].serialize(_PLAIN)


@cache
def _tree(path: Path):
    return hcl2.parses(path.read_text(), discard_comments=True)


def _locals(folder: Path) -> dict[str, Any]:
    """The expression of each local of a folder (a module, or a root such as bootstrap)."""
    found = {}
    for path in sorted(folder.glob("*.tf")):
        for block in find_all(_tree(path), BlockRule):
            if block.labels[0].serialize(_PLAIN) == "locals":
                for attribute in block.body.children:
                    if isinstance(attribute, AttributeRule):
                        found[attribute.identifier.serialize(_PLAIN)] = attribute.expression
    return found


def _parts(node, shape: str) -> list[tuple[Any, str]] | None:
    """The parts of a `shape` expression and the shape of each, or None for one not followed here."""
    parts = None
    if isinstance(node, ConditionalRule):
        parts = [(node.if_true, shape), (node.if_false, shape)]
    elif shape == "list" and isinstance(node, TupleRule):
        parts = [(element, "statement") for element in node.elements]
    elif shape == "list" and isinstance(node, ForTupleExprRule):
        parts = [(node.value_expr, "statement")]
    elif shape == "list" and isinstance(node, FunctionCallRule) and _function(node) in _LIST_FUNCTIONS:
        parts = [(argument, "list") for argument in node.arguments.arguments]
    elif shape == "list" and isinstance(node, IndexExprTermRule):
        parts = [(node.children[0], "map")]
    elif shape == "map" and isinstance(node, ForObjectExprRule):
        parts = [(node.value_expr, "list")]
    elif shape == "map" and isinstance(node, ObjectRule):
        parts = [(element.expression, "list") for element in node.elements]
    return parts


class _Reader:
    """Follows a `statements` expression by the shape each part has: a list of statements, a map
    of such lists (indexed by the caller), or one statement."""

    def __init__(self, folder: Path):
        self.folder = str(folder.relative_to(INFRA))
        self.locals = _locals(folder)
        self.statements: list[Statement] = []
        self.references: set[str] = set()
        self.unreadable: list[str] = []

    def read(self, node, shape: str = "list") -> None:
        node = _unwrap(node)
        name = _text(node) if isinstance(node, GetAttrExprTermRule) else None
        if name and name.startswith("local.") and name.removeprefix("local.") in self.locals:
            self.read(self.locals[name.removeprefix("local.")], shape)
        elif name:
            self.references.add(name)
        elif shape == "statement" and isinstance(node, ObjectRule):
            body = node.serialize(_PLAIN, SerializationContext())
            first = body.get("sid") or (body["actions"][0] if isinstance(body["actions"], list) else "")
            self.statements.append(Statement(f"{self.folder}: {first}", body))
        elif (parts := _parts(node, shape)) is not None:
            for part, part_shape in parts:
                self.read(part, part_shape)
        else:
            self.unreadable.append(f"{self.folder}: {_text(node)} (read as a {shape})")


def _role_calls() -> Iterator[RoleCall]:
    for path in FILES:
        for block in find_all(_tree(path), BlockRule):
            if block.labels[0].serialize(_PLAIN) != "module":
                continue
            arguments = {
                a.identifier.serialize(_PLAIN): a.expression
                for a in block.body.children
                if isinstance(a, AttributeRule)
            }
            if not _text(arguments["source"]).endswith("/role"):
                continue
            reader = _Reader(path.parent)
            reader.read(arguments["statements"])
            yield RoleCall(reader.folder, reader.statements, reader.references, reader.unreadable)


ROLE_CALLS = list(_role_calls())
WRITTEN = [statement for call in ROLE_CALLS for statement in call.statements]


def _as_list(value: Any) -> list[str]:
    """A literal list as it is; an expression (`${flatten(...)}`) as its text, one item."""
    return value if isinstance(value, list) else [value]


def wildcards(statement: dict[str, Any]) -> list[str]:
    """Its wildcard actions and its resource "*" (also a `"*"` inside a resource expression)."""
    actions = [action for action in _as_list(statement["actions"]) if "*" in action]
    resources = [
        resource for resource in _as_list(statement["resources"]) if resource == "*" or '"*"' in resource
    ]
    return actions + resources


def test_every_role_is_a_call_whose_statements_this_test_can_read():
    assert {call.folder for call in ROLE_CALLS} == {
        "modules/function",
        "modules/workflow",
        "modules/bus",
        "modules/deployment",
        "bootstrap",
    }
    assert [line for call in ROLE_CALLS for line in call.unreadable] == []
    assert all(call.statements for call in ROLE_CALLS)


def test_statements_not_written_in_infra_come_from_the_definitions_module():
    assert {call.folder: call.references for call in ROLE_CALLS if call.references} == FROM_DEFINITIONS
    stack = blocks("stack", "module")
    assert stack["function"]["for_each"] == "${module.definitions.functions}"
    assert stack["function"]["function"] == "${each.value}"
    assert stack["workflow"]["statements"] == "${module.definitions.state_machine_statements[each.key]}"


@pytest.mark.parametrize("statement", WRITTEN, ids=lambda s: s.where)
def test_a_written_statement_says_why_it_needs_a_wildcard_and_only_then(statement):
    reason = (statement.body.get("justification") or "").strip()
    if wildcards(statement.body):
        assert len(reason) >= _MIN_REASON, f"{wildcards(statement.body)} without a justification"
    else:
        assert not reason, "a justification on a statement without a wildcard (stale?)"


@pytest.mark.skipif(TERRAFORM is None, reason="the terraform CLI is not on PATH")
def test_the_definitions_module_makes_no_wildcard_statement(terraform):  # noqa: F811
    # A manifest names its resources; it has no justification to give, so none may be a wildcard.
    made = {
        **{f"function {name}": f["statements"] for name, f in terraform["functions"].items()},
        **{f"state machine {name}": s for name, s in terraform["state_machine_statements"].items()},
    }
    assert all(made.values())
    assert {
        f"{owner}: {statement['actions']}": wildcards(statement)
        for owner, statements in made.items()
        for statement in statements
        if wildcards(statement)
    } == {}


def test_the_role_module_does_not_render_a_justification():
    rendered = blocks("role", "data")["aws_iam_policy_document.this"]

    assert "justification" not in str(rendered)
