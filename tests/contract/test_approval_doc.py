"""docs/approval-workflow.md names the fields of the approved work: the field table's, no other."""

import re

from tasks_local.runtime.settings import REPO_ROOT
from tasks_shared.domain.fields import APPROVED_WORK, FIELDS

DOC = REPO_ROOT / "docs" / "approval-workflow.md"


def _documented_fields() -> list[str]:
    block = re.search(r"<!-- approved-work:.*?-->(.*?)<!-- /approved-work -->", DOC.read_text(), re.DOTALL)
    assert block, "docs/approval-workflow.md has no approved-work block"
    return re.findall(r"^\| `(\w+)` \|", block.group(1), re.MULTILINE)


def test_the_documented_approved_work_is_the_field_tables():
    assert _documented_fields() == [field.public for field in APPROVED_WORK]


def test_the_approved_work_is_public_fields_a_client_sets():
    assert APPROVED_WORK
    assert all(field.public and field.owner.value == "api" for field in APPROVED_WORK)
    assert {field.public for field in APPROVED_WORK} < {field.public for field in FIELDS}
