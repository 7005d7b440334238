"""Bans and the strike ladder: pure decisions, no I/O (storage lives in ``adapters.ban_store``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from chatmod.policy import BanPolicy, parse_ladder_step

#: The ``source`` of a ban the strike ladder applied (any other source is a moderator id).
AUTO_SOURCE: Final = "auto"


@dataclass(frozen=True, slots=True)
class Ban:
    """A ban on one client id.

    Attributes:
        client_id: the banned user.
        reason: why, in words a moderator (or the user, in the 403) can read.
        source: ``"auto"`` for the strike ladder, otherwise the moderator's client id.
        created_at: when the ban was applied, epoch seconds.
        expires_at: when it ends, epoch seconds; ``None`` for a permanent ban.
    """

    client_id: str
    reason: str
    source: str
    created_at: int
    expires_at: int | None

    @property
    def permanent(self) -> bool:
        """True when the ban never ends."""
        return self.expires_at is None

    @property
    def automatic(self) -> bool:
        """True when the strike ladder applied the ban (not a moderator)."""
        return self.source == AUTO_SOURCE

    def active(self, now: float) -> bool:
        """Whether the ban holds at ``now`` (epoch seconds); it ends *at* ``expires_at``."""
        return self.expires_at is None or now < self.expires_at

    @property
    def banned_until_iso(self) -> str | None:
        """The end as ISO-8601 UTC (``2026-11-22T04:00:00Z``), or ``None`` when permanent."""
        return None if self.expires_at is None else iso_seconds(self.expires_at)

    def outlasts(self, expires_at: int | None) -> bool:
        """Whether this ban ends strictly later than a ban ending at ``expires_at`` would."""
        if self.expires_at is None:
            return expires_at is not None
        return expires_at is not None and self.expires_at > expires_at

    def to_json(self) -> dict[str, Any]:
        """The ban as the HTTP API shows it (camelCase; times as ISO-8601 and epoch seconds)."""
        return {
            "clientId": self.client_id,
            "reason": self.reason,
            "source": self.source,
            "createdAt": iso_seconds(self.created_at),
            "expiresAt": self.expires_at,
            "bannedUntil": self.banned_until_iso,
            "permanent": self.permanent,
        }


@dataclass(frozen=True, slots=True)
class LadderStep:
    """One rung of the ban ladder.

    Attributes:
        index: the rung's position in the configured ladder (0-based).
        label: the rung as configured: ``"warn"``, ``"120s"``, ``"permanent"``...
        duration_seconds: ``0`` for a warning, ``None`` for a permanent ban,
            otherwise the ban's length.
    """

    index: int
    label: str
    duration_seconds: int | None

    @property
    def is_warning(self) -> bool:
        """True when this rung only warns (no ban)."""
        return self.duration_seconds == 0

    @property
    def bans(self) -> bool:
        """True when this rung bans (for a while or for good)."""
        return not self.is_warning


@dataclass(frozen=True, slots=True)
class StrikeOutcome:
    """What one strike did.

    Attributes:
        client_id: the user struck.
        message_ref: the message the strike is for (one strike per message).
        count: strikes inside the window, this one included.
        step: the ladder rung ``count`` reached.
        ban: the ban in effect after the strike (the one applied, or a longer
            one already in place), or ``None`` when the rung only warns (the
            bans table is not read then, so a moderator's ban is not reported).
        ban_applied: True when this strike wrote a new ban (so tokens should be
            revoked, if the policy says so).
        duplicate: True when the message had already been counted (redelivery):
            the count did not grow.
        revoke_tokens: True when the caller should revoke the user's Ably tokens
            now (a ban was applied and ``revokeTokensOnBan`` is on).
    """

    client_id: str
    message_ref: str
    count: int
    step: LadderStep
    ban: Ban | None
    ban_applied: bool
    duplicate: bool
    revoke_tokens: bool


def ladder_step(policy: BanPolicy, strike_count: int) -> LadderStep:
    """The rung that ``strike_count`` strikes in the window reach; the last rung repeats.

    Args:
        policy: the ladder.
        strike_count: strikes in the window, at least 1.

    Returns:
        The rung: the first strike is ``ladder[0]``, the n-th ``ladder[min(n, len) - 1]``.

    Raises:
        ValueError: ``strike_count`` is below 1.
    """
    if strike_count < 1:
        raise ValueError("strike_count must be at least 1")
    index = min(strike_count, len(policy.ladder)) - 1
    label = policy.ladder[index]
    return LadderStep(index=index, label=label, duration_seconds=parse_ladder_step(label))


def window_start_ms(now_ms: int, window_seconds: int) -> int:
    """The oldest strike time (epoch ms, exclusive) that still counts at ``now_ms``."""
    return now_ms - window_seconds * 1000


def strikes_in_window(times_ms: Iterable[int], *, now_ms: int, window_seconds: int) -> int:
    """How many strikes at ``times_ms`` (epoch ms) count at ``now_ms``.

    A strike counts while it is younger than the window: one exactly
    ``window_seconds`` old no longer counts.
    """
    start = window_start_ms(now_ms, window_seconds)
    return sum(1 for at in times_ms if at > start)


def expired_strikes(strikes: Mapping[str, int], *, now_ms: int, window_seconds: int) -> list[str]:
    """The message refs in ``strikes`` (ref → epoch ms) that no longer count at ``now_ms``."""
    start = window_start_ms(now_ms, window_seconds)
    return sorted(ref for ref, at in strikes.items() if at <= start)


def strike_ordinal(strikes: Mapping[str, int], message_ref: str, *, window_seconds: int) -> int:
    """The position of an already recorded strike among the strikes of its window.

    Used when a message is redelivered: it re-derives the rung the strike
    reached when it was first recorded (strikes are ordered by time, then by
    ref, so the answer is deterministic; concurrent strikes in the same
    millisecond may swap places, which can only choose a shorter ban than the
    one already applied, and ``BanStore.ban`` never shortens a ban).

    Args:
        strikes: message ref → strike time in epoch ms; must contain ``message_ref``.
        message_ref: the strike to place.
        window_seconds: the ladder's window.

    Returns:
        1 for the first strike of its window, 2 for the second, ...
    """
    at = strikes[message_ref]
    start = window_start_ms(at, window_seconds)
    return sum(
        1 for ref, other in strikes.items() if start < other and (other, ref) <= (at, message_ref)
    )


def auto_ban_reason(step: LadderStep, count: int, reason: str) -> str:
    """The reason recorded on a ban the ladder applies, e.g. ``"strike 3 (1h): spam"``."""
    return f"strike {count} ({step.label}): {reason}"


def iso_seconds(epoch_seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC to the second, e.g. ``2026-11-22T04:00:00Z``."""
    moment = datetime.fromtimestamp(int(epoch_seconds), tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
