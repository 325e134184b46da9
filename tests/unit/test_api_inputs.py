"""Reading a request (tasks_api.inputs): the caller from claims, If-Match, the JSON body, the query."""

import json

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from tasks_api.errors import MalformedJson, PayloadTooLarge, Unauthorized, UnsupportedMediaType
from tasks_api.inputs import (
    MAX_BODY_BYTES,
    body,
    caller,
    caller_from_claims,
    if_match,
    if_match_versions,
    json_body,
    no_query,
    query,
    task_id,
)
from tasks_shared.domain.errors import TaskNotFound, ValidationFailed
from tasks_shared.domain.model import Caller
from tests.support.samples import api_event, bearer_token

JSON = {"content-type": "application/json"}

# --- caller_from_claims -------------------------------------------------------------------------

CLAIMS = {"sub": "alice", "iat": "1795297600"}  # as API Gateway hands claims on: text


def _bearer(**claims) -> str:
    """The Authorization header of the token the claims were verified from (sub and iat agree)."""
    return f"Bearer {bearer_token({'sub': 'alice', 'iat': 1795297600, **claims})}"


def _caller(groups, flattened: str | None = None):
    """alice with these groups in her token, and API Gateway's flattened claim beside them."""
    claims = {**CLAIMS, "cognito:groups": flattened or "[" + " ".join(groups) + "]"}
    return caller_from_claims(claims, _bearer(**{"cognito:groups": groups}))


def test_groups_are_read_from_the_token_as_an_array():
    assert _caller(["admins", "approvers"]).groups == {"admins", "approvers"}


@pytest.mark.parametrize(
    ("group", "role"), [("support admins", "is_admin"), ("foo approvers", "is_approver")]
)
def test_a_group_name_with_a_space_is_one_group_not_the_role_it_contains(group, role):
    """API Gateway flattens ["support admins"] into "[support admins]"; the token still says one group."""
    caller = _caller([group])
    assert caller.groups == {group}
    assert not getattr(caller, role)


def test_a_group_whose_name_contains_a_comma_is_one_group():
    """Cognito group names may hold commas: "ops,admins" is not the admins group."""
    caller = _caller(["ops,admins"])
    assert caller.groups == {"ops,admins"}
    assert not caller.is_admin


def test_a_single_group_written_as_text_is_read():
    assert _caller("approvers", flattened="approvers").is_approver


def test_the_flattened_claim_alone_grants_no_group():
    """Without the token it was read from, "[admins]" could have been one group or several."""
    assert caller_from_claims({**CLAIMS, "cognito:groups": "[admins]"}).groups == frozenset()


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Basic YWxpY2U6c2VjcmV0",
        "Bearer not-a-jwt",
        "Bearer a.%%%.c",
        "Bearer eyJhbGciOiJSUzI1NiJ9.sample.signature",
        f"Bearer {bearer_token(['admins'])}",
        f"Bearer {bearer_token({'sub': 'mallory', 'iat': 1795297600, 'cognito:groups': ['admins']})}",
        f"Bearer {bearer_token({'sub': 'alice', 'iat': 1795297601, 'cognito:groups': ['admins']})}",
        f"Bearer {bearer_token({'sub': 'alice', 'cognito:groups': ['admins']})}",
        f"Bearer {bearer_token({'sub': 'alice', 'iat': True, 'cognito:groups': ['admins']})}",
        f"Bearer {bearer_token({'sub': 'alice', 'iat': 1795297600, 'cognito:groups': [1]})}",
        f"Bearer {bearer_token({'sub': 'alice', 'iat': 1795297600, 'cognito:groups': {'admins': 1}})}",
    ],
    ids=[
        "no-header",
        "empty",
        "scheme-only",
        "basic",
        "not-a-jwt",
        "payload-not-base64",
        "payload-not-json",
        "payload-not-an-object",
        "another-subject",
        "another-issue-time",
        "no-issue-time",
        "issue-time-not-a-number",
        "groups-not-text",
        "groups-not-an-array",
    ],
)
def test_a_token_that_cannot_be_tied_to_the_verified_claims_gives_no_groups(authorization):
    caller = caller_from_claims({**CLAIMS, "cognito:groups": "[admins]"}, authorization)
    assert (caller.user_id, caller.groups) == ("alice", frozenset())


def test_claims_and_a_token_that_both_lack_an_issue_time_give_no_groups():
    """`iat` ties the token to the verified claims: missing on both sides ties nothing."""
    token = f"Bearer {bearer_token({'sub': 'alice', 'cognito:groups': ['admins']})}"
    assert caller_from_claims({"sub": "alice"}, token).groups == frozenset()


def test_groups_are_read_from_a_token_of_any_length():
    """However long the token's payload (base64 without its padding), it is read with the padding it
    lacks restored: subjects of 1 to 40 characters give payloads of every length a token can have."""
    unread = []
    for length in range(1, 41):
        subject = "u" * length
        token = bearer_token({"sub": subject, "iat": 1795297600, "cognito:groups": ["approvers"]})
        claims = {"sub": subject, "iat": "1795297600", "cognito:groups": "[approvers]"}
        if not caller_from_claims(claims, f"Bearer {token}").is_approver:
            unread.append(length)
    assert unread == []


@pytest.mark.parametrize("spaces", [" ", "  "], ids=["one", "two"])
def test_groups_are_read_whatever_number_of_spaces_follows_the_scheme(spaces):
    """RFC 9110 §11.4: the scheme, then one or more spaces, then the token."""
    token = bearer_token({"sub": "alice", "iat": 1795297600, "cognito:groups": ["admins"]})
    assert caller_from_claims({**CLAIMS, "cognito:groups": "[admins]"}, f"Bearer{spaces}{token}").is_admin


def test_the_caller_of_a_request_is_its_subject_with_its_tokens_groups_and_the_request_id():
    event = APIGatewayProxyEventV2(api_event("get-task", user="carol", groups=("approvers",)))
    assert caller(event) == Caller("carol", frozenset({"approvers"}), "sample-get-task")


def test_claims_without_an_issue_time_give_no_groups():
    caller = caller_from_claims({"sub": "alice"}, _bearer(**{"cognito:groups": ["admins"]}))
    assert caller.groups == frozenset()


@pytest.mark.parametrize("groups", [None, []], ids=["absent", "empty"])
def test_caller_without_groups_has_no_roles(groups):
    token = {} if groups is None else {"cognito:groups": groups}
    assert caller_from_claims(CLAIMS, _bearer(**token)).groups == frozenset()


def test_caller_is_the_subject_claim():
    assert caller_from_claims({"sub": "alice"}).user_id == "alice"


@pytest.mark.parametrize("length", [1, 255], ids=["one-character", "as-long-as-oidc-allows"])
def test_a_subject_of_1_to_255_characters_is_a_caller(length):
    assert caller_from_claims({"sub": "u" * length}).user_id == "u" * length


def test_caller_carries_the_request_id_for_correlation():
    assert caller_from_claims({"sub": "alice"}, None, "req-1").correlation_id == "req-1"


@pytest.mark.parametrize(
    "claims",
    [None, {}, {"sub": ""}, {"sub": None}, {"sub": 42}, {"cognito:groups": "[admins]"}, {"sub": "u" * 256}],
    ids=[
        "no-claims",
        "empty",
        "empty-sub",
        "null-sub",
        "numeric-sub",
        "groups-only",
        "longer-than-oidc-allows",
    ],
)
def test_claims_without_a_subject_are_unauthorized(claims):
    with pytest.raises(Unauthorized, match="a valid bearer token is required"):
        caller_from_claims(claims)


# --- the task id --------------------------------------------------------------------------------


def test_a_task_id_as_long_as_ours_can_be_is_looked_up():
    assert task_id("t" * 64) == "t" * 64


def test_a_longer_task_id_is_not_found_without_a_read_and_not_echoed_whole():
    with pytest.raises(TaskNotFound) as refused:
        task_id("t" * 65 + "-and-a-lot-more")
    assert refused.value.message == f"task {'t' * 64} not found"


# --- if_match_versions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "version"),
    [
        ('"3"', {3}),
        ('W/"3"', set()),
        (' "12" ', {12}),
        ("*", None),
        (" * ", None),
        ("garbage", set()),
        ("3", set()),
        ('"three"', set()),
        ('""', set()),
        ('"-1"', set()),
        ('"1", "3"', {1, 3}),
        ('W/"1", "3"', {3}),
        ('"01"', frozenset()),
        ('"\u0661"', frozenset()),
    ],
    ids=[
        "strong",
        "weak-never-matches",
        "padded",
        "star",
        "padded-star",
        "garbage",
        "unquoted",
        "not-a-number",
        "empty-quotes",
        "negative",
        "list",
        "list-with-weak",
        "leading-zero",
        "arabic-indic-digit",
    ],
)
def test_if_match_names_the_versions_it_accepts(value, version):
    assert if_match_versions({"if-match": value}) == version


def test_absent_if_match_makes_the_write_unconditional():
    assert if_match_versions({}) is None


def test_a_requests_if_match_is_read_from_its_headers():
    event = APIGatewayProxyEventV2(api_event("get-task", headers={"If-Match": '"4"'}))
    assert if_match(event) == {4}


# --- json_body ----------------------------------------------------------------------------------


def _body_of_size(size: int) -> bytes:
    overhead = len(json.dumps({"title": ""}))
    return json.dumps({"title": "x" * (size - overhead)}).encode()


def test_json_body_is_parsed():
    assert json_body(JSON, b'{"title": "a task"}') == {"title": "a task"}


def test_body_of_exactly_16_kib_is_accepted():
    assert json_body(JSON, _body_of_size(MAX_BODY_BYTES))


def test_body_over_16_kib_is_too_large():
    with pytest.raises(PayloadTooLarge, match="the body is 16385 bytes; the limit is 16384"):
        json_body(JSON, _body_of_size(MAX_BODY_BYTES + 1))


@pytest.mark.parametrize(
    ("headers", "got"),
    [({}, "none"), ({"content-type": ""}, "none"), ({"content-type": "text/plain"}, "text/plain")],
    ids=["missing", "empty", "text"],
)
def test_an_unsupported_media_type_is_named_in_the_refusal(headers, got):
    with pytest.raises(UnsupportedMediaType) as refused:
        json_body(headers, b"{}")
    assert refused.value.message == f"send JSON with Content-Type: application/json (got {got})"


@pytest.mark.parametrize(
    "raw", [b'{"title": "\\ud800"}', b'{"title": "a \\udfff b"}'], ids=["lone-high", "lone-low"]
)
def test_a_string_with_a_lone_surrogate_escape_is_refused(raw):
    """It parses in Python, but is no Unicode: it could be neither stored nor sent on as UTF-8."""
    with pytest.raises(MalformedJson, match="not UTF-8 text, or has a string that is not valid Unicode"):
        json_body(JSON, raw)


def test_an_escaped_character_that_is_unicode_is_read():
    assert json_body(JSON, b'{"title": "caf\\u00e9 \\ud83d\\ude00"}') == {"title": "caf\u00e9 \U0001f600"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"content-type": ""},
        {"content-type": "text/plain"},
        {"content-type": "application/x-www-form-urlencoded"},
        {"content-type": "application/jsonp"},
        {"content-type": "multipart/form-data; boundary=x"},
    ],
    ids=["missing", "empty", "text", "form", "jsonp", "multipart"],
)
def test_non_json_content_type_is_unsupported(headers):
    with pytest.raises(UnsupportedMediaType):
        json_body(headers, b"{}")


@pytest.mark.parametrize(
    "media_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/merge-patch+json",
    ],
)
def test_json_content_types_are_accepted(media_type):
    assert json_body({"content-type": media_type}, b'{"a": 1}') == {"a": 1}


@pytest.mark.parametrize(
    "raw",
    [
        None,
        b"",
        b"{",
        b"{'single': 'quotes'}",
        b"\xff\xfe{}",
        b"NaN-ish",
        b'{"title": NaN}',
        b'{"title": Infinity}',
        b"-Infinity",
    ],
    ids=[
        "none",
        "empty",
        "truncated",
        "single-quotes",
        "not-utf8",
        "bare-word",
        "nan",
        "infinity",
        "minus-infinity",
    ],
)
def test_malformed_json_is_rejected(raw):
    with pytest.raises(MalformedJson) as refused:
        json_body(JSON, raw)
    assert refused.value.message in {
        "the body is not valid JSON",
        "the body is not UTF-8 text, or has a string that is not valid Unicode",
    }


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (b'{"decision": "reject", "decision": "approve"}', "decision"),
        (b'{"title": "a", "tags": ["x"], "title": "b"}', "title"),
        (b'{"approval": {"status": "approved", "status": "awaiting"}}', "status"),
        (b'[{"a": 1}, {"b": 1, "b": 2}]', "b"),
    ],
    ids=["decision", "title", "nested", "in-a-list"],
)
def test_a_body_that_names_a_key_twice_is_rejected_naming_the_key(raw, key):
    """`{"decision": "reject", "decision": "approve"}` must not approve: which one counts is open."""
    with pytest.raises(MalformedJson) as refused:
        json_body(JSON, raw)
    assert key in refused.value.message
    assert refused.value.details == [{"field": key, "issue": "duplicate key"}]


def test_a_long_duplicate_key_is_named_shortened():
    key = "k" * 500
    with pytest.raises(MalformedJson) as refused:
        json_body(JSON, json.dumps({key: 1}).replace("}", f', "{key}": 2}}').encode())
    assert refused.value.details[0]["field"] == "k" * 64 + "…"


def test_a_duplicate_key_as_long_as_the_shown_part_is_named_whole():
    key = "k" * 64
    with pytest.raises(MalformedJson) as refused:
        json_body(JSON, json.dumps({key: 1}).replace("}", f', "{key}": 2}}').encode())
    assert refused.value.details[0]["field"] == key


def test_the_same_key_in_two_objects_is_not_a_duplicate():
    assert json_body(JSON, b'{"a": {"x": 1}, "b": {"x": 2}}') == {"a": {"x": 1}, "b": {"x": 2}}


# --- the query string ---------------------------------------------------------------------------


def _event(name: str, query: dict[str, str]) -> APIGatewayProxyEventV2:
    return APIGatewayProxyEventV2(api_event(name, query=query))


def test_a_route_without_parameters_refuses_any_naming_it():
    with pytest.raises(ValidationFailed) as refused:
        no_query(_event("get-stats", {"verbose": "1"}))

    assert refused.value.details == [{"field": "verbose", "issue": "is not allowed"}]
    assert refused.value.message == "the query string does not match the contract"


def test_a_route_without_parameters_accepts_none():
    assert no_query(_event("get-stats", {})) is None


def test_a_decimal_limit_is_read_as_a_number():
    assert query(_event("list-tasks", {"limit": "5"}), "list-query.json") == {"limit": 5}


def test_a_limit_that_is_no_decimal_number_stays_text_for_the_schema_to_refuse():
    with pytest.raises(ValidationFailed) as refused:
        query(_event("list-tasks", {"limit": "five"}), "list-query.json")
    assert [detail["field"] for detail in refused.value.details] == ["limit"]


# --- body: the JSON body of a request, as API Gateway hands it on ------------------------------


def test_a_text_body_is_read_and_checked_against_its_schema():
    event = APIGatewayProxyEventV2(api_event("create-task", body={"title": "From the body"}))
    assert body(event, "task-create.json") == {"title": "From the body"}


def test_a_base64_body_is_read_from_its_bytes():
    """API Gateway base64-encodes a body that is not UTF-8 text, and says so."""
    event = APIGatewayProxyEventV2(api_event("create-task", binary_body=b'{"title": "caf\xc3\xa9"}'))
    assert body(event, "task-create.json") == {"title": "caf\u00e9"}


def test_a_base64_body_over_16_kib_is_too_large_not_a_crash():
    event = APIGatewayProxyEventV2(api_event("create-task", binary_body=b"\xff" * (MAX_BODY_BYTES + 1)))
    with pytest.raises(PayloadTooLarge):
        body(event, "task-create.json")


def test_a_text_body_with_a_lone_surrogate_is_malformed_not_a_crash():
    """A Lambda event's text may hold a lone surrogate; its bytes are kept as they came, then refused."""
    event = APIGatewayProxyEventV2(api_event("create-task", headers={"content-type": "application/json"}))
    event.raw_event["body"] = '{"title": "\ud800"}'
    with pytest.raises(MalformedJson):
        body(event, "task-create.json")


def test_a_request_without_a_body_is_malformed_json():
    event = APIGatewayProxyEventV2(api_event("create-task", headers={"content-type": "application/json"}))
    event.raw_event["body"] = None
    with pytest.raises(MalformedJson, match="the body is not valid JSON"):
        body(event, "task-create.json")


def test_a_body_breaking_its_schema_is_refused_naming_the_field():
    event = APIGatewayProxyEventV2(api_event("create-task", body={"title": ""}))
    with pytest.raises(ValidationFailed) as refused:
        body(event, "task-create.json")
    assert [detail["field"] for detail in refused.value.details] == ["title"]
