"""What text the API takes (schemas/text.json), character by character: a title, a tag or a user id is
one visible line, a description may also hold newlines and tabs."""

import sys

import pytest

from tasks_api.schemas import validate
from tasks_shared.domain.errors import ValidationFailed

C0_DEL_C1 = [chr(code) for code in (*range(0x20), *range(0x7F, 0xA0))]
BIDI_OVERRIDES = [chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
WHITESPACE = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]
LINE_BREAKS_AND_TABS = ["\t", "\n", "\r"]
NOT_IN_A_LINE = "must not contain control characters, line breaks or bidirectional overrides"


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def _refused(body: dict, schema: str = "task-create.json") -> list[dict[str, str]]:
    with pytest.raises(ValidationFailed) as refused:
        validate(schema, body)
    return refused.value.details


@pytest.mark.parametrize("char", [*C0_DEL_C1, *BIDI_OVERRIDES, "\u2028", "\u2029"], ids=_code_point)
def test_a_title_holds_no_control_character_line_break_or_bidi_override(char):
    assert _refused({"title": f"before{char}after"}) == [{"field": "title", "issue": NOT_IN_A_LINE}]


@pytest.mark.parametrize("char", [*WHITESPACE, "\u200b", "\u2060", "\ufeff"], ids=_code_point)
def test_a_title_of_only_whitespace_or_invisible_characters_is_refused(char):
    assert [detail["field"] for detail in _refused({"title": char * 3})] == ["title"]


@pytest.mark.parametrize(
    "char", [c for c in C0_DEL_C1 + BIDI_OVERRIDES if c not in LINE_BREAKS_AND_TABS], ids=_code_point
)
def test_a_description_holds_no_control_character_but_newlines_and_tabs(char):
    details = _refused({"title": "t", "description": f"line{char}"})
    assert [detail["field"] for detail in details] == ["description"]


def test_a_description_keeps_newlines_tabs_and_paragraph_separators():
    description = "one\ttab\nline\r\nwindows line\u2028separator\u2029paragraph"
    assert validate("task-create.json", {"title": "t", "description": description})


@pytest.mark.parametrize(
    "text",
    [
        "Write the report",
        " padded ",
        "Überprüfung",
        "مراجعة التقرير",
        "סקירה",
        "報告書を書く",
        "👩🏽\u200d💻 ship it",
        "a\u00a0b",
        "mixed \u200fRTL mark",
    ],
)
def test_visible_text_in_any_script_is_a_valid_title_and_tag(text):
    assert validate("task-create.json", {"title": text, "tags": [text[:32]]})


def test_a_user_id_filter_follows_the_same_rule():
    details = _refused({"owner": "root\u202e", "assignee": " "}, "list-query.json")
    assert [detail["field"] for detail in details] == ["assignee", "owner"]
