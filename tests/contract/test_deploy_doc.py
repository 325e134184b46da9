"""docs/deploy.md: the commands that can run without an AWS account run, and the others name only
make targets, Terraform outputs and variables that exist."""

import re
import shutil
import subprocess

import pytest

from tests.contract.terraform import INFRA, parsed

# `make package` and `make plan` write the repository's dist/: one worker at a time.
pytestmark = pytest.mark.xdist_group("repository-dist")

DOC = INFRA.parent / "docs" / "deploy.md"
TEXT = DOC.read_text()
BLOCKS = re.findall(r"<!-- (runs here|needs AWS) -->\n```bash\n(.*?)```", TEXT, re.DOTALL)
RUNS_HERE = [block for kind, block in BLOCKS if kind == "runs here"]
# What `make plan` may say is missing, one line each (ops/tasks_ops/terraform.py).
MISSING = (
    "terraform is not on PATH",
    "the AWS provider is not installed",
    "no AWS credentials",
    "TF_STATE_BUCKET",
)


def _declared(kind: str, *paths) -> set[str]:
    return {name for path in paths for block in parsed(path).get(kind, []) for name in block}


def test_every_command_block_says_whether_it_runs_here():
    assert len(BLOCKS) == TEXT.count("```bash")


@pytest.mark.parametrize("block", RUNS_HERE, ids=lambda block: block.splitlines()[0])
def test_the_commands_that_can_run_here_run(block):
    if "terraform" in block and shutil.which("terraform") is None:
        pytest.skip("the terraform CLI is not on PATH")
    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=INFRA.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0 and "is PyPI reachable?" in run.stderr:
        pytest.skip("PyPI is unreachable: the layer's wheels come from it")
    assert run.returncode == 0, run.stderr


def test_make_plan_stops_with_one_line_naming_what_is_missing():
    run = subprocess.run(
        ["make", "-s", "plan", "ENV=dev"], cwd=INFRA.parent, capture_output=True, text=True, check=False
    )
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    if "is PyPI reachable?" in run.stderr:
        pytest.skip("PyPI is unreachable: make plan packages first")
    assert run.returncode != 0
    assert len(errors) == 1
    assert any(missing in errors[0] for missing in MISSING), errors[0]


def test_every_make_target_the_doc_uses_exists():
    commands = "\n".join(block for _, block in BLOCKS) + " ".join(re.findall(r"`(make [^`]+)`", TEXT))
    used = set(re.findall(r"\bmake (?:-s )?([a-z-]+)", commands))
    targets = set(re.findall(r"^([a-z-]+):", (INFRA.parent / "Makefile").read_text(), re.MULTILINE))
    assert used <= targets


def test_every_terraform_output_the_doc_reads_is_declared():
    read = set(re.findall(r"terraform (?:-chdir=\S+ )?output (?:-raw )?([a-z_]+)", TEXT))
    declared = _declared(
        "output", *(INFRA / "bootstrap").glob("*.tf"), INFRA / "envs" / "common" / "outputs.tf"
    )
    assert read
    assert read <= declared


def test_the_doc_documents_every_variable_of_an_environment():
    section = TEXT.split("## 2.")[1].split("## 3.")[0]
    documented = {
        name
        for row in re.findall(r"^\| (`.+?`) \|", section, re.MULTILINE)
        for name in re.findall(r"`(\w+)`", row)
    }
    assert documented == _declared("variable", INFRA / "envs" / "common" / "variables.tf") - {"env"}
