"""Command line of the tools that build, check, release and operate the product, behind the Makefile's
ops and quality targets: `python -m tasks_ops <command>`. Each command imports only what it needs, so
the ops extra alone (`pip install .[ops]`, no emulator, no test tools) runs build, plan, deploy,
rollback, smoke and reindex against AWS."""

import argparse
import importlib
import sys
from collections.abc import Callable
from typing import Any


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tasks_ops", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("package", help="build dist/: one zip per function and the dependency layer")
    terraform = commands.add_parser("terraform", help="plan or apply one environment, or say what is missing")
    terraform.add_argument("action", choices=["plan", "apply"])
    terraform.add_argument("--env", required=True, help="dev, staging or prod (ENV)")
    rollback = commands.add_parser("rollback", help="point `live` back at the previous version in AWS")
    rollback.add_argument("--env", required=True, help="dev, staging or prod (ENV)")
    rollback.add_argument("--function", required=True, help="a function's name, or all (FN)")
    smoke = commands.add_parser("smoke", help="health, CRUD with If-Match and approval round trips")
    smoke.add_argument("--env", default=None, help="a deployed environment: its URL and Cognito sign-in")
    reindex = commands.add_parser("reindex", help="rebuild the listing views from the tasks table")
    reindex.add_argument("--env", default=None, help="a deployed environment (default: the local stack)")
    cost = commands.add_parser("cost", help="monthly cost at low traffic and per million task writes")
    cost.add_argument("--env", default=None, help="one environment's bill (default: the three side by side)")
    cost.add_argument("--prices", default="us-east-1", help="the region of infra/pricing/<region>.json")
    commands.add_parser("diagram", help="write the workflow's Mermaid diagram into its docs")
    commands.add_parser("lint-workflow", help="statelint and our own checks on the approval ASL")
    lint_infra = commands.add_parser("lint-infra", help="parse every .tf, terraform fmt -check, checkov")
    lint_infra.add_argument("--checkov", required=True, help="the checkov executable (its own virtualenv)")
    lint_openapi = commands.add_parser("lint-openapi", help="Redocly's recommended rules on the API document")
    lint_openapi.add_argument("document", help="the document GET /openapi.json serves, as a file")
    commands.add_parser("mutation", help="mutation testing of the business rules against the unit tests")
    return parser


# Each command: the module that runs it (imported only when chosen) and how its entry point is called.
_COMMANDS: dict[str, tuple[str, Callable[[Any, argparse.Namespace], int]]] = {
    "package": ("tasks_ops.build", lambda module, _args: module.main()),
    "terraform": ("tasks_ops.terraform", lambda module, args: module.main(args.action, args.env)),
    "rollback": ("tasks_ops.traffic", lambda module, args: module.rollback(args.env, args.function)),
    "smoke": ("tasks_ops.smoke", lambda module, args: module.main(args.env)),
    "reindex": ("tasks_ops.reindex", lambda module, args: module.main(args.env)),
    "cost": ("tasks_ops.cost.report", lambda module, args: module.main(args.env, args.prices)),
    "diagram": ("tasks_ops.checks.diagram", lambda module, _args: module.main()),
    "lint-workflow": ("tasks_ops.checks.workflow", lambda module, _args: module.main()),
    "lint-infra": ("tasks_ops.checks.infra", lambda module, args: module.main(args.checkov)),
    "lint-openapi": ("tasks_ops.checks.openapi", lambda module, args: module.main(args.document)),
    "mutation": ("tasks_ops.checks.mutation", lambda module, _args: module.main()),
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    module, call = _COMMANDS[args.command]
    return call(importlib.import_module(module), args)


if __name__ == "__main__":
    sys.exit(main())
