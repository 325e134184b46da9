"""The README's quickstart works as written: its bash block runs against a fresh local stack."""

import re
import subprocess

import pytest

from tasks_local.runtime.settings import REPO_ROOT

pytestmark = pytest.mark.e2e


def _block(marker: str) -> str:
    readme = (REPO_ROOT / "README.md").read_text()
    match = re.search(rf"<!-- {marker}:.*?-->\s*```bash\n(.*?)```", readme, re.DOTALL)
    assert match, f"README has no {marker} block"
    return match.group(1)


def _run(stack, script: str) -> subprocess.CompletedProcess:
    return stack.run(
        ["bash", "-euo", "pipefail", "-c", script.replace("http://127.0.0.1:3000", stack.api_url)]
    )


def test_readme_quickstart_commands_work_as_written(stack):
    result = _run(stack, _block("quickstart"))
    assert result.returncode == 0, result.stderr
    statuses = [int(code) for code in re.findall(r"HTTP/1\.1 (\d{3}) ", result.stdout)]
    assert statuses == [200, 200, 200, 412, 401, 404, 204], result.stdout + result.stderr
    assert '"status":"healthy"' in result.stdout


def test_readme_event_commands_work_as_written(stack):
    result = _run(stack, _block("quickstart") + _block("quickstart-events"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r'"completed":[1-9]', result.stdout), "the completion was not counted"
    assert result.stdout.count('"FailedEntryCount": 0') == 3
    assert "local-tasks-task-created-dlq" in result.stdout
    assert "the detail breaks the catalog schema" in result.stdout
    assert '"batchItemFailures": []' in result.stdout


def test_readme_approval_commands_work_as_written(stack):
    result = _run(stack, _block("quickstart") + _block("quickstart-approvals"))
    assert result.returncode == 0, result.stdout + result.stderr
    statuses = [int(code) for code in re.findall(r"HTTP/1\.1 (\d{3}) ", result.stdout)]
    assert statuses[-4:] == [409, 200, 428, 200], result.stdout
    assert "bob approved task" in result.stdout
    assert '"approval":{"status":"awaiting"' in result.stdout.rsplit("HTTP/1.1 200", 1)[1]
    assert '"decidedBy":"bob"' in result.stdout
    assert '"comment":"after the backup"' in result.stdout
