"""`make lint`'s static proof of infra/ (the providers cannot be downloaded here, so no validate/plan):
every .tf parses (python-hcl2), `terraform fmt -check` where the CLI is, and checkov with zero failed
checks, each skip carrying its reason inline (`#checkov:skip=CKV_AWS_n:why`)."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import hcl2

from tasks_local.runtime.settings import REPO_ROOT

INFRA = REPO_ROOT / "infra"
_SKIP = re.compile(r"checkov:skip=([^\s:]+)(?::(.*))?")
_MIN_REASON = 10  # characters: a word or two is not a reason


def tf_files() -> list[Path]:
    return sorted(INFRA.rglob("*.tf"))


def unparsable() -> list[str]:
    problems = []
    for path in tf_files():
        try:
            hcl2.loads(path.read_text())
        except Exception as exc:  # lark's errors have no common base worth naming
            problems.append(f"{path.relative_to(REPO_ROOT)}: {str(exc).splitlines()[0]}")
    return problems


def skips_without_reason() -> list[str]:
    return [
        f"{path.relative_to(REPO_ROOT)}:{number}: {match[1]} has no reason"
        for path in tf_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if (match := _SKIP.search(line)) and len((match[2] or "").strip()) < _MIN_REASON
    ]


def fmt_check() -> tuple[bool, str]:
    if shutil.which("terraform") is None:
        return (
            True,
            "terraform fmt: skipped, the terraform CLI is not on PATH (install Terraform >= 1.10 to run it)",
        )
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", str(INFRA)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return False, f"terraform fmt: these need `terraform fmt -recursive infra`: {result.stdout.split()}"
    return True, "terraform fmt -check: clean"


def checkov(executable: str) -> tuple[bool, str]:
    command = [executable, "-d", str(INFRA), "--framework", "terraform", "--quiet", "-o", "json"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return False, f"checkov did not run: {(result.stderr.strip().splitlines() or ['no output'])[-1]}"
    summary = report["summary"]
    failed = [
        f"  {check['check_id']} {check['resource']} ({check['file_path']}): {check['check_name']}"
        for check in report["results"]["failed_checks"]
    ]
    line = (
        f"checkov: {summary['failed']} failed checks "
        f"({summary['passed']} passed, {summary['skipped']} skipped, each with its reason inline)"
    )
    return not failed, "\n".join([line, *failed])


def main(checkov_executable: str) -> int:
    problems = unparsable() + skips_without_reason()
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"python-hcl2: {len(tf_files()) - len(unparsable())} of {len(tf_files())} .tf files parse")
    ok = not problems
    for passed, line in (fmt_check(), checkov(checkov_executable)):
        print(line, file=sys.stdout if passed else sys.stderr)
        ok = ok and passed
    return 0 if ok else 1
