"""What the API function's cold start leaves out: modules we decided it never imports (issue 11).

Each check imports the function's entry point (function.yml's `handler`) in a fresh process, in a
Lambda-like environment (LAMBDA_TASK_ROOT set, tracing on, a region), and reads `sys.modules`. It times
nothing: bench/cold_start.py measures; this holds the decisions that got the import near the floor, so
a new import that brings one of these back fails here, by name.
"""

import json
import os
import subprocess
import sys

import pytest

from tasks_local.runtime.manifest import load_all
from tasks_local.runtime.settings import REPO_ROOT

# module -> why it stays out of the API's cold start
KEPT_OUT = {
    # Tracer(patch_modules=("botocore",)): X-Ray's patch_all would import and patch these.
    "requests": "X-Ray's patch_all patches requests; the function makes no HTTP call but botocore's",
    "charset_normalizer": "imported by requests",
    "sqlite3": "X-Ray's patch_all probes it",
    "aws_xray_sdk.ext.requests": "X-Ray's patch_all",
    "aws_xray_sdk.ext.sqlite3": "X-Ray's patch_all",
    "aws_xray_sdk.ext.httplib": "X-Ray's patch_all",
    "aws_xray_sdk.ext.psycopg2": "X-Ray's patch_all",
    "aws_xray_sdk.ext.pg8000": "X-Ray's patch_all",
    "aws_xray_sdk.ext.sqlalchemy_core": "X-Ray's patch_all",
    # event_handler/__init__ deferred (tasks_shared/deferred_init.py): only the HTTP API resolver loads.
    "aws_lambda_powertools.event_handler.appsync": "a resolver the API does not use",
    "aws_lambda_powertools.event_handler.graphql_appsync": "a resolver the API does not use",
    "aws_lambda_powertools.event_handler.events_appsync": "a resolver the API does not use",
    "aws_lambda_powertools.event_handler.bedrock_agent": "a resolver the API does not use",
    "aws_lambda_powertools.event_handler.bedrock_agent_function": "a resolver the API does not use",
    "aws_lambda_powertools.event_handler.vpc_lattice": "a resolver the API does not use",
    "aws_lambda_powertools.event_handler.lambda_function_url": "a resolver the API does not use",
    "aws_lambda_powertools.event_handler.http_resolver": "a resolver the API does not use",
    # utilities/data_classes/__init__ deferred: the event classes api_gateway names, not all forty.
    "aws_lambda_powertools.utilities.data_classes.sqs_event": "the consumers' event class",
    "aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event": "the indexer's event class",
    "aws_lambda_powertools.utilities.data_classes.kafka_event": "an event the API never receives",
    "aws_lambda_powertools.utilities.data_classes.code_pipeline_job_event": "imports zipfile and tempfile",
    "aws_lambda_powertools.utilities.data_classes.appsync_resolver_event": "an event the API never receives",
    # Built on the request that needs it, not at import.
    "aws_lambda_powertools.utilities.parameters": "the page-token secret, read on first use",
}

_PROBE = """
import importlib, json, sys
module, attribute = sys.argv[1].rsplit(".", 1)
getattr(importlib.import_module(module), attribute)
for extra in sys.argv[2:]:
    importlib.import_module(extra)
from tasks_api import dependencies
clients = sum(built.cache_info().currsize for built in (dependencies._dynamodb, dependencies._stepfunctions))
print(json.dumps({"modules": sorted(sys.modules), "clients": clients}))
"""


def _entry_point() -> str:
    return load_all()["tasks-api"].handler


def cold_start(*extra_imports: str) -> dict:
    """sys.modules after importing the function's entry point in a fresh, Lambda-like process."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "AWS_ENDPOINT_URL")}
    env |= {
        "LAMBDA_TASK_ROOT": "/var/task",
        "POWERTOOLS_TRACE_DISABLED": "false",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, _entry_point(), *extra_imports],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def kept_out_but_imported(modules: list[str]) -> list[str]:
    """The modules of KEPT_OUT present, a package's submodules counting as the package."""
    return sorted(name for name in KEPT_OUT if any(m == name or m.startswith(f"{name}.") for m in modules))


@pytest.fixture(scope="module")
def loaded():
    return cold_start()


def test_the_entry_point_is_the_handler_imported_with_the_collector_paused():
    assert _entry_point() == "tasks_api.lambda_entry.lambda_handler"


def test_the_api_cold_start_imports_none_of_the_modules_kept_out(loaded):
    assert kept_out_but_imported(loaded["modules"]) == []


def test_the_api_cold_start_builds_no_aws_client(loaded):
    """Clients are built on the first request that uses them (tasks_api/dependencies.py)."""
    assert loaded["clients"] == 0


def test_the_api_cold_start_still_patches_botocore_for_tracing(loaded):
    assert "aws_xray_sdk.ext.botocore.patch" in loaded["modules"]


@pytest.mark.parametrize(
    "extra",
    ["requests", "aws_lambda_powertools.event_handler.appsync", "aws_lambda_powertools.utilities.parameters"],
)
def test_the_check_names_a_kept_out_module_the_cold_start_would_import(extra):
    """The check can fail: the same probe with one more import reports that module."""
    assert extra in kept_out_but_imported(cold_start(extra)["modules"])
