"""Local mode's console: one readable line per decision, or the full JSON lines.

By default (``CHATMOD_LOCAL_LOG`` unset or ``text``) every moderation decision —
accepted ones included, which the stack logs at ``DEBUG`` only — prints as one line::

    15:38:02 FunctionsBeforePublish   before-publish lobby   alice   reject  profanity  0.4 ms

and other warnings and errors as one line each with their fields. With
``CHATMOD_LOCAL_LOG=json`` the handlers' structured lines print as the stack writes
them (at ``DEBUG``, so accepted decisions show too). Metrics never reach the console either
way: ``make local`` summarises the functions' EMF lines (:mod:`chatmod_local.metrics`).

This is configuration of the handlers' logger from outside (its level and its
handler's formatter), never a branch inside a handler.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from typing import Any, Final

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

ENV_LOG: Final = "CHATMOD_LOCAL_LOG"
DECISION_MESSAGE: Final = "moderation decision"
# Attributes every LogRecord has: whatever else a record carries came in ``extra``.
_RECORD_ATTRIBUTES: Final = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_json_formatter: logging.Formatter | None = None  # the stack's, for CHATMOD_LOCAL_LOG=json


class ReadableFormatter(LambdaPowertoolsFormatter):
    """One short line per record: decisions in columns, anything else as ``key=value``.

    A Powertools formatter still (the logger keeps the invocation's keys through it),
    which only writes differently.
    """

    def format(self, record: logging.LogRecord) -> str:
        fields = {**self.thread_safe_get_current_keys(), **_extra(record)}
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        function = str(fields.pop("function_name", None) or "-")
        fields.pop("function_request_id", None)
        message = record.getMessage()
        if message == DECISION_MESSAGE:
            return _decision_line(stamp, function, fields)
        details = " ".join(f"{key}={_short(value)}" for key, value in fields.items())
        return f"{stamp} {function:<24} {record.levelname:<7} {message}  {details}".rstrip()


class DecisionsAndNews(logging.Filter):
    """Drop ``DEBUG`` lines other than decisions (the readable console shows those only)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG or record.getMessage() == DECISION_MESSAGE


def configure_console(environ: Mapping[str, str] | None = None) -> str:
    """Set the handlers' logger up for a person at a console; return the mode used.

    Raises:
        ValueError: ``CHATMOD_LOCAL_LOG`` is neither ``text`` nor ``json``.
    """
    env = os.environ if environ is None else environ
    mode = (env.get(ENV_LOG) or "text").strip().lower()
    if mode not in ("text", "json"):
        raise ValueError(f"{ENV_LOG} must be 'text' or 'json', not {mode!r}")
    from chatmod.core.observability import logger

    global _json_formatter
    handler = logger.registered_handler
    if _json_formatter is None:
        _json_formatter = handler.formatter
    logger.setLevel(logging.DEBUG)  # accepted decisions are DEBUG in the stack
    for old in [f for f in handler.filters if isinstance(f, DecisionsAndNews)]:
        handler.removeFilter(old)
    if mode == "text":
        handler.setFormatter(ReadableFormatter())
        handler.addFilter(DecisionsAndNews())
    else:
        handler.setFormatter(_json_formatter)
    return mode


def _decision_line(stamp: str, function: str, fields: dict[str, Any]) -> str:
    where = fields.get("room") or fields.get("channel") or "-"
    sender = fields.get("clientId") or "-"
    outcome = fields.get("outcome", "?")
    reason = fields.get("reason") or ""
    provider = fields.get("provider")
    if provider and provider != "none":
        reason = f"{reason} ({provider})"
    extras = []
    if fields.get("strikes"):
        extras.append(
            f"strike {fields['strikes']}" + (f" {fields['step']}" if "step" in fields else "")
        )
    if fields.get("banApplied"):
        extras.append(f"banned until {fields.get('bannedUntil') or 'forever'}")
    if fields.get("failure"):
        extras.append(f"failure {fields['failure']} -> {fields.get('failedAction')}")
    tail = f"  [{', '.join(extras)}]" if extras else ""
    return (
        f"{stamp} {function:<24} {fields.get('path', '-'):<14} {where:<12} {sender:<10} "
        f"{outcome:<7} {reason}  {float(fields.get('elapsedMs', 0.0)):.1f} ms{tail}"
    )


def _extra(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES}


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
