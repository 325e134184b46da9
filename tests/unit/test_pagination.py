"""Page tokens: opaque, signed, bound to the query that produced them; anything else is a 400."""

import base64
import string

import pytest

from tasks_shared.domain.errors import InvalidPageToken
from tasks_shared.domain.paging import Page, PageTokens, Paging

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


@pytest.mark.parametrize("length", range(40, 64))
def test_a_token_round_trips_whatever_the_length_of_its_cursor(page_tokens, length):
    """The cursor padding path (issue 21): base64 of a cursor whose JSON is not a multiple of 3 bytes
    long is padded, the padding dropped from the token and restored when it is read."""
    cursor = {"sk": "X" * length}  # each payload ends in a different base64 character
    assert page_tokens.decode(page_tokens.encode(cursor, BINDING), BINDING) == cursor


def test_a_token_of_exactly_2048_characters_is_read_and_a_longer_one_is_not(page_tokens):
    """The boundary of _MAX_TOKEN_LENGTH (issue 21): a signed token of 2,048 characters is accepted."""
    tokens = {len(t): t for t in (page_tokens.encode({"sk": "x" * n}, BINDING) for n in range(1480, 1520))}
    assert page_tokens.decode(tokens[2048], BINDING) == {"sk": "x" * 1494}
    with pytest.raises(InvalidPageToken):
        page_tokens.decode(min(t for n, t in tokens.items() if n > 2048), BINDING)


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
    assert raised.value.details == [{"field": "nextToken", "issue": "invalid"}]
    assert raised.value.message == "nextToken is not valid for this query"


def test_a_signed_cursor_the_reader_does_not_accept_is_invalid(page_tokens):
    """A cursor this service signed for another kind of read (say, a list's, replayed into a history)."""
    token = page_tokens.encode({"sk": "2024-05-01T09:00:00.000000Z#task-1"}, BINDING)
    with pytest.raises(InvalidPageToken):
        page_tokens.decode(token, BINDING, valid=lambda cursor: cursor["sk"].startswith("HIST#"))


def test_the_reader_judges_the_cursor_the_token_holds(page_tokens):
    token = page_tokens.encode({"sk": "HIST#2024"}, BINDING)
    assert page_tokens.decode(token, BINDING, valid=lambda cursor: cursor["sk"].startswith("HIST#"))


def _read_page(cursor):
    """A read of a two-page list: from the start, the first page with a cursor; from that, the rest."""
    return Page(["b"]) if cursor else Page(["a"], {"sk": "HIST#a"})


def test_a_paged_read_signs_where_the_next_page_starts_and_resumes_there(page_tokens):
    paging = Paging(page_tokens)
    first = paging.read(BINDING, None, _read_page)
    assert (first.items, paging.read(BINDING, first.next, _read_page).items) == (["a"], ["b"])
    assert paging.read(BINDING, first.next, _read_page).next is None


def test_a_paged_read_refuses_a_cursor_its_reader_does_not_accept(page_tokens):
    paging = Paging(page_tokens)
    first = paging.read(BINDING, None, _read_page)
    with pytest.raises(InvalidPageToken):
        paging.read(BINDING, first.next, _read_page, valid=lambda cursor: cursor["sk"].startswith("OWNER#"))


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
