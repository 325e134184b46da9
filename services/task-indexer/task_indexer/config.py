"""The indexer's settings, read once from the environment at cold start."""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from tasks_shared.config import read_env


@dataclass(frozen=True)
class IndexerSettings:
    tasks_table: str
    views_table: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "IndexerSettings":
        env = read_env("TASKS_TABLE", "VIEWS_TABLE", environ=environ)
        return cls(tasks_table=env["TASKS_TABLE"], views_table=env["VIEWS_TABLE"])


@cache
def settings() -> IndexerSettings:
    return IndexerSettings.from_env()
