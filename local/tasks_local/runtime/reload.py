"""What a saved file changes in the running stack, applied the way a deploy would apply it:

- a file under `services/<function>/`: that function's next invocation starts a new container
  (runtime/functions.py); its `function.yml` is read again first (environment, handler, timeout, and
  the API's routes);
- a file under `shared/` or `events/catalog/`: every function's next invocation starts a new container;
- `statemachines/approval.asl.json`: UpdateStateMachine (new executions run it, running ones keep theirs);
- `events/rules.json`: PutRule and PutTargets for each rule, DeleteRule for a rule taken out.

What `make dev` creates only at start (queues, stream and queue pollers, tables, the archive, a new
function) is not created here: such a change is reported as needing a restart, never ignored silently.
"""

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from tasks_local.runtime.bus import EventResources, read_rules, rules_definition, update_rules
from tasks_local.runtime.functions import LocalFunction, shown
from tasks_local.runtime.gateway import HttpApiGateway, routes_of
from tasks_local.runtime.manifest import Manifest, load, process_environment
from tasks_local.runtime.settings import REPO_ROOT
from tasks_local.runtime.source_modules import PROCESS_MODULES, SourceModules
from tasks_local.runtime.source_watch import SourceWatcher
from tasks_local.runtime.workflow import Workflow, update_workflow

_RESTART = "restart `make dev` to apply it"
_WATCH_START_SECONDS = 5.0  # watching a few hundred folders takes milliseconds; a broken watcher says why


@dataclass(frozen=True)
class SourceLayout:
    """Where the files the stack is built from are, under the repository's root."""

    root: Path = REPO_ROOT

    @property
    def services(self) -> Path:
        return self.root / "services"

    @property
    def shared(self) -> Path:
        return self.root / "shared"

    @property
    def catalog(self) -> Path:
        return self.root / "events" / "catalog"

    @property
    def rules(self) -> Path:
        return self.root / "events" / "rules.json"

    @property
    def state_machine(self) -> Path:
        return self.root / "statemachines" / "approval.asl.json"

    @property
    def tables(self) -> Path:
        return self.shared / "tasks_shared" / "definitions" / "tables.json"

    @property
    def watched(self) -> list[Path]:
        return [self.services, self.shared, self.catalog.parent, self.state_machine.parent]


def _triggers(manifest: Manifest) -> list[dict[str, Any]]:
    """The event sources `make dev` maps at start (its pollers and their queues): all but the routes."""
    return [event for event in manifest.events if "httpApi" not in event]


@dataclass
class RunningStack:
    """The parts of the running stack a saved file can change."""

    functions: dict[str, LocalFunction]
    gateway: HttpApiGateway
    names: dict[str, Any]  # the manifests' placeholder values
    resources: EventResources
    workflow: Workflow
    prefix: str


class StackReloader:
    def __init__(
        self,
        stack: RunningStack,
        log: Any,
        *,
        layout: SourceLayout | None = None,
        modules: SourceModules = PROCESS_MODULES,
        client: Callable[[str], Any] = boto3.client,
        rules: dict[str, Any] | None = None,
    ) -> None:
        self.stack, self.log, self.modules, self.client = stack, log, modules, client
        self.layout = layout or SourceLayout()
        self._started_with = rules if rules is not None else rules_definition()
        self._rule_names = set(self._started_with["rules"])  # the rules the bus has now
        self._environment = process_environment(f.manifest for f in stack.functions.values())

    def apply(self, saved: set[Path]) -> None:
        """Everything a batch of saved files changes (`saved`: absolute paths, deleted ones too)."""
        for path in sorted(saved):
            if path.name == "function.yml" and path.parent.parent == self.layout.services:
                self._reload_manifest(path)
        shared = sorted(
            p for p in saved if p.is_relative_to(self.layout.shared) or p.is_relative_to(self.layout.catalog)
        )
        if shared:
            self.modules.expire(self.layout.shared)
            for function in self.stack.functions.values():
                function.expire(shared)
            self._say(
                shared,
                f"the next invocation of each function ({len(self.stack.functions)}) starts a new container",
            )
        for function in self.stack.functions.values():
            own = sorted(path for path in saved if path.is_relative_to(function.manifest.folder))
            if own:
                function.expire(own)
                self._say(own, f"the next invocation of {function.manifest.name} starts a new container")
        if self.layout.tables in saved:
            self._say([self.layout.tables], f"the tables are created at start: {_RESTART}")
        if self.layout.state_machine in saved:
            self._update_workflow()
        if self.layout.rules in saved:
            self._update_rules()

    def _say(self, paths: list[Path], what: str) -> None:
        self.log.write(f"saved {', '.join(shown(path) for path in paths)}: {what}\n")

    def _reload_manifest(self, path: Path) -> None:
        function = next((f for f in self.stack.functions.values() if f.manifest.folder == path.parent), None)
        try:
            manifest = load(path, self.stack.names) if path.exists() else None
        except Exception as exc:  # whatever is wrong with the saved file, it is said, and nothing changes
            self._say([path], f"not applied: {type(exc).__name__}: {exc}")
            return
        if function is None or manifest is None or manifest.name != function.manifest.name:
            self._say([path], f"`make dev` loads its functions at start: {_RESTART}")
            return
        others = [f.manifest for f in self.stack.functions.values() if f is not function]
        try:
            environment = process_environment([*others, manifest])
        except ValueError as exc:
            self._say([path], f"not applied: {exc}")
            return
        for key in self._environment.keys() - environment.keys():
            os.environ.pop(key, None)
        os.environ.update(environment)
        self._environment = environment
        previous, function.manifest = function.manifest, manifest
        self.stack.gateway.routes = [r for f in self.stack.functions.values() for r in routes_of(f)]
        self._say([path], f"{manifest.name}'s environment, handler and routes applied")
        if _triggers(manifest) != _triggers(previous):
            self._say([path], f"{manifest.name}'s queue and stream triggers are set up at start: {_RESTART}")
        if manifest.iam != previous.iam:
            self._say([path], "IAM is not enforced by `make dev` (tests/contract/test_iam.py checks it)")

    def _update_workflow(self) -> None:
        path = self.layout.state_machine
        try:
            update_workflow(self.stack.workflow, path, self.client)
        except ClientError as exc:  # moto parses the ASL as Step Functions does (its error code is empty)
            message = exc.response["Error"].get("Message", "").partition(" expecting {")[0]
            self._say([path], f"not applied: UpdateStateMachine refused it: {message[:300]}")
        except Exception as exc:  # the file is gone, or a placeholder has no value
            self._say([path], f"not applied: {type(exc).__name__}: {exc}")
        else:
            self._say([path], "state machine updated (UpdateStateMachine): new executions run it")

    def _update_rules(self) -> None:
        path = self.layout.rules
        try:
            definition = read_rules(path)
            applied, deleted = update_rules(
                self.client("events"),
                self.stack.prefix,
                self.stack.resources,
                definition["rules"],
                existing=self._rule_names,
            )
        except Exception as exc:  # a file that is not JSON, a rule without its keys, a pattern refused
            self._say([path], f"not applied (or in part): {type(exc).__name__}: {exc}")
            return
        self._rule_names = (self._rule_names - set(deleted)) | set(applied)
        self._say(
            [path],
            f"rules put (PutRule, PutTargets): {', '.join(applied) or 'none'}"
            + (f"; deleted: {', '.join(deleted)}" if deleted else ""),
        )
        for name in sorted(definition["rules"].keys() - set(applied)):
            self._say([path], f"rule {name} targets a queue the stack does not have: {_RESTART}")
        if _set_at_start(definition) != _set_at_start(self._started_with):
            self._say([path], f"the archive and the approval executions' names are set at start: {_RESTART}")


def _set_at_start(rules: dict[str, Any]) -> list[Any]:
    """What of rules.json `make dev` applies only when it starts."""
    names = sorted(json.dumps(rule["target"].get("executionName")) for rule in rules["rules"].values())
    return [rules.get("archive"), names]


def start_reloading(stack: RunningStack, stop: threading.Event, log: Any) -> SourceWatcher:
    """Watch the sources and apply each save to `stack`; returns once saves are seen (or cannot be)."""
    reloader = StackReloader(stack, log)
    watcher = SourceWatcher(reloader.layout.watched, reloader.apply, stop, log)
    watcher.start()
    if watcher.settled.wait(timeout=_WATCH_START_SECONDS) and watcher.watching:
        folders = ", ".join(f"{shown(folder)}/" for folder in watcher.folders)
        log.write(f"watching {folders}: a save applies to the next invocation, no restart\n")
    return watcher
