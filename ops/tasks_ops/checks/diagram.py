"""`make diagram`: the approval workflow's Mermaid state diagram, generated from the ASL into
docs/approval-workflow.md, so the picture cannot drift from the definition (a test compares them)."""

import json
import re
import sys
from typing import Any

from tasks_local.runtime.settings import REPO_ROOT
from tasks_local.runtime.workflow import ASL_PATH

DOC_PATH = REPO_ROOT / "docs" / "approval-workflow.md"
_BLOCK = re.compile(r"(<!-- diagram:[^\n]*-->\n).*?(<!-- /diagram -->)", re.DOTALL)


def _edges(name: str, state: dict[str, Any]) -> list[str]:
    """Where a state goes: Next, each Catch (labelled with its errors), the end."""
    edges = [f"{name} --> {state['Next']}"] if "Next" in state else []
    edges += [
        f"{name} --> {catch['Next']}: {', '.join(catch['ErrorEquals'])}" for catch in state.get("Catch", [])
    ]
    edges += [f"{name} --> {choice['Next']}" for choice in state.get("Choices", [])]
    if "Default" in state:
        edges.append(f"{name} --> {state['Default']}")
    if state.get("End") or state["Type"] in ("Succeed", "Fail"):
        edges.append(f"{name} --> [*]" + (f": fails ({state['Error']})" if state["Type"] == "Fail" else ""))
    return edges


def _body(machine: dict[str, Any], indent: str) -> list[str]:
    lines = [f"{indent}[*] --> {machine['StartAt']}"]
    for name, state in machine["States"].items():
        if state["Type"] == "Parallel":
            lines.append(f"{indent}state {name} {{")
            for number, branch in enumerate(state["Branches"]):
                if number:
                    lines.append(f"{indent}    --")
                lines += _body(branch, indent + "    ")
            lines.append(f"{indent}}}")
        lines += [indent + edge for edge in _edges(name, state)]
    return lines


def mermaid(definition: dict[str, Any]) -> str:
    return "\n".join(["```mermaid", "stateDiagram-v2", *_body(definition, "    "), "```"]) + "\n"


def document_with_diagram(document: str, definition: dict[str, Any]) -> str:
    """The document with its diagram block replaced by the one the definition gives."""
    if not _BLOCK.search(document):
        raise ValueError(f"{DOC_PATH.name} has no <!-- diagram: --> ... <!-- /diagram --> block")
    return _BLOCK.sub(lambda match: match.group(1) + mermaid(definition) + match.group(2), document, count=1)


def main() -> int:
    definition = json.loads(ASL_PATH.read_text())
    current = DOC_PATH.read_text()
    updated = document_with_diagram(current, definition)
    if updated != current:
        DOC_PATH.write_text(updated)
    print(f"{DOC_PATH.relative_to(REPO_ROOT)}: diagram {'updated' if updated != current else 'up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
