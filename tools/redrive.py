"""``make redrive STAGE=dev``: move messages from the dead-letter queue back to the ingest queue.

Bounded (``--max``, default 1000) and counted: each message is sent to the ingest
queue first and deleted from the DLQ only once the send succeeded, so a failure
midway leaves it in the DLQ, never lost (at worst sent twice; the async consumer
is idempotent per Ably message). ``--dry-run`` only counts.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from stacks.config import ConfigError
from tools.stage import StackNotDeployedError, load_config, require, session, stack_outputs

DEFAULT_MAX = 1000
BATCH = 10  # SQS receives and sends at most 10 messages per call
# Long enough to send a batch on and delete it before it reappears in the DLQ.
VISIBILITY_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class RedriveResult:
    """How many messages moved, and how many failed to (still in the DLQ)."""

    moved: int
    failed: int


def redrive(
    sqs: Any,
    *,
    source_url: str,
    target_url: str,
    limit: int = DEFAULT_MAX,
    wait_seconds: int = 1,
    out: Callable[[str], None] = print,
) -> RedriveResult:
    """Move at most ``limit`` messages from ``source_url`` to ``target_url``; stop when empty.

    Bodies and message attributes are kept; SQS gives each moved message a new id.
    """
    moved = failed = 0
    while moved + failed < limit:
        received = sqs.receive_message(
            QueueUrl=source_url,
            MaxNumberOfMessages=min(BATCH, limit - moved - failed),
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=VISIBILITY_TIMEOUT_SECONDS,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            break
        entries = [
            {
                "Id": str(index),
                "MessageBody": message["Body"],
                **(
                    {"MessageAttributes": message["MessageAttributes"]}
                    if message.get("MessageAttributes")
                    else {}
                ),
            }
            for index, message in enumerate(received)
        ]
        sent = sqs.send_message_batch(QueueUrl=target_url, Entries=entries)
        ok = {entry["Id"] for entry in sent.get("Successful", [])}
        failed += len(received) - len(ok)
        if ok:
            sqs.delete_message_batch(
                QueueUrl=source_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                    for index, message in enumerate(received)
                    if str(index) in ok
                ],
            )
        moved += len(ok)
    out(f"moved {moved} message(s) to the ingest queue" + (f"; {failed} failed" if failed else ""))
    return RedriveResult(moved=moved, failed=failed)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make redrive", description=__doc__.split("\n")[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--max", type=int, default=DEFAULT_MAX, help="move at most this many")
    parser.add_argument("--dry-run", action="store_true", help="only count the DLQ's messages")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.stage)
        aws = session(config)
        outputs = stack_outputs(args.stage, aws.client("cloudformation"))
        dlq_url, ingest_url = require(
            outputs, "DeadLetterQueueUrl", "IngestQueueUrl", stage=args.stage
        )
        sqs = aws.client("sqs")
        if args.dry_run:
            attributes = sqs.get_queue_attributes(
                QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]
            print(f"the DLQ holds about {attributes['ApproximateNumberOfMessages']} message(s)")
            return 0
        result = redrive(sqs, source_url=dlq_url, target_url=ingest_url, limit=args.max)
    except (ConfigError, StackNotDeployedError) as exc:
        print(f"chatmod redrive: {exc}", file=sys.stderr)
        return 1
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
