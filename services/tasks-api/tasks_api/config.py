"""The API's settings, read once from the environment at cold start."""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from tasks_shared.config import read_env


@dataclass(frozen=True)
class Settings:
    tasks_table: str
    views_table: str
    activity_table: str
    pagination_secret: bytes

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = read_env("TASKS_TABLE", "VIEWS_TABLE", "ACTIVITY_TABLE", "PAGINATION_SECRET", environ=environ)
        return cls(
            tasks_table=env["TASKS_TABLE"],
            views_table=env["VIEWS_TABLE"],
            activity_table=env["ACTIVITY_TABLE"],
            pagination_secret=env["PAGINATION_SECRET"].encode(),
        )


@cache
def settings() -> Settings:
    return Settings.from_env()
