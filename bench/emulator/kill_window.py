"""What a `kill -9` of `make dev` loses: writes the API answered that are gone after a restart.

Run: .venv/bin/python -m bench.emulator.kill_window [--rounds 5] [--writers 4] [--seconds 3]

Each round starts `make dev` on a new state directory, has `--writers` clients create tasks through the
API as fast as it answers, and some time into it (between half and one and a half `--seconds`, varied
per round) kills every process of the stack with SIGKILL, the writes still coming. It then starts the
stack again on the same state and reads back every task a 201 answered: one that is not there is lost.
Tasks that are there though no 201 reached their client (written, then the answer died with the stack)
are counted apart: a client that saw no answer does not know, and retries.

The emulator writes each change to the journal with one write(2) before it answers, so a killed process
loses none of them; what a power cut could lose (the page cache, up to the last fsync, once a second)
this bench cannot produce.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench._common import REPO_ROOT, format_table, report_machine
from bench._dev_stack import dev_stack, stack_environment
from tasks_local.runtime.identity import issue_token


class Writers:
    """Clients creating tasks until the stack is gone; the ids of the ones a 201 answered."""

    def __init__(self, api_url: str, token: str, count: int) -> None:
        self.api_url, self.token = api_url, token
        self.answered: list[str] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._write, args=(n,), daemon=True) for n in range(count)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=60)

    def _write(self, writer: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token}"
        for number in range(1_000_000):
            try:
                response = session.post(
                    f"{self.api_url}/tasks", json={"title": f"kill window {writer}.{number}"}, timeout=10
                )
            except requests.RequestException:
                return  # the stack is gone
            if response.status_code == 201:
                with self._lock:
                    self.answered.append(response.json()["id"])


def one_round(writers: int, kill_after: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as state:
        env = stack_environment(Path(state))
        token = issue_token(Path(state), "alice", [], 600)
        with dev_stack(REPO_ROOT, env) as stack:
            clients = Writers(stack.api_url, token, writers)
            clients.start()
            time.sleep(kill_after)
            stack.kill()
            clients.join()
        with dev_stack(REPO_ROOT, env) as stack:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {token}"
            lost = sum(
                session.get(f"{stack.api_url}/tasks/{task_id}", timeout=10).status_code == 404
                for task_id in clients.answered
            )
            dynamodb = stack.client("dynamodb")
            held = dynamodb.scan(TableName=stack.tables()["tasks"], Select="COUNT")["Count"]
    return {
        "killed_after_s": kill_after,
        "answered": len(clients.answered),
        "lost": lost,
        "written_unanswered": held - (len(clients.answered) - lost),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="kills (default 5)")
    parser.add_argument("--writers", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("--seconds", type=float, default=3.0, help="about how long they write (default 3)")
    args = parser.parse_args()
    moments = random.Random(18)
    rows, runs = [], []
    for round_number in range(args.rounds):
        result = one_round(args.writers, args.seconds * moments.uniform(0.5, 1.5))
        runs.append(result)
        rows.append([round_number + 1, *result.values()])
        print(f"round {round_number + 1}: {result}", flush=True)
    total = [sum(run[key] for run in runs) for key in ("answered", "lost", "written_unanswered")]
    rows.append(["all", None, *total])
    print(
        format_table(
            f"kill -9 of make dev while {args.writers} clients create tasks, then a restart",
            ["round", "killed after s", "answered 201", "lost", "written, unanswered"],
            rows,
        )
    )
    report_machine(None, runs=runs)


if __name__ == "__main__":
    main()
