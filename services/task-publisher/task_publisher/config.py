"""The publisher's settings, read once from the environment at cold start."""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from tasks_shared.config import read_env


@dataclass(frozen=True)
class PublisherSettings:
    event_bus_name: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "PublisherSettings":
        return cls(event_bus_name=read_env("EVENT_BUS_NAME", environ=environ)["EVENT_BUS_NAME"])


@cache
def settings() -> PublisherSettings:
    return PublisherSettings.from_env()
