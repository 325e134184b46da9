"""Reading a function's configuration: once, at cold start, from the environment, failing loudly.

Each function keeps its own typed, frozen settings object (its `config` module); domain code never
reads os.environ.
"""

import os
from collections.abc import Mapping


def read_env(*names: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The values of `names`; one error names every missing or empty one."""
    env = os.environ if environ is None else environ
    missing = [name for name in names if not env.get(name)]
    if missing:
        raise RuntimeError(f"missing configuration: {', '.join(missing)}")
    return {name: env[name] for name in names}
