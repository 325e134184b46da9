"""task-completed's settings, read once from the environment at cold start."""

from dataclasses import dataclass
from functools import cache

from tasks_shared.config import from_env


@dataclass(frozen=True)
class Settings:
    activity_table: str
    tasks_table: str
    archive_bucket: str
    retention_days: int

    def __post_init__(self) -> None:
        if self.retention_days < 1:
            raise RuntimeError(f"RETENTION_DAYS must be at least 1 day, got {self.retention_days}")


@cache
def settings() -> Settings:
    return from_env(Settings)
