"""What makes a client id usable, decided once for every path (tokens, bans, strikes, pipeline)."""

from __future__ import annotations

from typing import Final

from chatmod.core.constants import CHATMOD_CLIENT_ID, RESERVED_CLIENT_ID_PREFIX
from chatmod.core.errors import BadRequestError

__all__ = [
    "CHATMOD_CLIENT_ID",
    "MAX_CLIENT_ID_LENGTH",
    "RESERVED_CLIENT_ID_PREFIX",
    "WILDCARD",
    "client_id_problem",
    "is_reserved",
    "is_well_formed",
    "require_client_id",
]

#: Ably allows longer ids, but nothing legitimate needs more, and ids are table keys.
MAX_CLIENT_ID_LENGTH: Final = 256
#: Ably's wildcard client id: a token for "*" may act as anyone.
WILDCARD: Final = "*"


def client_id_problem(value: object) -> str | None:
    """Why ``value`` cannot name one user, or ``None`` when it can.

    A usable client id is a non-empty string that is not only whitespace, not
    Ably's wildcard ``*``, at most ``MAX_CLIENT_ID_LENGTH`` characters, and
    encodable as UTF-8 (no unpaired surrogate).
    """
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    if value == WILDCARD:
        return "must not be the wildcard '*'"
    if len(value) > MAX_CLIENT_ID_LENGTH:
        return f"must be at most {MAX_CLIENT_ID_LENGTH} characters"
    if not is_well_formed(value):
        return "must not contain an unpaired UTF-16 surrogate"
    return None


def require_client_id(value: object) -> str:
    """``value`` when it is a usable client id.

    Raises:
        BadRequestError: it is not (the message says why).
    """
    problem = client_id_problem(value)
    if problem is not None:
        raise BadRequestError(f"client id {problem}", code="invalid_client_id")
    assert isinstance(value, str)
    return value


def is_reserved(client_id: str) -> bool:
    """Whether ``client_id`` is one of chatmod's own (``chatmod:…``, in any letter case).

    No caller may hold one: it is how clients tell chatmod's moderation events from
    a user's forgery. Letter case is ignored so that no user shows up in a console
    as ``Chatmod:System``.
    """
    return client_id.casefold().startswith(RESERVED_CLIENT_ID_PREFIX)


def is_well_formed(text: str) -> bool:
    """Whether ``text`` encodes as UTF-8 (a JSON ``\\ud800`` escape makes a lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
