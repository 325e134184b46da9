"""The shared package keeps its layout: a domain with no AWS in it, and modules small enough to read."""

import ast
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "tasks_shared"
AWS_LIBRARIES = {"boto3", "botocore", "aioboto3", "aiobotocore"}
MAX_LINES = 300


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("module", sorted((SHARED / "domain").glob("*.py")), ids=lambda path: path.name)
def test_no_domain_module_imports_an_aws_library(module):
    assert not _imported_roots(module) & AWS_LIBRARIES


def test_the_domain_reaches_no_aws_library_through_the_shared_modules_it_imports():
    """Transitively: a domain module importing, say, an adapter would bring boto3 in all the same."""
    seen, pending = set(), list((SHARED / "domain").glob("*.py"))
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tasks_shared"):
                target = SHARED.parent / Path(*node.module.split("."))
                candidates = [target.with_suffix(".py"), *(target / f"{a.name}.py" for a in node.names)]
                pending += [candidate for candidate in candidates if candidate.exists()]
        assert not _imported_roots(path) & AWS_LIBRARIES, f"{path.relative_to(SHARED)} imports AWS"


@pytest.mark.parametrize(
    "module", sorted(SHARED.rglob("*.py")), ids=lambda path: str(path.relative_to(SHARED))
)
def test_no_shared_module_is_over_300_lines(module):
    assert len(module.read_text().splitlines()) <= MAX_LINES
