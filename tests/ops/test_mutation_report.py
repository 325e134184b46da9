"""`make mutation`'s verdict (tasks_ops.checks.mutation): the score it prints, the survivors it names and
when it fails, on made-up results; and that its configuration and reviewed list read as it expects."""

import pytest

from tasks_local.runtime.settings import REPO_ROOT
from tasks_ops.checks.mutation import (
    Equivalent,
    Mutant,
    Mutation,
    changed_lines,
    judge,
    packages,
    read_equivalents,
    settings,
)

MODEL = "shared/tasks_shared/domain/model.py"


def _killed(count: int, file: str = MODEL) -> list[Mutant]:
    return [Mutant(Mutation(file, "Task.new", "", ""), 0, "killed") for _ in range(count)]


CHANGE = Mutation(MODEL, "Task.new", 'description=fields.get("description", ""),', "description=None,")
SURVIVOR = Mutant(CHANGE, 99, "survived")
REVIEWED = Equivalent(CHANGE, "a reason")


def test_all_killed_passes_with_the_score_per_module_and_in_all():
    verdict = judge([*_killed(3), *_killed(1, "shared/tasks_shared/domain/paging.py")], [])

    assert verdict.passed
    assert verdict.lines[1].split() == [MODEL, "3", "3", "0", "0", "100.0%"]
    assert verdict.lines[-1].split() == ["all", "4", "4", "0", "0", "100.0%"]


def test_a_survivor_not_reviewed_fails_named_with_its_file_line_and_mutation():
    verdict = judge([*_killed(99), SURVIVOR], [])

    assert not verdict.passed
    assert f"  {MODEL}:99 Task.new [survived]" in verdict.lines
    assert f"      was: {CHANGE.was}" in verdict.lines
    assert f"      now: {CHANGE.now}" in verdict.lines


def test_a_reviewed_equivalent_passes_and_counts_as_not_killed():
    verdict = judge([*_killed(99), SURVIVOR], [REVIEWED])

    assert verdict.passed
    assert verdict.lines[-1].split() == ["all", "100", "99", "1", "0", "99.0%"]


def test_a_mutant_with_no_test_is_a_survivor_too():
    verdict = judge([*_killed(99), Mutant(Mutation(MODEL, "utcnow", "a", "b"), 7, "no tests")], [])
    assert not verdict.passed
    assert f"  {MODEL}:7 utcnow [no tests]" in verdict.lines


def test_a_mutant_that_never_ends_counts_as_killed():
    assert judge([*_killed(9), Mutant(Mutation(MODEL, "Task.new", "", ""), 0, "timeout")], []).passed


def test_a_reviewed_equivalent_that_no_longer_survives_fails():
    verdict = judge(_killed(10), [REVIEWED])

    assert not verdict.passed
    assert any("no longer survive" in line for line in verdict.lines)


def test_too_many_equivalents_fail_the_threshold():
    verdict = judge([*_killed(8), SURVIVOR, SURVIVOR], [REVIEWED])

    assert not verdict.passed
    assert verdict.lines[-1] == "killed 80.0% of the mutants, under the threshold of 90%"


def test_a_change_is_found_where_it_starts_and_shown_line_by_line():
    original = ["def f(x):", "    y = call(", "        x,", "    )", "    return y"]
    mutated = ["def f(x):", "    y = call(", "        )", "    return y"]

    assert changed_lines(original, mutated) == (2, "x, )", ")")


def test_the_packages_mutated_are_staged_from_where_python_imports_them():
    assert packages(settings()) == {
        "tasks_api": REPO_ROOT / "services" / "tasks-api" / "tasks_api",
        "tasks_shared": REPO_ROOT / "shared" / "tasks_shared",
    }


def test_every_reviewed_equivalent_says_why():
    assert all(entry.why.strip() for entry in read_equivalents())


def test_an_entry_without_its_reason_or_its_mutation_is_refused(tmp_path):
    listed = tmp_path / "equivalents.toml"
    listed.write_text(f'[[equivalent]]\nfile = "{MODEL}"\nfunction = "f"\nwas = "a"\nnow = "b"\nwhy = " "\n')
    with pytest.raises(ValueError, match="every equivalent says why"):
        read_equivalents(listed)
    listed.write_text(f'[[equivalent]]\nfile = "{MODEL}"\nfunction = "f"\nwas = "a"\nwhy = "text"\n')
    with pytest.raises(TypeError, match="now"):
        read_equivalents(listed)
