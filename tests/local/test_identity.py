"""The local JWT authorizer: API Gateway's 401s and its claim shape, with the local issuer's key."""

import os
import time

import jwt
import pytest

from tasks_local.runtime.identity import (
    AUDIENCE,
    GROUPS_CLAIM,
    ISSUER,
    JwtAuthorizer,
    Unauthorized,
    issue_token,
)
from tasks_local.runtime.settings import write_private


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory):
    """One signing key for the module: generating RSA keys is the slow part."""
    return tmp_path_factory.mktemp("local-state")


@pytest.fixture(scope="module")
def authorizer(state_dir) -> JwtAuthorizer:
    return JwtAuthorizer(state_dir)


@pytest.fixture
def sign_with_local_key(state_dir):
    """Sign arbitrary claims with the local issuer's own key, to vary one claim at a time."""

    def sign(**overrides) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "iat": now, "exp": now + 300}
        claims.update(overrides)
        claims = {name: value for name, value in claims.items() if value is not None}
        key = (state_dir / "jwt-signing-key.pem").read_bytes()
        return jwt.encode(claims, key, algorithm="RS256")

    return sign


def test_valid_token_yields_the_subject(authorizer, state_dir):
    token = issue_token(state_dir, "alice", [])
    assert authorizer.claims(f"Bearer {token}")["sub"] == "alice"


def test_every_claim_is_handed_on_as_a_string(authorizer, state_dir):
    claims = authorizer.claims(f"Bearer {issue_token(state_dir, 'alice', ['admins'])}")
    assert all(isinstance(value, str) for value in claims.values())


def test_groups_are_handed_on_in_api_gateway_array_form(authorizer, state_dir):
    token = issue_token(state_dir, "alice", ["admins", "approvers"])
    assert authorizer.claims(f"Bearer {token}")[GROUPS_CLAIM] == "[admins approvers]"


def test_user_without_groups_has_no_groups_claim(authorizer, state_dir):
    assert GROUPS_CLAIM not in authorizer.claims(f"Bearer {issue_token(state_dir, 'alice', [])}")


def test_bearer_scheme_is_case_insensitive(authorizer, state_dir):
    assert authorizer.claims(f"bearer {issue_token(state_dir, 'alice', [])}")["sub"] == "alice"


def test_authorizer_built_later_accepts_earlier_tokens(state_dir):
    token = issue_token(state_dir, "alice", [])
    assert JwtAuthorizer(state_dir).claims(f"Bearer {token}")["sub"] == "alice"


def test_signing_key_is_readable_by_its_owner_only(state_dir, authorizer):
    assert (state_dir / "jwt-signing-key.pem").stat().st_mode & 0o077 == 0
    assert sorted(path.name for path in state_dir.iterdir()) == ["jwt-signing-key.pem"]  # no temporaries


def test_a_private_file_is_never_readable_by_others_even_under_a_lax_umask(tmp_path):
    previous = os.umask(0)
    try:
        write_private(tmp_path / "secret", b"one")
    finally:
        os.umask(previous)
    assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600


def test_the_first_writer_of_a_key_wins_so_concurrent_first_runs_agree(tmp_path):
    """`make dev` and `make token` started together on a fresh clone must not sign with two keys."""
    write_private(tmp_path / "key", b"first", first_writer_wins=True)
    with pytest.raises(FileExistsError):
        write_private(tmp_path / "key", b"second", first_writer_wins=True)
    assert (tmp_path / "key").read_bytes() == b"first"
    assert [path.name for path in tmp_path.iterdir()] == ["key"]


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Bearer    ", "Basic YWxpY2U6c2VjcmV0", "Token abc"],
    ids=["missing", "empty", "scheme-only", "empty-token", "blank-token", "basic", "other-scheme"],
)
def test_request_without_a_bearer_token_is_unauthorized(authorizer, header):
    with pytest.raises(Unauthorized):
        authorizer.claims(header)


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.", "🙂"])
def test_malformed_token_is_unauthorized(authorizer, token):
    with pytest.raises(Unauthorized):
        authorizer.claims(f"Bearer {token}")


def test_token_signed_by_another_key_is_unauthorized(authorizer, tmp_path):
    foreign = issue_token(tmp_path / "elsewhere", "alice", ["admins"])
    with pytest.raises(Unauthorized):
        authorizer.claims(f"Bearer {foreign}")


def test_expired_token_is_unauthorized(authorizer, state_dir):
    expired = issue_token(state_dir, "alice", [], ttl_seconds=-60)
    with pytest.raises(Unauthorized):
        authorizer.claims(f"Bearer {expired}")


@pytest.mark.parametrize(
    "claim",
    [{"aud": "another-api"}, {"iss": "https://evil.example"}, {"sub": None}, {"exp": None}],
    ids=["wrong-audience", "wrong-issuer", "no-subject", "no-expiry"],
)
def test_token_with_a_wrong_or_missing_claim_is_unauthorized(authorizer, sign_with_local_key, claim):
    with pytest.raises(Unauthorized):
        authorizer.claims(f"Bearer {sign_with_local_key(**claim)}")


def test_unsigned_token_is_unauthorized(authorizer):
    unsigned = jwt.encode(
        {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "exp": int(time.time()) + 300},
        None,
        algorithm="none",
    )
    with pytest.raises(Unauthorized):
        authorizer.claims(f"Bearer {unsigned}")


@pytest.mark.parametrize("group", ["support admins", "foo\tapprovers", "[admins", "admins]", ""])
def test_a_group_name_the_flattened_claim_cannot_carry_is_refused_when_issuing(state_dir, group):
    """API Gateway hands groups on as "[a b]": "support admins" would read as two groups there."""
    with pytest.raises(ValueError, match="whitespace or brackets"):
        issue_token(state_dir, "alice", ["approvers", group])


@pytest.mark.parametrize("groups", [["support admins"], ["admins", "[x]"], "foo approvers"])
def test_a_token_with_such_a_group_name_is_unauthorized(authorizer, sign_with_local_key, groups):
    with pytest.raises(Unauthorized, match="whitespace or brackets"):
        authorizer.claims(f"Bearer {sign_with_local_key(**{GROUPS_CLAIM: groups})}")
