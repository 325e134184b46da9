"""Command line of the local runtime: `python -m tasks_local dev|token|publish|invoke|queues|seed`."""

import argparse
import os
import sys

from tasks_local.settings import LocalSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tasks_local", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dev", help="run the whole system locally")
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
    args = parser.parse_args(argv)

    if args.command == "dev":
        from tasks_local.dev import StartupError, run  # noqa: PLC0415 - moto is imported only when needed

        try:
            status = run()
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
    if args.command == "seed":
        from tasks_local import seed as seeding  # noqa: PLC0415

        return seeding.main(args.count, args.user, args.seed)
    if args.command in ("publish", "invoke", "queues"):
        from tasks_local import tools  # noqa: PLC0415

        try:
            settings = LocalSettings.from_env()
            if args.command == "publish":
                return tools.publish(settings, args.event)
            if args.command == "queues":
                return tools.queues(settings)
            return tools.invoke(settings, args.function, args.event)
        except BrokenPipeError:
            raise  # not an error of ours: see the end of this module
        except (tools.StackNotRunning, OSError, ValueError, KeyError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    from tasks_local.auth import issue_token  # noqa: PLC0415

    if not args.user.strip():
        parser.error("a user is required: make token USER=alice")
    groups = [group.strip() for group in args.groups.split(",") if group.strip()]
    print(issue_token(LocalSettings.from_env().state_dir, args.user, groups, args.ttl))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `make -s queues | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
