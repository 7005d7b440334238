"""The emulator's two Ably integration rules: an SQS-style channel rule and a before-publish rule.

- Channel rule (Ably's SQS integration, enveloped JSON): each message published on a
  channel is delivered as ``{source: "channel.message", appId, channel, site, ruleId,
  timestamp, messages: [...]}`` (chatmod ARCHITECTURE §2; the envelope's fields:
  https://ably.com/docs/platform/integrations/streaming#enveloped); a message whose
  ``extras.privileged.skipRule`` is ``"*"`` or lists this rule's id is not delivered
  (https://ably.com/docs/platform/integrations/skip-integrations). Chat messages
  appear on ``<room>::$chat`` as
  ``name: "chat.message"`` with ``data`` ``{text, metadata}`` JSON-encoded
  (``encoding: "json"``), ``extras.headers`` and a numeric ``action``
  (0 create, 1 update, 2 delete: ably-js ``src/common/lib/types/message.ts``
  ``actions``; @ably/chat ``src/core/message-parser.ts`` reads these fields).
- Before-publish rule (Ably Chat custom moderation: Ably's docs page "Custom
  Moderation", kept in the project's shared reference as
  ``ably-chat-custom-moderation.txt``, and ARCHITECTURE §2), on chat sends and, when
  configured (``on_updates``), on updates: Ably POSTs ``{source, appId, room,
  site, ruleId, message: {clientId, text, metadata, headers}}`` and expects 200 with
  ``{action: "accept"|"reject", rejectionDetail?, message?}``; a 200 whose answer is
  not of that format (a rewrite ``message`` without a non-empty ``text``, a
  ``rejectionDetail`` that is not a string → string map, over 32 KiB) is a failed
  moderation, as is any other 4xx: the rule's failed action at once; 429 → retried
  only when the rule says so; 5xx and timeouts → retried with backoff within the
  retry timeout (at most ``max_retries`` retries), then the failed action.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import httpx

logger = logging.getLogger(__name__)

SITE: Final = "local-emulator-1-A"
CHANNEL_RULE_ID: Final = "emulator-channel-rule"
BEFORE_PUBLISH_RULE_ID: Final = "emulator-before-publish"
# Ably caps the rule's answer at 32 KiB (ARCHITECTURE §2).
MAX_RESPONSE_BYTES: Final = 32 * 1024
# Ably bounds a rule's retry timeout to 0 to 5000 ms.
MAX_RETRY_TIMEOUT_MS: Final = 5000
FIRST_BACKOFF_S: Final = 0.05


@dataclass(frozen=True)
class BeforePublishRule:
    """A before-publish rule, with the fields of Ably's rule configuration.

    Attributes:
        url: where to POST the request (chatmod's ``POST /before-publish``).
        headers: static headers sent with every request (Ably's webhook transport
            is not signed; chatmod requires a secret header).
        room_filter: regex matched against the bare room name; None = every room.
        retry_timeout_ms: the whole budget for the attempts, retries included (0 to 5000).
        max_retries: retries after the first attempt.
        failed_action: ``"reject"`` the message or ``"publish"`` it anyway when no
            decision could be had.
        too_many_requests_action: on 429, ``"fail"`` (failed action at once) or ``"retry"``.
        on_updates: whether the rule also runs on chat message updates (edits), not
            only on sends. Ably's docs speak of messages "published" and say nothing
            of edits, so tests can cover both; an edit the rule rejects is refused
            as a send is (422, 42213 or 42211). Default: sends only.
    """

    url: str
    headers: Mapping[str, str]
    room_filter: str | None = None
    retry_timeout_ms: int = 1000
    max_retries: int = 3
    failed_action: str = "reject"
    too_many_requests_action: str = "fail"
    on_updates: bool = False

    def __post_init__(self) -> None:
        if self.failed_action not in ("reject", "publish"):
            raise ValueError("failed_action must be 'reject' or 'publish'")
        if self.too_many_requests_action not in ("fail", "retry"):
            raise ValueError("too_many_requests_action must be 'fail' or 'retry'")
        if not 0 <= self.retry_timeout_ms <= MAX_RETRY_TIMEOUT_MS:
            raise ValueError("retry_timeout_ms must be within 0..5000")
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.room_filter is not None:
            try:
                re.compile(self.room_filter)
            except re.error as exc:
                raise ValueError(f"room_filter is not a valid regex: {exc}") from exc

    def applies_to(self, room: str) -> bool:
        """Whether the rule moderates ``room`` (its filter searches the bare room name)."""
        return self.room_filter is None or re.search(self.room_filter, room) is not None


@dataclass(frozen=True)
class RuleOutcome:
    """What the before-publish rule decided for one message.

    ``verdict`` is ``"accept"`` (store ``message``, possibly rewritten), ``"reject"``
    (the rule said no: ``detail`` is its ``rejectionDetail``) or ``"failed"`` (no
    decision; the rule's failed action was ``reject``). ``attempts`` counts the
    requests sent.
    """

    verdict: Literal["accept", "reject", "failed"]
    message: Mapping[str, Any]
    detail: Mapping[str, str]
    attempts: int
    reason: str = ""


def before_publish_request(*, app_id: str, room: str, message: Mapping[str, Any]) -> dict[str, Any]:
    """The body Ably POSTs to a before-publish rule (no serial exists yet)."""
    return {
        "source": "chat.message",
        "appId": app_id,
        "room": room,
        "site": SITE,
        "ruleId": BEFORE_PUBLISH_RULE_ID,
        "message": {
            "clientId": message.get("clientId"),
            "text": message["text"],
            "metadata": message.get("metadata") or {},
            "headers": message.get("headers") or {},
        },
    }


def invoke_before_publish(
    rule: BeforePublishRule,
    request: Mapping[str, Any],
    *,
    client: httpx.Client | None = None,
) -> RuleOutcome:
    """Ask the rule about one message, with Ably's retry and failed-action semantics.

    Args:
        rule: the rule's configuration.
        request: the before-publish request body.
        client: an httpx client to send with (tests may inject one); a new one otherwise.

    Returns:
        The outcome; a failure with ``failed_action == "publish"`` is an accept of
        the message as sent.
    """
    original = request["message"]
    owned = client is None
    http = client or httpx.Client()
    deadline = time.monotonic() + rule.retry_timeout_ms / 1000
    attempts = 0
    reason = "no attempt fitted in the retry timeout"
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or attempts > rule.max_retries:
                break
            attempts += 1
            try:
                response = http.post(
                    rule.url,
                    content=json.dumps(request).encode(),
                    headers={"content-type": "application/json", **rule.headers},
                    timeout=remaining,
                )
            except httpx.HTTPError as exc:
                reason = f"the rule could not be reached: {type(exc).__name__}"
                retry = True
            else:
                status = response.status_code
                if status == 200:
                    decided = _decision(response, original, attempts)
                    if decided is not None:
                        return decided
                    reason = "the rule answered 200 with an invalid body"
                    retry = False
                elif status == 429:
                    reason = "the rule answered 429"
                    retry = rule.too_many_requests_action == "retry"
                elif status >= 500:
                    reason = f"the rule answered {status}"
                    retry = True
                else:
                    reason = f"the rule answered {status}"
                    retry = False
            if not retry:
                break
            backoff = FIRST_BACKOFF_S * 2 ** (attempts - 1)
            time.sleep(max(0.0, min(backoff, deadline - time.monotonic())))
    finally:
        if owned:
            http.close()
    logger.warning("before-publish rule failed (%s); failed action %s", reason, rule.failed_action)
    if rule.failed_action == "publish":
        return RuleOutcome("accept", original, {}, attempts, reason)
    return RuleOutcome(
        "failed", original, {"reason": f"moderation failed: {reason}"}, attempts, reason
    )


def _decision(
    response: httpx.Response, original: Mapping[str, Any], attempts: int
) -> RuleOutcome | None:
    if len(response.content) > MAX_RESPONSE_BYTES:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("action") not in ("accept", "reject"):
        return None
    # An answer outside the documented format is a failed moderation (no decision),
    # as Ably's "Custom Moderation" page says of a rewrite without text.
    if body["action"] == "reject":
        detail = body.get("rejectionDetail")
        # "a map of string key-value pairs ... Both keys and values must be strings".
        if detail is not None and (
            not isinstance(detail, dict) or not all(isinstance(v, str) for v in detail.values())
        ):
            return None
        return RuleOutcome("reject", original, dict(detail or {}), attempts)
    rewrite = body.get("message")
    if rewrite is None:
        return RuleOutcome("accept", original, {}, attempts)
    # "text is required and cannot be empty. Moderation fails if text is missing or empty."
    if not isinstance(rewrite, dict) or not isinstance(rewrite.get("text"), str):
        return None
    if not rewrite["text"] or not all(
        rewrite.get(name) is None or isinstance(rewrite[name], dict)
        for name in ("metadata", "headers")
    ):
        return None
    # The rewrite replaces the message whole: omitted metadata/headers are removed.
    message = {
        **original,
        "text": rewrite["text"],
        "metadata": rewrite.get("metadata") or {},
        "headers": rewrite.get("headers") or {},
    }
    return RuleOutcome("accept", message, {}, attempts)


def skips_rules(message: Mapping[str, Any]) -> bool:
    """Whether a message asks the channel rule to skip it.

    ``extras.privileged.skipRule`` is ``"*"`` (every rule) or a list of rule ids.
    """
    extras = message.get("extras")
    privileged = extras.get("privileged") if isinstance(extras, dict) else None
    skip = privileged.get("skipRule") if isinstance(privileged, dict) else None
    return skip == "*" or (isinstance(skip, list) and CHANNEL_RULE_ID in skip)


def channel_envelope(
    *, app_id: str, channel: str, messages: list[dict[str, Any]], timestamp: int
) -> str:
    """Ably's enveloped JSON body of a channel rule (as SQS receives it).

    ``timestamp`` is the envelope's own: when the event occurred, epoch ms
    (https://ably.com/docs/platform/integrations/streaming#enveloped).
    """
    return json.dumps(
        {
            "source": "channel.message",
            "appId": app_id,
            "channel": channel,
            "site": SITE,
            "ruleId": CHANNEL_RULE_ID,
            "timestamp": timestamp,
            "messages": messages,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def envelope_message(wire: Mapping[str, Any]) -> dict[str, Any]:
    """One message as a channel rule forwards it: Ably's fields, absent ones left out."""
    names = (
        "id",
        "clientId",
        "connectionId",
        "timestamp",
        "name",
        "data",
        "encoding",
        "extras",
        "serial",
        "action",
        "version",
    )
    return {name: wire[name] for name in names if wire.get(name) is not None}


def chat_channel_message(
    message: Mapping[str, Any], *, action: int, message_id: str, connection_id: str
) -> dict[str, Any]:
    """A chat ``RestMessage`` as it travels on ``<room>::$chat`` (what a channel rule sees).

    ``data`` is ``{text, metadata}`` JSON-encoded, ``extras.headers`` the headers,
    ``action`` the numeric message action (0 create, 1 update, 2 delete).
    """
    extras: dict[str, Any] = {"headers": dict(message.get("headers") or {})}
    return {
        "id": message_id,
        "clientId": message.get("clientId"),
        "connectionId": connection_id,
        "timestamp": message["timestamp"],
        "name": "chat.message",
        "data": json.dumps(
            {"text": message["text"], "metadata": message.get("metadata") or {}},
            separators=(",", ":"),
            ensure_ascii=False,
        ),
        "encoding": "json",
        "extras": extras,
        "serial": message["serial"],
        "action": action,
        "version": dict(message.get("version") or {}),
    }
