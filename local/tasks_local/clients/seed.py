"""`make seed N=1000 USER=alice`: realistic demo tasks, written through the running stack's HTTP API.

Every task is created with POST /tasks and moved to its status with PUTs, each as the user who would
do it (the owner, or the assignee for starting and finishing), with tokens from the local IdP. So the
stream, the events, the counters, the history and the list views follow exactly as they would for real
users; nothing is written to the tables directly.

The cast: a few demo users plus USER, who owns about 40% of the tasks (and is the assignee of some
others), so `make token USER=...` then GET /tasks shows a full list. High-priority tasks start awaiting
approval, so they are left pending or cancelled: the API refuses to start or complete them (409).

Never duplicates. A run never overwrites or re-creates a task: it only POSTs new ones and changes the
status of the ones it just created. Each run draws a random run id (from the OS, not from --seed), and
every task it creates carries it in its title ("... [demo 3fa29c1e #17]") and in a tag
("seed-3fa29c1e"), next to the tag "demo". So a second `make seed N=100` leaves 200 demo tasks with 200
distinct titles; two runs at once cannot collide either, which numbering from what the (eventually
consistent) lists show could not promise. A POST is never retried: if one fails or times out, the run
stops and says so rather than risk a second copy of a task that was in fact created.

--seed makes the content reproducible (the same titles, owners, priorities, statuses and so on, under
a new run id); due dates are relative to today.
"""

import math
import random
import secrets
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TextIO

from tasks_local.clients.api import ApiClient, ApiError
from tasks_local.clients.stack import StackNotRunning, running_stack
from tasks_local.runtime.settings import LocalSettings

DEMO_TAG = "demo"
STATUSES = ("pending", "in_progress", "completed", "cancelled")
CAST = ("alice", "bob", "carol", "dave", "erin")
USER_SHARE = 0.4  # of the tasks owned by USER
WORKERS = 4

VERBS = (
    "Review",
    "Draft",
    "Update",
    "Plan",
    "Fix",
    "Prepare",
    "Schedule",
    "Migrate",
    "Audit",
    "Document",
    "Test",
    "Finish",
    "Clean up",
    "Follow up on",
    "Estimate",
)
ADJECTIVES = (
    "quarterly",
    "new",
    "legacy",
    "mobile",
    "customer",
    "internal",
    "Q3",
    "annual",
    "shared",
    "weekly",
)
NOUNS = (  # (noun, the tag it implies)
    ("report", "finance"),
    ("budget", "finance"),
    ("invoice run", "finance"),
    ("roadmap", "planning"),
    ("hiring plan", "hiring"),
    ("onboarding guide", "hiring"),
    ("login page", "frontend"),
    ("dashboard", "frontend"),
    ("API docs", "docs"),
    ("release notes", "docs"),
    ("billing service", "backend"),
    ("search index", "backend"),
    ("backup job", "ops"),
    ("alerting rules", "ops"),
    ("access review", "security"),
    ("vendor contract", "legal"),
)
EXTRA_TAGS = ("customer", "q3", "blocked", "quick-win", "tech-debt", "meeting")
CONTEXTS = (
    "Requested by {other} after the weekly sync.",
    "Needed before the {adjective} release.",
    "Came up in the retro; nobody owns it yet.",
    "Follow-up from the incident review.",
    "{other} asked for it in the planning meeting.",
    "Part of the {adjective} goals.",
)
DETAILS = (
    "Keep it short and link the sources.",
    "Check the numbers with {other} before sharing.",
    "Start from last quarter's version.",
    "Write down what is left out and why.",
    "Ask in the team channel if anything is unclear.",
    "A first draft is enough for now.",
)


class SeedError(Exception):
    """The run stopped: an API error or no answer. Printed as one line, never a traceback."""


@dataclass(frozen=True)
class PlannedTask:
    owner: str
    body: dict[str, Any]
    steps: tuple[tuple[str, str], ...]  # (who, status) PUTs after the create, in order


@dataclass
class Outcome:
    created: int = 0
    updates: int = 0
    statuses: Counter = field(default_factory=Counter)
    owned_by: Counter = field(default_factory=Counter)


def parse_count(text: str) -> int:
    """N from the command line: a positive integer, or a usage error naming it."""
    try:
        count = int(text.strip())
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(f"N must be a positive integer, not {text!r}: make seed N=1000 USER=alice")
    return count


def plan(count: int, user: str | None, rng: random.Random, run_id: str, today: date) -> list[PlannedTask]:
    """What to create: owners, assignees, priorities, target statuses, content. Every priority and
    status shows up from five tasks on, however the dice fall."""
    others = [name for name in CAST if name != user]
    owners = [user] * math.ceil(count * USER_SHARE) if user else []
    owners += [rng.choice(others) for _ in range(count - len(owners))]
    rng.shuffle(owners)
    people = sorted({*CAST, *([user] if user else [])})
    coverage = [("low", "in_progress"), ("medium", "completed"), ("high", "pending"), ("low", "cancelled")]
    shapes = coverage + [_shape(rng) for _ in range(count - len(coverage))]
    shapes = shapes[:count]
    rng.shuffle(shapes)
    return [
        _task(number, owner, shape, rng, run_id=run_id, today=today, people=people)
        for number, (owner, shape) in enumerate(zip(owners, shapes, strict=True), start=1)
    ]


def _shape(rng: random.Random) -> tuple[str, str]:
    priority = rng.choices(("low", "medium", "high"), weights=(30, 45, 25))[0]
    if priority == "high":  # awaiting approval: only pending or cancelled are allowed
        return priority, rng.choices(("pending", "cancelled"), weights=(80, 20))[0]
    return priority, rng.choices(STATUSES, weights=(30, 25, 30, 15))[0]


def _task(
    number: int,
    owner: str,
    shape: tuple[str, str],
    rng: random.Random,
    *,
    run_id: str,
    today: date,
    people: list[str],
) -> PlannedTask:
    priority, status = shape
    noun, area = rng.choice(NOUNS)
    adjective = rng.choice(ADJECTIVES)
    other = rng.choice([name for name in people if name != owner] or people)
    words = {"adjective": adjective, "other": other}
    body: dict[str, Any] = {
        "title": f"{rng.choice(VERBS)} the {adjective} {noun} [{DEMO_TAG} {run_id} #{number}]",
        "priority": priority,
        "tags": [DEMO_TAG, f"seed-{run_id}", area, *rng.sample(EXTRA_TAGS, rng.choice((0, 0, 1, 2)))],
    }
    if rng.random() < 0.8:
        body["description"] = f"{rng.choice(CONTEXTS)} {rng.choice(DETAILS)}".format(**words)
    roll = rng.random()
    if roll < 0.55:
        body["assignee"] = other
    elif roll < 0.65:
        body["assignee"] = owner
    if rng.random() < 0.7:
        body["dueDate"] = (today + timedelta(days=rng.randint(-10, 45))).isoformat()
    # Starting and finishing is the assignee's job mostly; cancelling is the owner's.
    worker = body.get("assignee", owner) if rng.random() < 0.7 else owner
    started = [(worker, "in_progress")]
    steps = {
        "pending": [],
        "in_progress": started,
        "completed": (started if rng.random() < 0.7 else []) + [(worker, "completed")],
        # A task awaiting approval cannot be started, only cancelled.
        "cancelled": (started if priority != "high" and rng.random() < 0.3 else []) + [(owner, "cancelled")],
    }[status]
    return PlannedTask(owner=owner, body=body, steps=tuple(steps))


class Progress:
    """A bar redrawn in place on a terminal; on anything else, a plain line every few seconds."""

    def __init__(self, total: int, stream: TextIO, interval: float | None = None) -> None:
        self.total = total
        self.stream = stream
        self.tty = stream.isatty()
        self.interval = interval if interval is not None else (0.1 if self.tty else 2.0)
        self.started = time.monotonic()
        self._shown = self.started

    def rate(self, done: int) -> float:
        return done / max(time.monotonic() - self.started, 1e-9)

    def show(self, done: int) -> None:
        now = time.monotonic()
        if now - self._shown < self.interval and done < self.total:
            return
        self._shown = now
        if self.tty:
            width = 30
            filled = width * done // self.total
            bar = "#" * filled + "." * (width - filled)
            self.stream.write(f"\rseeding [{bar}] {done}/{self.total} {self.rate(done):6.1f} tasks/s")
        elif done < self.total:
            self.stream.write(f"seeding: {done}/{self.total} tasks, {self.rate(done):.1f} tasks/s\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _realise(api: ApiClient, task: PlannedTask, stop: threading.Event) -> tuple[str, int] | None:
    """Create one task and walk it to its status; its final status and the number of PUTs."""
    if stop.is_set():
        return None
    current = api.call("POST", "/tasks", task.owner, task.body)
    for who, status in task.steps:
        current = api.call("PUT", f"/tasks/{current['id']}", who, {"status": status})
    return current["status"], len(task.steps)


def seed(
    settings: LocalSettings,
    count: int,
    *,
    user: str | None = None,
    seed_value: str | None = None,
    workers: int = WORKERS,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Create `count` demo tasks in the running stack; the summary line on `out`, progress on `err`."""
    user = (user or "").strip() or None
    running_stack(settings)
    api = ApiClient(settings)
    api.check()
    run_id = secrets.token_hex(4)
    rng = random.Random(seed_value)  # noqa: S311 - demo content, not secrets
    tasks = plan(count, user, rng, run_id, date.today())
    outcome = Outcome(owned_by=Counter(task.owner for task in tasks))
    progress = Progress(count, err)
    stop = threading.Event()
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="seed")
    try:
        futures = [executor.submit(_realise, api, task, stop) for task in tasks]
        for future in as_completed(futures):
            done = future.result()
            if done is not None:
                status, updates = done
                outcome.created += 1
                outcome.updates += updates
                outcome.statuses[status] += 1
            progress.show(outcome.created)
    except (ApiError, KeyboardInterrupt) as exc:
        stop.set()
        executor.shutdown(wait=True, cancel_futures=True)  # requests in flight end within client.TIMEOUT
        progress.close()
        where = f"stopped with {outcome.created} of {count} tasks done, run {run_id}"
        if isinstance(exc, KeyboardInterrupt):
            print(f"interrupted: {where}", file=err)
            return 130
        raise SeedError(f"{exc} ({where})") from exc
    finally:
        executor.shutdown(wait=True)
    progress.close()
    elapsed = time.monotonic() - progress.started
    statuses = ", ".join(f"{status} {outcome.statuses[status]}" for status in STATUSES)
    mine = f", {outcome.owned_by[user]} owned by {user}" if user else ""
    print(
        f"created {outcome.created} tasks (run {run_id}{mine}) and made {outcome.updates} updates"
        f" in {elapsed:.1f} s, {outcome.created / elapsed:.1f} tasks/s; {statuses}",
        file=out,
    )
    return 0


def main(count: str, user: str | None, seed_value: str | None) -> int:
    """The `seed` subcommand: every mistake and failure one line on stderr, with an exit status."""
    try:
        number = parse_count(count)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        return seed(LocalSettings.from_env(), number, user=user, seed_value=seed_value)
    except StackNotRunning as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (SeedError, ApiError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
