"""Each function reads its settings once, from variables named after the fields, and fails loudly."""

from dataclasses import dataclass

import pytest

from task_completed.config import Settings as CompletedSettings
from tasks_shared.config import from_env


@dataclass(frozen=True)
class Example:
    table_name: str
    retries: int
    secret: bytes


def test_fields_are_read_from_their_upper_case_variables_and_typed():
    settings = from_env(Example, {"TABLE_NAME": "t", "RETRIES": "3", "SECRET": "s3cret"})

    assert settings == Example("t", 3, b"s3cret")


def test_every_missing_variable_is_named_at_once():
    with pytest.raises(RuntimeError, match="TABLE_NAME, SECRET"):
        from_env(Example, {"RETRIES": "3"})


def test_a_value_of_the_wrong_type_names_its_variable():
    with pytest.raises(RuntimeError, match="RETRIES must be int, got 'three'"):
        from_env(Example, {"TABLE_NAME": "t", "RETRIES": "three", "SECRET": "s"})


def test_a_retention_of_less_than_a_day_is_refused():
    env = {"ACTIVITY_TABLE": "a", "TASKS_TABLE": "t", "ARCHIVE_BUCKET": "b", "RETENTION_DAYS": "0"}

    with pytest.raises(RuntimeError, match="RETENTION_DAYS must be at least 1"):
        from_env(CompletedSettings, env)
