"""DynamoDB write units: the billing rules, and the product's writes by design for each kind of task write.

Run: .venv/ops/bin/python -m tasks_ops.cost.write_units  (no AWS, no moto: items are built by the product's
own code and sized with DynamoDB's published rules). The numbers go into docs/data-model.md.

Two things live here, and each is used twice:

- the rules (`Table.write_units`): an item's size ("Item sizes and formats" in the DynamoDB developer
  guide: names and strings in UTF-8 bytes, a number about 1 byte per two significant digits + 1, 3 bytes
  + 1 per element for a list or map); a write costs ceil(larger image / 1 KB) units, at least one, twice
  that in a transaction; an index entry costs its own size when it is put, deleted or rewritten (a
  projected attribute changed), twice (delete + put) when its key changed, nothing otherwise
  ("Provisioned throughput considerations for global secondary indexes"). bench.pipeline_costs applies
  them to the items moto really held before and after every write the functions made: the measurement;
- the design (`designed`): what each kind of write of `make cost`'s mix writes, built from the items the
  code writes (task_record, view_item, history_item...) for the tasks the bench drives (`SCENARIO`).
  tests/ops/test_cost.py holds the design and the measurement to each other, kind by kind and table by
  table: a write the code makes that the design forgot (or the reverse) fails it.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from tasks_shared.adapters.dynamodb.activity import MARKER_TTL_SECONDS, history_item
from tasks_shared.adapters.dynamodb.approvals import decision_record
from tasks_shared.adapters.dynamodb.items import task_record
from tasks_shared.adapters.dynamodb.views import view_item
from tasks_shared.domain.activity import HistoryEntry, completed_counts, created_counts
from tasks_shared.domain.approval import Approval, ApprovalStatus, ClaimedDecision, Decision
from tasks_shared.domain.events import TaskEvent
from tasks_shared.domain.listing import scopes_of
from tasks_shared.domain.model import Task
from tasks_shared.tables import definitions

KB = 1024
NOW = "2026-12-03T10:00:00.000000Z"
LATER = "2026-12-03T11:00:00.000000Z"
# What is measured (bench.pipeline_costs) and designed: the writes of `make cost`'s mix, per write, and
# one approval run (a high-priority create and its decision). `priced` derives the rest.
KINDS = ("create", "update", "complete", "delete", "approval run")


@dataclass(frozen=True)
class Scenario:
    """The tasks bench.pipeline_costs drives through the stack, and the design sizes: one source."""

    owner: str = "alice"
    create: Mapping[str, Any] | None = None
    update: Mapping[str, Any] | None = None
    approval_create: Mapping[str, Any] | None = None
    approver: str = "bob"
    decision: Mapping[str, Any] | None = None


SCENARIO = Scenario(
    create={
        "title": "Prepare the quarterly infrastructure cost review",
        "assignee": "bob",
        "tags": ["finance"],
    },
    update={"title": "Prepare the quarterly infrastructure cost review (v2)"},
    approval_create={"title": "Rotate the production keys", "priority": "high"},
    decision={"decision": "approve"},
)


# --- the rules ----------------------------------------------------------------------------------------


def size(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int | float | Decimal):
        digits = len(str(abs(value)).replace(".", "").lstrip("0")) or 1
        return math.ceil(digits / 2) + 1
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, list | tuple | set | frozenset):
        return 3 + sum(1 + size(element) for element in value)
    if isinstance(value, dict):
        return 3 + sum(1 + size(key) + size(element) for key, element in value.items())
    raise TypeError(type(value))


def item_size(item: Mapping[str, Any]) -> int:
    return sum(size(name) + size(value) for name, value in item.items())


def units(item: Mapping[str, Any] | None) -> int:
    return math.ceil(item_size(item) / KB) if item else 0


@dataclass(frozen=True)
class Units:
    """Write units of some writes: the table's own, and its indexes'."""

    table: float = 0.0
    indexes: float = 0.0

    def __add__(self, other: Units) -> Units:
        return Units(self.table + other.table, self.indexes + other.indexes)

    def times(self, factor: float) -> Units:
        return Units(self.table * factor, self.indexes * factor)

    @property
    def total(self) -> float:
        return self.table + self.indexes


@dataclass(frozen=True)
class Index:
    keys: tuple[str, ...]
    projected: frozenset[str] | None  # the non-key attributes of an INCLUDE projection; None: ALL

    def entry(self, item: Mapping[str, Any] | None, table_keys: Iterable[str]) -> dict[str, Any] | None:
        """The item's entry in the index: none unless it has every key attribute (a sparse index)."""
        if not item or any(key not in item for key in self.keys):
            return None
        if self.projected is None:
            return dict(item)
        kept = {*table_keys, *self.keys, *self.projected}
        return {name: value for name, value in item.items() if name in kept}


@dataclass(frozen=True)
class Table:
    """A table's keys and indexes, from its CreateTable-shaped definition (tables.json)."""

    keys: tuple[str, ...]
    indexes: tuple[Index, ...]

    @classmethod
    def of(cls, definition: Mapping[str, Any]) -> Table:
        indexes = []
        for index in definition.get("GlobalSecondaryIndexes", []):
            projection = index["Projection"]
            projected = None
            if projection["ProjectionType"] != "ALL":
                projected = frozenset(projection.get("NonKeyAttributes", ()))
            indexes.append(Index(tuple(k["AttributeName"] for k in index["KeySchema"]), projected))
        return cls(tuple(k["AttributeName"] for k in definition["KeySchema"]), tuple(indexes))

    def write_units(
        self,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
        *,
        transactional: bool = False,
    ) -> Units:
        """One write that left the item `after` (None: deleted, or a failed condition left it as it was)."""
        table = max(units(before), units(after), 1) * (2 if transactional else 1)
        return Units(table, sum(self._index_units(index, before, after) for index in self.indexes))

    def _index_units(self, index: Index, before: Mapping | None, after: Mapping | None) -> int:
        old, new = index.entry(before, self.keys), index.entry(after, self.keys)
        if old and new and all(old[key] == new[key] for key in index.keys):
            return units(new) if old != new else 0
        return units(old) + units(new)


def tables() -> dict[str, Table]:
    return {key: Table.of(definition) for key, definition in definitions().items()}


# --- the design -------------------------------------------------------------------------------------


class Ledger:
    """The write units of the writes one kind of task write makes, per table."""

    def __init__(self) -> None:
        self._tables = tables()
        self.units: dict[str, Units] = defaultdict(Units)

    def write(self, table: str, before: Mapping | None, after: Mapping | None, *, transaction: bool = False):
        self.units[table] += self._tables[table].write_units(before, after, transactional=transaction)

    def task(self, before: Task | None, after: Task | None, extra: Mapping[str, Any] | None = None) -> None:
        """A write of the task item (by the API, the workflow or task-completed)."""
        self.write("tasks", _stored(before), _stored(after) | dict(extra or {}) if after else None)

    def views(self, before: Task | None, after: Task | None) -> None:
        """The task-indexer's writes for one change: nothing when no view would change; else a put per
        scope of the task as it is now, and a delete per scope it left."""
        old, new = _views(before), _views(after)
        if old == new:
            return
        for scope in sorted(old.keys() | new.keys()):
            self.write("views", old.get(scope), new.get(scope))

    def history(self, entries: Iterable[HistoryEntry], *, transaction: bool = False) -> None:
        for entry in entries:
            self.write("activity", None, history_item(entry), transaction=transaction)

    def counters(self, receipt: Mapping[str, Any], counts: Mapping[str, Any]) -> None:
        """A receipt and the owner's counters in one transaction (task-created's receipt is its entry)."""
        self.write("activity", None, receipt, transaction=True)
        before = {"pk": f"OWNER#{SCENARIO.owner}", "sk": "STATS", **_STATS}
        after = before | {name: before.get(name, 0) + value for name, value in counts.items()}
        self.write("activity", before, after, transaction=True)


# The owner's counters as a month of the bench leaves them: their size, not their values, matters.
_STATS = {"created": 30, "createdMedium": 30, "completed": 30, "cycleTimeSecondsTotal": Decimal("1.234")}


def _stored(task: Task | None) -> dict[str, Any] | None:
    return task_record(task) if task else None


def _views(task: Task | None) -> dict[str, dict[str, Any]]:
    return {scope: view_item(task, scope) for scope in scopes_of(task)} if task else {}


def _event(task: Task, detail_type: str, changes: tuple[str, ...] = (), previous: Task | None = None):
    before = previous.to_dict() if previous else {}
    metadata = {"eventId": str(uuid.uuid4()), "occurredAt": task.updated_at, "actor": task.updated_by}
    return TaskEvent(
        detail_type=detail_type,
        source="tasks.service",
        metadata=metadata,
        task=task,
        changes=changes,
        previous={name: before.get(name) for name in changes},
    )


def _marker(consumer: str) -> dict[str, Any]:
    now = 1_795_000_000
    return {
        "pk": f"EVENT#{uuid.uuid4()}",
        "sk": consumer,
        "processedAt": now,
        "expiresAt": now + MARKER_TTL_SECONDS,
    }


def _created(ledger: Ledger, task: Task) -> None:
    """The API's create, its views, and task-created's entry (the receipt) with the counters."""
    ledger.task(None, task)
    ledger.views(None, task)
    ledger.counters(
        history_item(HistoryEntry.created(_event(task, "TaskCreated"))), created_counts(task.priority)
    )


def lifecycle(scenario: Scenario = SCENARIO) -> dict[str, dict[str, Units]]:
    """Write units per table of each kind of write, for the scenario's tasks."""
    owner = scenario.owner
    created = _new(scenario.create, owner)
    updated = created.with_changes(dict(scenario.update), LATER, owner)
    completed = updated.with_changes({"status": "completed"}, LATER, owner)
    expiring = replace(completed, expires_at=1_800_000_000)
    kinds: dict[str, Ledger] = {kind: Ledger() for kind in KINDS}

    _created(kinds["create"], created)

    update = kinds["update"]
    update.task(created, updated)
    update.views(created, updated)
    update.history([HistoryEntry.updated(_event(updated, "TaskUpdated", tuple(scenario.update), created))])

    complete = kinds["complete"]
    complete.task(updated, completed)
    complete.views(updated, completed)
    complete.history(
        [HistoryEntry.updated(_event(completed, "TaskUpdated", ("status", "completedAt"), updated))]
    )
    complete.task(completed, expiring)  # task-completed's retention TTL
    complete.views(completed, expiring)
    complete.counters(_marker("task-completed"), completed_counts(3600))

    kinds["delete"].task(expiring, None)
    kinds["delete"].views(expiring, None)

    _approval_run(kinds["approval run"], scenario)
    return {kind: dict(ledger.units) for kind, ledger in kinds.items()}


def priced(raw: Mapping[str, Mapping[str, Units]]) -> dict[str, dict[str, Units]]:
    """The kinds `make cost` prices, from the measured or designed ones: each write of the mix; a TTL
    expiry (the delete's views: DynamoDB's own delete of the task is free); and what an approval run
    adds to a create."""
    kinds = {kind: dict(raw[kind]) for kind in ("create", "update", "complete", "delete")}
    kinds["ttl expiry"] = {"views": raw["delete"]["views"]}
    extra: dict[str, Units] = defaultdict(Units)
    for table in raw["approval run"].keys() | raw["create"].keys():
        extra[table] = raw["approval run"].get(table, Units()) + raw["create"].get(table, Units()).times(-1)
    kinds["approval"] = dict(extra)
    return kinds


def _new(fields: Mapping[str, Any] | None, owner: str) -> Task:
    task = Task.new(str(uuid.uuid4()), owner, dict(fields or {}), NOW)
    return replace(task, updated_by=owner, correlation_id=str(uuid.uuid4()))


def _approval_run(ledger: Ledger, scenario: Scenario) -> None:
    """A high-priority create, the workflow's token stored, the approver's claim, the decision recorded
    (docs/approval-workflow.md), each projected and, for the decision, recorded by task-updated."""
    task = _new(scenario.approval_create, scenario.owner)
    _created(ledger, task)
    token = {"approvalToken": str(uuid.uuid4())}  # moto's token; AWS's are longer (docs/cost.md)
    ledger.task(task, task, token)
    ledger.views(task, task)
    claim = ClaimedDecision(Decision((scenario.decision or {})["decision"]), scenario.approver, LATER)
    ledger.write(
        "tasks", task_record(task) | token, task_record(task) | {"approvalDecision": decision_record(claim)}
    )
    ledger.views(task, task)
    decided = replace(
        task,
        approval=Approval(
            ApprovalStatus.APPROVED, claim.decided_by, claim.decided_at, "", task.approval.requested_at
        ),
        version=task.version + 1,
        updated_at=claim.decided_at,
        updated_by=claim.decided_by,
        correlation_id=str(uuid.uuid4()),
    )
    ledger.write(
        "tasks", task_record(task) | {"approvalDecision": decision_record(claim)}, task_record(decided)
    )
    ledger.views(task, decided)
    ledger.history([HistoryEntry.updated(_event(decided, "TaskUpdated", ("approval",), task))])


def per_task_write(by_kind: Mapping[str, Mapping[str, Units]], mix: Mapping[str, float]) -> dict[str, Units]:
    """Write units per table of one task write of the mix: each kind at its share (`mix` names every
    kind, an approval and a TTL expiry at theirs per task write)."""
    total: dict[str, Units] = defaultdict(Units)
    for kind, share in mix.items():
        for table, used in by_kind.get(kind, {}).items():
            total[table] += used.times(share)
    return dict(total)


def _print(title: str, by_kind: Mapping[str, Mapping[str, Units]]) -> None:
    names = sorted({table for used in by_kind.values() for table in used})
    print(title)
    print(f"{'kind':<12}" + "".join(f"{name:>18}" for name in names) + f"{'total':>8}")
    for kind, used in by_kind.items():
        cells = "".join(
            f"{used.get(name, Units()).table:>10.0f} + {used.get(name, Units()).indexes:>4.0f} "
            for name in names
        )
        print(f"{kind:<12}{cells}{sum(u.total for u in used.values()):>8.0f}")


def main() -> None:
    _print("write units per write, by design (table + its indexes)", priced(lifecycle()))
    sample = _new(SCENARIO.create, SCENARIO.owner)
    entry = history_item(HistoryEntry.created(_event(sample, "TaskCreated")))
    view = view_item(sample, "ALL")
    print(
        f"\nitem sizes: task {item_size(task_record(sample))} B, a view {item_size(view)} B,"
        f" its creation entry {item_size(entry)} B; views of an assigned task {len(scopes_of(sample))},"
        f" each in {len(tables()['views'].indexes)} indexes"
    )
    description = "x" * (4 * KB - item_size(task_record(sample)))
    grown = replace(SCENARIO, create={**SCENARIO.create, "description": description})
    by_kind = {kind: used for kind, used in priced(lifecycle(grown)).items() if kind != "approval"}
    _print("\nthe same task with a description that makes it 4 KB (an approval's task is the same)", by_kind)


if __name__ == "__main__":
    main()
