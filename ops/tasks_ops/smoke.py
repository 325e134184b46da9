"""`make smoke`: is this stack alive and serving the contract? One line per step, the first failure ends
the run (exit 1) naming its step.

Steps: the health check; a CRUD round trip with If-Match (create 201 with an ETag, get, update with
If-Match 200, the same If-Match again 412, delete with If-Match 204, then gone 404); and, where the
stack runs the approval workflow (a high-priority create answers `awaiting`), an approval round trip:
an approver approves (202) and the task shows `approved`. Every task it creates is deleted again,
also when a step fails.

Where it runs, and as whom:
- `make smoke`: the local stack (`make dev`, on API_PORT), with tokens from the local identity
  provider for `smoke-owner` and `smoke-approver` (in `approvers`), issued here;
- `make smoke URL=.. TOKEN=.. [APPROVER_TOKEN=..]`: any stack; without APPROVER_TOKEN the approval
  round trip is skipped (said on its line), unless URL is on this machine (then a local one is issued);
- `make smoke ENV=staging`: a deployed environment: URL from its Terraform outputs, tokens from TOKEN /
  APPROVER_TOKEN or else from Cognito, signing in SMOKE_USER / SMOKE_PASSWORD and SMOKE_APPROVER /
  SMOKE_APPROVER_PASSWORD (the deploy workflow's environment secrets).
"""

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import urlparse

import requests

from tasks_local.clients.steps import timed_step
from tasks_local.runtime.identity import issue_token
from tasks_local.runtime.settings import LocalSettings

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
OWNER, APPROVER = "smoke-owner", "smoke-approver"
TIMEOUT = (5, 30)  # connect, read (s)
WAIT_SECONDS = 30.0  # for the workflow: locally about half a second, in AWS a few seconds


class SmokeFailed(Exception):
    """A step did not behave: `step` names it."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step


class Usage(ValueError):
    """What the command needs and was not given."""


@dataclass(frozen=True)
class Target:
    url: str
    token: str
    approver_token: str | None
    where: str  # said on the first line


def is_local(url: str) -> bool:
    return (urlparse(url).hostname or "") in LOCAL_HOSTS


def target_from(environ: Mapping[str, str], settings: LocalSettings) -> Target:
    """URL, TOKEN and APPROVER_TOKEN as given; on this machine, local tokens for what is not given."""
    url = (environ.get("URL") or settings.api_url).rstrip("/")
    token, approver = environ.get("TOKEN") or None, environ.get("APPROVER_TOKEN") or None
    if is_local(url):
        token = token or issue_token(settings.state_dir, OWNER, [], 3600)
        approver = approver or issue_token(settings.state_dir, APPROVER, ["approvers"], 3600)
        return Target(
            url, token, approver, f"{url} (tokens from the local identity provider where not given)"
        )
    if not token:
        raise Usage(f"TOKEN is required for {url}: make smoke URL=.. TOKEN=.. [APPROVER_TOKEN=..]")
    return Target(url, token, approver, url)


def target_of_environment(env: str, environ: Mapping[str, str]) -> Target:
    """A deployed environment: its API URL from Terraform, tokens given or signed in through Cognito."""
    from tasks_ops import environments  # noqa: PLC0415 - only for a deployed stack

    if env not in environments.ENVIRONMENTS:
        raise Usage(f"ENV must be one of {', '.join(environments.ENVIRONMENTS)}, not {env!r}")
    run = subprocess.run(
        ["terraform", f"-chdir={environments.root(env)}", "output", "-json"],
        capture_output=True,
        text=True,
        check=False,
    )
    outputs = json.loads(run.stdout) if run.returncode == 0 and run.stdout.strip() else {}
    if "api_url" not in outputs:
        raise Usage(
            f"no Terraform outputs for {env}: run make deploy ENV={env} first (or pass URL= and TOKEN=)"
        )
    url = outputs["api_url"]["value"].rstrip("/")
    client_id = (outputs.get("user_pool_client_id") or {}).get("value")

    def signed_in(user_variable: str, password_variable: str) -> str | None:
        user, password = environ.get(user_variable), environ.get(password_variable)
        if not (user and password and client_id):
            return None
        return cognito_id_token(env, client_id, user, password)

    token = environ.get("TOKEN") or signed_in("SMOKE_USER", "SMOKE_PASSWORD")
    if not token:
        raise Usage(f"TOKEN, or SMOKE_USER and SMOKE_PASSWORD of a Cognito user of {env}, are required")
    approver = environ.get("APPROVER_TOKEN") or signed_in("SMOKE_APPROVER", "SMOKE_APPROVER_PASSWORD")
    return Target(url, token, approver, f"{url} ({env})")


def cognito_id_token(env: str, client_id: str, user: str, password: str) -> str:
    """An ID token (the API's authorizer expects its audience) for a user with a permanent password."""
    import boto3  # noqa: PLC0415
    from botocore import UNSIGNED  # noqa: PLC0415
    from botocore.config import Config  # noqa: PLC0415

    from tasks_ops import environments  # noqa: PLC0415

    region = environments.region(env)
    cognito = boto3.client("cognito-idp", region_name=region, config=Config(signature_version=UNSIGNED))
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user, "PASSWORD": password},
    )
    if "AuthenticationResult" not in answer:
        raise Usage(
            f"Cognito asks {user} for {answer.get('ChallengeName')}: give the user a permanent password"
        )
    return answer["AuthenticationResult"]["IdToken"]


class Smoke:
    def __init__(self, target: Target, out: TextIO, session: requests.Session | None = None) -> None:
        self.target = target
        self.out = out
        self.http = session or requests.Session()
        self.run_id = uuid.uuid4().hex[:8]
        self.created: dict[str, str] = {}  # task id -> its latest ETag, deleted at the end
        self.steps = 0

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def step(self, name: str, check: Callable[[], str]) -> None:
        try:
            timed_step(self.out, name, check)
        except requests.RequestException as exc:
            raise SmokeFailed(name, f"no answer from {self.target.url} ({type(exc).__name__})") from exc
        self.steps += 1

    def call(
        self,
        method: str,
        path: str,
        token: str | None,
        body: dict[str, Any] | None = None,
        if_match: str | None = None,
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if if_match:
            headers["If-Match"] = if_match
        return self.http.request(
            method, self.target.url + path, json=body, headers=headers, timeout=TIMEOUT, allow_redirects=False
        )

    def expect(self, step: str, response: requests.Response, status: int) -> requests.Response:
        if response.status_code != status:
            raise SmokeFailed(
                step,
                f"{response.request.method} {urlparse(response.request.url).path} answered "
                f"{response.status_code}, not {status}: {_message(response)}",
            )
        return response

    def etag(self, step: str, response: requests.Response) -> str:
        etag = response.headers.get("ETag")
        if not etag:
            raise SmokeFailed(step, f"{response.status_code} without an ETag header")
        return etag

    # --- the steps ------------------------------------------------------------------------------

    def health(self) -> str:
        response = self.expect("health", self.call("GET", "/health", None), 200)
        status = response.json().get("status")
        if status != "healthy":
            raise SmokeFailed("health", f"200, but status {status!r}")
        return "200 healthy"

    def crud(self) -> None:
        token, state = self.target.token, {}

        def create() -> str:
            body = {"title": f"smoke test {self.run_id}", "priority": "low", "tags": ["smoke"]}
            response = self.expect("create", self.call("POST", "/tasks", token, body), 201)
            task = response.json()
            state["id"], state["etag"] = task["id"], self.etag("create", response)
            self.created[task["id"]] = state["etag"]
            if not response.headers.get("Location", "").endswith(f"/tasks/{task['id']}"):
                raise SmokeFailed(
                    "create", f"201 without the task's Location ({response.headers.get('Location')})"
                )
            return f"201 {task['id']}, ETag {state['etag']}"

        def get() -> str:
            response = self.expect("get", self.call("GET", f"/tasks/{state['id']}", token), 200)
            if self.etag("get", response) != state["etag"]:
                raise SmokeFailed("get", f"ETag {response.headers['ETag']}, not {state['etag']} as created")
            return f"200, ETag {state['etag']}"

        def update() -> str:
            path, old = f"/tasks/{state['id']}", state["etag"]
            response = self.expect(
                "update with If-Match", self.call("PUT", path, token, {"status": "in_progress"}, old), 200
            )
            state["stale"], state["etag"] = old, self.etag("update with If-Match", response)
            self.created[state["id"]] = state["etag"]
            if state["etag"] == old:
                raise SmokeFailed("update with If-Match", f"200, but the ETag is still {old}")
            return f"200, ETag {old} -> {state['etag']}"

        def stale() -> str:
            body = {"title": "a lost update"}
            self.expect(
                "stale If-Match", self.call("PUT", f"/tasks/{state['id']}", token, body, state["stale"]), 412
            )
            return f"412 for If-Match {state['stale']}, nothing overwritten"

        def delete() -> str:
            path = f"/tasks/{state['id']}"
            self.expect("delete", self.call("DELETE", path, token, if_match=state["etag"]), 204)
            del self.created[state["id"]]
            return f"204 with If-Match {state['etag']}"

        def gone() -> str:
            self.expect("gone", self.call("GET", f"/tasks/{state['id']}", token), 404)
            return "404"

        for name, check in (
            ("create", create),
            ("get", get),
            ("update with If-Match", update),
            ("stale If-Match", stale),
            ("delete", delete),
            ("gone", gone),
        ):
            self.step(name, check)

    def approval(self) -> None:
        token, state = self.target.token, {}

        def request() -> str:
            body = {"title": f"smoke test approval {self.run_id}", "priority": "high", "tags": ["smoke"]}
            response = self.expect("approval requested", self.call("POST", "/tasks", token, body), 201)
            task = response.json()
            self.created[task["id"]] = self.etag("approval requested", response)
            state["id"], state["status"] = task["id"], task["approval"]["status"]
            return f"201 {task['id']}, approval {state['status']}"

        self.step("approval requested", request)
        if state["status"] != "awaiting":
            self.say(f"  --  approval round trip: skipped, this stack asks no approval ({state['status']})")
            return
        if not self.target.approver_token:
            self.say("  --  approval round trip: skipped, no APPROVER_TOKEN (a member of approvers)")
            return

        def decide() -> str:
            # On the version the approver reads (If-Match, required); 409 while the workflow is still
            # opening the request (its token not stored yet): retried.
            body = {"decision": "approve", "comment": f"smoke test {self.run_id}"}
            deadline = time.monotonic() + WAIT_SECONDS
            path, approver = f"/tasks/{state['id']}", self.target.approver_token
            etag = self.etag(
                "approval decided", self.expect("approval decided", self.call("GET", path, approver), 200)
            )
            while (
                response := self.call("POST", f"{path}/approval", approver, body, etag)
            ).status_code == 409:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.25)
            self.expect("approval decided", response, 202)
            return f"202 accepted on If-Match {etag}"

        def recorded() -> str:
            deadline = time.monotonic() + WAIT_SECONDS
            while True:
                response = self.expect(
                    "approval recorded", self.call("GET", f"/tasks/{state['id']}", token), 200
                )
                approval = response.json()["approval"]
                if approval["status"] == "approved":
                    self.created[state["id"]] = self.etag("approval recorded", response)
                    return f"approved by {approval.get('decidedBy')}"
                if time.monotonic() > deadline:
                    raise SmokeFailed(
                        "approval recorded", f"still {approval['status']} after {WAIT_SECONDS:.0f} s"
                    )
                time.sleep(0.25)

        self.step("approval decided", decide)
        self.step("approval recorded", recorded)

    def clean_up(self) -> None:
        """Delete what this run created and did not delete itself (a step failed, or the approval task)."""
        for task_id in list(self.created):
            try:
                response = self.call("DELETE", f"/tasks/{task_id}", self.target.token)
            except requests.RequestException:
                continue
            if response.status_code == 204:
                del self.created[task_id]
        if self.created:
            self.say(f"  --  left behind (delete them by hand): {', '.join(self.created)}")

    def run(self) -> int:
        self.say(f"smoke test of {self.target.where}")
        try:
            self.step("health", self.health)
            self.crud()
            self.approval()
        except SmokeFailed as failure:
            self.say(f"FAIL  {failure}")
            return 1
        finally:
            self.clean_up()
        self.say(f"smoke test passed: {self.steps} steps")
        return 0


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return " ".join(response.text.split())[:200] or "(no body)"
    return str(body.get("message", body)) if isinstance(body, dict) else str(body)


def main(env: str | None, environ: Mapping[str, str] | None = None, out: TextIO = sys.stdout) -> int:
    environ = os.environ if environ is None else environ
    try:
        target = (
            target_of_environment(env, environ) if env else target_from(environ, LocalSettings.from_env())
        )
    except Usage as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return Smoke(target, out).run()
