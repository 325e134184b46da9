"""task-updated's settings, read once from the environment at cold start."""

from dataclasses import dataclass
from functools import cache

from tasks_shared.config import from_env


@dataclass(frozen=True)
class Settings:
    activity_table: str
    notifications_topic_arn: str


@cache
def settings() -> Settings:
    return from_env(Settings)
