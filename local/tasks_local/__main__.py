"""Command line of the local runtime: `python -m tasks_local dev|token`."""

import argparse
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
    args = parser.parse_args(argv)

    if args.command == "dev":
        from tasks_local.dev import run  # noqa: PLC0415 - moto is imported only when the stack starts

        return run()
    from tasks_local.auth import issue_token  # noqa: PLC0415

    groups = [group.strip() for group in args.groups.split(",") if group.strip()]
    print(issue_token(LocalSettings.from_env().state_dir, args.user, groups, args.ttl))
    return 0


if __name__ == "__main__":
    sys.exit(main())
