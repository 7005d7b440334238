"""The ``x-chatmod-judged`` header: proof that chatmod already moderated a message it publishes.

``POST /messages`` moderates, then publishes as the user. When a before-publish
rule also covers the room, Ably asks chatmod about that message again; the
header lets the before-publish handler recognise it and accept it without a
second judgement (no second provider call, no second strike).

The value is ``v1.<epoch seconds>.<mac>``: an HMAC-SHA256, keyed with the
before-publish secret, over the version, the time, the room (or channel), the
sender's client id and the exact text published. A client cannot make one
without the secret; copying one from a message it received only fits that same
sender, room and text, and only for ``MAX_AGE_S`` (Ably asks the rule within its
retry timeout, at most 5 s, of chatmod's send).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Final

__all__ = ["JUDGED_HEADER", "MAX_AGE_S", "judged_header", "verify_judged_header"]

JUDGED_HEADER: Final = "x-chatmod-judged"
#: How long a header stays valid after chatmod signed it (replay bound).
MAX_AGE_S: Final = 120
#: Clock difference tolerated between the signing and the checking function.
_SKEW_S: Final = 5
_VERSION: Final = "v1"


def judged_header(secret: str, *, room: str, client_id: str, text: str, now: float) -> str:
    """The header value for a message chatmod judged and is about to publish.

    Args:
        secret: the before-publish secret.
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
