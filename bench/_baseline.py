"""An earlier commit of this repository, checked out beside it with its own virtualenv, so a bench can run
the same command on it and on the working tree in one run, interleaved (this machine is shared and
noisy: only a ratio measured side by side means anything)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from bench._common import REPO_ROOT


def commit_of(ref: str) -> str:
    return subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def checkout(ref: str) -> Path:
    """The tree of `ref` (git archive: no worktree to clean up) with its virtualenv, made by its own
    Makefile; both kept under the temporary directory and reused by later runs of the same commit."""
    commit = commit_of(ref)
    tree = Path(tempfile.gettempdir()) / f"tasks-platform-{commit[:12]}"
    if not (tree / "Makefile").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", commit], cwd=REPO_ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    subprocess.run(["make", "-s", ".venv/.installed"], cwd=tree, check=True)
    return tree
