"""The Ably Chat before-publish contract: parse Ably's request, turn a decision into Ably's answer.

Request: ``{source, appId, room, site, ruleId, message: {clientId, text, metadata,
headers, userClaim?}}``. Answer (always HTTP 200 once a decision is made):
``{"action": "accept"}``, ``{"action": "reject", "rejectionDetail": {...strings}}``
(a held message: ``{"reason": "held_for_review", "reviewId": "rv_…"}``; a sender
with a warning to acknowledge: ``{"reason": "warning_unacknowledged", "warningId"}``),
or an accept with ``message`` replacing the text — metadata and headers are
carried over, because Ably removes whatever the replacement omits. An answer is
at most 32 KiB.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Annotated, Any, Final

import msgspec

from chatmod.api.json_body import json_object
from chatmod.core.errors import struct_error
from chatmod.enforcement.bans import StrikeRef
from chatmod.enforcement.judged import JUDGED_HEADER
from chatmod.moderation.engine import HELD_REASON, Decision
from chatmod.moderation.pipeline import PipelineResult, Submission, Verdict

MAX_RESPONSE_BYTES: Final = 32 * 1024
#: The rejection reason while a warning waits to be acknowledged.
WARNING_REASON: Final = "warning_unacknowledged"
#: Ably retries one message for at most its rule's retry timeout (≤ 5 s). The same
#: sender, room and text inside this window is that retry, not a new strike —
#: measured from the strike's own time, so no window edge splits a retry in two.
ABLY_RETRY_DEDUPE_SECONDS: Final = 30
#: Ably's camelCase names of the request's fields.
_WIRE_NAMES: Final = {
    "client_id": "clientId",
    "user_claim": "userClaim",
    "app_id": "appId",
    "rule_id": "ruleId",
}


class ChatMessage(msgspec.Struct, frozen=True, rename=_WIRE_NAMES):
    """The message Ably asks about (it has no serial yet); fields Ably may add are ignored."""

    text: str
    client_id: str | None = None
    metadata: dict[str, Any] | None = None
    headers: dict[str, Any] | None = None
    user_claim: str | None = None


class BeforePublishRequest(msgspec.Struct, frozen=True, rename=_WIRE_NAMES):
    """Ably's before-publish request; fields Ably may add later are ignored.

    Parsed with msgspec rather than pydantic: this module is on the cold start of a
    function inside Ably's publish path. ``chatmod.api.models.BeforePublishRequest``
    documents the same shape in the OpenAPI document (a test holds them equal).
    """

    room: Annotated[str, msgspec.Meta(min_length=1)]
    message: ChatMessage
    source: str | None = None
    app_id: str | None = None
    site: str | None = None
    rule_id: str | None = None


def decode_body(body: object) -> Mapping[str, Any]:
    """The request body as a JSON object (``chatmod.api.json_body.json_object``).

    Raises:
        BadRequestError: not JSON, not an object, or an unpaired surrogate.
    """
    return json_object(body)


def parse_request(body: Mapping[str, Any]) -> BeforePublishRequest:
    """Ably's request from its decoded body.

    Raises:
        BadRequestError: not the request's shape; the message names each field and problem.
    """
    try:
        return msgspec.convert(body, BeforePublishRequest)
    except msgspec.ValidationError as exc:
        raise struct_error(exc) from None


def submission_for(request: BeforePublishRequest) -> Submission:
    """The pipeline's view of Ably's request.

    The message has no serial yet, so strikes are deduplicated on a digest of
    rule, room, sender and text, for as long as Ably may retry one message.
    """
    message = request.message
    digest = hashlib.sha256(
        "\x1f".join(
            (request.rule_id or "", request.room, message.client_id or "", message.text)
        ).encode()
    ).hexdigest()[:32]
    return Submission(
        text=message.text,
        client_id=message.client_id or None,
        room=request.room,
        ref=StrikeRef("before-publish:" + digest, dedupe_seconds=ABLY_RETRY_DEDUPE_SECONDS),
        metadata=message.metadata or {},
        headers=message.headers or {},
        user_claim=message.user_claim,
        source="before-publish",
    )


def judged_header_of(request: BeforePublishRequest) -> str | None:
    """The ``x-chatmod-judged`` header the message carries (``enforcement.judged``), if any."""
    value = (request.message.headers or {}).get(JUDGED_HEADER)
    return value if isinstance(value, str) else None


def answer_for(result: PipelineResult, request: BeforePublishRequest) -> dict[str, Any] | None:
    """Ably's answer for ``result``, or ``None`` when Ably should decide (``defer``).

    A rewrite that would not fit in Ably's 32 KiB answer is turned into a
    rejection rather than an answer Ably would refuse.
    """
    decision = result.decision
    if result.verdict is Verdict.BANNED:
        assert result.ban is not None
        ban = result.ban
        return reject(
            "banned", {"bannedUntil": ban.banned_until_iso or "permanent", "banReason": ban.reason}
        )
    if result.verdict is Verdict.WARNED:
        assert result.warning is not None
        # The sender's client shows the warning and acknowledges it (POST /warnings/{id}/ack).
        return reject(
            WARNING_REASON,
            {"warningId": result.warning.warning_id, "warningReason": result.warning.reason},
        )
    if result.verdict is Verdict.ACCEPT:
        return accept()
    if result.verdict is Verdict.HOLD:
        assert result.review is not None
        # Not published now: the sender's client gets 42213 with this detail and can
        # show "waiting for review"; a moderator's approval publishes it later.
        return reject(HELD_REASON, {"reviewId": result.review.review_id})
    if result.verdict is Verdict.MASK:
        assert result.text is not None
        assert decision is not None
        answer = rewrite(request, result.text)
        if len(encode_answer(answer).encode("utf-8")) > MAX_RESPONSE_BYTES:
            return reject("message_too_large_to_rewrite", {"category": _categories(decision)})
        return answer
    if result.verdict is Verdict.REJECT:
        assert decision is not None
        # The provider's own detail (the user's model may name its category) comes
        # first; chatmod's fields fill what it left out.
        detail: dict[str, str | None] = dict(decision.details)
        detail.setdefault("category", _categories(decision))
        detail["provider"] = decision.provider
        if decision.action in ("timeout", "ban") and result.ban is not None:
            # The sender's client can say for how long they cannot write.
            detail["bannedUntil"] = result.ban.banned_until_iso or "permanent"
        if result.warning is not None:
            detail["warningId"] = result.warning.warning_id
        return reject(decision.reason or "rejected", detail)
    # No decision: the policy's failedAction.
    if result.failed_action == "publish":
        return accept()
    if result.failed_action == "defer":
        return None
    return reject("moderation_unavailable", {"provider": decision.provider if decision else None})


def encode_answer(answer: Mapping[str, Any]) -> str:
    """The answer's body as sent: compact JSON, not ASCII-escaped (Ably counts UTF-8 bytes).

    Measured and sent the same way, so a rewrite of 6,000 Cyrillic letters (about
    12 KB) is not taken for 36 KB of ``\\u`` escapes.
    """
    return json.dumps(answer, separators=(",", ":"), ensure_ascii=False)


def accept() -> dict[str, Any]:
    """Publish the message unchanged."""
    return {"action": "accept"}


def reject(reason: str, detail: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """Reject; ``rejectionDetail`` holds string values only (Ably's contract), ``reason`` first."""
    rejection = {"reason": reason}
    rejection.update({k: v for k, v in (detail or {}).items() if v and k != "reason"})
    return {"action": "reject", "rejectionDetail": rejection}


def rewrite(request: BeforePublishRequest, text: str) -> dict[str, Any]:
    """Publish with ``text`` instead; metadata and headers carried over."""
    return {
        "action": "accept",
        "message": {
            "text": text,
            "metadata": request.message.metadata or {},
            "headers": request.message.headers or {},
        },
    }


def _categories(decision: Decision) -> str | None:
    return ",".join(decision.categories) or None
