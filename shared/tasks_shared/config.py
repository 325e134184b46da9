"""Settings read once from the environment at cold start; domain code never reads os.environ."""

import os
from dataclasses import dataclass
from functools import cache

from tasks_shared.tables import definitions


@dataclass(frozen=True)
class Settings:
    tasks_table: str
    views_table: str
    activity_table: str
    pagination_secret: bytes

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        missing = [
            name
            for name in (*(d["env"] for d in definitions().values()), "PAGINATION_SECRET")
            if not env.get(name)
        ]
        if missing:
            raise RuntimeError(f"missing configuration: {', '.join(missing)}")
        return cls(
            tasks_table=env["TASKS_TABLE"],
            views_table=env["VIEWS_TABLE"],
            activity_table=env["ACTIVITY_TABLE"],
            pagination_secret=env["PAGINATION_SECRET"].encode(),
        )


@cache
def settings() -> Settings:
    return Settings.from_env()
