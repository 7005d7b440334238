"""The counter: sums the decisions a log subscription delivers into the counts table.

CloudWatch Logs sends this function the deciding functions' EMF blobs that carry
``roomCounts`` (the subscription filter's pattern), a batch per delivery; local mode
delivers the same events. The delivery is summed per scope and hour first, so a
delivery costs one DynamoDB update per scope and hour (two with offenders), whatever
the number of messages in it (``chatmod.enforcement.counts``).

CloudWatch Logs invokes the function asynchronously, and Lambda would run a failed
invocation again, adding what the first run had added already; so this function never
fails for a store error: what could not be added is logged and counted
(``CountsNotRecorded``), and the stack sets no retries. Counts are for watching
trends; the audit log remains the record of every action.
"""

from __future__ import annotations

import zlib
from binascii import Error as Base64Error
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import CloudWatchLogsEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.adapters.counts_store import CountsStore
from chatmod.core.deadline import Deadline
from chatmod.core.errors import ServiceUnavailableError
from chatmod.core.observability import logger, metrics, tracer
from chatmod.core.settings import get_settings
from chatmod.enforcement.counts import tally_log_events

#: The most one delivery spends, whatever Lambda allows.
RUN_BUDGET_S = 25.0


def counts_store() -> CountsStore:
    """The counts table of this deployment."""
    return CountsStore.from_table_name(get_settings().counts_table)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Add one delivery's counts; never raises for bad input or a store failure."""
    try:
        data = CloudWatchLogsEvent(event).parse_logs_data()
        message_type, log_events = data.message_type, data.log_events
        events = [(int(item.timestamp), str(item.message)) for item in log_events]
    except (KeyError, TypeError, ValueError, Base64Error, zlib.error) as exc:
        # Not a CloudWatch Logs delivery: nothing a second run could read better.
        logger.error("not a log subscription delivery", extra={"error": type(exc).__name__})
        metrics.add_metric(name="CountsNotRecorded", unit=MetricUnit.Count, value=1)
        return {"events": 0, "updates": 0, "failed": 1, "unreadable": 0}
    if message_type != "DATA_MESSAGE":  # CloudWatch Logs' CONTROL_MESSAGE when subscribing
        return {"events": 0, "updates": 0, "failed": 0, "unreadable": 0}
    delivery = tally_log_events(events)
    deadline = Deadline.for_lambda(context, cap=RUN_BUDGET_S)
    store = counts_store()
    updates = failed = 0
    for (scope, hour), tally in delivery.tallies.items():
        try:
            left_out = store.add(scope, hour, tally, deadline=deadline)
        except ServiceUnavailableError:
            failed += 1
            continue
        updates += 1
        if left_out:
            metrics.add_metric(name="OffendersNotCounted", unit=MetricUnit.Count, value=1)
            logger.warning("offenders item full", extra={"scope": scope, "hour": hour})
    summary = {
        "events": delivery.events,
        "updates": updates,
        "failed": failed,
        "unreadable": delivery.unreadable,
    }
    metrics.add_metric(name="DecisionBlobsCounted", unit=MetricUnit.Count, value=delivery.events)
    if failed or delivery.unreadable:
        metrics.add_metric(
            name="CountsNotRecorded", unit=MetricUnit.Count, value=failed + delivery.unreadable
        )
        logger.error("counts not recorded", extra=summary)
    else:
        logger.debug("counts recorded", extra=summary)  # every delivery: not worth its bytes
    return summary
