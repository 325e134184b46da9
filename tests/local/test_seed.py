"""`make seed`: demo tasks through the real API, mixed like real work, counted by the consumers, and a
second run adds as many again without duplicating any."""

import re
from collections import Counter

import pytest

from tests.support.polling import eventually

pytestmark = pytest.mark.e2e

N = 30
USER = "dora"
ALL_STATUSES = {"pending", "in_progress", "completed", "cancelled"}
# A run is a burst of writes, and the lists show it at the task-indexer's pace: on moto that is slower
# than `make seed` writes (measured on a fresh stack: the last of 30 tasks listed ~3.5 s after the run
# ended), so waiting for a whole run to be listed needs more than the 2 s one change is promised.
BURST_DEADLINE_SECONDS = 30


def _make_seed(stack, *variables):
    return stack.run(["make", "-s", "--no-print-directory", "seed", *variables], timeout=300)


_MAKE_TRAILER = re.compile(r"^make(\[\d+\])?: \*\*\* ")


def _our_lines(stderr):
    """stderr without make's own `make: *** [...] Error 2` trailer (`make[1]:` under `make test`)."""
    return [line for line in stderr.splitlines() if not _MAKE_TRAILER.match(line)]


def _every_task(session, stack, **params):
    items, token = [], None
    while True:
        query = {"limit": 100, **params, **({"nextToken": token} if token else {})}
        response = session.get(f"{stack.api_url}/tasks", params=query, timeout=30)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        token = response.json()["nextToken"]
        if not token:
            return items


class Seeding:
    """The runs of `make seed` in this module, and the demo tasks they should have left."""

    def __init__(self, stack):
        self.stack = stack
        self.admin = stack.session("admin", "admins")
        self.expected = 0
        self.outputs = []

    def run(self, count=N, user=USER):
        result = _make_seed(self.stack, f"N={count}", f"USER={user}")
        assert result.returncode == 0, result.stdout + result.stderr
        self.expected += count
        self.outputs.append(result.stdout)

    def demo_tasks(self, until=lambda tasks: True):
        """Every demo task as the admin lists them, once all the runs' tasks are listed (lists lag
        writes, longer after a burst) and `until` holds for them."""

        seen = []

        def listed():
            seen[:] = [task for task in _every_task(self.admin, self.stack) if "demo" in task["tags"]]
            return len(seen) == self.expected and until(seen)

        # Each look lists every task: look less often than `eventually` would, not to slow the indexer.
        caught_up = eventually(listed, timeout=BURST_DEADLINE_SECONDS, interval=0.5)
        assert caught_up, f"{len(seen)} demo tasks listed, not {self.expected}, or not yet as expected"
        return list(seen)


@pytest.fixture(scope="module")
def seeding(stack):
    seeding = Seeding(stack)
    seeding.run()
    return seeding


def test_a_run_prints_one_summary_line_with_its_counts_and_rate(seeding):
    (summary,) = seeding.outputs[0].splitlines()
    assert summary.startswith(f"created {N} tasks (run ")
    assert f"owned by {USER}" in summary
    assert "tasks/s" in summary
    assert all(status in summary for status in ALL_STATUSES)


def test_the_users_own_list_shows_their_seeded_tasks(stack, seeding):
    owned = {task["id"] for task in seeding.demo_tasks() if task["ownerId"] == USER}
    mine = stack.session(USER)

    listed = eventually(lambda: owned <= {task["id"] for task in _every_task(mine, stack)})

    assert owned
    assert listed


def test_the_user_owns_a_good_share_of_the_tasks_and_others_own_the_rest(seeding):
    owners = Counter(task["ownerId"] for task in seeding.demo_tasks())
    assert owners[USER] >= 0.3 * sum(owners.values())
    assert len(owners) >= 3


def test_the_tasks_mix_priorities_statuses_and_assignees(seeding):
    def mixed(tasks):
        statuses = {task["status"] for task in tasks}
        return {task["priority"] for task in tasks} == {"low", "medium", "high"} and statuses == ALL_STATUSES

    tasks = seeding.demo_tasks(until=mixed)
    assignees = Counter(
        "none" if "assignee" not in task else "self" if task["assignee"] == task["ownerId"] else "other"
        for task in tasks
    )
    assert assignees["none"]
    assert assignees["other"]


def test_high_priority_tasks_await_approval_and_are_never_started(seeding):
    high = [task for task in seeding.demo_tasks() if task["priority"] == "high"]
    assert high
    assert {task["status"] for task in high} <= {"pending", "cancelled"}
    assert all(task["approval"]["status"] == "awaiting" for task in high if task["status"] == "pending")


def test_the_users_counters_reflect_their_seeded_tasks(stack, seeding):
    owned = [task for task in seeding.demo_tasks() if task["ownerId"] == USER]
    by_priority = Counter(task["priority"] for task in owned)
    expected = {priority: by_priority[priority] for priority in ("low", "medium", "high")}
    mine = stack.session(USER)

    def counted():
        stats = mine.get(f"{stack.api_url}/stats", timeout=10).json()
        return stats["created"] == len(owned) and stats["byPriority"] == expected and stats

    stats = eventually(counted)

    assert stats, mine.get(f"{stack.api_url}/stats", timeout=10).json()


def test_a_second_run_adds_as_many_tasks_and_duplicates_none(seeding):
    before = {task["id"] for task in seeding.demo_tasks()}

    seeding.run()
    after = seeding.demo_tasks()

    assert len(after) == 2 * N
    assert len({task["id"] for task in after}) == 2 * N
    assert len({task["title"] for task in after}) == 2 * N
    assert before < {task["id"] for task in after}


@pytest.mark.parametrize("count", ["0", "abc", "-3", ""])
def test_n_that_is_not_a_positive_integer_is_one_line_of_usage(stack, count):
    result = _make_seed(stack, f"N={count}")
    assert result.returncode != 0
    assert len(_our_lines(result.stderr)) == 1
    assert "N must be a positive integer" in result.stderr
    assert not result.stdout


def test_seeding_without_a_running_stack_says_so_in_one_line(stack):
    result = _make_seed(stack, "N=3", "AWS_PORT=1")
    assert result.returncode != 0
    assert len(_our_lines(result.stderr)) == 1
    assert "no local stack was started here on AWS_PORT=1" in result.stderr
