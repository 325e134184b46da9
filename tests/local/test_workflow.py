"""The local runtime's side of the workflow: the template filled like Terraform's templatefile, and
executions named from the rule's paths."""

import uuid

import pytest

from tasks_local.runtime.workflow import ASL_PATH, execution_name, execution_names, placeholders, render


def test_every_placeholder_is_filled_and_none_is_left_behind():
    template = ASL_PATH.read_text()
    values = {name: f"<{name}>" for name in placeholders(template)}
    rendered = render(template, values)
    assert "${" not in rendered
    assert all(value in rendered for value in values.values())


def test_a_missing_value_is_an_error_that_names_it():
    with pytest.raises(KeyError, match="tasks_table"):
        render("${tasks_table} ${api_url}", {"api_url": "x"})


def test_an_execution_is_named_after_the_task_and_the_event():
    (paths,) = {tuple(paths) for paths in execution_names()}
    task_id, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    event = {"detail": {"task": {"id": task_id}, "metadata": {"eventId": event_id}}}
    assert execution_name(event, list(paths)) == f"{task_id}-{event_id}"


def test_a_name_step_functions_would_refuse_becomes_a_stable_uuid():
    paths = ["$.detail.task.id", "$.detail.metadata.eventId"]
    event = {"detail": {"task": {"id": "a task/with spaces" * 5}, "metadata": {"eventId": "e"}}}
    name = execution_name(event, paths)
    assert name == execution_name(event, paths)
    assert uuid.UUID(name)
