"""`make package`'s function zips: byte-identical for the same inputs, and each one enough (with the
dependency layer) for its function to find its code and the shared data files, event catalog included."""

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tasks_local.runtime.manifest import manifest_paths
from tasks_ops import build as package
from tests.support.samples import EVENTS_DIR

FUNCTIONS = [path.parent.name for path in manifest_paths()]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    package.build_functions(dist)
    return dist


def test_two_builds_give_byte_identical_function_zips(built, tmp_path):
    package.build_functions(tmp_path)
    assert {
        name: (tmp_path / f"{name}.zip").read_bytes() == (built / f"{name}.zip").read_bytes()
        for name in FUNCTIONS
    } == dict.fromkeys(FUNCTIONS, True)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_function_zip_has_sorted_entries_with_one_date_and_mode_and_no_bytecode_but_lambdas(
    built, function
):
    with zipfile.ZipFile(built / f"{function}.zip") as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert {info.date_time for info in infos} == {package.ZIP_EPOCH}
    assert {info.external_attr >> 16 for info in infos} == {package.FILE_MODE}
    assert not [name for name in names if name.endswith(".pyc") and f".{package.BYTECODE_TAG}." not in name]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_function_zip_carries_the_shared_data_files_the_event_catalog_included(built, function):
    shared = package.SHARED
    expected = {
        f"tasks_shared/{path.relative_to(shared).as_posix()}"
        for folder in ("definitions", "schemas", "event_catalog")
        for path in (shared / folder).iterdir()
    }
    with zipfile.ZipFile(built / f"{function}.zip") as archive:
        assert expected <= set(archive.namelist())


_CONSUMER_ALONE = """
import json, sys
unzipped, dependencies, sample = sys.argv[1:4]
sys.path[:0] = [unzipped, dependencies]  # the function's zip, then what the layer provides
import tasks_shared, task_created.handler
from tasks_shared import catalog
detail = json.load(open(sample))["detail"]
print(json.dumps({
    "shared": tasks_shared.__file__,
    "handler": task_created.handler.__file__,
    "valid": catalog.problems("TaskCreated", detail),
    "invalid": catalog.problems("TaskCreated", {}),
}))
"""


def test_a_consumer_packaged_alone_finds_its_event_catalog(built, tmp_path):
    """`python -S`: no site, so no editable install of the repository; only the zip and the dependencies."""
    with zipfile.ZipFile(built / "task-created.zip") as archive:
        archive.extractall(tmp_path)
    sample = EVENTS_DIR / "samples" / "eventbridge" / "TaskCreated.json"
    run = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            _CONSUMER_ALONE,
            str(tmp_path),
            sysconfig.get_paths()["purelib"],
            str(sample),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"POWERTOOLS_TRACE_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1"},
    )
    found = json.loads(run.stdout)
    assert Path(found["shared"]).is_relative_to(tmp_path)
    assert Path(found["handler"]).is_relative_to(tmp_path)
    assert found["valid"] == []
    assert found["invalid"]
