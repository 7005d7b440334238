"""Async moderation: drains the SQS queue Ably's integration rule feeds (partial batch failures)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.errors import NotImplementedYetError
from chatmod.observability import logger, metrics, tracer

# All-failed batches are reported item by item rather than raised, so SQS keeps
# each message and redrives it to the DLQ after maxReceiveCount: nothing is dropped.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def moderate_record(record: SQSRecord) -> None:
    """Not built yet: every record is reported failed, so SQS keeps it (and the DLQ catches it)."""
    raise NotImplementedYetError("async moderation is not implemented yet")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=moderate_record, processor=processor, context=context
    )
