"""The validators check exactly the formats our schemas use, date and date-time, and check them for real:
a value of the right shape that names no real day or time is refused (issue 11 narrowed the checker)."""

import pytest

from tasks_shared.schema_registry import FORMAT_CHECKER, compile_validator


def _accepts(fmt: str, value: str) -> bool:
    return compile_validator({"type": "string", "format": fmt}, {}).is_valid(value)


def test_the_validators_check_date_and_date_time_only():
    assert set(FORMAT_CHECKER.checkers) == {"date", "date-time"}


@pytest.mark.parametrize("value", ["2026-12-15", "2024-02-29"])
def test_a_real_day_is_a_date(value):
    assert _accepts("date", value)


@pytest.mark.parametrize(
    "value", ["2026-02-30", "2025-02-29", "2026-13-01", "next week", "2026-12-15T10:00:00Z"]
)
def test_a_day_that_does_not_exist_is_not_a_date(value):
    assert not _accepts("date", value)


@pytest.mark.parametrize("value", ["2026-12-15T10:00:00Z", "2026-12-15T10:00:00.123456+02:00"])
def test_an_rfc_3339_timestamp_is_a_date_time(value):
    assert _accepts("date-time", value)


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2026-12-15", "2026-12-15T10:00:00", "2026-12-15 10:00:00Z", "2026-12-15T25:00:00Z"],
)
def test_a_timestamp_without_offset_or_out_of_range_is_not_a_date_time(value):
    assert not _accepts("date-time", value)


def test_a_format_the_schemas_do_not_use_is_not_checked():
    assert _accepts("email", "not an email")
