"""The web app as `make dev` serves it: beside the API on the API stand-in's origin, with web/serving.json's
headers and types, a config.json naming the local sign-in, nothing outside web/app, and the origin policy
in front of it as in front of the API."""

import io

import pytest
from werkzeug.test import Client

from tasks_local.runtime.gateway import HttpApiGateway
from tasks_local.runtime.identity import JwtAuthorizer
from tasks_local.runtime.settings import LocalSettings
from tasks_local.runtime.web_app import APP_DIR, CLIENT_ID, app_config, security_headers, with_web_app


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> LocalSettings:
    return LocalSettings(
        aws_port=4599, api_port=3099, region="us-east-1", state_dir=tmp_path_factory.mktemp("s")
    )


@pytest.fixture(scope="module")
def site(settings) -> Client:
    api = HttpApiGateway([], JwtAuthorizer(settings.state_dir), io.StringIO(), settings.origin_policy)
    return Client(with_web_app(api, settings, io.StringIO()))


def test_the_page_is_served_with_every_security_header_and_no_caching(site, settings):
    page = site.get("/app/")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Cache-Control"] == "no-cache"
    for name, value in security_headers(settings.api_url).items():
        assert page.headers[name] == value
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]


def test_each_file_has_its_type_and_the_app_path_without_a_slash_moves_to_it(site):
    assert site.get("/app/main.js").headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert site.get("/app/style.css").headers["Content-Type"] == "text/css; charset=utf-8"
    moved = site.get("/app")
    assert (moved.status_code, moved.headers["Location"]) == (308, "/app/")


def test_the_config_names_the_local_sign_in_on_the_stacks_origin(site, settings):
    config = site.get("/app/config.json").get_json()
    assert config == app_config(settings.api_url, CLIENT_ID)
    assert config["tokenEndpoint"] == f"{settings.api_url}/oauth2/token"


@pytest.mark.parametrize("path", ["/app/../pyproject.toml", "/app/%2e%2e/serving.json", "/app/nothing.js"])
def test_nothing_outside_web_app_is_served(site, path):
    assert site.get(path).status_code == 404


def test_the_page_takes_no_writes(site):
    assert site.post("/app/").status_code == 405


def test_every_other_path_is_the_api(site):
    response = site.get("/tasks")
    assert (response.status_code, response.get_json()) == (404, {"message": "Not Found"})


@pytest.mark.parametrize("path", ["/app/", "/oauth2/token", "/logout", "/tasks"])
def test_another_origins_page_is_refused_everywhere_on_the_origin(site, path):
    assert site.get(path, headers={"Origin": "https://evil.example"}).status_code == 403


def test_the_served_files_are_the_ones_in_web_app(site):
    assert site.get("/app/auth.js").get_data() == (APP_DIR / "auth.js").read_bytes()
