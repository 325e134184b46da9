"""moto's SQS as it is against the local fix (tasks_local.moto_fixes.sqs), in one run.

    .venv/bin/python -m bench.emulator.sqs [--depths 0 1000 4000] [--samples 10] [--json results.json]

In-process moto, one standard queue per depth, filled straight into the backend with that many
visible messages of 500 bytes. At each depth, moto as it is and the fix in turn (interleaved, sample
by sample): the p50 of a SendMessage, and of a ReceiveMessage of 10 with VisibilityTimeout 0 (so the
queue keeps its depth), through boto3.
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

import _common
import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sqs.models import sqs_backends

from tasks_local.moto_fixes import sqs as moto_sqs

REGION = "us-east-1"


def _send_and_receive(sqs: Any, url: str) -> tuple[float, float]:
    """Milliseconds of one SendMessage, then of one ReceiveMessage of 10 that leaves them visible."""
    sent, _ = _common.time_ms(lambda: sqs.send_message(QueueUrl=url, MessageBody="y"))
    received, _ = _common.time_ms(
        lambda: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    )
    return sent, received


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[0, 1000, 4000])
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--json", help="write the raw samples (ms) here")
    args = parser.parse_args()
    _common.use_local_environment()

    samples: dict[str, list[float]] = {}
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        backend = sqs_backends[DEFAULT_ACCOUNT_ID][REGION]
        for depth in args.depths:
            name = f"depth-{depth}"
            url = sqs.create_queue(QueueName=name)["QueueUrl"]
            for _ in range(depth):
                backend.send_message(name, "x" * 500)
            print(f"queue of {depth:,} messages...", flush=True)
            for _ in range(args.samples):
                for variant in ("moto", "fix"):
                    with moto_sqs.PATCHES.installed(variant == "fix"):
                        sent, received = _send_and_receive(sqs, url)
                    samples.setdefault(f"{variant}/send/{depth}", []).append(sent)
                    samples.setdefault(f"{variant}/receive/{depth}", []).append(received)

    rows = []
    for depth in args.depths:
        for operation in ("send", "receive"):
            moto_ms = statistics.median(samples[f"moto/{operation}/{depth}"])
            fix_ms = statistics.median(samples[f"fix/{operation}/{depth}"])
            label = "SendMessage" if operation == "send" else "ReceiveMessage of 10"
            rows.append([label, depth, moto_ms, fix_ms, f"{moto_ms / fix_ms:,.1f}x"])
    _common.print_table(
        "moto's SQS as it is vs the local fix (in-process, p50 ms)",
        ["request", "messages in the queue", "moto", "fix", "moto/fix"],
        rows,
    )
    _common.report_machine(args.json, samples_ms=samples)


if __name__ == "__main__":
    main()
