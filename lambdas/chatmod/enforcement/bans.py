"""Bans and the strike ladder: pure decisions, no I/O (storage lives in ``adapters.ban_store``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from chatmod.core.policy_checks import parse_ladder_step
from chatmod.core.policy_runtime import BanPolicy
from chatmod.enforcement.pace import PaceRecord, RoomSettings

#: The ``source`` of a ban the strike ladder applied (any other source is a moderator id).
AUTO_SOURCE: Final = "auto"


class MalformedBanError(ValueError):
    """A bans table item (or its stream image) that is not a ban chatmod can read."""


def epoch_seconds(value: Any, name: str = "expiresAt") -> int | None:
    """A time in a bans table item, as whole epoch seconds; ``None`` when absent.

    Accepts what the README invites an operator to write in the DynamoDB console:
    epoch seconds as a Number (what DynamoDB's TTL acts on) or a numeric String,
    and an ISO-8601 date-time with an offset or ``Z`` (``2027-01-31T18:00:00Z``),
    which chatmod honours but DynamoDB's TTL never deletes.

    Raises:
        MalformedBanError: anything else (a date without an offset is ambiguous).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise MalformedBanError(f"{name} must be epoch seconds, not {type(value).__name__}")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_seconds(text, name)
    if not number.is_finite() or number != number.to_integral_value():
        raise MalformedBanError(f"{name} must be whole epoch seconds, got {value!r}")
    return int(number)


def _iso_seconds(text: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedBanError(
            f"{name} must be epoch seconds or an ISO-8601 date-time, got {text[:40]!r}"
        ) from None
    if moment.tzinfo is None:
        raise MalformedBanError(f"{name} {text[:40]!r} names no time zone: add Z or an offset")
    return int(moment.timestamp())


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
    """

    client_id: str
    message_ref: str
    count: int
    step: LadderStep
    ban: Ban | None
    ban_applied: bool
    duplicate: bool


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


class StaleRecordError(Exception):
    """A sender's strikes or ban changed between the read and the write: plan again."""


@dataclass(frozen=True, slots=True)
class Strike:
    """One remembered strike: which message, and when (epoch ms)."""

    ref: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class StrikeRef:
    """What identifies a rejected message across redeliveries and retries.

    Attributes:
        value: an Ably serial or message id, or a digest for a message Ably has
            not named yet (before-publish).
        dedupe_seconds: how long the same ``value`` counts as the same message.
            ``None`` for real Ably identifiers (the same id is always the same
            message); a short window for digests, because Ably retries one
            message for at most its rule's retry timeout, while a sender who
            repeats the same words later earns another strike.
    """

    value: str
    dedupe_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class PendingWarning:
    """A warning the sender must acknowledge before their next message is judged.

    Attributes:
        warning_id: what the sender acknowledges (``POST /warnings/{id}/ack``).
        reason: why, in words the sender's client can show.
        rule: the rule that warned.
        at_ms: when (epoch ms).
        room: where the warned message was sent, if in a room.
    """

    warning_id: str
    reason: str
    rule: str
    at_ms: int
    room: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The warning as the API shows it to its sender."""
        return {
            "warningId": self.warning_id,
            "reason": self.reason,
            "rule": self.rule,
            "at": iso_seconds(self.at_ms / 1000),
            "room": self.room,
        }


def warning_id_for(ref: str) -> str:
    """The warning's id for the message it was given for (a retry gives the same id)."""
    return "wn_" + hashlib.sha256(ref.encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class SenderRecord:
    """What the stores hold about one sender: their ban, recent strikes and a pending warning.

    Attributes:
        client_id: the sender.
        ban: the stored ban, active or not (TTL deletes late); see ``active_ban``.
        strikes: remembered strikes, oldest first.
        version: the strikes item's version (0 when there is none); a write
            expects it unchanged, so concurrent strikes cannot lose one.
        warning: a warning not yet acknowledged (it lives on the strikes item, so it
            lapses with the strike window at the latest).
        pace: what the sender recently published in the room asked about, when a
            ``crossMessage`` entry covers it (``enforcement.pace``); else ``None``.
        room: that room's slow mode as a moderator set it, if one did.
        published: messages of the sender published so far, counted up to the links
            provider's ``trustAfterMessages`` when asked (``None``: not asked).
    """

    client_id: str
    ban: Ban | None = None
    strikes: tuple[Strike, ...] = ()
    version: int = 0
    warning: PendingWarning | None = None
    pace: PaceRecord | None = None
    room: RoomSettings | None = None
    published: int | None = None

    def active_ban(self, now: float) -> Ban | None:
        """The ban in force at ``now`` (epoch seconds), if any."""
        return self.ban if self.ban is not None and self.ban.active(now) else None


@dataclass(frozen=True, slots=True)
class StrikePlan:
    """The writes one strike calls for, decided before anything is written.

    Attributes:
        outcome: what the strike does (count, rung, ban, duplicate).
        strikes: the strikes to store: the window's, newest last, at most
            ``MAX_REMEMBERED_STRIKES``.
        expected_version: the strikes item's version the plan was made from.
        strikes_expire_at: the strikes item's TTL (epoch seconds).
        new_ban: the ban to write, or ``None`` (a warning rung, a duplicate, or
            a ban already in place that must not be replaced).
        warning: the pending warning the strikes item keeps (a new one, or the one
            already pending: the item is written whole).
    """

    outcome: StrikeOutcome
    strikes: tuple[Strike, ...]
    expected_version: int
    strikes_expire_at: int
    new_ban: Ban | None
    warning: PendingWarning | None = None


#: Strikes remembered per sender. The ladder needs no more than its length (the
#: last rung repeats) and dedupe only the latest few, so the item stays small
#: (a few KiB) however many strikes a sender collects.
MAX_REMEMBERED_STRIKES: Final = 50


@dataclass(frozen=True, slots=True)
class Sanction:
    """A ban a rule asks for with a strike (``timeout`` or ``ban``), at least as long as the
    ladder's.

    Attributes:
        rule: the rule's name (it becomes part of the ban reason).
        duration_seconds: how long; ``None`` for a permanent ban.
    """

    rule: str
    duration_seconds: int | None


def plan_strike(
    record: SenderRecord,
    ref: StrikeRef,
    *,
    policy: BanPolicy,
    now_ms: int,
    reason: str,
    sanction: Sanction | None = None,
    warning: PendingWarning | None = None,
) -> StrikePlan:
    """Count one strike against ``record`` and decide the ban its rung calls for.

    Args:
        record: the sender's ban and strikes as read.
        ref: the rejected message.
        policy: ladder, window.
        now_ms: epoch milliseconds.
        reason: why the message was rejected (it becomes part of the ban reason).
        sanction: a rule's timeout or ban: the ban is the longer of the rung's and
            this one.
        warning: a rule's warning, to be acknowledged before the next message.

    Returns:
        The plan. For a duplicate (the same message again), nothing needs writing:
        ``outcome.duplicate`` is True and ``new_ban`` is ``None``.
    """
    start = window_start_ms(now_ms, policy.window_seconds)
    window = [strike for strike in record.strikes if strike.at_ms > start]
    for index, strike in enumerate(window):
        if strike.ref == ref.value and (
            ref.dedupe_seconds is None or now_ms - strike.at_ms < ref.dedupe_seconds * 1000
        ):
            count = index + 1
            return StrikePlan(
                outcome=StrikeOutcome(
                    client_id=record.client_id,
                    message_ref=ref.value,
                    count=count,
                    step=ladder_step(policy, count),
                    ban=record.active_ban(now_ms / 1000),
                    ban_applied=False,
                    duplicate=True,
                ),
                strikes=tuple(window),
                expected_version=record.version,
                strikes_expire_at=now_ms // 1000 + policy.window_seconds,
                new_ban=None,
                warning=record.warning,
            )
    window.append(Strike(ref.value, now_ms))
    count = len(window)
    step = ladder_step(policy, count)
    current = record.active_ban(now_ms / 1000)
    new_ban: Ban | None = None
    created_at = now_ms // 1000
    wanted: Ban | None = None
    if step.bans:
        wanted = Ban(
            client_id=record.client_id,
            reason=auto_ban_reason(step, count, reason),
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if step.duration_seconds is None
            else created_at + step.duration_seconds,
        )
    if sanction is not None:
        ruled = Ban(
            client_id=record.client_id,
            reason=f"rule {sanction.rule}: {reason}",
            source=AUTO_SOURCE,
            created_at=created_at,
            expires_at=None
            if sanction.duration_seconds is None
            else created_at + sanction.duration_seconds,
        )
        if wanted is None or not wanted.outlasts(ruled.expires_at):
            wanted = ruled
    if wanted is not None and replaces(current, wanted):
        new_ban = wanted
    return StrikePlan(
        outcome=StrikeOutcome(
            client_id=record.client_id,
            message_ref=ref.value,
            count=count,
            step=step,
            ban=new_ban or current,
            ban_applied=new_ban is not None,
            duplicate=False,
        ),
        strikes=tuple(window[-MAX_REMEMBERED_STRIKES:]),
        expected_version=record.version,
        strikes_expire_at=now_ms // 1000 + policy.window_seconds,
        new_ban=new_ban,
        warning=warning or record.warning,
    )


def replaces(current: Ban | None, wanted: Ban) -> bool:
    """Whether ``wanted`` may replace the active ban ``current``.

    Nobody shortens an active ban, with one exception: a moderator's ban replaces
    an automatic one whatever their lengths, because a human decision overrides
    the ladder.
    """
    if current is None:
        return True
    if current.automatic and not wanted.automatic:
        return True
    return wanted.outlasts(current.expires_at)


def auto_ban_reason(step: LadderStep, count: int, reason: str) -> str:
    """The reason recorded on a ban the ladder applies, e.g. ``"strike 3 (1h): spam"``."""
    return f"strike {count} ({step.label}): {reason}"


def iso_seconds(epoch_seconds: float) -> str:
    """Epoch seconds as ISO-8601 UTC to the second, e.g. ``2026-11-22T04:00:00Z``."""
    moment = datetime.fromtimestamp(int(epoch_seconds), tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
