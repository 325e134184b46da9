"""The API's settings, read once from the environment at cold start."""

from dataclasses import dataclass
from functools import cache

from tasks_shared.config import from_env


@dataclass(frozen=True)
class Settings:
    tasks_table: str
    views_table: str
    activity_table: str
    pagination_secret_id: str  # the Secrets Manager secret (name or ARN) holding the page-token key


@cache
def settings() -> Settings:
    return from_env(Settings)
