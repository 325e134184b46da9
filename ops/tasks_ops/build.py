"""Lambda packages, built the same way every time: `make package`.

One zip per function (its own package and the shared code, data files included: the event catalog
is a link into events/, followed) and one layer with the runtime dependencies of pyproject.toml,
pinned by constraints.txt and downloaded for Lambda's platform (Python 3.12 on arm64), never the
host's wheels. The same inputs give byte-identical zips: sorted entries, one fixed timestamp, fixed
permissions. Terraform deploys whatever is in dist/ (filebase64sha256), so an unchanged function is not
redeployed.

Bytecode: Lambda's filesystem is read-only, so a module shipped as source is compiled at every cold
start. Where a Python 3.12 (the runtime's) is at hand, LAMBDA_PYTHON or `python3.12` on PATH, the zips
and the layer carry its bytecode, deterministic (unchecked-hash pycs, a fixed hash seed, the file
names Lambda sees: /var/task, /opt/python). Without one they carry sources only, as before: bytecode of
another Python version is never shipped (a 3.12 runtime would ignore it, and it would change the zip).
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

from tasks_local.runtime.manifest import manifest_paths
from tasks_local.runtime.settings import REPO_ROOT

DIST = REPO_ROOT / "dist"
SHARED = REPO_ROOT / "shared" / "tasks_shared"
LAYER = "layer.zip"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
FILE_MODE = 0o100644  # a regular file, rw-r--r--, whatever the checkout's umask
RUNTIME_VERSION = "3.12"
BYTECODE_TAG = "cpython-312"  # the pycs' tag: __pycache__/<module>.cpython-312.pyc
LAMBDA_PYTHON = "LAMBDA_PYTHON"  # environment (or make) variable: the Python that compiles the bytecode
LAMBDA_PLATFORM = [
    "--platform",
    "manylinux2014_aarch64",
    "--only-binary=:all:",
    "--python-version",
    "3.12",
    "--implementation",
    "cp",
]


class PackagingError(RuntimeError):
    """A package could not be built; the message says why in one line."""


def _files(root: Path, prefix: str, keep_bytecode: bool = False) -> Iterator[tuple[str, Path]]:
    """(name in the zip, file) under `root`, links followed, bytecode and caches left out (but the
    runtime's bytecode, with `keep_bytecode`, where this build compiled it)."""
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = [name for name in dirs if name != "__pycache__" or keep_bytecode]
        for name in files:
            if not name.endswith((".pyc", ".pyo")) or (keep_bytecode and f".{BYTECODE_TAG}." in name):
                path = Path(folder, name)
                yield f"{prefix}{path.relative_to(root).as_posix()}", path


def write_zip(target: Path, entries: list[tuple[str, Path]]) -> Path:
    """Write the entries sorted, with a fixed date and mode, then move the zip into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as handle,
        zipfile.ZipFile(handle, "w") as archive,
    ):
        for name, path in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    os.chmod(handle.name, 0o644)  # a temporary file is private; a package is not
    os.replace(handle.name, target)
    return target


def _python_version(python: str) -> str | None:
    probe = [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]
    try:
        result = subprocess.run(probe, capture_output=True, text=True, check=False, timeout=60)
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def bytecode_python() -> str | None:
    """The Python 3.12 that compiles the packages' bytecode: LAMBDA_PYTHON (refused unless it is 3.12),
    else `python3.12` on PATH, else one of pyenv's 3.12s (the bytecode is the same for every 3.12.x);
    None when there is none."""
    chosen = os.environ.get(LAMBDA_PYTHON)
    if chosen:
        found = _python_version(chosen)
        if found != RUNTIME_VERSION:
            raise PackagingError(
                f"{LAMBDA_PYTHON}={chosen} is Python {found}; Lambda's runtime is {RUNTIME_VERSION}"
            )
        return chosen
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv", "versions")
    candidates = [shutil.which(f"python{RUNTIME_VERSION}")]  # a pyenv shim may not run: then pyenv's own
    candidates += sorted(pyenv.glob(f"{RUNTIME_VERSION}.*/bin/python{RUNTIME_VERSION}"), reverse=True)
    return next((str(c) for c in candidates if c and _python_version(str(c)) == RUNTIME_VERSION), None)


def compile_bytecode(root: Path, python: str, installed_at: str) -> None:
    """Bytecode beside every module under `root`, byte-identical from run to run: unchecked-hash pycs
    (no timestamps), PYTHONHASHSEED=0 (set constants marshal in hash order), and the paths the modules
    will have once deployed instead of this build's temporary folder."""
    command = [python, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash"]
    command += ["-s", str(root), "-p", installed_at, str(root)]
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, env={**os.environ, "PYTHONHASHSEED": "0"}
    )
    if result.returncode != 0:
        last = (result.stdout.strip().splitlines() or result.stderr.strip().splitlines() or ["no output"])[-1]
        raise PackagingError(f"could not compile the bytecode under {root.name}: {last}")


def _with_bytecode(
    entries: list[tuple[str, Path]], work: Path, python: str, installed_at: str
) -> list[tuple[str, Path]]:
    """The entries copied into `work`, compiled there, and listed again with their pycs."""
    for name, path in entries:
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, work / name)
    compile_bytecode(work, python, installed_at)
    return [(path.relative_to(work).as_posix(), path) for path in sorted(work.rglob("*")) if path.is_file()]


def function_entries(service_dir: Path) -> list[tuple[str, Path]]:
    """A function's own packages (the folders with an __init__.py beside its manifest) and the shared code."""
    packages = sorted(path for path in service_dir.iterdir() if (path / "__init__.py").is_file())
    if not packages:
        raise PackagingError(f"{service_dir.name}: no Python package beside its function.yml")
    entries = [entry for package in packages for entry in _files(package, f"{package.name}/")]
    return entries + list(_files(SHARED, f"{SHARED.name}/"))


def build_function(service_dir: Path, target: Path, python: str | None) -> Path:
    """One function's zip, with `python`'s bytecode (for /var/task) when there is one."""
    if python is None:
        return write_zip(target, function_entries(service_dir))
    with tempfile.TemporaryDirectory() as work:
        return write_zip(
            target, _with_bytecode(function_entries(service_dir), Path(work), python, "/var/task")
        )


def build_functions(dist: Path = DIST) -> list[Path]:
    python = bytecode_python()
    return [
        build_function(path.parent, dist / f"{path.parent.name}.zip", python) for path in manifest_paths()
    ]


def runtime_dependencies() -> list[str]:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]


def _layer_inputs() -> str:
    bytecode = [f"bytecode: {BYTECODE_TAG}"] if bytecode_python() else []
    text = "\n".join(
        [*LAMBDA_PLATFORM, *runtime_dependencies(), (REPO_ROOT / "constraints.txt").read_text(), *bytecode]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def build_layer(dist: Path = DIST) -> Path:
    """pip installs the dependencies for Lambda into python/ (the layer's layout), then they are zipped."""
    with tempfile.TemporaryDirectory() as work:
        target = Path(work, "python")
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--target", str(target)]
        command += [*LAMBDA_PLATFORM, "-c", str(REPO_ROOT / "constraints.txt"), *runtime_dependencies()]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise PackagingError(
                f"could not install the layer's dependencies for arm64 (is PyPI reachable?): {last}"
            )
        python = bytecode_python()
        if python:
            compile_bytecode(target, python, "/opt/python")
        entries = [
            entry
            for entry in _files(target, "python/", keep_bytecode=python is not None)
            if not entry[0].startswith("python/bin/")
        ]
        return write_zip(dist / LAYER, entries)


def layer(dist: Path = DIST) -> Path:
    """The layer, rebuilt only when its inputs (dependencies, pins, platform) changed."""
    stamp = dist / ".layer-inputs"
    if (dist / LAYER).is_file() and stamp.is_file() and stamp.read_text() == _layer_inputs():
        return dist / LAYER
    built = build_layer(dist)
    stamp.write_text(_layer_inputs())
    return built


def main(dist: Path = DIST) -> int:
    try:
        built = [*build_functions(dist), layer(dist)]
    except PackagingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in built:
        shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
        print(f"{shown}  {path.stat().st_size / 1024:,.1f} KiB")
    if bytecode_python() is None:
        where = f"{LAMBDA_PYTHON}=... or python{RUNTIME_VERSION} on PATH"
        print(f"no bytecode in the packages: no Python {RUNTIME_VERSION} here ({where})")
    return 0
