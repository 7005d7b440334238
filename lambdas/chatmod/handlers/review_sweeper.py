"""The review queue's sweeper, run on a schedule: expire what waited too long, age the rest.

Every few minutes (an EventBridge schedule): each pending item past
``review.pendingSeconds`` becomes ``expired`` with an ``expire`` audit event (it is
never published), and the age of the oldest item still pending is published as
``OldestPendingReviewAgeSeconds`` — its alarm says moderators are not keeping up.
An approve or deny that meets an item past its time expires it too, so nothing
waits on the sweeper to be refused.
"""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.adapters import aws
from chatmod.adapters.audit_log import AuditLog
from chatmod.adapters.review_store import ReviewStore
from chatmod.core.deadline import Deadline
from chatmod.core.observability import logger, metrics, tracer
from chatmod.core.settings import get_settings
from chatmod.enforcement.review_desk import sweep

#: The metric the pending-review alarm watches (namespace ``Chatmod``, dimension service).
OLDEST_PENDING_METRIC = "OldestPendingReviewAgeSeconds"
#: The most one run spends, whatever Lambda allows.
RUN_BUDGET_S = 25.0


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Expire due items and publish the oldest pending item's age.

    Raises:
        ServiceUnavailableError: the review table could not be read or written (the
            schedule runs it again in a few minutes).
    """
    settings = get_settings()
    store = ReviewStore(
        aws.table(settings.reviews_table), audit=AuditLog(aws.table(settings.audit_table))
    )
    result = sweep(store, int(time.time() * 1000), Deadline.for_lambda(context, cap=RUN_BUDGET_S))
    metrics.add_metric(
        name=OLDEST_PENDING_METRIC, unit=MetricUnit.Seconds, value=result.oldest_pending_age_s
    )
    metrics.add_metric(name="ReviewsExpired", unit=MetricUnit.Count, value=result.expired)
    logger.info(
        "review queue swept",
        extra={"expired": result.expired, "oldestPendingAgeSeconds": result.oldest_pending_age_s},
    )
    return {"expired": result.expired, "oldestPendingAgeSeconds": result.oldest_pending_age_s}
