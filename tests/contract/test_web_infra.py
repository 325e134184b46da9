"""The approvers' web app in AWS (infra/modules/web, the Cognito web client) against the app and the local
stack: the same headers and config, the sign-in's URLs the web app's own in every environment, the
notification's link a page of the app, one origin for the page and the API (no CORS granted)."""

import json
import re

import pytest

from tasks_local.runtime.settings import LocalSettings
from tasks_local.runtime.web_app import APP_DIR, WEB_DIR, app_config, security_headers, serving
from tasks_local.runtime.workflow import ASL_PATH, placeholders, workflow_values
from tests.contract.terraform import INFRA, TERRAFORM, blocks, evaluate, parsed

needs_terraform = pytest.mark.skipif(TERRAFORM is None, reason="the terraform CLI is not on PATH")
IDP = "https://tasks.auth.eu-west-1.amazoncognito.com"
WEB = blocks("web", "resource")
SERVING_LOCALS = (
    f'  headers = jsondecode(templatefile("{WEB_DIR / "serving.json"}", {{ idp_origin = "{IDP}" }})).headers'
)


def _expression(value: str) -> str:
    """The HCL expression inside a parsed "${...}" value."""
    assert value.startswith("${"), value
    assert value.endswith("}"), value
    return value[2:-1]


def test_the_notifications_link_opens_the_request_in_the_web_app():
    notification = json.loads(ASL_PATH.read_text())["States"]["RequestApproval"]["Parameters"]["notification"]
    assert notification["approvalUrl.$"] == "States.Format('${web_url}#/tasks/{}', $.detail.task.id)"
    assert re.search(r"#\\/tasks\\/\(\[\^/\]\+\)\$", (APP_DIR / "main.js").read_text()), "the app's route"


def test_terraform_and_the_local_stack_fill_the_links_base_with_the_web_apps_url():
    settings = LocalSettings.from_env()
    assert "web_url" in placeholders(ASL_PATH.read_text())
    assert workflow_values("t", "arn", settings.web_url)["web_url"] == f"{settings.api_url}/app/"
    assert blocks("stack", "module")["workflow"]["web_url"] == "${module.web.web_url}"
    assert blocks("web", "output")["web_url"]["value"].endswith("${local.app_path}")
    assert parsed(INFRA / "modules" / "web" / "main.tf")["locals"][0]["app_path"] == "/app/"


def test_the_web_client_is_public_and_its_only_callback_and_logout_url_is_the_web_apps_in_every_env():
    resource = blocks("api", "resource")["aws_cognito_user_pool_client.this"]
    (clients,) = [
        named["clients"]
        for named in parsed(INFRA / "modules" / "api" / "cognito.tf")["locals"]
        if "clients" in named
    ]
    assert resource["generate_secret"] is False
    assert (
        resource["callback_urls"]
        == resource["logout_urls"]
        == ("${length(each.value.urls) > 0 ? each.value.urls : null}")
    )
    assert (clients["web"]["oauth_flows"], clients["web"]["urls"]) == (["code"], ["${var.web_url}"])
    assert (clients["api"]["oauth_flows"], clients["api"]["urls"]) == ([], [])
    assert blocks("stack", "module")["api"]["web_url"] == "${module.web.web_url}"
    for env in ("dev", "staging", "prod"):
        root = parsed(INFRA / "envs" / env / "main.tf")
        (stack,) = [module["stack"] for module in root["module"] if "stack" in module]
        assert stack["source"] == "../../modules/stack", env


def test_the_api_grants_cors_to_no_origin_since_the_page_shares_its_origin():
    assert "cors_configuration" not in blocks("api", "resource")["aws_apigatewayv2_api.this"]
    assert not [path for path in INFRA.rglob("*.tf*") if "cors" in path.read_text()]


def test_cloudfront_serves_the_app_from_the_private_bucket_and_every_other_path_from_the_api():
    distribution = WEB["aws_cloudfront_distribution.this"]
    origins = {origin["origin_id"]: origin for origin in distribution["origin"]}
    assert origins["app"]["origin_access_control_id"] == "${aws_cloudfront_origin_access_control.this.id}"
    assert origins["api"]["domain_name"] == '${trimprefix(var.api_url, "https://")}'
    (app,) = distribution["ordered_cache_behavior"]
    assert (app["path_pattern"], app["target_origin_id"]) == ("${local.app_path}*", "app")
    assert app["response_headers_policy_id"] == "${aws_cloudfront_response_headers_policy.this.id}"
    api = distribution["default_cache_behavior"][0]
    assert (api["target_origin_id"], api["viewer_protocol_policy"]) == ("api", "https-only")
    reads = blocks("web", "data")["aws_iam_policy_document.cloudfront_reads"]["statement"][0]
    assert reads["actions"] == ["s3:GetObject"]
    assert reads["condition"][0]["values"] == ["${aws_cloudfront_distribution.this.arn}"]


@needs_terraform
def test_terraform_reads_serving_json_as_the_local_stack_does(tmp_path):
    read = evaluate(tmp_path, SERVING_LOCALS, "local.headers")
    assert read == security_headers(IDP)
    assert "connect-src 'self' " + IDP in read["Content-Security-Policy"]


@needs_terraform
def test_the_response_headers_policy_sends_every_header_of_serving_json(tmp_path):
    policy = WEB["aws_cloudfront_response_headers_policy.this"]
    security = policy["security_headers_config"][0]
    named = {
        "Content-Security-Policy": security["content_security_policy"][0]["content_security_policy"],
        "X-Frame-Options": security["frame_options"][0]["frame_option"],
        "Referrer-Policy": security["referrer_policy"][0]["referrer_policy"],
    }
    hsts = security["strict_transport_security"][0]
    expressions = {name: _expression(value) for name, value in named.items()} | {
        "max_age": _expression(hsts["access_control_max_age_sec"]),
        "include_subdomains": _expression(hsts["include_subdomains"]),
        "nosniff": _expression(security["content_type_options"][0]["override"]),
        "custom": "{ for name, value in local.headers : name => value"
        " if !contains(local.security_headers, name) }",
    }
    web_locals = parsed(INFRA / "modules" / "web" / "cloudfront.tf")["locals"][0]
    security_names = json.dumps(web_locals["security_headers"])
    hcl = f"{SERVING_LOCALS}\n  security_headers = {security_names}"
    evaluated = evaluate(tmp_path, hcl, "{" + ", ".join(f'"{k}" = {v}' for k, v in expressions.items()) + "}")
    headers = security_headers(IDP)
    assert {name: evaluated[name] for name in named} == {name: headers[name] for name in named}
    assert (evaluated["max_age"], evaluated["include_subdomains"], evaluated["nosniff"]) == (
        63072000,
        True,
        True,
    )
    assert set(evaluated["custom"]) | set(web_locals["security_headers"]) == set(headers)
    assert evaluated["custom"] == {name: headers[name] for name in evaluated["custom"]}


@needs_terraform
def test_the_config_terraform_writes_is_the_one_the_local_stack_serves_for_the_same_provider(tmp_path):
    content = _expression(WEB["aws_s3_object.config"]["content"]).replace(
        "var.identity_provider", "local.idp"
    )
    written = evaluate(tmp_path, f'  idp = {{ url = "{IDP}", client_id = "web-client" }}', content)
    assert json.loads(written) == app_config(IDP, "web-client")


def test_every_file_of_the_app_has_a_content_type_and_the_app_ships_no_config_of_its_own():
    extensions = {path.suffix.lstrip(".") for path in APP_DIR.rglob("*") if path.is_file()}
    assert extensions <= serving()["contentTypes"].keys()
    assert not (APP_DIR / "config.json").exists(), "config.json is each environment's, written by its server"
