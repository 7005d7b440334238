"""The Ably Chat before-publish contract: parse Ably's request, turn a decision into Ably's answer.

Request: ``{source, appId, room, site, ruleId, message: {clientId, text, metadata,
headers, userClaim?}}``. Answer (always HTTP 200 once a decision is made):
``{"action": "accept"}``, ``{"action": "reject", "rejectionDetail": {...strings}}``,
or an accept with ``message`` replacing the text — metadata and headers are
carried over, because Ably removes whatever the replacement omits. An answer is
at most 32 KiB.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from chatmod.bans import Ban
from chatmod.moderation.engine import Decision, Outcome

MAX_RESPONSE_BYTES = 32 * 1024


class ChatMessage(BaseModel):
    """The message Ably asks about (it has no serial yet)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    client_id: StrictStr | None = Field(default=None, alias="clientId")
    text: StrictStr
    metadata: dict[str, Any] | None = None
    headers: dict[str, Any] | None = None
    user_claim: StrictStr | None = Field(default=None, alias="userClaim")


class BeforePublishRequest(BaseModel):
    """Ably's before-publish request; fields Ably may add later are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    room: StrictStr = Field(min_length=1)
    message: ChatMessage
    source: StrictStr | None = None
    app_id: StrictStr | None = Field(default=None, alias="appId")
    site: StrictStr | None = None
    rule_id: StrictStr | None = Field(default=None, alias="ruleId")


def accept() -> dict[str, Any]:
    """Publish the message unchanged."""
    return {"action": "accept"}


def reject(reason: str, **detail: str | None) -> dict[str, Any]:
    """Reject; ``rejectionDetail`` holds string values only (Ably's contract)."""
    rejection = {"reason": reason}
    rejection.update({key: value for key, value in detail.items() if value})
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


def banned_answer(ban: Ban) -> dict[str, Any]:
    """The rejection a banned sender sees."""
    return reject("banned", bannedUntil=ban.banned_until_iso or "permanent", banReason=ban.reason)


def answer_for(decision: Decision, request: BeforePublishRequest) -> dict[str, Any] | None:
    """Ably's answer for ``decision``, or ``None`` when Ably should decide (``defer``).

    A rewrite that would not fit in Ably's 32 KiB answer is turned into a
    rejection rather than an answer Ably would refuse.
    """
    if decision.outcome is Outcome.ACCEPT:
        return accept()
    if decision.outcome is Outcome.MASK:
        assert decision.text is not None
        answer = rewrite(request, decision.text)
        if len(json.dumps(answer).encode()) > MAX_RESPONSE_BYTES:
            return reject("message_too_large_to_rewrite", category=_categories(decision))
        return answer
    if decision.outcome is Outcome.REJECT:
        extra = {k: v for k, v in decision.details.items() if k != "reason"}
        return reject(
            decision.reason or "rejected",
            category=_categories(decision),
            provider=decision.provider,
            **extra,
        )
    # No decision: the policy's failedAction.
    if decision.failed_action == "publish":
        return accept()
    if decision.failed_action == "defer":
        return None
    return reject("moderation_unavailable", provider=decision.provider)


def _categories(decision: Decision) -> str | None:
    return ",".join(decision.categories) or None
