"""The repository's layout, held: each top folder answers one question and imports run one way between
them (docs/design.md §2). Read from the source with `ast`, so a new file is held the moment it lands.

    tasks_ops (ops/)  →  tasks_local (local/)  →  tasks_shared (shared/)  ←  the functions (services/)
    bench/            →  tests.support
"""

import ast
import importlib.metadata
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tasks_local.runtime.settings import REPO_ROOT

PACKAGES = {
    "tasks_shared": REPO_ROOT / "shared" / "tasks_shared",
    "tasks_local": REPO_ROOT / "local" / "tasks_local",
    "tasks_ops": REPO_ROOT / "ops" / "tasks_ops",
    **{path.name: path for path in REPO_ROOT.glob("services/*/*") if (path / "__init__.py").exists()},
}
FUNCTIONS = {name for name in PACKAGES if name.startswith(("task_", "tasks_api"))}
# Who may import whom, among our own top-level packages (each may import itself).
ALLOWED = {
    "tasks_shared": set(),
    "tasks_local": {"tasks_shared", *FUNCTIONS},  # the runtime runs the functions' handlers
    "tasks_ops": {"tasks_local", "tasks_shared"},
    **{function: {"tasks_shared"} for function in FUNCTIONS},
}
LOCAL_PARTS = {"__init__.py", "__main__.py", "runtime", "moto_fixes", "clients"}
OPS_PARTS = {
    "__init__.py",
    "__main__.py",
    "environments.py",
    "build.py",
    "terraform.py",
    "traffic.py",
    "smoke.py",
    "reindex.py",
    "checks",
    "cost",
}


def _python_files(*roots: Path) -> Iterator[Path]:
    for root in roots:
        yield from (path for path in root.rglob("*.py") if ".venv" not in path.parts)


def _module_name(path: Path) -> str:
    for name, root in PACKAGES.items():
        if path.is_relative_to(root):
            parts = path.relative_to(root).with_suffix("").parts
            return ".".join((name, *parts)).removesuffix(".__init__")
    return ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> Iterator[str]:
    """Every module an import statement of the file names, absolute (relative ones resolved)."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


OUR_FILES = sorted(_python_files(*PACKAGES.values()))


@pytest.mark.parametrize("path", OUR_FILES, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_imports_run_one_way_between_the_packages(path):
    own = _module_name(path).split(".")[0]
    ours = {name.split(".")[0] for name in _imports(path)} & PACKAGES.keys()
    assert ours - {own} <= ALLOWED[own], f"{own} may import only {sorted(ALLOWED[own]) or 'nothing of ours'}"


def test_no_package_imports_bench_or_the_tests():
    for path in OUR_FILES:
        roots = {name.split(".")[0] for name in _imports(path)}
        assert not roots & {"bench", "tests"}, f"{path.relative_to(REPO_ROOT)} imports bench or tests"


def test_bench_imports_only_the_tests_support_package():
    for path in _python_files(REPO_ROOT / "bench"):
        tests = {name for name in _imports(path) if name.split(".")[0] == "tests"}
        assert all(name.startswith("tests.support") for name in tests), path


def test_the_tests_support_package_imports_no_test_module():
    for path in _python_files(REPO_ROOT / "tests" / "support"):
        tests = {name for name in _imports(path) if name.split(".")[0] == "tests"}
        assert all(name.startswith("tests.support") for name in tests), path


def test_no_import_circle_among_our_modules():
    """No module depends on itself through others, at import time or inside a function (a lazy import
    only hides a circle): each module can be read, and moved, with what it uses below it."""
    modules = {_module_name(path): path for path in OUR_FILES}
    graph = {
        name: {
            target
            for imported in _imports(path)
            for target in (imported, imported.rpartition(".")[0])
            if target in modules and target != name
        }
        for name, path in modules.items()
    }
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                pytest.fail("import circle: " + " -> ".join([*trail[trail.index(target) :], target]))
            if target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def _is_sys_path(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "path"
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    )


def _edits_sys_path(node: ast.AST) -> bool:
    """`sys.path.insert(...)` and its kin, or `sys.path = ...` / `sys.path[...] = ...` / `+=`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _is_sys_path(node.func.value) and node.func.attr in {"insert", "append", "extend", "remove"}
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
        return any(
            _is_sys_path(t) or (isinstance(t, ast.Subscript) and _is_sys_path(t.value)) for t in targets
        )
    return False


def test_no_sys_path_edit_outside_the_tests_own_conftest():
    """Packages import as packages: the project is installed, bench runs as `python -m bench.<name>`."""
    roots = [*PACKAGES.values(), REPO_ROOT / "bench", REPO_ROOT / "tests"]
    for path in _python_files(*roots):
        if path.name == "conftest.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            assert not _edits_sys_path(node), f"{path.relative_to(REPO_ROOT)}:{node.lineno} edits sys.path"


def test_the_sys_path_check_sees_an_edit():
    edits = ["sys.path.insert(0, 'x')", "sys.path[:0] = ['x']", "sys.path += ['x']", "sys.path = []"]
    reads = ["print(sys.path)", "next(p for p in sys.path)"]
    assert all(any(_edits_sys_path(n) for n in ast.walk(ast.parse(code))) for code in edits)
    assert not any(_edits_sys_path(n) for code in reads for n in ast.walk(ast.parse(code)))


def test_the_local_package_holds_only_the_runtime_its_moto_fixes_and_the_stacks_clients():
    found = {path.name for path in PACKAGES["tasks_local"].iterdir() if path.name != "__pycache__"}
    assert found == LOCAL_PARTS


def test_the_ops_package_holds_what_builds_checks_releases_and_operates():
    found = {path.name for path in PACKAGES["tasks_ops"].iterdir() if path.name != "__pycache__"}
    assert found == OPS_PARTS


def test_the_local_package_never_imports_the_ops_package():
    for path in _python_files(PACKAGES["tasks_local"]):
        assert not any(name.split(".")[0] == "tasks_ops" for name in _imports(path)), path


def test_nothing_outside_bench_reads_a_file_under_bench():
    """bench/ measures; what builds or reports (make cost) reads its inputs from where it lives."""
    for path in OUR_FILES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert node.value != "bench", (
                    f"{path.relative_to(REPO_ROOT)}:{node.lineno} reaches into bench/"
                )


def test_no_module_is_named_after_a_well_known_library():
    """`requests.py` in a package reads as the library to everyone who opens it."""
    libraries = set(importlib.metadata.packages_distributions()) | set(sys.stdlib_module_names)
    named = {path.stem: path for path in OUR_FILES if path.stem not in ("__init__", "__main__")}
    shadowing = {stem: str(path.relative_to(REPO_ROOT)) for stem, path in named.items() if stem in libraries}
    assert not shadowing


def test_services_means_the_functions_only():
    assert not (PACKAGES["tasks_shared"] / "services").exists()
    assert (PACKAGES["tasks_shared"] / "usecases").is_dir()


SOURCE_FOLDERS = (
    "shared",
    "services",
    "local",
    "ops",
    "bench",
    "tests",
    "web/app",
    "infra",
    "docs",
    "events",
    ".github",
)
# The handbook the team writes beside the repository: whoever clones it does not have it.
OUTSIDE = ("../shared/", "DESIGN.md", "STYLE.md", "DESIGN §")


def test_the_repository_points_to_nothing_outside_itself():
    """The contract lives in docs/design.md; a reference to the team's handbook beside the repository
    leads a reader who cloned it nowhere."""
    texts = [REPO_ROOT / "README.md", REPO_ROOT / "Makefile", REPO_ROOT / "pyproject.toml"]
    for folder in SOURCE_FOLDERS:
        texts += [
            path
            for path in (REPO_ROOT / folder).rglob("*")
            if path.suffix in {".py", ".md", ".tf", ".json", ".yml", ".js", ".html", ".toml"}
            and "vendor" not in path.parts
            and "__pycache__" not in path.parts
        ]
    found = [
        f"{path.relative_to(REPO_ROOT)}: {needle}"
        for path in texts
        for needle in OUTSIDE
        if needle in path.read_text(errors="replace") and path != Path(__file__)
    ]
    assert not found
