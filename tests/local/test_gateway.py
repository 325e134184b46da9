"""The local API Gateway's access log: one line per request, whatever the URL holds."""

import io

from werkzeug.test import Client

from tasks_local.runtime.gateway import HttpApiGateway
from tasks_local.runtime.identity import JwtAuthorizer


def test_control_characters_in_a_url_cannot_forge_a_log_line_or_drive_the_terminal(tmp_path):
    log = io.StringIO()
    gateway = HttpApiGateway([], JwtAuthorizer(tmp_path), log)

    Client(gateway).get("/health%0ADELETE%20/tasks/7f1c%20-%3E%20204%1B%5B2J")

    [line] = log.getvalue().splitlines()
    assert line.startswith("GET /health\\x0aDELETE /tasks/7f1c -> 204\\x1b[2J -> 404")
    assert "\x1b" not in line
