"""Who the caller is (from JWT claims) and what their Ably token may do: pure functions."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from chatmod.core.constants import MAX_TOKEN_TTL_MS, RESERVED_CLIENT_ID_PREFIX
from chatmod.core.errors import ForbiddenError, UnauthorizedError
from chatmod.core.policy_runtime import IdentityPolicy, TokenPolicy
from chatmod.enforcement.client_ids import MAX_CLIENT_ID_LENGTH, client_id_problem, is_reserved

CHAT_CHANNEL_SUFFIX: Final = "::$chat"
_LIST_SEPARATORS: Final = re.compile(r"[\s,]+")

__all__ = [
    "CHAT_CHANNEL_SUFFIX",
    "MAX_CLIENT_ID_LENGTH",
    "MAX_TOKEN_TTL_MS",
    "Identity",
    "Role",
    "capability_for",
    "claim_values",
    "identity_from_claims",
    "token_ttl_ms",
]

Role = Literal["user", "moderator"]


@dataclass(frozen=True, slots=True)
class Identity:
    """The caller: their Ably client id, whether they moderate, and where.

    ``rooms``: the room globs a room-scoped moderator may act in (from the policy's
    ``moderatorRoomsClaim``); ``None``: everywhere.
    """

    client_id: str
    moderator: bool = False
    rooms: tuple[str, ...] | None = None

    def moderates(self, room: str | None) -> bool:
        """Whether this moderator may see and act on ``room`` (a room or channel name).

        A room-scoped moderator acts only where one of their globs matches, and never
        on something that names no room.
        """
        if not self.moderator:
            return False
        if self.rooms is None:
            return True
        return room is not None and any(fnmatch.fnmatchcase(room, glob) for glob in self.rooms)

    @property
    def role(self) -> Role:
        """``"moderator"`` or ``"user"``."""
        return "moderator" if self.moderator else "user"


def identity_from_claims(claims: Mapping[str, Any] | None, policy: IdentityPolicy) -> Identity:
    """The caller named by verified JWT claims (API Gateway's JWT authorizer checked them).

    Args:
        claims: ``requestContext.authorizer.jwt.claims``; ``None`` when the
            request carried no verified token.
        policy: which claim is the client id, which claim and value mark a moderator.

    Returns:
        The identity.

    Raises:
        UnauthorizedError: no claims, or the client id claim is missing, empty,
            the wildcard ``*`` or too long.
        ForbiddenError: the client id is reserved for chatmod (``chatmod:…``).
    """
    if not claims:
        raise UnauthorizedError("sign in first: the request carries no verified identity")
    raw = claims.get(policy.client_id_claim)
    client_id = raw.strip() if isinstance(raw, str) else (str(raw) if _scalar(raw) else "")
    if not client_id:
        raise UnauthorizedError(
            f"the identity token has no {policy.client_id_claim!r} claim to use as client id"
        )
    problem = client_id_problem(client_id)
    if problem is not None:
        raise UnauthorizedError(f"the {policy.client_id_claim!r} claim {problem}")
    if is_reserved(client_id):
        raise ForbiddenError(
            f"client ids starting with {RESERVED_CLIENT_ID_PREFIX!r} are reserved for chatmod",
            code="reserved_client_id",
        )
    moderator = policy.moderator_value in claim_values(claims.get(policy.moderator_claim))
    rooms: tuple[str, ...] | None = None
    if moderator and policy.moderator_rooms_claim is not None:
        raw_rooms = claims.get(policy.moderator_rooms_claim)
        if raw_rooms is not None:
            # Present but empty: a moderator of no room (not of every room).
            rooms = tuple(sorted(claim_values(raw_rooms)))
    return Identity(client_id=client_id, moderator=moderator, rooms=rooms)


def claim_values(value: Any) -> frozenset[str]:
    """The members of a claim that may hold several values.

    Handles a real list (``["moderators", "admins"]``), API Gateway's flattening
    of a JWT array claim into a string (``"[moderators admins]"``), a JSON array
    in a string (``'["moderators"]'``), and a plain string, which may list
    values separated by spaces or commas (``"moderators"``, ``"read write"``).
    Membership is exact: ``"notmoderators"`` does not contain ``"moderators"``.
    """
    if value is None:
        return frozenset()
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(str(item).strip() for item in value if _scalar(item)) - {""}
    if not isinstance(value, str):
        return frozenset({str(value)}) if _scalar(value) else frozenset()
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)
        except ValueError:
            text = text[1:-1]  # API Gateway's "[a b]": not JSON, the brackets go
        else:
            if isinstance(parsed, list):
                return claim_values(parsed)
    return frozenset(_LIST_SEPARATORS.split(text)) - {""}


def capability_for(identity: Identity, policy: TokenPolicy) -> dict[str, list[str]]:
    """The Ably capability for ``identity``'s role on the policy's rooms.

    Chat capabilities are granted on room names, so a room configured as
    ``lobby::$chat`` is granted as ``lobby``.

    Returns:
        Room name (or pattern) → sorted operations, e.g. ``{"*": ["history", "publish"]}``.
    """
    operations = sorted(set(policy.moderator if identity.moderator else policy.user))
    capability: dict[str, list[str]] = {}
    for room in policy.rooms:
        name = room.removesuffix(CHAT_CHANNEL_SUFFIX) or room
        capability[name] = operations
    return capability


def token_ttl_ms(policy: TokenPolicy) -> int:
    """The token lifetime in milliseconds: the policy's, never over ``MAX_TOKEN_TTL_MS`` (1 h)."""
    return min(policy.ttl_seconds * 1000, MAX_TOKEN_TTL_MS)


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)
