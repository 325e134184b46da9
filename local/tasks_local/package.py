"""Lambda packages, built the same way every time: `make package`.

One zip per function (its own package and the shared code, data files included: the event catalog
is a link into events/, followed) and one layer with the runtime dependencies of pyproject.toml,
pinned by constraints.txt and downloaded for Lambda's platform (Python 3.12 on arm64), never the
host's wheels. The same inputs give byte-identical zips: sorted entries, one fixed timestamp, fixed
permissions, no bytecode. Terraform deploys whatever is in dist/ (filebase64sha256), so an unchanged
function is not redeployed.
"""

import hashlib
import os
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

from tasks_local.manifest import manifest_paths
from tasks_local.settings import REPO_ROOT

DIST = REPO_ROOT / "dist"
SHARED = REPO_ROOT / "shared" / "tasks_shared"
LAYER = "layer.zip"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
FILE_MODE = 0o100644  # a regular file, rw-r--r--, whatever the checkout's umask
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


def _files(root: Path, prefix: str) -> Iterator[tuple[str, Path]]:
    """(name in the zip, file) under `root`, links followed, bytecode and caches left out."""
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = [name for name in dirs if name != "__pycache__"]
        for name in files:
            if not name.endswith((".pyc", ".pyo")):
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


def function_entries(service_dir: Path) -> list[tuple[str, Path]]:
    """A function's own packages (the folders with an __init__.py beside its manifest) and the shared code."""
    packages = sorted(path for path in service_dir.iterdir() if (path / "__init__.py").is_file())
    if not packages:
        raise PackagingError(f"{service_dir.name}: no Python package beside its function.yml")
    entries = [entry for package in packages for entry in _files(package, f"{package.name}/")]
    return entries + list(_files(SHARED, f"{SHARED.name}/"))


def build_functions(dist: Path = DIST) -> list[Path]:
    return [
        write_zip(dist / f"{path.parent.name}.zip", function_entries(path.parent))
        for path in manifest_paths()
    ]


def runtime_dependencies() -> list[str]:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]


def _layer_inputs() -> str:
    text = "\n".join([*LAMBDA_PLATFORM, *runtime_dependencies(), (REPO_ROOT / "constraints.txt").read_text()])
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
        entries = [entry for entry in _files(target, "python/") if not entry[0].startswith("python/bin/")]
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
    return 0
