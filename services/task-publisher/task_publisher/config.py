"""The publisher's settings, read once from the environment at cold start.

Not tasks_shared.config: that one demands the API's tables and pagination secret, which this
function neither has nor needs.
"""

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class PublisherSettings:
    event_bus_name: str

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "PublisherSettings":
        env = os.environ if environ is None else environ
        if not env.get("EVENT_BUS_NAME"):
            raise RuntimeError("missing configuration: EVENT_BUS_NAME")
        return cls(event_bus_name=env["EVENT_BUS_NAME"])


@cache
def settings() -> PublisherSettings:
    return PublisherSettings.from_env()
