"""Helpers shared by the bench scripts: the local environment, moto tables, timing, percentiles, tables."""

from __future__ import annotations

import contextlib
import importlib.metadata
import io
import json
import logging
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from tasks_local.runtime.embedded_aws import create_secrets, in_process_environment, patch_moto, secret_names
from tasks_shared.tables import create_table_request, definitions

# The bench scripts run as modules from the repository's root (`python -m bench.<script>`), so they import
# the tests' support package (tests/support) as any package: no sys.path edit.
REPO_ROOT = Path(__file__).resolve().parent.parent

# What tests/conftest.py sets: fake credentials, no tracing, the tables' names. Never a real endpoint.
LOCAL_ENV = in_process_environment("bench-tasks")
_UNSAFE_ENV = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "LAMBDA_TASK_ROOT")


def local_environment() -> dict[str, str]:
    """This process's environment with the local settings applied (for subprocesses)."""
    env = {key: value for key, value in os.environ.items() if key not in _UNSAFE_ENV}
    return {**env, **LOCAL_ENV}


def use_local_environment() -> None:
    """Apply the local settings to this process, before any handler reads its configuration."""
    for key in _UNSAFE_ENV:
        os.environ.pop(key, None)
    os.environ.update(LOCAL_ENV)


@contextlib.contextmanager
def moto_tables() -> Iterator[Any]:
    """In-process moto, patched as `make dev` and the tests run it, with every table created from its
    single definition; yields a DynamoDB client."""
    patch_moto()
    with mock_aws():
        client = boto3.client("dynamodb")
        for key, definition in definitions().items():
            client.create_table(**create_table_request(key, os.environ[definition["env"]]))
        create_secrets(boto3.client("secretsmanager"), secret_names("bench-tasks"))
        yield client


@contextlib.contextmanager
def silenced(*logger_names: str) -> Iterator[None]:
    """Send the handler's log lines and EMF metric prints to /dev/null while measuring.

    The writes still happen (they are part of the cost); they just don't flood the report.
    """
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        handlers = [
            handler
            for name in logger_names
            for handler in logging.getLogger(name).handlers
            if isinstance(handler, logging.StreamHandler)
        ]
        previous = [handler.setStream(sink) for handler in handlers]
        try:
            yield
        finally:
            for handler, stream in zip(handlers, previous, strict=True):
                handler.setStream(stream or sys.stdout)


def on_local_stack(measure: Callable[[Any], dict[str, list[float]]]) -> dict[str, list[float]]:
    """Start `make dev` (tests/support/harness.py) in a fresh state folder, measure on it, always stop it."""
    from tests.support.harness import start_stack, stop_stack  # noqa: PLC0415 - only the scripts that start a stack

    with tempfile.TemporaryDirectory() as state:
        stack = start_stack(Path(state))
        try:
            return measure(stack)
        finally:
            stop_stack(stack)


def time_ms(call: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time of one call in milliseconds, and its result."""
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


def wait_ms(
    started: float, effect: Callable[[], Any], poll_seconds: float = 0.005, timeout: float = 30.0
) -> float:
    """Milliseconds from `started` (perf_counter) until `effect()` is true, polled; TimeoutError after
    `timeout` seconds."""
    while not effect():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the effect did not appear")
        time.sleep(poll_seconds)
    return (time.perf_counter() - started) * 1000


def percentile(samples: Sequence[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); pct in [0, 100]."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(samples: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50), 3),
        "p99_ms": round(percentile(samples, 99), 3),
        "min_ms": round(min(samples), 3),
        "max_ms": round(max(samples), 3),
    }


def format_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table: text columns left-aligned, numbers right-aligned; None is an empty cell."""

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:,.2f}"
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return str(value)

    text = [[cell(value) for value in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in text)) for i, h in enumerate(headers)]
    numeric = [
        all(
            row[i] is None or (isinstance(row[i], int | float) and not isinstance(row[i], bool))
            for row in rows
        )
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = io.StringIO()
    out.write(f"\n{title}\n")
    out.write(line([str(h) for h in headers]) + "\n")
    out.write(line(["-" * width for width in widths]) + "\n")
    for row in text:
        out.write(line(row) + "\n")
    return out.getvalue()


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    print(format_table(title, headers, rows), end="", flush=True)


def report_latencies(title: str, kind: str, samples: dict[str, list[float]], json_path: str | None) -> None:
    """n, p50, p95 and max of each named series of milliseconds; the raw samples to `json_path` too."""
    rows = [
        [name, len(values), percentile(values, 50), percentile(values, 95), max(values)]
        for name, values in samples.items()
    ]
    print_table(title, [kind, "n", "p50", "p95", "max"], rows)
    report_machine(json_path, samples_ms=samples)


def report_machine(json_path: str | None, **raw: Any) -> None:
    """Print what the numbers were measured on; write it with the raw numbers to `json_path` if given."""
    print(f"\nmachine: {json.dumps(machine())}")
    if json_path:
        Path(json_path).write_text(json.dumps({"machine": machine(), **raw}, indent=2))


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def loadavg() -> float | None:
    """The 1-minute load average: other work on the machine shows up in the timings."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def machine() -> dict[str, Any]:
    """What the numbers were measured on, read from the machine itself."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = {
        name: importlib.metadata.version(name)
        for name in ("moto", "boto3", "botocore", "aws-lambda-powertools", "aws-xray-sdk", "jsonschema")
    }
    return {
        "nproc": usable,
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "loadavg_1m": loadavg(),
        "packages": versions,
    }
