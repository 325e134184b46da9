"""Cold start of the tasks API function against the floor any Python function that talks to DynamoDB pays.

    .venv/bin/python -m bench.cold_start [--runs 15] [--before DIR] [--json results.json]

In one run, interleaved (each round starts every variant once, in a rotating order), each in a fresh
process with a Lambda-like environment (LAMBDA_TASK_ROOT set, tracing on, a trace id, AWS_REGION):

- the floor: `import boto3; boto3.client("dynamodb")`;
- `import tasks_api.handler` from the source tree (its bytecode cached, as after a first run), and the
  function's entry point, `import tasks_api.lambda_entry` (function.yml's handler: the same import with
  the garbage collector paused);
- the entry point from the function's zip as `make package` builds it, unzipped read-only, with the
  layer where this host can import it (it cannot when the layer's wheels are arm64 and the host is not:
  then the host's site-packages, and the output says so). When this host's Python is not the runtime's
  (3.12), it ignores the zip's bytecode: 'as built' then compiles the sources at every start, and a copy
  with this host's own bytecode stands in for the runtime reading the zip's;
- the handler's first request from process start: the import, then POST /tasks through
  lambda_handler against moto's server on loopback (DynamoDB and Secrets Manager; not a Stubber, so
  the request runs the real botocore path, retries and all);
- with --before DIR (a checkout of an earlier commit, e.g. `git worktree add /tmp/cold-before <commit>`):
  that commit's handler imported the same way, in the same rounds.

Timing starts at the probe's first statement (interpreter start-up, the same for every variant, is not
counted) and ends once the code ran; "from spawn" adds start-up (the parent's clock before it starts the
process; both read CLOCK_MONOTONIC). Each variant is reported as median and min, and as a ratio to the
floor's. The machine is shared: the 1-minute load average is printed before and after, and CPU time
(process_time) beside wall time. Then `-X importtime`'s top ten, before (with --before) and after:
modules by self time and top-level packages by the sum of their modules' self times, each the median of
--importtime-runs runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import _common
import boto3

from tasks_local.moto_fixes.server import LocalMotoServer
from tasks_local.runtime.embedded_aws import create_secrets, secret_names
from tasks_ops import build as package
from tasks_shared.tables import create_table_request, definitions
from tests.support.samples import api_event

REPO_ROOT = _common.REPO_ROOT
PREFIX = "bench-tasks"  # the names bench/_common.LOCAL_ENV gives the tables and the secret
FLOOR = "floor"
TRACE_ID = "Root=1-6760a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"
RESULT = "@@cold-start "
# Dropped from the parent's environment: a real endpoint or profile, and whatever would move the
# children's bytecode or search path.
_DROPPED = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "PYTHONPATH", "PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE")

_PROBE = """\
import time
_wall, _cpu = time.perf_counter(), time.process_time()
{code}
_end, _cpu_end = time.perf_counter(), time.process_time()
import json as _json, sys as _sys
_handler = _sys.modules.get("tasks_api.handler")
print({marker!r} + _json.dumps({{
    "wall_ms": (_end - _wall) * 1000,
    "cpu_ms": (_cpu_end - _cpu) * 1000,
    "end": _end,
    "handler_file": getattr(_handler, "__file__", None),
    "status": globals().get("_status"),
}}))
"""

_FIRST_REQUEST = """\
import {module}

class _Context:
    function_name = "tasks-api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:tasks-api"
    aws_request_id = "cold-start-bench"

    def get_remaining_time_in_millis(self):
        return 10_000

_status = {module}.lambda_handler({event!r}, _Context())["statusCode"]
"""


def lambda_environment(daemon: str) -> dict[str, str]:
    """The local settings (fake credentials, the tables' names) as Lambda would set them around the
    function: its task root, tracing on for a sampled trace, the X-Ray daemon's address."""
    env = {key: value for key, value in os.environ.items() if key not in _DROPPED}
    return {
        **env,
        **_common.LOCAL_ENV,
        "LAMBDA_TASK_ROOT": "/var/task",
        "AWS_LAMBDA_FUNCTION_NAME": "tasks-api",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "POWERTOOLS_TRACE_DISABLED": "false",
        "_X_AMZN_TRACE_ID": TRACE_ID,
        "AWS_XRAY_DAEMON_ADDRESS": daemon,
    }


class XRayDaemon:
    """A UDP socket on loopback standing in for the X-Ray daemon: it counts the DynamoDB subsegments the
    traced first requests send, which shows tracing was on and recorded the calls."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.address = f"127.0.0.1:{self.socket.getsockname()[1]}"
        self.dynamodb_operations: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                datagram = self.socket.recv(65536)
            except TimeoutError:
                continue
            _, _, body = datagram.decode(errors="replace").partition("\n")
            with contextlib.suppress(ValueError):
                entity = json.loads(body)
                if entity.get("namespace") == "aws" and entity.get("name") == "dynamodb":
                    self.dynamodb_operations.append(entity.get("aws", {}).get("operation", "?"))

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """moto's server on loopback, as `make dev` runs it, with every table and the secrets; yields its
    endpoint."""
    server = LocalMotoServer("127.0.0.1", 0)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log line per request
    server.start()
    endpoint = "http://{}:{}".format(*server.get_host_and_port())
    try:
        with _patched_environ({**_common.LOCAL_ENV, "AWS_ENDPOINT_URL": endpoint}):
            client = boto3.client("dynamodb")
            for key, definition in definitions().items():
                client.create_table(**create_table_request(key, os.environ[definition["env"]]))
            create_secrets(boto3.client("secretsmanager"), secret_names(PREFIX))
        yield endpoint
    finally:
        server.stop()


@contextlib.contextmanager
def _patched_environ(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# --- the packaged function -------------------------------------------------------------------------


def _unzip(archive: Path, target: Path) -> Path:
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(target)
    return target


def _read_only(root: Path) -> None:
    """Lambda's /var/task is read-only: no bytecode can be written beside the sources."""
    for path in [root, *root.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)


def layer_import_error(layer: Path) -> str | None:
    """Why the layer's packages cannot be imported by this host's Python (None when they can): its
    native wheels are built for Lambda (arm64, CPython 3.12)."""
    code = "import sys; sys.path.insert(0, sys.argv[1]); import rpds, jsonschema, aws_xray_sdk.core, boto3"
    result = subprocess.run(
        [sys.executable, "-S", "-c", code, str(layer / "python")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if result.returncode == 0:
        return None
    return (result.stderr.strip().splitlines() or ["no output"])[-1]


def layer_twin(target: Path) -> Path | None:
    """The layer's requirements (pyproject.toml's dependencies pinned by constraints.txt) installed for
    this host, with its bytecode, as pip installs them; None when pip cannot (no PyPI)."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target)]
    command += ["-c", str(REPO_ROOT / "constraints.txt"), *package.runtime_dependencies()]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    return target if result.returncode == 0 else None


def packaged_function(work: Path) -> dict[str, Any]:
    """The tasks-api zip built as `make package` builds it (from this tree, with the runtime's bytecode
    where a Python 3.12 is at hand), unzipped read-only; when this host's Python cannot use that
    bytecode, a copy with its own bytecode as a stand-in; the layer where it imports."""
    runtime_python = package.bytecode_python()
    archive = package.build_function(
        REPO_ROOT / "services" / "tasks-api", work / "tasks-api.zip", runtime_python
    )
    names = zipfile.ZipFile(archive).namelist()
    tag = sys.implementation.cache_tag
    bytecode = sorted({name.rsplit(".", 2)[-2] for name in names if name.endswith(".pyc")})
    info: dict[str, Any] = {
        "isolated": False,
        "zip": archive.name,
        "zip_bytecode_tags": bytecode,
        "host_cache_tag": tag,
        "dirs": {"as built": _unzip(archive, work / "function")},
    }
    if tag not in bytecode:
        label = f"+ {tag} pycs (stand-in)"
        compiled = _unzip(archive, work / "function-host-bytecode")
        package.compile_bytecode(compiled, sys.executable, "/var/task")
        info["dirs"][label] = compiled
    for folder in info["dirs"].values():
        _read_only(folder)
    layer = REPO_ROOT / "dist" / package.LAYER
    if not layer.is_file():
        info["layer"] = f"no {layer.relative_to(REPO_ROOT)} (run make package): the host's site-packages"
        info["layer_path"] = None
        return info
    unzipped = _unzip(layer, work / "layer")
    error = layer_import_error(unzipped)
    if error:
        why = (
            f"dist/layer.zip cannot import on this {os.uname().machine} host ({error}): its native wheels "
            "are Lambda's (arm64, CPython 3.12)"
        )
        twin = layer_twin(work / "layer-host")
        if twin:
            info["layer"] = (
                f"{why}; measured instead with the same requirements and pins installed for this host "
                "(pip --target, constraints.txt), alone on the path (python -S: no dev tools beside them)"
            )
            info["layer_path"], info["isolated"] = twin, True
        else:
            info["layer"] = f"{why}; measured with the host's site-packages instead (PyPI unreachable)"
            info["layer_path"] = None
    else:
        info["layer"] = "dist/layer.zip, unzipped"
        info["layer_path"] = unzipped / "python"
    return info


# --- running the variants --------------------------------------------------------------------------


ENTRY = "tasks_api.lambda_entry"  # function.yml's handler: tasks_api.handler, imported with the GC paused
HANDLER = "tasks_api.handler"
FIRST_REQUEST = "first request (POST /tasks), source"


def variants(args: argparse.Namespace, work: Path, env: dict[str, str], endpoint: str) -> dict[str, Any]:
    """name -> (code, environment). The floor's and the source tree's bytecode comes from a cache of the
    run's own (PYTHONPYCACHEPREFIX, filled by the warm-up), never written into the working tree; the
    packaged function writes none, as on Lambda's read-only filesystem."""
    cached = {**env, "PYTHONPYCACHEPREFIX": str(work / "pycache")}

    def tree(root: Path) -> dict[str, str]:
        return {
            **cached,
            "PYTHONPATH": os.pathsep.join([str(root / "shared"), str(root / "services" / "tasks-api")]),
        }

    source = tree(REPO_ROOT)
    event = api_event("create-task", body={"title": "cold start", "priority": "low"})
    found: dict[str, Any] = {
        FLOOR: ("import boto3\nboto3.client('dynamodb')", cached),
        f"import {HANDLER}, source": (f"import {HANDLER}", source),
        f"import {ENTRY} (the entry), source": (f"import {ENTRY}", source),
    }
    if not args.skip_package:
        packaged = packaged_function(work)
        found["package"] = packaged
        layer = [str(packaged["layer_path"])] if packaged["layer_path"] else []
        flags = ["-S"] if packaged["isolated"] else []
        readonly = {**env, "PYTHONDONTWRITEBYTECODE": "1"}
        if packaged["isolated"]:
            found[f"{FLOOR}, layer's packages alone"] = (
                "import boto3\nboto3.client('dynamodb')",
                {**readonly, "PYTHONPATH": os.pathsep.join(layer)},
                flags,
            )
        for label, folder in packaged["dirs"].items():
            found[f"import {ENTRY}, package {label}"] = (
                f"import {ENTRY}",
                {**readonly, "PYTHONPATH": os.pathsep.join([str(folder), *layer])},
                flags,
            )
    found[FIRST_REQUEST] = (
        _FIRST_REQUEST.format(module=ENTRY, event=event),
        {**source, "AWS_ENDPOINT_URL": endpoint},
    )
    if args.before:
        # The commit before issue 11: no entry module, and the page-token key in the environment.
        before = {**tree(Path(args.before).resolve()), "PAGINATION_SECRET": "a-bench-secret-of-enough-length"}
        found[f"before: import {HANDLER}, source"] = (f"import {HANDLER}", before)
        found["before: first request (POST /tasks), source"] = (
            _FIRST_REQUEST.format(module=HANDLER, event=event),
            {**before, "AWS_ENDPOINT_URL": endpoint},
        )
    return found


def run_probe(code: str, env: dict[str, str], flags: list[str] | None = None) -> dict[str, Any]:
    spawned = time.perf_counter()
    result = subprocess.run(
        [sys.executable, *(flags or []), "-c", _PROBE.format(code=code, marker=RESULT)],
        env=env,
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith(RESULT)]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"probe failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    sample = json.loads(lines[-1].removeprefix(RESULT))
    sample["spawn_ms"] = (sample.pop("end") - spawned) * 1000
    return sample


def measure(probes: dict[str, tuple[Any, ...]], runs: int) -> dict[str, list[dict[str, Any]]]:
    """One untimed warm-up of each (fills the bytecode cache and the page cache), then `runs` rounds."""
    names = list(probes)
    for name in names:
        warm = run_probe(*probes[name])
        print(f"  warm-up {name}: {warm['wall_ms']:.0f} ms ({warm['handler_file'] or '-'})", flush=True)
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for round_ in range(runs):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            samples[name].append(run_probe(*probes[name]))
    return samples


def _stat(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), min(values)


ISOLATED_FLOOR = f"{FLOOR}, layer's packages alone"


def report(samples: dict[str, list[dict[str, Any]]]) -> list[list[Any]]:
    """Each variant against its floor: the packaged function's against the floor run on the same
    packages (when the layer's stand-in is measured alone), every other against the floor."""

    def stats(name: str) -> dict[str, float]:
        values = samples[name]
        return {
            "median": statistics.median(s["wall_ms"] for s in values),
            "min": min(s["wall_ms"] for s in values),
            "cpu": statistics.median(s["cpu_ms"] for s in values),
            "spawn": statistics.median(s["spawn_ms"] for s in values),
        }

    rows = []
    for name, values in samples.items():
        floor = (
            ISOLATED_FLOOR
            if ISOLATED_FLOOR in samples and ("package" in name or name == ISOLATED_FLOOR)
            else FLOOR
        )
        mine, base = stats(name), stats(floor)
        rows.append(
            [
                name,
                len(values),
                round(mine["median"], 1),
                round(mine["min"], 1),
                f"{mine['median'] / base['median']:.2f}x",
                f"{mine['min'] / base['min']:.2f}x",
                f"{mine['cpu'] / base['cpu']:.2f}x",
                round(mine["spawn"], 1),
                f"{mine['spawn'] / base['spawn']:.2f}x",
                "its own" if floor == name else ("layer's" if floor == ISOLATED_FLOOR else "floor"),
            ]
        )
    headers = ["variant", "n", "median ms", "min ms", "median/floor", "min/floor", "cpu/floor"]
    headers += ["from spawn ms", "spawn/floor", "vs"]
    _common.print_table("Cold start, fresh processes, Lambda-like environment (interleaved)", headers, rows)
    return rows


# --- -X importtime ---------------------------------------------------------------------------------


def importtime(probe: tuple[str, dict[str, str]], runs: int) -> dict[str, dict[str, float]]:
    """Median self time (µs) per module and per top-level package over `runs` fresh runs of the probe's
    code (an import) under -X importtime."""
    code, env = probe
    per_module: dict[str, list[int]] = defaultdict(list)
    per_package: dict[str, list[int]] = defaultdict(list)
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            env=env,
            cwd=tempfile.gettempdir(),
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        totals: dict[str, int] = defaultdict(int)
        for line in result.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, _cumulative, name = line.removeprefix("import time:").split("|")
            module = name.strip()
            per_module[module].append(int(self_us))
            totals[module.split(".")[0]] += int(self_us)
        for top, total in totals.items():
            per_package[top].append(total)
    return {
        "modules": {name: statistics.median(values) for name, values in per_module.items()},
        "packages": {name: statistics.median(values) for name, values in per_package.items()},
    }


def print_importtime(label: str, profile: dict[str, dict[str, float]]) -> None:
    for kind in ("packages", "modules"):
        top = sorted(profile[kind].items(), key=lambda item: -item[1])[:10]
        total = sum(profile[kind].values()) / 1000
        rows = [[name, round(us / 1000, 1)] for name, us in top]
        what = "top-level packages, sum of self times" if kind == "packages" else "modules, self time"
        _common.print_table(
            f"-X importtime, {label}: top ten {what} (all: {total:,.0f} ms)", [kind[:-1], "ms"], rows
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15, help="rounds; every variant starts once per round")
    parser.add_argument("--before", help="a checkout of an earlier commit, measured beside this tree")
    parser.add_argument("--importtime-runs", type=int, default=5, help="-X importtime runs per tree")
    parser.add_argument("--skip-package", action="store_true", help="leave out the packaged function")
    parser.add_argument("--json", help="also write the samples and the tables here")
    args = parser.parse_args()

    print(f"load average before: {os.getloadavg()}", flush=True)
    daemon = XRayDaemon()
    with tempfile.TemporaryDirectory() as folder, moto_server() as endpoint:
        work = Path(folder)
        env = lambda_environment(daemon.address)
        found = variants(args, work, env, endpoint)
        packaged = found.pop("package", None)
        if packaged:
            tags = packaged["zip_bytecode_tags"] or "none"
            print(f"package: {packaged['zip']} built from this tree; bytecode in the zip: {tags} ", end="")
            print(f"(this host's Python reads {packaged['host_cache_tag']})")
            if packaged["host_cache_tag"] not in packaged["zip_bytecode_tags"]:
                print(
                    "  'as built': this host ignores the zip's bytecode and compiles the sources at every "
                    "start, as Lambda does with a zip without bytecode;\n  "
                    f"'+ {packaged['host_cache_tag']} pycs': the same zip with this host's bytecode, "
                    "standing in for the runtime reading the zip's own"
                )
            print(f"layer: {packaged['layer']}", flush=True)
        samples = measure(found, args.runs)
        load_after = os.getloadavg()
        rows = report(samples)
        statuses = {s["status"] for name in samples if "first request" in name for s in samples[name]}
        operations = ", ".join(sorted(set(daemon.dynamodb_operations)))
        print(
            f"\nfirst requests answered {sorted(statuses)}; X-Ray subsegments for DynamoDB received by the ",
            end="",
        )
        print(f"stand-in daemon: {len(daemon.dynamodb_operations)} ({operations})")
        print(f"load average after: {load_after}")
        print(f"machine: {json.dumps(_common.machine())}", flush=True)
        profiles = {
            "after (this tree)": importtime(
                found[f"import {ENTRY} (the entry), source"], args.importtime_runs
            )
        }
        if args.before:
            before = importtime(found[f"before: import {HANDLER}, source"], args.importtime_runs)
            profiles = {"before": before, **profiles}
        for label, profile in profiles.items():
            print_importtime(label, profile)
    daemon.close()
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"machine": _common.machine(), "rows": rows, "samples": samples, "importtime": profiles},
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
