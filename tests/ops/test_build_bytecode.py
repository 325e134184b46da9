"""`make package`'s bytecode (issue 11): compiled by Lambda's Python only, and byte-identical build to
build. This host may have no Python 3.12: the mechanism is then checked with the host's own Python as a
stand-in (never shipped), and the test of real packages says it is skipped, and why."""

import marshal
import zipfile
from pathlib import Path

import pytest

from tasks_local.runtime.manifest import manifest_paths
from tasks_ops import build as package

RUNTIME_PYTHON = package.bytecode_python()
NO_RUNTIME = (
    f"no Python {package.RUNTIME_VERSION} here (LAMBDA_PYTHON, python3.12 on PATH or in pyenv): "
    "Lambda's bytecode cannot be compiled by another version"
)


def _compiled(tmp_path: Path, folder: str) -> Path:
    root = tmp_path / folder
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text('WORDS = {"a", "b", "c", "d"}\n\ndef f():\n    return 1\n')
    package.compile_bytecode(root, package.sys.executable, "/var/task")
    return next((root / "pkg" / "__pycache__").glob("__init__.*.pyc"))


def test_a_python_of_another_version_is_refused_for_the_bytecode(monkeypatch):
    monkeypatch.setenv(package.LAMBDA_PYTHON, package.sys.executable)
    if package.sys.version_info[:2] == (3, 12):
        pytest.skip("this host's Python is the runtime's")
    with pytest.raises(package.PackagingError, match=r"Lambda's runtime is 3\.12"):
        package.bytecode_python()


def test_two_compiles_in_different_folders_give_identical_unchecked_hash_bytecode(tmp_path):
    """The mechanism, with this host's Python standing in for the runtime's."""
    first, second = _compiled(tmp_path, "one"), _compiled(tmp_path, "two")

    assert first.read_bytes() == second.read_bytes()
    assert int.from_bytes(first.read_bytes()[4:8], "little") == 0b01  # hash-based, not checked


def test_the_bytecode_names_the_module_where_lambda_will_find_it(tmp_path):
    code = marshal.loads(_compiled(tmp_path, "one").read_bytes()[16:])  # noqa: S302 - our own pyc
    assert code.co_filename == "/var/task/pkg/__init__.py"


@pytest.mark.skipif(RUNTIME_PYTHON is None, reason=NO_RUNTIME)
def test_two_builds_with_the_runtime_python_give_byte_identical_zips_with_its_bytecode(tmp_path):
    service = next(path.parent for path in manifest_paths() if path.parent.name == "tasks-api")
    first = package.build_function(service, tmp_path / "one.zip", RUNTIME_PYTHON)
    second = package.build_function(service, tmp_path / "two.zip", RUNTIME_PYTHON)

    assert first.read_bytes() == second.read_bytes()
    names = zipfile.ZipFile(first).namelist()
    modules = [name for name in names if name.endswith(".py")]
    pycs = {name for name in names if name.endswith(".pyc")}
    assert {
        f"{m.rsplit('/', 1)[0]}/__pycache__/{Path(m).stem}.{package.BYTECODE_TAG}.pyc" for m in modules
    } == pycs
