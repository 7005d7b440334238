"""The ``bannedUsers`` stream: revoke the Ably tokens of every user banned anew or for longer.

Whatever wrote the ban — the strike ladder on any path, a moderator, an operator in
the console — DynamoDB Streams (NEW_AND_OLD_IMAGES) delivers the write here; the
decision and the revocation are :func:`chatmod.enforcement.revocation.enforce_bans`'s.
Partial batch responses: a record whose revocation failed is reported, so the event
source retries it (bounded, bisecting) and then sends it to the failure queue,
while the rest of the batch is done.
"""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.adapters.ably.client import gateway_for
from chatmod.adapters.audit_log import AuditLog
from chatmod.adapters.parameters import get_policy
from chatmod.core.errors import BadRequestError, UpstreamError
from chatmod.core.observability import logger, metrics, tracer
from chatmod.core.settings import get_settings
from chatmod.enforcement.bans import MalformedBanError
from chatmod.enforcement.revocation import BanChange, enforce_bans

# Failures are reported record by record (never raised for the whole batch), so
# the event source retries exactly those and the rest of the batch stays done.
processor = BatchProcessor(
    event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
)
# Kept back from the invocation's deadline for the audit writes after Ably answers.
AUDIT_RESERVE_S = 3.0
MIN_ABLY_BUDGET_S = 1.0


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """Entry point for the bans table's stream event source mapping.

    Raises:
        ServiceUnavailableError: the policy or the Ably key cannot be read; the
            whole batch is retried.
    """
    settings = get_settings()
    policy = get_policy(settings)
    records = [DynamoDBRecord(raw) for raw in event.get("Records") or []]
    changes, malformed = _changes(records)
    budget = context.get_remaining_time_in_millis() / 1000 - AUDIT_RESERVE_S
    result = enforce_bans(
        list(changes.values()),
        revoke_on_ban=policy.bans.revoke_tokens_on_ban,
        gateway=lambda: gateway_for(settings),
        audit=AuditLog.from_table_name(settings.audit_table),
        now=time.time(),
        deadline=time.monotonic() + max(MIN_ABLY_BUDGET_S, budget),
    )
    if result.revoked:
        metrics.add_metric(name="TokensRevoked", unit=MetricUnit.Count, value=len(result.revoked))
    if result.failed:
        metrics.add_metric(
            name="TokenRevocationFailed", unit=MetricUnit.Count, value=len(result.failed)
        )
        for client_id, why in result.failed.items():
            logger.error("tokens not revoked", extra={"clientId": client_id, "error": why})
    logger.info(
        "ban changes processed",
        extra={
            "records": len(records),
            "revoked": len(result.revoked),
            "failed": len(result.failed),
            "unchanged": result.unchanged,
            "malformed": len(malformed),
        },
    )

    def confirm(record: DynamoDBRecord) -> None:
        """Fail the record whose change could not be enforced (Powertools reports it)."""
        key = _sequence(record)
        if key in malformed:
            raise BadRequestError(malformed[key], code="malformed_ban")
        client_id = changes[key].client_id
        if client_id in result.failed:
            raise UpstreamError(result.failed[client_id], code="revocation_failed")

    return process_partial_response(
        event=event, record_handler=confirm, processor=processor, context=context
    )


def _changes(records: list[DynamoDBRecord]) -> tuple[dict[str, BanChange], dict[str, str]]:
    """Each record as a ban change by sequence number, and the unreadable ones with why."""
    changes: dict[str, BanChange] = {}
    malformed: dict[str, str] = {}
    for record in records:
        key = _sequence(record)
        stream = record.dynamodb
        try:
            if stream is None:
                raise MalformedBanError("the stream record has no 'dynamodb' body")
            changes[key] = BanChange.from_images(stream.keys, stream.old_image, stream.new_image)
        except MalformedBanError as exc:
            logger.error("unreadable bans table item", extra={"sequence": key, "error": str(exc)})
            malformed[key] = str(exc)
    return changes, malformed


def _sequence(record: DynamoDBRecord) -> str:
    # What Powertools reports as the failed item's identifier.
    stream = record.dynamodb
    return str(stream.sequence_number if stream is not None else record.event_id)
