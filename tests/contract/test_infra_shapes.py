"""Each hardened shape in infra/ is written once, in its module, and the others call it: an IAM role
(modules/role), a private bucket (modules/bucket), the TLS-only deny (modules/tls-only). A second,
hand-written copy would drift from the first (a missed condition, a bucket without its deny)."""

from pathlib import Path

import pytest

from tests.contract.terraform import INFRA, blocks, parsed

FILES = sorted(path for path in INFRA.rglob("*.tf") if ".terraform" not in path.parts)


def _folder(path: Path) -> str:
    return str(path.parent.relative_to(INFRA))


def _where(kind: str, matches) -> set[str]:
    """The folders of infra/ that declare a `kind` block whose type matches."""
    return {
        _folder(path)
        for path in FILES
        for block in parsed(path).get(kind, [])
        for type_name in block
        if matches(type_name)
    }


def _calls(source_suffix: str) -> set[str]:
    """The folders of infra/ with a module call whose source is that module."""
    return {
        _folder(path)
        for path in FILES
        for block in parsed(path).get("module", [])
        for body in block.values()
        if body["source"].endswith(source_suffix)
    }


def test_iam_roles_and_their_inline_policies_are_declared_only_in_the_role_module():
    roles = _where("resource", lambda t: t in ("aws_iam_role", "aws_iam_role_policy"))

    assert roles == {"modules/role"}
    assert set(blocks("role", "resource")) == {"aws_iam_role.this", "aws_iam_role_policy.this"}


def test_every_role_of_the_platform_and_of_the_deploy_pipeline_is_a_role_module_call():
    assert _calls("/role") == {
        "modules/function",
        "modules/workflow",
        "modules/bus",
        "modules/deployment",
        "bootstrap",
    }


def test_trust_policies_are_written_only_in_the_role_module():
    # A trust policy's statements name principals and no resources (a resource policy's name both).
    trusting = {
        _folder(path)
        for path in FILES
        for block in parsed(path).get("data", [])
        for type_name, documents in block.items()
        if type_name == "aws_iam_policy_document"
        for document in documents.values()
        for statement in document.get("statement", [])
        if "principals" in statement and "resources" not in statement
    }

    assert trusting == {"modules/role"}


def test_s3_buckets_and_their_settings_are_declared_only_in_the_bucket_module():
    buckets = _where("resource", lambda t: t.startswith("aws_s3_bucket"))

    assert buckets == {"modules/bucket"}
    assert _calls("/bucket") == {"bootstrap", "modules/stack", "modules/web"}


@pytest.mark.parametrize("caller", ["bucket", "queue"])
def test_bucket_and_queue_policies_take_their_tls_only_deny_from_the_tls_only_module(caller):
    assert blocks(caller, "module")["tls_only"]["source"] == "../tls-only"


def test_the_tls_only_deny_is_written_once():
    written = {
        str(path.relative_to(INFRA)): path.read_text().count("aws:SecureTransport")
        for path in FILES
        if "aws:SecureTransport" in path.read_text()
    }

    assert written == {"modules/tls-only/main.tf": 1}


def test_kms_via_service_conditions_are_built_once_for_roles_and_once_for_the_definitions():
    written = {
        str(path.relative_to(INFRA)): path.read_text().count('"kms:ViaService"')
        for path in FILES
        if '"kms:ViaService"' in path.read_text()
    }

    assert written == {"modules/role/main.tf": 1, "modules/definitions/kms.tf": 1}
