"""The local stack's two endpoints, as a web page and as a shell would reach them (issue 14): a page from
another origin cannot read the emulator or call the API, SDKs and curl are served as before, and the
values a person gives `make` are passed on as text, never run."""

import base64
import json

import pytest
import requests

from tasks_local.runtime.settings import REPO_ROOT

pytestmark = pytest.mark.e2e

EVIL = "https://evil.example"
LIST_TABLES = {
    "X-Amz-Target": "DynamoDB_20120810.ListTables",
    "Content-Type": "application/x-amz-json-1.0",
    # moto finds the service in the credential scope and checks no signature: a page can forge this.
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host, Signature=0",
}


def _aws_call(stack, **headers: str) -> requests.Response:
    """A DynamoDB ListTables as a web page's fetch() could send it."""
    return requests.post(stack.aws_url + "/", data="{}", headers={**LIST_TABLES, **headers}, timeout=10)


def test_a_page_from_another_origin_cannot_read_the_emulator(stack):
    refused = _aws_call(stack, Origin=EVIL)
    assert refused.status_code == 403
    assert "TableNames" not in refused.text
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert "LOCAL_ALLOWED_ORIGINS" in refused.json()["message"]


def test_a_preflight_from_another_origin_is_refused_by_both_endpoints(stack):
    preflight = {
        "Origin": EVIL,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-amz-target, authorization",
    }
    for url in (stack.aws_url + "/", stack.api_url + "/tasks"):
        answer = requests.options(url, headers=preflight, timeout=10)
        assert answer.status_code == 403, url
        assert not [name for name in answer.headers if name.lower().startswith("access-control-")], url


def test_an_sdk_or_curl_without_an_origin_is_served_as_before(stack):
    served = _aws_call(stack)
    assert served.status_code == 200
    assert any(name.endswith("-tasks") for name in served.json()["TableNames"])
    assert requests.get(stack.api_url + "/health", timeout=10).status_code == 200


def test_the_stacks_own_origin_is_served(stack):
    own = stack.api_url  # a page the local stack serves itself
    assert _aws_call(stack, Origin=own).status_code == 200
    health = requests.get(stack.api_url + "/health", headers={"Origin": own}, timeout=10)
    assert health.status_code == 200


def test_the_api_refuses_another_origins_request_before_any_handler(stack):
    session = stack.session("alice")
    refused = session.post(
        stack.api_url + "/tasks", json={"title": "from a page"}, headers={"Origin": EVIL}, timeout=10
    )
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused.headers
    titles = [task["title"] for task in session.get(stack.api_url + "/tasks", timeout=10).json()["items"]]
    assert "from a page" not in titles


@pytest.mark.parametrize("user", ["o'brien", 'say "hi"', "$(id)", "`id`"])
def test_make_token_takes_the_user_as_written(stack, user):
    result = stack.run(["make", "-s", "token", f"USER={user}"])
    assert result.returncode == 0, result.stderr
    payload = result.stdout.strip().split(".")[1]
    assert json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"] == user


def test_make_publish_takes_a_path_with_a_quote_as_written(stack, tmp_path):
    event = tmp_path / "it's an event.json"
    event.write_text((REPO_ROOT / "events/samples/eventbridge/external-TaskCreated.json").read_text())
    result = stack.run(["make", "-s", "publish", f"EVENT={event}"])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["FailedEntryCount"] == 0
