"""Command line of the local stack, behind the Makefile's local targets: `python -m tasks_local <command>`.

The stack itself (`dev`), the commands that talk only to a running one, and the API's document and
generated client for REST callers (`openapi`, `client`); what builds, releases and operates in AWS is
`python -m tasks_ops`."""

import argparse
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from tasks_local.runtime.settings import LocalSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tasks_local", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    dev = commands.add_parser("dev", help="run the whole system locally, with the state it kept")
    dev.add_argument("--fresh", action="store_true", help="start empty, the kept state set aside (FRESH=1)")
    commands.add_parser("reset", help="delete the state the local stack kept on AWS_PORT")
    token = commands.add_parser("token", help="print a bearer token accepted by the local API")
    token.add_argument("--user", required=True, help="the token's subject (user id)")
    token.add_argument("--groups", default="", help="comma-separated groups, e.g. approvers,admins")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds (default 3600)")
    publish = commands.add_parser("publish", help="put an event file on the running local bus")
    publish.add_argument("event", help="an event in the shape EventBridge delivers it")
    invoke = commands.add_parser("invoke", help="invoke one function with an event file")
    invoke.add_argument("function", help="the function's name (its folder under services/)")
    invoke.add_argument("event", help="the event file")
    commands.add_parser("queues", help="show the local queues' depths and why dead letters are dead")
    seed = commands.add_parser("seed", help="create demo tasks through the running local API")
    seed.add_argument("--count", default="100", help="how many tasks (N, a positive integer; default 100)")
    seed.add_argument("--user", default="", help="a user who owns a good share of them (USER)")
    seed.add_argument("--seed", default=None, help="any text: the same seed gives the same content")
    approve = commands.add_parser("approve", help="decide a task's approval request as an approver")
    approve.add_argument("--task", required=True, help="the task's id (TASK)")
    approve.add_argument("--user", required=True, help="the approver (USER)")
    approve.add_argument("--decision", default="approve", help="approve or reject (DECISION)")
    approve.add_argument("--comment", default="", help="why (COMMENT, optional)")
    approvals = commands.add_parser("approvals", help="what awaits approval, oldest request first")
    approvals.add_argument("--user", required=True, help="the approver who looks (USER)")
    commands.add_parser("demo", help="the approval story against the running stack, each step checked")
    openapi = commands.add_parser("openapi", help="write the OpenAPI document GET /openapi.json serves")
    openapi.add_argument("--out", default=None, help="the file to write (default dist/openapi.json)")
    commands.add_parser("client", help="generate the API's typed Python client into dist/tasks-api-client")
    return parser


def _dev(args: argparse.Namespace) -> int:
    from tasks_local.runtime.dev import StartupError, run  # noqa: PLC0415 - moto is imported only when needed

    try:
        status = run(fresh=args.fresh)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        status = 2
    except KeyboardInterrupt:  # Ctrl-C before the stack was ready
        status = 130
    # Everything is stopped and flushed: skip the interpreter's teardown of moto's thousands of
    # objects, which takes seconds on a busy machine, so Ctrl-C and SIGTERM return at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _reset(_args: argparse.Namespace) -> int:
    """`make reset`: the kept state of the stack on AWS_PORT deleted (a stopped stack's; a running one
    would write it again)."""
    from tasks_local.clients.stack import StackNotRunning, running_stack  # noqa: PLC0415

    settings = LocalSettings.from_env()
    try:
        running_stack(settings)
    except StackNotRunning:
        pass
    else:
        print(f"error: the stack on AWS_PORT={settings.aws_port} is running: stop it first", file=sys.stderr)
        return 2
    directory = settings.state_directory
    if not directory.exists():
        print(f"nothing kept in {directory}")
        return 0
    shutil.rmtree(directory)
    print(f"deleted {directory}: the next `make dev` starts empty")
    return 0


def _token(args: argparse.Namespace) -> int:
    from tasks_local.runtime.identity import issue_token  # noqa: PLC0415

    if not args.user.strip():
        raise ValueError("a user is required: make token USER=alice")
    groups = [group.strip() for group in args.groups.split(",") if group.strip()]
    print(issue_token(LocalSettings.from_env().state_dir, args.user, groups, args.ttl))
    return 0


def _seed(args: argparse.Namespace) -> int:
    from tasks_local.clients import seed  # noqa: PLC0415

    return seed.main(args.count, args.user, args.seed)


def _openapi(args: argparse.Namespace) -> int:
    from tasks_local.clients import generated_client  # noqa: PLC0415 - imports the API's handler

    print(generated_client.write_document(*([Path(args.out)] if args.out else [])))
    return 0


def _client(_args: argparse.Namespace) -> int:
    from tasks_local.clients import generated_client  # noqa: PLC0415 - imports the API's handler

    return generated_client.main()


def _stack_command(args: argparse.Namespace) -> int:
    """The commands that work against the running stack; their mistakes and failures are one line."""
    from tasks_local.clients import approvals, demo, event_tools  # noqa: PLC0415
    from tasks_local.clients.api import ApiError  # noqa: PLC0415
    from tasks_local.clients.stack import StackNotRunning  # noqa: PLC0415

    settings = LocalSettings.from_env()
    commands: dict[str, Callable[[], int]] = {
        "publish": lambda: event_tools.publish(settings, args.event),
        "invoke": lambda: event_tools.invoke(settings, args.function, args.event),
        "queues": lambda: event_tools.queues(settings),
        "approve": lambda: approvals.approve(
            settings, args.task, args.user, decision=args.decision, comment=args.comment
        ),
        "approvals": lambda: approvals.approvals(settings, args.user),
        "demo": lambda: demo.demo(settings),
    }
    try:
        return commands[args.command]()
    except BrokenPipeError:
        raise  # not an error of ours: see the end of this module
    except (StackNotRunning, OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ApiError, demo.DemoFailed) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "dev": _dev,
    "reset": _reset,
    "token": _token,
    "seed": _seed,
    "openapi": _openapi,
    "client": _client,
}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _COMMANDS.get(args.command, _stack_command)(args)
    except ValueError as exc:
        parser.error(str(exc))
        raise  # parser.error exits


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `make -s queues | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
