"""`make mutation`: how much of the business rules the unit tests pin, measured by mutating them (mutmut).

mutmut names a module after its path and imports the copy it mutates from `mutants/src` (or `mutants/`),
so it cannot mutate `shared/tasks_shared` where it lives: it would call the module `shared.tasks_shared...`
while the tests import `tasks_shared...`, and no test would ever reach a mutant. So the packages that
pyproject.toml's `[tool.mutmut]` names (`src/<package>/...`) are staged under build/mutation/src as Python
imports them (the event catalog's symlink copied as the files it points to), beside the tests and
pyproject.toml, and mutmut runs there, from scratch every time: a kept cache would keep an old verdict.

Then every mutant the unit tests did not kill is either in the reviewed list of equivalents
(tests/unit/mutation_equivalents.toml: the line as written and as mutated, and why no test can tell them
apart) or a failure, a listed equivalent that no longer survives is a failure (the list stays true), and
the killed share of all mutants, equivalents counted as not killed, must reach THRESHOLD.
"""

import ast
import difflib
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import chdir
from dataclasses import astuple, dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import libcst
from mutmut import __version__ as mutmut_version
from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import (
    read_functions_from_index,
    read_mutant_function,
    read_mutants_module,
    read_original_function,
)
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import walk_mutatable_files

from tasks_local.runtime.settings import REPO_ROOT

STAGE = REPO_ROOT / "build" / "mutation"
EQUIVALENTS = REPO_ROOT / "tests" / "unit" / "mutation_equivalents.toml"
THRESHOLD = 90.0  # percent of all mutants killed, equivalents counted as not killed
KILLED = frozenset({"killed", "timeout"})  # mutmut's own reading: a mutant that never ends is caught
_JUNK = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.pyc")


@dataclass(frozen=True)
class Mutation:
    """A change mutmut made, as a reader finds it whatever moved around it: the file in the repository,
    the function, and the code as written (`was`) and as mutated (`now`), each changed line stripped and
    joined by a space."""

    file: str
    function: str
    was: str
    now: str


@dataclass(frozen=True)
class Mutant:
    """A mutation, the line where it starts, and the unit tests' verdict on it (mutmut's status)."""

    mutation: Mutation
    line: int
    status: str


@dataclass(frozen=True)
class Equivalent:
    """A reviewed survivor: a mutation no test can tell from the code, and why."""

    mutation: Mutation
    why: str


def settings(pyproject: Path = REPO_ROOT / "pyproject.toml") -> dict[str, Any]:
    return tomllib.loads(pyproject.read_text())["tool"]["mutmut"]


def packages(config: dict[str, Any]) -> dict[str, Path]:
    """Each package `only_mutate` names (`src/<package>/...`), and the folder Python imports it from."""
    names = {Path(pattern).parts[1] for pattern in config["only_mutate"]}
    found = {name: find_spec(name) for name in sorted(names)}
    return {name: Path(spec.submodule_search_locations[0]) for name, spec in found.items() if spec}


def read_equivalents(path: Path = EQUIVALENTS) -> list[Equivalent]:
    equivalents = []
    for entry in tomllib.loads(path.read_text()).get("equivalent", []):
        why = entry.pop("why", "")
        equivalents.append(Equivalent(Mutation(**entry), why))  # a missing or unknown key: TypeError
    unexplained = [entry for entry in equivalents if not entry.why.strip()]
    if unexplained:
        raise ValueError(f"{path.name}: every equivalent says why; these do not: {unexplained}")
    return equivalents


def stage(config: dict[str, Any], where: Path = STAGE) -> dict[str, Path]:
    """A fresh tree where each package sits at src/<package>, with the tests and pyproject.toml."""
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    shutil.copy2(REPO_ROOT / "pyproject.toml", where / "pyproject.toml")
    shutil.copytree(REPO_ROOT / "tests", where / "tests", ignore=_JUNK)
    staged = packages(config)
    for name, source in staged.items():
        shutil.copytree(source, where / "src" / name, ignore=_JUNK)  # symlinks copied as their targets
    return staged


def run_mutmut(where: Path = STAGE) -> int:
    """mutmut's own run, its progress in a log file: one line a mutant is no reading for a person."""
    mutmut = Path(sys.executable).with_name("mutmut")
    with (where / "mutmut.log").open("w") as log:
        return subprocess.run(
            [str(mutmut), "run", "--max-children", str(os.cpu_count() or 2)],
            cwd=where,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode


def mutants(staged: dict[str, Path], where: Path = STAGE) -> list[Mutant]:
    """Every mutant mutmut made, with its verdict; where each is, in the repository's own files. Read with
    mutmut's own readers (those behind `mutmut results` and `mutmut show`), which read pyproject.toml and
    mutants/ from the working directory, hence the chdir."""
    found = []
    with chdir(where):
        for path in walk_mutatable_files():
            package, *rest = path.relative_to("src").parts
            source = staged[package].joinpath(*rest)
            data = SourceFileMutationData(path=path)
            data.load()
            for name, exit_code in data.exit_code_by_key.items():
                status = status_by_exit_code[exit_code]
                if status in KILLED:
                    found.append(
                        Mutant(Mutation(_repo_path(source), _function_name(name), "", ""), 0, status)
                    )
                else:
                    found.append(_located(name, path, source, status))
    return found


def _repo_path(source: Path) -> str:
    return str(source.relative_to(REPO_ROOT))


def _function_name(mutant_name: str) -> str:
    """`Task.with_changes` from mutmut's `...xǁTaskǁwith_changes__mutmut_12`; `utcnow` from `x_utcnow__...`"""
    mangled = mutant_name.rpartition(".")[2].partition("__mutmut_")[0]
    if mangled.startswith("xǁ"):
        return ".".join(mangled[2:].split("ǁ"))
    return mangled.removeprefix("x_")


def _located(mutant_name: str, staged_path: Path, source: Path, status: str) -> Mutant:
    functions = read_functions_from_index(mutant_name, staged_path)
    if functions is None:
        module = read_mutants_module(staged_path)
        functions = (read_original_function(module, mutant_name), read_mutant_function(module, mutant_name))
    original, mutated = (_code_lines(function) for function in functions)
    function = _function_name(mutant_name)
    first, was, now = changed_lines(original, mutated)
    def_index = next(i for i, line in enumerate(original) if line.lstrip().startswith(("def ", "async def ")))
    line = _def_line(source, function) + first - def_index
    return Mutant(Mutation(_repo_path(source), function, was, now), line, status)


def _code_lines(function: libcst.FunctionDef) -> list[str]:
    return libcst.Module([function]).code.splitlines()


def changed_lines(original: list[str], mutated: list[str]) -> tuple[int, str, str]:
    """Where the first change is (an index into `original`), and the lines as written and as mutated."""
    changes = [op for op in difflib.SequenceMatcher(a=original, b=mutated).get_opcodes() if op[0] != "equal"]
    was = [line.strip() for _, i1, i2, _, _ in changes for line in original[i1:i2]]
    now = [line.strip() for _, _, _, j1, j2 in changes for line in mutated[j1:j2]]
    return changes[0][1], " ".join(was), " ".join(now)


def _def_line(source: Path, function: str) -> int:
    """The line of `def` of a module's function or of a method (`Class.method`)."""
    *owner, name = function.split(".")
    body = ast.parse(source.read_text()).body
    for class_name in owner:
        body = next(node.body for node in body if isinstance(node, ast.ClassDef) and node.name == class_name)
    return next(
        node.lineno
        for node in body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
    )


@dataclass(frozen=True)
class Verdict:
    lines: list[str]
    passed: bool


def judge(
    found: Iterable[Mutant], equivalents: Iterable[Equivalent], threshold: float = THRESHOLD
) -> Verdict:
    """The score per module and in all, every survivor that is not a reviewed equivalent (with file:line
    and the mutation), and every reviewed equivalent that no longer survives."""
    found, listed = list(found), {entry.mutation: entry for entry in equivalents}
    survivors = [mutant for mutant in found if mutant.status not in KILLED]
    unexplained = sorted(
        (mutant for mutant in survivors if mutant.mutation not in listed),
        key=lambda mutant: (mutant.mutation.file, mutant.line),
    )
    stale = listed.keys() - {mutant.mutation for mutant in survivors}
    lines = list(_score_table(found, listed.keys()))
    killed = sum(mutant.status in KILLED for mutant in found)
    score = 100 * killed / len(found) if found else 0.0
    if unexplained:
        lines += ["", f"{len(unexplained)} survivors: kill each with a test, or review it into {_name()}"]
        for mutant in unexplained:
            change = mutant.mutation
            lines += [
                f"  {change.file}:{mutant.line} {change.function} [{mutant.status}]",
                f"      was: {change.was}",
                f"      now: {change.now}",
            ]
    if stale:
        lines += ["", f"{len(stale)} entries of {_name()} no longer survive: remove them (or fix the line)"]
        lines += [f"  {c.file} {c.function}: {c.was} -> {c.now}" for c in sorted(stale, key=astuple)]
    if score < threshold:
        lines += ["", f"killed {score:.1f}% of the mutants, under the threshold of {threshold:.0f}%"]
    return Verdict(lines, passed=not unexplained and not stale and score >= threshold)


def _name() -> str:
    return str(EQUIVALENTS.relative_to(REPO_ROOT))


def _score_table(found: list[Mutant], listed: Iterable[Mutation]) -> Iterator[str]:
    listed = set(listed)
    by_file: dict[str, Counter] = {}
    for mutant in found:
        counts = by_file.setdefault(mutant.mutation.file, Counter())
        counts["all"] += 1
        if mutant.status in KILLED:
            counts["killed"] += 1
        elif mutant.mutation in listed:
            counts["equivalent"] += 1
        else:
            counts["survived"] += 1
    width = max((len(file) for file in by_file), default=6)
    yield f"{'module':<{width}}  {'mutants':>7}  {'killed':>6}  {'equivalent':>10}  {'survived':>8}  score"
    total: Counter = Counter()
    for file, counts in sorted(by_file.items()):
        total += counts
        yield _score_row(file, counts, width)
    yield _score_row("all", total, width)


def _score_row(name: str, counts: Counter, width: int) -> str:
    score = 100 * counts["killed"] / counts["all"] if counts["all"] else 0.0
    return (
        f"{name:<{width}}  {counts['all']:>7}  {counts['killed']:>6}  {counts['equivalent']:>10}  "
        f"{counts['survived']:>8}  {score:5.1f}%"
    )


def main() -> int:
    started = time.monotonic()
    config = settings()
    staged = stage(config)
    scope = ", ".join(str(path.relative_to(REPO_ROOT)) for path in staged.values())
    tests = " ".join(config["pytest_add_cli_args_test_selection"])
    print(f"mutmut {mutmut_version}: mutants of {', '.join(config['only_mutate'])} ({scope}) against {tests}")
    print(f"  running in {STAGE.relative_to(REPO_ROOT)} (its log: mutmut.log there)", flush=True)
    code = run_mutmut()
    if code != 0:
        log = (STAGE / "mutmut.log").read_text(errors="replace").splitlines()
        print("\n".join(["mutmut failed; the end of its log:", *log[-40:]]), file=sys.stderr)
        return code
    verdict = judge(mutants(staged), read_equivalents())
    print("\n".join(verdict.lines))
    print(f"\n{'passed' if verdict.passed else 'FAILED'} in {time.monotonic() - started:.0f} s")
    return 0 if verdict.passed else 1
