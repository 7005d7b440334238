"""One log line and the counters for every pipeline result, on every path.

Metric names (namespace ``Chatmod``, dimension ``service``): ``Accepted``,
``Rejected``, ``Masked``, ``Failed`` (no decision: the policy's failedAction
applied — an alarm watches its rate), ``Banned`` (a banned sender tried), and
``StrikeNotRecorded`` (a rejection whose strike could not be written), ``Warned`` (a
sender with a warning to acknowledge tried). Rules add
``Rule.<name>`` (a rule of one's own matched a category: accepting rules count too;
the default rules' counts are the outcome metrics),
``Rule.<name>.observed`` and ``Would<Action>`` (``WouldReject``, ``WouldBan``…: what
observed rules and providers would have done) — one metric per rule, in the same blob.

Logs are most of what a decision costs (CloudWatch Logs bills every byte ingested;
see ``docs/cost.md``), so:

- an accepted decision is logged at ``DEBUG``: invisible at the stack's ``INFO``,
  there when a function's application log level is ``DEBUG`` (or, outside Lambda,
  ``POWERTOOLS_LOG_LEVEL``, or an invocation ``POWERTOOLS_LOGGER_SAMPLE_RATE``
  samples); every other outcome (reject, mask, banned, failed) is logged at ``INFO``
  with its reason, provider and categories;
- the line carries only the fields that say something (no nulls, no ``false``);
- counters go into the invocation's one EMF blob (Powertools flushes it when the
  handler returns; a batch of 100 decisions or more gets one blob per 99, each whole,
  see ``ChatmodMetrics``), never a blob of their own: the counts per provider and per
  category travel in that blob as metadata (``decisions``: ``{provider: {metric:
  n}}``, ``categories``: ``{category: n}``), searchable with Logs Insights without
  a custom metric (and its monthly charge) for every provider and category.
- the blob also carries the decisions per room (``roomCounts``: outcomes, categories,
  offenders; ``chatmod.enforcement.counts``), which a log subscription turns into the
  overview's counts: no write on the message's path, a few bytes in a line logged anyway.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Final

from aws_lambda_powertools.metrics import MetricUnit

from chatmod.core.constants import COUNTS_METADATA_KEY
from chatmod.core.errors import ChatmodError
from chatmod.core.observability import logger, metrics
from chatmod.core.policy_checks import DEFAULT_RULE, REVIEW_BAND_RULE
from chatmod.enforcement.counts import add_decision
from chatmod.moderation.pipeline import PipelineResult, Submission, Verdict

METRIC_FOR: Final = {
    Verdict.ACCEPT: "Accepted",
    Verdict.MASK: "Masked",
    Verdict.REJECT: "Rejected",
    Verdict.HOLD: "Held",
    Verdict.BANNED: "Banned",
    Verdict.WARNED: "Warned",
    Verdict.FAILED: "Failed",
}
#: The log level of each outcome: accepted messages are the bulk, and the least news.
LEVEL_FOR: Final = {
    Verdict.ACCEPT: logging.DEBUG,
    Verdict.MASK: logging.INFO,
    Verdict.REJECT: logging.INFO,
    Verdict.HOLD: logging.INFO,
    Verdict.BANNED: logging.INFO,
    Verdict.WARNED: logging.INFO,
    Verdict.FAILED: logging.WARNING,
}
DECISION_MESSAGE: Final = "moderation decision"
_DEFAULT_RULES: Final = frozenset({None, DEFAULT_RULE, REVIEW_BAND_RULE})


# Powertools' metric set is a plain dict: the async consumer records decisions from
# several threads. One decision's values and its metadata are added under the metrics'
# own lock, so they land in one blob (and no value or count is lost to a race).
_metrics_lock = metrics.lock

#: Local mode only: it has no CloudWatch Logs to subscribe to, so it receives each
#: decision's counts here (epoch ms, ``{room: counts}``) and delivers them to the counter
#: function as the subscription would. ``None`` on AWS.
CountsTap = Callable[[int, dict[str, Any]], None]
_counts_tap: CountsTap | None = None


def set_counts_tap(tap: CountsTap | None) -> None:
    """Local mode's delivery of the counts (see ``chatmod_local.pollers.LogSubscription``)."""
    global _counts_tap
    _counts_tap = tap


def record(submission: Submission, result: PipelineResult) -> None:
    """Log and count ``result`` (the pipeline's observer); safe from several threads."""
    decision = result.decision
    provider = (decision.provider if decision else None) or ("bans" if result.ban else "none")
    name = METRIC_FOR[result.verdict]
    with _metrics_lock:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
        categories = decision.categories if decision else ()
        _tally(name, provider, categories)
        if not submission.judged:  # (the path that judged it counted it)
            add_decision(
                _metadata_dict(COUNTS_METADATA_KEY),
                room=submission.room or submission.channel,
                verdict=result.verdict.value,
                categories=categories,
                client_id=submission.client_id,
            )
        if result.verdict is Verdict.REJECT and submission.client_id and result.strike is None:
            metrics.add_metric(name="StrikeNotRecorded", unit=MetricUnit.Count, value=1)
        if decision is not None:
            metrics.add_metric(
                name="DecisionLatency", unit=MetricUnit.Milliseconds, value=decision.elapsed_ms
            )
            for rule in decision.rules:
                # The defaults' counts are the outcome metrics already (no bytes twice).
                if rule not in _DEFAULT_RULES:
                    metrics.add_metric(name=f"Rule.{rule}", unit=MetricUnit.Count, value=1)
            for seen in decision.observed:
                metrics.add_metric(
                    name=f"Rule.{seen.rule}.observed", unit=MetricUnit.Count, value=1
                )
                metrics.add_metric(
                    name=f"Would{seen.action.capitalize()}", unit=MetricUnit.Count, value=1
                )
    tap = _counts_tap
    if tap is not None and not submission.judged:
        single: dict[str, Any] = {}
        add_decision(
            single,
            room=submission.room or submission.channel,
            verdict=result.verdict.value,
            categories=decision.categories if decision else (),
            client_id=submission.client_id,
        )
        tap(int(time.time() * 1000), single)
    level = LEVEL_FOR[result.verdict]
    if decision is not None and decision.observed:
        level = max(level, logging.INFO)  # what observe mode is for: seeing it
    if logger.log_level <= level:  # (DEBUG when Powertools samples this invocation)
        log = {logging.DEBUG: logger.debug, logging.INFO: logger.info}.get(level, logger.warning)
        log(DECISION_MESSAGE, extra=_fields(submission, result, provider))


def _fields(submission: Submission, result: PipelineResult, provider: str) -> dict[str, Any]:
    """The decision's fields worth a byte: what happened and why; nothing null or false."""
    decision, strike = result.decision, result.strike
    fields: dict[str, Any] = {
        "path": submission.source,
        "room": submission.room,
        "channel": submission.channel,
        "clientId": submission.client_id,
        "outcome": result.verdict.value,
        "reason": decision.reason if decision else _undecided_reason(submission, result),
        "provider": provider,
        "categories": list(decision.categories) if decision else [],
        "elapsedMs": decision.elapsed_ms if decision else 0.0,
        # Being moderated is the rule: only its exception is written (a room filter's skip).
        "moderated": False if decision and not decision.moderated else None,
        "failure": result.failure,
        "failedAction": result.failed_action,
        "storeFailed": result.store_failed or None,
        "strikes": strike.count if strike else None,
        "step": strike.step.label if strike else None,
        "banApplied": (strike.ban_applied if strike else False) or None,
        "duplicate": (strike.duplicate if strike else False) or None,
        "bannedUntil": result.ban.banned_until_iso if result.ban else None,
        "reviewId": result.review.review_id if result.review else None,
        "warningId": result.warning.warning_id if result.warning else None,
        # Which rule decided, when one of one's own did (the defaults go without saying).
        "rule": decision.rule if decision and decision.rule not in _DEFAULT_RULES else None,
        "action": decision.action
        if decision and decision.action in ("warn", "timeout", "ban")
        else None,
        "observed": [f"{o.rule}:{o.action}" for o in decision.observed] if decision else None,
    }
    return {key: value for key, value in fields.items() if value is not None and value != []}


def _undecided_reason(submission: Submission, result: PipelineResult) -> str:
    """Why a result has no engine decision: the sender is banned, or chatmod judged it before."""
    if result.verdict is Verdict.BANNED:
        return "banned"
    if result.verdict is Verdict.WARNED:
        return "warning_unacknowledged"
    return "judged" if submission.judged else "none"


def store_error(what: str, error: ChatmodError) -> None:
    """Log a store call that failed inside the pipeline (once, here)."""
    logger.error("store call failed", extra={"call": what, "error": error.code})


def _tally(metric: str, provider: str, categories: tuple[str, ...] | list[str]) -> None:
    """Count the decision per provider and per category in the invocation's metadata.

    Called under the metrics lock. The dictionaries live in Powertools' metadata set,
    which it empties when it flushes the blob at the end of the invocation.
    """
    if provider != "none":  # (no provider flagged it: the total says all there is)
        per_provider = _metadata_dict("decisions").setdefault(provider, {})
        per_provider[metric] = per_provider.get(metric, 0) + 1
    if categories:
        per_category = _metadata_dict("categories")
        for category in categories:
            per_category[category] = per_category.get(category, 0) + 1


def _metadata_dict(key: str) -> dict[str, Any]:
    current = metrics.metadata_set.get(key)
    if not isinstance(current, dict):
        current = {}
        metrics.add_metadata(key=key, value=current)
    return current
