"""The tasks API handler against moto: every status code of the contract (docs/design.md §3)."""

import json

import pytest

from tasks_api.inputs import MAX_BODY_BYTES


def test_health_needs_no_token(api):
    response = api("health", user=None)
    assert response.status == 200
    assert response.body["status"] == "healthy"


def test_openapi_document_is_served_without_a_token(api):
    response = api("openapi", user=None)
    assert response.status == 200
    assert response.body["openapi"].startswith("3.1")


def test_create_returns_201_with_location_etag_and_defaults(api):
    response = api("create-task", body={"title": "Write the report"})
    assert response.status == 201
    task = response.body
    assert response.headers["location"] == f"/tasks/{task['id']}"
    assert response.headers["etag"] == '"1"'
    assert (task["status"], task["priority"], task["ownerId"]) == ("pending", "medium", "alice")
    assert task["approval"] == {"status": "not_required"}


def test_create_from_the_sample_event_keeps_every_field(api):
    response = api("create-task")
    assert response.status == 201
    assert response.body["assignee"] == "bob"
    assert response.body["tags"] == ["finance", "q4"]
    assert response.body["dueDate"] == "2026-12-15"


def test_high_priority_task_starts_awaiting_approval(api):
    task = api.create(priority="high")
    assert task["approval"]["status"] == "awaiting"


def test_get_returns_the_task_with_its_etag(api):
    task = api.create()
    response = api("get-task", task_id=task["id"])
    assert response.status == 200
    assert response.body == task
    assert response.headers["etag"] == '"1"'


def test_assignee_can_read_the_task(api):
    task = api.create(assignee="bob")
    assert api("get-task", user="bob", task_id=task["id"]).status == 200


def test_another_users_task_is_404_not_403(api):
    task = api.create()
    response = api("get-task", user="mallory", task_id=task["id"])
    assert response.status == 404
    assert response.body["code"] == "TASK_NOT_FOUND"


def test_admin_reads_any_task(api):
    task = api.create()
    assert api("get-task", user="root", groups=("admins",), task_id=task["id"]).status == 200


def test_approver_reads_a_task_only_while_it_awaits_approval(api):
    awaiting = api.create(priority="high")
    normal = api.create()
    assert api("get-task", user="carol", groups=("approvers",), task_id=awaiting["id"]).status == 200
    assert api("get-task", user="carol", groups=("approvers",), task_id=normal["id"]).status == 404


def test_unknown_task_is_404(api):
    assert api("get-task", task_id="does-not-exist").status == 404


def test_overlong_task_id_is_404_without_a_read(api):
    assert api("get-task", task_id="x" * 5000).status == 404


def test_missing_claims_are_401(api):
    response = api("get-task", user=None)
    assert response.status == 401
    assert response.body["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "t", "description": "x" * 4001}, "description"),
        ({"title": "t", "priority": "urgent"}, "priority"),
        ({"title": "t", "dueDate": "2026-02-30"}, "dueDate"),
        ({"title": "t", "dueDate": "next week"}, "dueDate"),
        ({"title": "t", "tags": ["a"] * 11}, "tags"),
        ({"title": "t", "tags": ["x" * 33]}, "tags.0"),
        ({"title": "t", "colour": "red"}, "colour"),
    ],
)
def test_invalid_create_body_is_400_naming_the_field(api, body, field):
    response = api("create-task", body=body)
    assert response.status == 400
    assert response.body["code"] == "VALIDATION_FAILED"
    assert field in [detail["field"] for detail in response.body["details"]]


@pytest.mark.parametrize("field", ["id", "ownerId", "status", "approval", "createdAt", "version"])
def test_server_owned_fields_are_rejected(api, field):
    response = api("create-task", body={"title": "t", field: "x"})
    assert response.status == 400
    assert {"field": field, "issue": "is set by the server"} in response.body["details"]


def test_malformed_json_is_400(api):
    response = api("create-task", raw_body='{"title": ')
    assert response.status == 400
    assert response.body["code"] == "MALFORMED_JSON"


@pytest.mark.parametrize(
    "raw_body",
    ['{"title": ' + "[" * 5000 + "]" * 5000 + "}", '{"title": "\\ud800 half a character"}'],
    ids=["nested-beyond-the-parser", "lone-surrogate-escape"],
)
def test_json_the_table_cannot_take_is_400_not_500(api, raw_body):
    response = api("create-task", raw_body=raw_body)
    assert response.status == 400
    assert response.body["code"] == "MALFORMED_JSON"


@pytest.mark.parametrize(
    ("binary_body", "content_type", "status"),
    [
        ('{"title": "caf\u00e9"}'.encode("latin-1"), "application/json", 400),
        (b"\xff" * (MAX_BODY_BYTES + 1), "application/json", 413),
        (b"\x89PNG\r\n", "application/octet-stream", 415),
    ],
    ids=["latin-1-json", "big-binary", "binary-media-type"],
)
def test_a_body_that_is_not_utf8_gets_its_contract_status(api, binary_body, content_type, status):
    """API Gateway base64-encodes such bodies: size and media type are checked before any decoding."""
    response = api("create-task", binary_body=binary_body, headers={"Content-Type": content_type})
    assert response.status == status


@pytest.mark.parametrize(
    "limit", ["\u00b2", "1" * 5000, "-1", "1.5"], ids=["superscript", "huge", "negative", "fraction"]
)
def test_a_limit_that_is_not_a_small_decimal_is_400(api, limit):
    response = api("list-tasks", query={"limit": limit})
    assert response.status == 400
    assert response.body["details"][0]["field"] == "limit"


def test_body_over_16_kib_is_413(api):
    response = api("create-task", raw_body=json.dumps({"title": "t", "description": "x" * MAX_BODY_BYTES}))
    assert response.status == 413


def test_non_json_content_type_is_415(api):
    response = api("create-task", headers={"Content-Type": "text/plain"})
    assert response.status == 415
    assert response.body["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_json_with_charset_is_accepted(api):
    response = api("create-task", headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status == 201


def test_update_with_current_if_match_returns_new_etag(api):
    task = api.create()
    response = api("update-task", task_id=task["id"], body={"title": "renamed"}, headers={"If-Match": '"1"'})
    assert response.status == 200
    assert response.headers["etag"] == '"2"'
    assert response.body["title"] == "renamed"


def test_if_match_compares_the_tag_exactly(api):
    task = api.create()
    response = api("update-task", task_id=task["id"], body={"title": "t"}, headers={"If-Match": '"01"'})
    assert response.status == 412


def test_update_with_stale_if_match_is_412_and_changes_nothing(api):
    task = api.create()
    api("update-task", task_id=task["id"], body={"title": "first"}, headers={"If-Match": '"1"'})
    response = api("update-task", task_id=task["id"], body={"title": "second"}, headers={"If-Match": '"1"'})
    assert response.status == 412
    assert api("get-task", task_id=task["id"]).body["title"] == "first"


def test_update_can_clear_optional_fields_with_null(api):
    task = api.create(assignee="bob", dueDate="2026-12-01")
    response = api("update-task", task_id=task["id"], body={"assignee": None, "dueDate": None}, headers={})
    assert response.status == 200
    assert "assignee" not in response.body
    assert "dueDate" not in response.body


def test_empty_update_is_400(api):
    task = api.create()
    assert api("update-task", task_id=task["id"], body={}).status == 400


def test_completing_sets_completed_at(api):
    task = api.create()
    response = api("update-task", task_id=task["id"], body={"status": "completed"}, headers={"If-Match": "*"})
    assert response.status == 200
    assert response.body["completedAt"] >= task["createdAt"]


def test_task_awaiting_approval_cannot_start_409(api):
    task = api.create(priority="high")
    response = api(
        "update-task", task_id=task["id"], body={"status": "in_progress"}, headers={"If-Match": "*"}
    )
    assert response.status == 409
    assert response.body["code"] == "INVALID_TRANSITION"


def test_completed_task_cannot_be_reopened_409(api):
    task = api.create()
    api("update-task", task_id=task["id"], body={"status": "completed"}, headers={"If-Match": "*"})
    response = api("update-task", task_id=task["id"], body={"status": "pending"}, headers={"If-Match": "*"})
    assert response.status == 409


def test_assignee_may_change_the_status(api):
    task = api.create(assignee="bob")
    response = api("update-task", user="bob", task_id=task["id"], body={"status": "in_progress"}, headers={})
    assert response.status == 200


def test_assignee_may_not_change_other_fields_403(api):
    task = api.create(assignee="bob")
    response = api("update-task", user="bob", task_id=task["id"], body={"title": "mine now"}, headers={})
    assert response.status == 403
    assert response.body["code"] == "FORBIDDEN"


def test_stranger_update_is_404(api):
    task = api.create()
    assert api("update-task", user="mallory", task_id=task["id"], body={"title": "x"}).status == 404


def test_delete_returns_204_and_the_task_is_gone(api):
    task = api.create()
    response = api("delete-task", task_id=task["id"])
    assert response.status == 204
    assert response.body is None
    assert api("get-task", task_id=task["id"]).status == 404


def test_assignee_may_not_delete_403(api):
    task = api.create(assignee="bob")
    assert api("delete-task", user="bob", task_id=task["id"]).status == 403


def test_delete_with_stale_if_match_is_412(api):
    task = api.create()
    api("update-task", task_id=task["id"], body={"title": "v2"}, headers={})
    assert api("delete-task", task_id=task["id"], headers={"If-Match": '"1"'}).status == 412


def test_unhandled_error_is_500_without_a_stack_trace(api, monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("tasks_shared.usecases.tasks.TaskService.get", explode)
    response = api("get-task", task_id="any")
    assert response.status == 500
    assert "secret internals" not in json.dumps(response.body)
    assert response.body["code"] == "INTERNAL_ERROR"


# --- text a reader would not see as sent: control characters, bidi overrides, blanks ------------------

UNSEEN = {
    "nul": "a\u0000b",
    "escape": "a\u001b[31mb",
    "delete": "a\u007fb",
    "c1-next-line": "a\u0085b",
    "newline": "a\nb",
    "right-to-left-override": "invoice\u202efdp.exe",
    "left-to-right-isolate": "a\u2066b\u2069",
    "line-separator": "a\u2028b",
}
BLANK = {"spaces": "   ", "tab": "\t", "ideographic-space": "\u3000", "zero-width-space": "\u200b"}
NOT_A_LINE = {**UNSEEN, **BLANK}


def _fields_of(response) -> list[str]:
    assert (response.status, response.body["code"]) == (400, "VALIDATION_FAILED"), response.body
    return [detail["field"] for detail in response.body["details"]]


@pytest.mark.parametrize("value", NOT_A_LINE.values(), ids=NOT_A_LINE.keys())
@pytest.mark.parametrize("field", ["title", "assignee"])
def test_a_title_or_assignee_that_is_not_one_visible_line_is_400(api, field, value):
    response = api("create-task", body={"title": "t", field: value})
    assert _fields_of(response) == [field]


@pytest.mark.parametrize("value", NOT_A_LINE.values(), ids=NOT_A_LINE.keys())
def test_a_tag_that_is_not_one_visible_line_is_400_naming_it(api, value):
    response = api("create-task", body={"title": "t", "tags": ["finance", value]})
    assert _fields_of(response) == ["tags.1"]


@pytest.mark.parametrize("value", NOT_A_LINE.values(), ids=NOT_A_LINE.keys())
@pytest.mark.parametrize("field", ["title", "assignee", "tags"])
def test_an_update_to_text_that_is_not_one_visible_line_is_400(api, field, value):
    task = api.create()
    body = {field: [value] if field == "tags" else value}
    response = api("update-task", task_id=task["id"], body=body)
    assert _fields_of(response) == [f"{field}.0" if field == "tags" else field]


CONTROL_IN_TEXT = {key: text for key, text in UNSEEN.items() if key not in {"newline", "line-separator"}}


@pytest.mark.parametrize("value", CONTROL_IN_TEXT.values(), ids=CONTROL_IN_TEXT.keys())
def test_a_description_with_control_characters_or_bidi_overrides_is_400(api, value):
    response = api("create-task", body={"title": "t", "description": value})
    assert _fields_of(response) == ["description"]


def test_a_description_keeps_its_newlines_and_tabs(api):
    text = "Steps:\n\t1. draft\r\n\t2. review\n"
    task = api.create(description=text)
    assert api("get-task", task_id=task["id"]).body["description"] == text


def test_text_in_any_script_with_inner_spaces_is_accepted(api):
    title = "  Проверить отчёт — 報告書 ✅ "
    task = api.create(title=title, tags=["q4 finance"], assignee="user@example.com")
    assert task["title"] == title


@pytest.mark.parametrize("value", NOT_A_LINE.values(), ids=NOT_A_LINE.keys())
@pytest.mark.parametrize("field", ["owner", "assignee"])
def test_a_list_filter_that_is_not_one_visible_line_is_400(api, field, value):
    response = api("list-tasks", user="root", groups=("admins",), query={field: value})
    assert _fields_of(response) == [field]


@pytest.mark.parametrize("field", ["owner", "assignee"])
def test_a_list_filter_takes_a_user_id_as_long_as_an_oidc_subject(api, field):
    admin = {"user": "root", "groups": ("admins",)}
    assert api("list-tasks", **admin, query={field: "u" * 255}).status == 200
    assert _fields_of(api("list-tasks", **admin, query={field: "u" * 256})) == [field]


# --- validation messages in plain words -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body", "field", "issue"),
    [
        ("create-task", {"title": None}, "title", "must be a string"),
        ("create-task", {"title": ""}, "title", "must not be empty"),
        ("create-task", {"title": "t", "tags": "finance"}, "tags", "must be an array"),
        ("create-task", {"title": "t", "priority": 3}, "priority", "must be one of low, medium, high"),
        ("create-task", {"title": "t", "tags": ["a"] * 11}, "tags", "must have at most 10 items"),
        ("create-task", {"title": "x" * 201}, "title", "must be at most 200 characters long"),
        ("update-task", {"assignee": 5}, "assignee", "must be a string or null"),
        ("update-task", {"dueDate": "next week"}, "dueDate", "must be a date as YYYY-MM-DD"),
        ("update-task", {}, "(body)", "must have at least one field"),
    ],
)
def test_a_validation_issue_says_what_the_field_must_be(api, name, body, field, issue):
    task_id = api.create()["id"] if name == "update-task" else None
    response = api(name, body=body, task_id=task_id)
    assert {"field": field, "issue": issue} in response.body["details"]


@pytest.mark.parametrize(
    "raw_body",
    [
        '{"title": null}',
        '{"title": 1e999}',
        '{"title": true}',
        '{"title": ["a"]}',
        '{"title": "t", "dueDate": 20261215}',
        '{"title": "t", "tags": [null, 1.5, {}]}',
        '{"title": "t", "priority": null, "assignee": false}',
        "[]",
        '"just a string"',
    ],
)
def test_no_issue_quotes_a_python_value(api, raw_body):
    response = api("create-task", raw_body=raw_body)
    issues = " | ".join(detail["issue"] for detail in response.body["details"])
    assert response.status == 400
    for python in ("None", "True", "False", "inf", "'", "is not of type", "is not valid under"):
        assert python not in issues


@pytest.mark.parametrize("raw_body", ['{"title": NaN}', '{"title": Infinity}', '{"title": -Infinity}'])
def test_nan_and_infinity_are_not_json(api, raw_body):
    response = api("create-task", raw_body=raw_body)
    assert (response.status, response.body["code"]) == (400, "MALFORMED_JSON")


# --- query parameters: one rule for every route ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "user"),
    [("get-stats", "alice"), ("get-task", "alice"), ("health", None), ("openapi", None)],
)
def test_an_unknown_query_parameter_is_400_naming_it(api, name, user):
    response = api(name, user=user, task_id="any" if name == "get-task" else None, query={"verbose": "1"})
    assert response.status == 400
    assert response.body["details"] == [{"field": "verbose", "issue": "is not allowed"}]
