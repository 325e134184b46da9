"""Page tokens: opaque, signed, bound to the query that produced them; anything else is a 400."""

import base64
import string

import pytest

from tasks_shared.domain.errors import InvalidPageToken
from tasks_shared.domain.paging import PageTokens

BINDING = "alice|OWNER#alice+ASSIGNEE#alice||"
CURSOR = {
    "OWNER#alice": {"sk": "2024-05-01T09:00:00.000000Z#task-0001", "scope": "OWNER#alice"},
    "ASSIGNEE#alice": "done",
}
BASE64URL = string.ascii_letters + string.digits + "-_"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def token(page_tokens) -> str:
    return page_tokens.encode(CURSOR, BINDING)


def test_token_decodes_to_the_cursor_it_was_made_from(page_tokens, token):
    assert page_tokens.decode(token, BINDING) == CURSOR


def test_token_is_url_safe(token):
    assert set(token) <= set(BASE64URL + ".")


def test_token_for_one_binding_fails_for_another(page_tokens, token):
    with pytest.raises(InvalidPageToken):
        page_tokens.decode(token, "bob|OWNER#alice+ASSIGNEE#alice||")


def test_token_made_with_another_secret_fails(token):
    with pytest.raises(InvalidPageToken):
        PageTokens(b"another-secret-of-16+bytes").decode(token, BINDING)


def test_changing_any_single_character_invalidates_the_token(page_tokens, token):
    accepted = []
    for position, original in enumerate(token):
        for replacement in ("A", "-") if original not in "A-" else ("B", "_"):
            tampered = token[:position] + replacement + token[position + 1 :]
            try:
                page_tokens.decode(tampered, BINDING)
            except InvalidPageToken:
                continue
            accepted.append(tampered)
    assert accepted == []


def test_non_ascii_character_in_the_signature_invalidates_the_token(page_tokens, token):
    with pytest.raises(InvalidPageToken):
        page_tokens.decode(token[:-1] + "é", BINDING)


def test_non_ascii_character_in_the_payload_invalidates_the_token(page_tokens, token):
    with pytest.raises(InvalidPageToken):
        page_tokens.decode("é" + token[1:], BINDING)


@pytest.mark.parametrize(
    "payload",
    [
        _b64(b"not json"),
        _b64(b"\xff\xfe\xfd"),
        _b64(b'["a list", "not an object"]'),
        _b64(b"42"),
        "%%%not-base64%%%",
    ],
    ids=["text", "not-utf8", "json-list", "json-number", "not-base64"],
)
def test_signed_payload_that_is_not_a_json_object_is_rejected(page_tokens, payload):
    # Only a holder of the secret can sign, so craft the token with the signer itself.
    signed = f"{payload}.{page_tokens._sign(payload, BINDING)}"
    with pytest.raises(InvalidPageToken):
        page_tokens.decode(signed, BINDING)


@pytest.mark.parametrize(
    "garbage",
    ["", ".", "garbage", "no-dot-" + "A" * 40, "payload.", ".signature", "a.b.c", "null"],
)
def test_garbage_token_is_rejected(page_tokens, garbage):
    with pytest.raises(InvalidPageToken):
        page_tokens.decode(garbage, BINDING)


def test_token_without_its_dot_is_rejected(page_tokens, token):
    with pytest.raises(InvalidPageToken):
        page_tokens.decode(token.replace(".", ""), BINDING)


def test_token_longer_than_2048_characters_is_rejected_even_when_signed(page_tokens):
    long_token = page_tokens.encode({"sk": "x" * 2000}, BINDING)
    with pytest.raises(InvalidPageToken):
        page_tokens.decode(long_token, BINDING)


def test_invalid_token_error_names_the_next_token_field(page_tokens):
    with pytest.raises(InvalidPageToken) as raised:
        page_tokens.decode("garbage", BINDING)
    assert [detail["field"] for detail in raised.value.details] == ["nextToken"]


def test_secret_shorter_than_16_bytes_is_refused():
    with pytest.raises(ValueError, match="at least 16 bytes"):
        PageTokens(b"x" * 15)


def test_secret_of_16_bytes_is_accepted():
    assert PageTokens(b"x" * 16).encode(CURSOR, BINDING)


def test_a_key_given_as_a_reader_is_read_at_the_first_token_and_only_once():
    reads = []
    tokens = PageTokens(lambda: reads.append("read") or b"x" * 16)
    assert reads == []
    token = tokens.encode(CURSOR, BINDING)
    assert tokens.decode(token, BINDING) == CURSOR
    assert reads == ["read"]


def test_a_short_key_read_later_is_refused_at_its_first_use():
    tokens = PageTokens(lambda: b"x" * 15)
    with pytest.raises(ValueError, match="at least 16 bytes"):
        tokens.encode(CURSOR, BINDING)
