"""Write units per task operation, from the real items the code writes, for three list designs.

Run: .venv/bin/python -m tasks_ops.cost.write_units  (no AWS, no moto: items are built by the product's own
code and sized with DynamoDB's published rules). The numbers go into docs/data-model.md.

- old: the API wrote the task and its views in one TransactWriteItems (every item billed twice), with
  a MEMBER#<user> view for the owner and the assignee besides OWNER#, ASSIGNEE# and ALL;
- stream (built): the API makes one conditional write of the task; the task-indexer projects the
  views from the stream (standard writes, plus one consistent GetItem per changed task, in read
  units); no MEMBER# views: "own or assigned" merges the OWNER# and ASSIGNEE# Queries;
- gsi: no views; composite-key GSIs on the tasks table maintained by DynamoDB (multi-attribute keys),
  one per (audience, filter) pair: owner/assignee/all x none/status/priority/both = 12, + a sparse one
  for the approvers' queue. Every GSI projects ALL, as the views do, so a page is one Query.

Sizes follow "Item sizes and formats" in the DynamoDB developer guide: names and strings in UTF-8
bytes, a number about 1 byte per two significant digits + 1, 3 bytes + 1 per element for a list or
map. A write costs ceil(size / 1 KB) units, a transactional one twice that; a GSI entry is written
(1 x ceil(entry / 1 KB)) when a projected attribute changes, deleted + written when its key changes.
"""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal
from typing import Any

from tasks_shared.adapters.dynamodb.items import task_record
from tasks_shared.adapters.dynamodb.views import view_item
from tasks_shared.domain.listing import scopes_of
from tasks_shared.domain.model import Task

KB = 1024
VIEW_INDEXES = (("scopeStatus",), ("scopePriority",), ("scopeStatusPriority",))
NOW = "2026-12-03T10:00:00.000000Z"
LATER = "2026-12-03T11:00:00.000000Z"


def size(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int | float | Decimal):
        digits = len(str(abs(value)).replace(".", "").lstrip("0")) or 1
        return math.ceil(digits / 2) + 1
    if isinstance(value, list | tuple):
        return 3 + sum(1 + size(element) for element in value)
    if isinstance(value, dict):
        return 3 + sum(1 + size(key) + size(element) for key, element in value.items())
    raise TypeError(type(value))


def item_size(item: dict[str, Any]) -> int:
    return sum(size(name) + size(value) for name, value in item.items())


def units(item: dict[str, Any] | None) -> int:
    return math.ceil(item_size(item) / KB) if item else 0


def typical() -> Task:
    fields = {
        "title": "Prepare the quarterly infrastructure cost review",
        "description": "Collect the bills of every account, compare with the forecast and list the "
        "three biggest surprises with an owner for each. " * 2,
        "priority": "medium",
        "assignee": "3f2c9d1e-7a4b-4c1e-9f0a-2b7d5e8c6a11",
        "dueDate": "2026-12-20",
        "tags": ["finance", "quarterly"],
    }
    owner = "a1b2c3d4-1111-2222-3333-444455556666"
    task = Task.new("6d865dae-0cea-4e9e-a819-5040de0308d8", owner, fields, NOW)
    return replace(task, updated_by=task.owner_id, correlation_id="c0ffee00-1234-5678-9abc-def012345678")


def four_kb() -> Task:
    task = typical()
    grown = replace(task, description="")
    filler = 4 * KB - item_size(task_record(grown))
    return replace(task, description="x" * filler)


def _views(task: Task | None, members: bool) -> dict[str, dict]:
    if task is None:
        return {}
    scopes = scopes_of(task)
    if members:  # the old design's extra copies for "own or assigned"
        scopes |= {f"MEMBER#{user}" for user in (task.owner_id, task.assignee) if user}
    return {scope: view_item(task, scope) for scope in scopes}


def view_writes(
    before: Task | None, after: Task | None, *, transactional: bool, members: bool = False
) -> tuple[int, int]:
    """(table units, GSI units) of rewriting the views of `before` as `after` (None: absent); with
    `members`, the old design's MEMBER# views too."""
    old, new = _views(before, members), _views(after, members)
    factor = 2 if transactional else 1
    table = sum(units(new.get(scope) or old.get(scope)) * factor for scope in old.keys() | new.keys())
    gsi = sum(_gsi_units(old.get(scope), new.get(scope), VIEW_INDEXES) for scope in old.keys() | new.keys())
    return table, gsi


def _gsi_units(old: dict | None, new: dict | None, indexes: tuple[tuple[str, ...], ...]) -> int:
    total = 0
    for keys in indexes:
        old_key = old and tuple(old.get(key) for key in keys)
        new_key = new and tuple(new.get(key) for key in keys)
        has_old = bool(old) and all(old_key)
        has_new = bool(new) and all(new_key)
        if has_old and has_new and old_key == new_key:
            total += units(new) if old != new else 0
        else:
            total += (units(old) if has_old else 0) + (units(new) if has_new else 0)
    return total


# The gsi design's composite keys, as attributes DynamoDB reads from the task item (multi-attribute).
_FILTERS = ((), ("status",), ("priority",), ("status", "priority"))
TASK_INDEXES = (
    *((audience, *filters) for audience in ("ownerId", "assignee", "entity") for filters in _FILTERS),
    ("awaitingSince",),
)


def _gsi_view(task: Task | None) -> dict | None:
    if task is None:
        return None
    record = task_record(task) | {"entity": "task"}
    if task.approval.requested_at and task.approval.status.value == "awaiting":
        record["awaitingSince"] = task.approval.requested_at
    return record


def operations(task: Task) -> dict[str, tuple[Task | None, Task | None]]:
    completed = task.with_changes({"status": "completed"}, LATER, task.owner_id)
    return {
        "create": (None, task),
        "update title": (task, task.with_changes({"title": task.title + " (v2)"}, LATER, task.owner_id)),
        "update status": (task, completed),
        "retention TTL": (completed, replace(completed, expires_at=1_800_000_000)),
        "delete": (task, None),
    }


def costs(before: Task | None, after: Task | None, *, bumps: bool = True) -> dict[str, float]:
    """Write units of one operation in each design; reads (the indexer's GetItem) in read units."""
    task_item = units(task_record(after or before))
    old_after = replace(after, version=after.version + 1) if after and before and not bumps else after
    # (the old design bumped the version on the retention write too)
    old_views, old_gsi = view_writes(before, old_after, transactional=True, members=True)
    new_views, new_gsi = view_writes(before, after, transactional=False)
    gsi = _gsi_units(_gsi_view(before), _gsi_view(after), TASK_INDEXES)
    return {
        "old": 2 * task_item + old_views + old_gsi,
        "stream": task_item + new_views + new_gsi,
        "stream_rcu": 1.0 if after else 0.0,  # the indexer's consistent GetItem (a 404 on delete is free)
        "gsi": task_item + gsi,
    }


def main() -> None:
    print("write units per operation (read units of the stream indexer in brackets)")
    header = ("task", "operation", "old (transaction)", "stream (indexer)", "gsi (12+1)")
    print("{:>8} {:<14} {:>18} {:>18} {:>11}".format(*header))
    for label, task in (("typical", typical()), ("4 KB", four_kb())):
        for name, (before, after) in operations(task).items():
            cost = costs(before, after, bumps=name != "retention TTL")
            stream = f"{cost['stream']:.0f} (+{cost['stream_rcu']:.0f} RCU)"
            print(f"{label:>8} {name:<14} {cost['old']:>18.0f} {stream:>18} {cost['gsi']:>11.0f}")
    sample = typical()
    print(
        f"\nitem sizes: typical task {item_size(task_record(sample))} B, its view "
        f"{item_size(view_item(sample, 'ALL'))} B; 4 KB task {item_size(task_record(four_kb()))} B; "
        f"views per assigned task {len(scopes_of(sample))} (old design: {len(_views(sample, members=True))})"
    )


if __name__ == "__main__":
    main()
