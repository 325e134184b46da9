"""The README's quickstart works as written: its bash block runs against a fresh local stack."""

import os
import re
import subprocess

import pytest

from tasks_local.settings import REPO_ROOT

pytestmark = pytest.mark.e2e


def _quickstart() -> str:
    readme = (REPO_ROOT / "README.md").read_text()
    match = re.search(r"<!-- quickstart:.*?-->\s*```bash\n(.*?)```", readme, re.DOTALL)
    assert match, "README has no quickstart block"
    return match.group(1)


def test_readme_quickstart_commands_work_as_written(stack):
    script = _quickstart().replace("http://127.0.0.1:3000", stack.api_url)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=REPO_ROOT,
        env={**os.environ, "TASKS_LOCAL_STATE": str(stack.state_dir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    statuses = [int(code) for code in re.findall(r"HTTP/1\.1 (\d{3}) ", result.stdout)]
    assert statuses == [200, 200, 200, 412, 401, 404, 204], result.stdout + result.stderr
    assert '"status":"healthy"' in result.stdout
