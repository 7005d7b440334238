"""Bans enforced from the table: the bans stream drives the ban-revoker, with a failure queue."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.nag import acknowledge

# Ably revokes at most 100 targets per call: a full batch is one call.
BATCH_SIZE = 100
# Bounded retries of a failing record (after bisecting the batch around it).
RETRY_ATTEMPTS = 5
# Revocable tokens live at most an hour: a ban older than that has outlived every
# token issued before it (and /token refuses new ones), so revoking is moot.
MAX_RECORD_AGE = Duration.hours(1)
# Removals (unban, TTL expiry) never revoke; filtering them out saves invocations.
EVENT_NAMES = ("INSERT", "MODIFY")


class BanRevocation(Construct):
    """Every write to the bans table reaches ``function``; failures end in ``failure_queue``.

    The event source reads the stream from the latest record, reports failures per
    record (``ReportBatchItemFailures``), bisects a failing batch, retries a record
    ``RETRY_ATTEMPTS`` times or until it is ``MAX_RECORD_AGE`` old, and then sends
    its description (shard and sequence numbers, not the item) to the failure queue.

    Attributes:
        failure_queue: records whose tokens could not be revoked (SSE, TLS only).
        event_source: the stream event source of ``function``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.ITable,
        function: lambda_.IFunction,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.failure_queue = sqs.Queue(
            self,
            "FailureQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            removal_policy=removal_policy,
        )
        acknowledge(
            self.failure_queue,
            "AwsSolutions-SQS3",
            "This queue is itself the on-failure destination (dead letters) of the ban-revoker's "
            "stream event source; nothing consumes it automatically, and an alarm fires as soon "
            "as it holds a message.",
        )
        self.event_source = sources.DynamoEventSource(
            table,
            starting_position=lambda_.StartingPosition.LATEST,
            batch_size=BATCH_SIZE,
            retry_attempts=RETRY_ATTEMPTS,
            bisect_batch_on_error=True,
            report_batch_item_failures=True,
            max_record_age=MAX_RECORD_AGE,
            on_failure=sources.SqsDlq(self.failure_queue),
            filters=[
                lambda_.FilterCriteria.filter({"eventName": lambda_.FilterRule.or_(*EVENT_NAMES)})
            ],
        )
        function.add_event_source(self.event_source)
