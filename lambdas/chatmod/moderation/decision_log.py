"""One log line and the counters for every pipeline result, on every path.

Metric names (namespace ``Chatmod``, dimension ``service``): ``Accepted``,
``Rejected``, ``Masked``, ``Failed`` (no decision: the policy's failedAction
applied — an alarm watches its rate), ``Banned`` (a banned sender tried), and
``StrikeNotRecorded`` (a rejection whose strike could not be written). Each
count is also emitted per provider. Categories go in as metadata: searchable in
the EMF line without a custom-metric dimension for every category a provider has.
"""

from __future__ import annotations

import threading
from typing import Final

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from chatmod.core.constants import METRICS_NAMESPACE
from chatmod.core.errors import ChatmodError
from chatmod.core.observability import logger, metrics
from chatmod.moderation.pipeline import PipelineResult, Submission, Verdict

METRIC_FOR: Final = {
    Verdict.ACCEPT: "Accepted",
    Verdict.MASK: "Masked",
    Verdict.REJECT: "Rejected",
    Verdict.BANNED: "Banned",
    Verdict.FAILED: "Failed",
}


# Powertools' metric set is a plain dict: the async consumer records decisions from
# several threads, and an unguarded first value of a metric (or the flush at 100
# values) could be lost.
_metrics_lock = threading.Lock()


def record(submission: Submission, result: PipelineResult) -> None:
    """Log and count ``result`` (the pipeline's observer); safe from several threads."""
    decision = result.decision
    provider = (decision.provider if decision else None) or ("bans" if result.ban else "none")
    categories = ",".join(decision.categories) if decision else ""
    with _metrics_lock:
        _count(METRIC_FOR[result.verdict], provider=provider, category=categories or "none")
        if result.verdict is Verdict.REJECT and submission.client_id and result.strike is None:
            metrics.add_metric(name="StrikeNotRecorded", unit=MetricUnit.Count, value=1)
        if decision is not None:
            metrics.add_metric(
                name="DecisionLatency", unit=MetricUnit.Milliseconds, value=decision.elapsed_ms
            )
    strike = result.strike
    logger.info(
        "moderation decision",
        extra={
            "path": submission.source,
            "outcome": result.verdict.value,
            "reason": decision.reason if decision else _undecided_reason(submission, result),
            "categories": list(decision.categories) if decision else [],
            "provider": provider,
            "elapsedMs": decision.elapsed_ms if decision else 0.0,
            "moderated": decision.moderated if decision else True,
            "failure": result.failure,
            "failedAction": result.failed_action,
            "storeFailed": result.store_failed,
            "strikes": strike.count if strike else None,
            "step": strike.step.label if strike else None,
            "banApplied": strike.ban_applied if strike else False,
            "duplicate": strike.duplicate if strike else False,
            "bannedUntil": result.ban.banned_until_iso if result.ban else None,
        },
    )


def _undecided_reason(submission: Submission, result: PipelineResult) -> str:
    """Why a result has no engine decision: the sender is banned, or chatmod judged it before."""
    if result.verdict is Verdict.BANNED:
        return "banned"
    return "judged" if submission.judged else "none"


def store_error(what: str, error: ChatmodError) -> None:
    """Log a store call that failed inside the pipeline (once, here)."""
    logger.error("store call failed", extra={"call": what, "error": error.code})


def _count(name: str, *, provider: str, category: str) -> None:
    # The total per service (what the dashboard and alarms read), and per provider.
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
    with single_metric(
        name=name, unit=MetricUnit.Count, value=1, namespace=METRICS_NAMESPACE
    ) as metric:
        metric.add_dimension(name="provider", value=provider)
        metric.add_metadata(key="category", value=category)
    metrics.add_metadata(key="provider", value=provider)
    metrics.add_metadata(key="category", value=category)
