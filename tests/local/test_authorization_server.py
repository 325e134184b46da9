"""The local identity provider's sign-in (authorization code + PKCE at Cognito's paths): a code is single-use,
short-lived and bound to its client, redirect URI and challenge; what is not registered is refused, never
followed; the token is one the local authorizer accepts, with the groups chosen."""

import io
import secrets
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from werkzeug.test import Client

from tasks_local.runtime.authorization_server import (
    AUTHORIZE_PATH,
    LOGOUT_PATH,
    TOKEN_PATH,
    AuthorizationServer,
    challenge_of,
)
from tasks_local.runtime.identity import GROUPS_CLAIM, JwtAuthorizer

CLIENT, APP = "tasks-web-local", "http://127.0.0.1:3000/app/"


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("idp-state")  # one RSA key for the module: generating it is the slow part


def _client(state_dir, **options) -> Client:
    return Client(AuthorizationServer(state_dir, {CLIENT: APP}, io.StringIO(), **options))


def _request(verifier: str, **overrides) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": APP,
        "scope": "openid",
        "state": "s-1",
        "code_challenge": challenge_of(verifier),
        "code_challenge_method": "S256",
        **overrides,
    }


def _authorize(client: Client, verifier: str, user: str = "abe", groups=("approvers",), **overrides):
    form = {**_request(verifier, **overrides), "user": user, "groups": list(groups)}
    return client.post(AUTHORIZE_PATH, data=form)


def _code(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    answer = urlparse(response.headers["Location"])
    assert f"{answer.scheme}://{answer.netloc}{answer.path}" == APP
    return parse_qs(answer.query)["code"][0]


def _exchange(client: Client, code: str, verifier: str, **overrides):
    form = {"grant_type": "authorization_code", "client_id": CLIENT, "code": code, "redirect_uri": APP}
    return client.post(TOKEN_PATH, data={**form, "code_verifier": verifier, **overrides})


VERIFIER = secrets.token_urlsafe(48)


def test_the_picker_asks_who_you_are_for_a_registered_client(state_dir):
    page = _client(state_dir).get(f"{AUTHORIZE_PATH}?{urlencode(_request(VERIFIER))}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<label for="user">User name</label>' in html
    assert 'name="groups" value="approvers"' in html
    assert "form-action 'self'" in page.headers["Content-Security-Policy"]


def test_a_hostile_state_is_carried_as_text_in_the_picker(state_dir):
    hostile = '"><script>alert(1)</script>'
    html = _client(state_dir).get(f"{AUTHORIZE_PATH}?{urlencode(_request(VERIFIER, state=hostile))}")
    assert "<script>" not in html.get_data(as_text=True)
    assert "&quot;&gt;&lt;script&gt;" in html.get_data(as_text=True)


@pytest.mark.parametrize(
    "overrides",
    [
        {"redirect_uri": "https://evil.example/app/"},
        {"client_id": "someone-else"},
        {"code_challenge_method": "plain"},
        {"code_challenge": ""},
        {"response_type": "token"},
        {"state": ""},
    ],
    ids=["other-redirect-uri", "unknown-client", "plain-pkce", "no-challenge", "implicit-flow", "no-state"],
)
def test_a_request_that_is_not_the_clients_own_code_flow_with_pkce_is_refused_never_redirected(
    state_dir, overrides
):
    client = _client(state_dir)
    shown = client.get(f"{AUTHORIZE_PATH}?{urlencode(_request(VERIFIER, **overrides))}")
    posted = _authorize(client, VERIFIER, **overrides)
    assert (shown.status_code, posted.status_code) == (400, 400)
    assert "Location" not in shown.headers
    assert "Location" not in posted.headers


def test_the_code_and_its_verifier_give_a_token_the_local_authorizer_accepts_with_the_groups_chosen(
    state_dir,
):
    client = _client(state_dir)
    response = _authorize(client, VERIFIER, user="abe", groups=("approvers", "admins"))
    assert parse_qs(urlparse(response.headers["Location"]).query)["state"] == ["s-1"]

    tokens = _exchange(client, _code(response), VERIFIER)

    assert tokens.status_code == 200
    assert tokens.headers["Cache-Control"] == "no-store"
    body = tokens.get_json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    claims = JwtAuthorizer(state_dir).claims(f"Bearer {body['access_token']}")
    assert (claims["sub"], claims[GROUPS_CLAIM]) == ("abe", "[approvers admins]")


def test_a_code_is_good_once(state_dir):
    client = _client(state_dir)
    code = _code(_authorize(client, VERIFIER))
    assert _exchange(client, code, VERIFIER).status_code == 200
    again = _exchange(client, code, VERIFIER)
    assert (again.status_code, again.get_json()) == (400, {"error": "invalid_grant"})


@pytest.mark.parametrize(
    "overrides",
    [{"code_verifier": secrets.token_urlsafe(48)}, {"redirect_uri": "http://127.0.0.1:3000/other/"}],
    ids=["another-verifier", "another-redirect-uri"],
)
def test_a_code_exchanged_without_its_own_verifier_or_redirect_uri_is_an_invalid_grant(state_dir, overrides):
    client = _client(state_dir)
    code = _code(_authorize(client, VERIFIER))
    refused = _exchange(client, code, VERIFIER, **overrides)
    assert (refused.status_code, refused.get_json()) == (400, {"error": "invalid_grant"})


def test_an_expired_code_is_an_invalid_grant(state_dir):
    client = _client(state_dir, code_seconds=0)
    refused = _exchange(client, _code(_authorize(client, VERIFIER)), VERIFIER)
    assert refused.get_json() == {"error": "invalid_grant"}


@pytest.mark.parametrize(
    ("user", "groups"), [("", ()), ("a b", ()), ("<b>x</b>", ()), ("abe", ("root",))], ids=str
)
def test_a_user_name_or_group_the_stack_does_not_know_is_refused(state_dir, user, groups):
    assert _authorize(_client(state_dir), VERIFIER, user=user, groups=groups).status_code == 400


def test_sign_out_goes_back_to_the_clients_own_page_only(state_dir):
    client = _client(state_dir)
    home = client.get(f"{LOGOUT_PATH}?{urlencode({'client_id': CLIENT, 'logout_uri': APP})}")
    away = client.get(
        f"{LOGOUT_PATH}?{urlencode({'client_id': CLIENT, 'logout_uri': 'https://evil.example/'})}"
    )
    assert (home.status_code, home.headers["Location"]) == (302, APP)
    assert (away.status_code, "Location" in away.headers) == (400, False)
