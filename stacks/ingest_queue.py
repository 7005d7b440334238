"""The SQS queue an Ably integration rule feeds, with its dead-letter queue."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_sqs as sqs
from constructs import Construct


class IngestQueue(Construct):
    """Ingest queue + DLQ: SQS-managed encryption, TLS only, redrive after ``max_receive_count``.

    Attributes:
        queue: the queue Ably's SQS rule sends to.
        dead_letter_queue: where messages land after ``max_receive_count`` failed receives.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        consumer_timeout: Duration,
        batching_window: Duration,
        max_receive_count: int,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            removal_policy=removal_policy,
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=self.visibility_timeout_for(consumer_timeout, batching_window),
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=max_receive_count
            ),
            removal_policy=removal_policy,
        )

    @staticmethod
    def visibility_timeout_for(consumer_timeout: Duration, batching_window: Duration) -> Duration:
        """Six times the consumer's timeout plus its batching window (AWS's guidance for
        Lambda event sources), so a throttled or retried batch is not redelivered while
        it is still being processed."""
        return Duration.seconds(6 * consumer_timeout.to_seconds() + batching_window.to_seconds())
