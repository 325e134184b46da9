"""The approvers' web app (web/app) as the local stack serves it: under /app/ on the API stand-in's own
origin, as CloudFront serves it beside the API in AWS (infra/modules/web), with the same headers and
content types (web/serving.json), and a config.json that points its sign-in at the local identity provider.

One origin for the page and the API: no CORS to grant, and the local stack's origin policy stays closed.
"""

import json
from functools import cache
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from tasks_local.runtime.authorization_server import (
    AUTHORIZE_PATH,
    LOGOUT_PATH,
    TOKEN_PATH,
    AuthorizationServer,
)
from tasks_local.runtime.origins import OriginGuard
from tasks_local.runtime.settings import REPO_ROOT, LocalSettings
from tasks_local.runtime.workflow import render

WEB_DIR = REPO_ROOT / "web"
APP_DIR = WEB_DIR / "app"
APP_PATH = "/app"
CLIENT_ID = "tasks-web-local"
SCOPE = "openid"


@cache
def serving() -> dict[str, Any]:
    """web/serving.json: the headers every file of the app is sent with, and each extension's type."""
    return json.loads((WEB_DIR / "serving.json").read_text())


def security_headers(idp_origin: str) -> dict[str, str]:
    """The headers with the identity provider's origin filled in (Terraform fills in Cognito's)."""
    return {name: render(value, {"idp_origin": idp_origin}) for name, value in serving()["headers"].items()}


def app_config(idp_url: str, client_id: str) -> dict[str, str]:
    """What the page reads from config.json; infra/modules/web writes the same keys for Cognito."""
    return {
        "authorizationEndpoint": f"{idp_url}{AUTHORIZE_PATH}",
        "tokenEndpoint": f"{idp_url}{TOKEN_PATH}",
        "logoutEndpoint": f"{idp_url}{LOGOUT_PATH}",
        "clientId": client_id,
        "scope": SCOPE,
    }


class WebApp:
    """WSGI, mounted at /app: the files of web/app, read at each request (an edit shows on reload)."""

    def __init__(self, settings: LocalSettings) -> None:
        self._headers = security_headers(settings.api_url)
        self._config = json.dumps(app_config(settings.api_url, CLIENT_ID))

    def __call__(self, environ: dict, start_response: Any) -> Any:
        response = self._respond(Request(environ), environ)
        response.headers.update(self._headers)
        response.headers["Cache-Control"] = "no-cache"
        return response(environ, start_response)

    def _respond(self, request: Request, environ: dict) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response("Method Not Allowed", 405, {"Allow": "GET, HEAD"}, content_type="text/plain")
        if not environ.get("PATH_INFO"):
            return Response(status=308, headers={"Location": f"{APP_PATH}/"})
        name = request.path.lstrip("/") or "index.html"
        if name == "config.json":
            return Response(self._config, content_type="application/json")
        try:
            response = send_from_directory(APP_DIR, name, environ)
        except HTTPException as exc:
            return Response("Not Found", exc.code or 404, content_type="text/plain")
        types = serving()["contentTypes"]
        response.headers["Content-Type"] = types.get(name.rpartition(".")[2], "application/octet-stream")
        return response


def with_web_app(api: Any, settings: LocalSettings, log: Any) -> DispatcherMiddleware:
    """The API stand-in's origin laid out as CloudFront's in AWS: /app/ the web app, the rest the API; and
    the local identity provider's sign-in endpoints (in AWS, Cognito's own domain). The origin policy
    guards them as it guards the API."""
    policy = settings.origin_policy
    sign_in = OriginGuard(AuthorizationServer(settings.state_dir, {CLIENT_ID: settings.web_url}, log), policy)
    return DispatcherMiddleware(
        api,
        {
            APP_PATH: OriginGuard(WebApp(settings), policy),
            AUTHORIZE_PATH.rpartition("/")[0]: sign_in,
            LOGOUT_PATH: sign_in,
        },
    )
