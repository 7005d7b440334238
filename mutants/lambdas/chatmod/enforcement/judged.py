"""The ``x-chatmod-judged`` header: proof that chatmod already moderated a message it publishes.

``POST /messages`` moderates, then publishes as the user. When a before-publish
rule also covers the room, Ably asks chatmod about that message again; the
header lets the before-publish handler recognise it and accept it without a
second judgement (no second provider call, no second strike).

The value is ``v2.<epoch seconds>.<mac>``: an HMAC-SHA256 over the version, the
time, the room (or channel), the sender's client id and the exact text published,
keyed with the **judged key**: a SecureString of its own (``secrets.judgedKey``)
that only the functions signing or checking the header can read, and that Ably
never sees. (``v1`` was keyed with the before-publish secret, which an HTTP rule
holds in its configuration as a bearer value: anyone who could read the rule could
forge the header; ``v1`` values are no longer accepted.) A client cannot make one
without the key; copying one from a message it received only fits that same
sender, room and text, and only for ``MAX_AGE_S`` (Ably asks the rule within its
retry timeout, at most 5 s, of chatmod's send). A judged message skips the
engine, never the ban check (``Submission.judged``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Final

from aws_lambda_powertools.metrics import MetricUnit

from chatmod.adapters.parameters import get_secret
from chatmod.core.deadline import Deadline
from chatmod.core.errors import ChatmodError
from chatmod.core.observability import logger, metrics
from chatmod.core.settings import get_settings

__all__ = [
    "JUDGED_HEADER",
    "MAX_AGE_S",
    "judged_by_chatmod",
    "judged_header",
    "verify_judged_header",
]

JUDGED_HEADER: Final = "x-chatmod-judged"
#: How long a header stays valid after chatmod signed it (replay bound).
MAX_AGE_S: Final = 120
#: Clock difference tolerated between the signing and the checking function.
_SKEW_S: Final = 5
_VERSION: Final = "v2"


def judged_header(secret: str, *, room: str, client_id: str, text: str, now: float) -> str:
    """The header value for a message chatmod judged and is about to publish.

    Args:
        secret: the judged key.
        room: the room name (or pub/sub channel) the message goes to.
        client_id: the sender.
        text: the exact text published (the masked text when masked).
        now: epoch seconds.
    """
    issued = int(now)
    return f"{_VERSION}.{issued}.{_mac(secret, issued, room, client_id, text)}"


def verify_judged_header(
    value: object, secret: str, *, room: str, client_id: str, text: str, now: float
) -> bool:
    """Whether ``value`` is a header chatmod signed for this room, sender and text, recently.

    Compared in constant time; anything malformed is simply not valid.
    """
    if not isinstance(value, str):
        return False
    version, _, rest = value.partition(".")
    issued_text, _, presented = rest.partition(".")
    if version != _VERSION or not issued_text.isascii() or not issued_text.isdigit():
        return False
    issued = int(issued_text)
    if not now - MAX_AGE_S <= issued <= now + _SKEW_S:
        return False
    expected = _mac(secret, issued, room, client_id, text)
    return hmac.compare_digest(presented.encode("ascii", "replace"), expected.encode("ascii"))


def _mac(secret: str, issued: int, room: str, client_id: str, text: str) -> str:
    # A JSON array is unambiguous: no choice of room or text can shift a field boundary.
    message = json.dumps([_VERSION, issued, room, client_id, text], ensure_ascii=True)
    digest = hmac.new(
        secret.encode("utf-8", "surrogatepass"), message.encode("ascii"), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def judged_by_chatmod(
    value: object, *, room: str, client_id: str | None, text: str, at: float, deadline: Deadline
) -> bool:
    """Whether a message carrying header ``value`` is one chatmod already judged.

    Reads the judged key only when there is a header to check; a forged, stale
    or mismatched header, or a key that cannot be read (or none configured), means
    the message is moderated as usual. Logged and counted either way
    (``AcceptedJudged``, ``JudgedHeaderInvalid``).

    Args:
        value: the ``x-chatmod-judged`` header, if the message has one.
        room: the room (or channel) the message is in.
        client_id: its sender.
        text: its text.
        at: when it was sent (epoch seconds): now for before-publish, the
            message's own Ably timestamp on the async path (a queue backlog must
            not make a genuine header stale).
        deadline: the request's deadline, for the secret read.
    """
    if not isinstance(value, str) or not client_id:
        return False  # the common case reads no secret
    settings = get_settings()
    if not settings.judged_key_parameter:
        return False
    try:
        secret = get_secret(settings.judged_key_parameter, settings, deadline=deadline)
    except ChatmodError as error:
        logger.warning("judged header not checked: key unreadable", extra={"error": error.code})
        return False
    if not verify_judged_header(value, secret, room=room, client_id=client_id, text=text, now=at):
        logger.warning("judged header did not verify: moderating the message")
        metrics.add_metric(name="JudgedHeaderInvalid", unit=MetricUnit.Count, value=1)
        return False
    # DEBUG: every message sent through POST /messages passes here (the decision line says
    # "judged" and AcceptedJudged counts it); logging each at INFO would bill it twice.
    logger.debug("already judged by POST /messages: only the ban check applies")
    metrics.add_metric(name="AcceptedJudged", unit=MetricUnit.Count, value=1)
    return True
