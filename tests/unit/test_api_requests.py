"""Reading a request (tasks_api.requests): the caller from claims, If-Match, the JSON body, the query."""

import json

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from tasks_api.errors import MalformedJson, PayloadTooLarge, Unauthorized, UnsupportedMediaType
from tasks_api.requests import (
    MAX_BODY_BYTES,
    caller_from_claims,
    if_match_versions,
    json_body,
    no_query,
    query,
)
from tasks_shared.domain.errors import ValidationFailed
from tests.samples import api_event

JSON = {"content-type": "application/json"}

# --- caller_from_claims -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "groups",
    [
        ["admins", "approvers"],
        "[admins approvers]",
    ],
    ids=["list", "gateway-string"],
)
def test_groups_are_read_in_either_claim_form(groups):
    caller = caller_from_claims({"sub": "alice", "cognito:groups": groups})
    assert caller.groups == {"admins", "approvers"}


@pytest.mark.parametrize("groups", ["[ops,admins]", ["ops,admins"]], ids=["gateway-string", "list"])
def test_a_group_whose_name_contains_a_comma_is_one_group(groups):
    """Cognito group names may hold commas: "ops,admins" is not the admins group, in either claim form."""
    caller = caller_from_claims({"sub": "mallory", "cognito:groups": groups})
    assert caller.groups == {"ops,admins"}
    assert not caller.is_admin


def test_single_group_in_gateway_form_is_read():
    assert caller_from_claims({"sub": "carol", "cognito:groups": "[approvers]"}).is_approver


@pytest.mark.parametrize(
    "groups", [None, "", "[]", []], ids=["absent", "empty", "empty-gateway", "empty-list"]
)
def test_caller_without_groups_has_no_roles(groups):
    claims = {"sub": "alice"} if groups is None else {"sub": "alice", "cognito:groups": groups}
    assert caller_from_claims(claims).groups == frozenset()


def test_caller_is_the_subject_claim():
    assert caller_from_claims({"sub": "alice"}).user_id == "alice"


def test_caller_carries_the_request_id_for_correlation():
    assert caller_from_claims({"sub": "alice"}, "req-1").correlation_id == "req-1"


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
    with pytest.raises(Unauthorized):
        caller_from_claims(claims)


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


# --- json_body ----------------------------------------------------------------------------------


def _body_of_size(size: int) -> bytes:
    overhead = len(json.dumps({"title": ""}))
    return json.dumps({"title": "x" * (size - overhead)}).encode()


def test_json_body_is_parsed():
    assert json_body(JSON, b'{"title": "a task"}') == {"title": "a task"}


def test_body_of_exactly_16_kib_is_accepted():
    assert json_body(JSON, _body_of_size(MAX_BODY_BYTES))


def test_body_over_16_kib_is_too_large():
    with pytest.raises(PayloadTooLarge):
        json_body(JSON, _body_of_size(MAX_BODY_BYTES + 1))


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
    with pytest.raises(MalformedJson):
        json_body(JSON, raw)


# --- the query string ---------------------------------------------------------------------------


def _event(name: str, query: dict[str, str]) -> APIGatewayProxyEventV2:
    return APIGatewayProxyEventV2(api_event(name, query=query))


def test_a_route_without_parameters_refuses_any_naming_it():
    with pytest.raises(ValidationFailed) as refused:
        no_query(_event("get-stats", {"verbose": "1"}))

    assert refused.value.details == [{"field": "verbose", "issue": "is not allowed"}]


def test_a_route_without_parameters_accepts_none():
    assert no_query(_event("get-stats", {})) is None


def test_a_decimal_limit_is_read_as_a_number():
    assert query(_event("list-tasks", {"limit": "5"}), "list-query.json") == {"limit": 5}
