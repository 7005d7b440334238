"""Behaviour across messages: slow mode, floods, repeats, and words spelled across messages.

Pure decisions, no I/O (``adapters.ban_store`` keeps the state). Only rooms that a
``moderation.crossMessage`` entry covers keep any: for them, what a sender recently
published in the room is one small item (``PaceRecord``: when, a digest of the
normalised text, and — with ``splitWords`` only — the last characters of the text),
read with the sender's ban and strikes in the same ``BatchGetItem`` and written after
each published message; it expires with the longest window. A room's slow mode set by a
moderator at run time is another item (``RoomSettings``), read in the same batch.

Only published messages are recorded: a refused message neither resets slow mode nor
counts towards a flood. A slow-mode refusal is not a strike (the sender only wrote too
soon); a flood or a repeat is, as its action says.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Final

from chatmod.core.policy_runtime import CrossMessagePolicy, ModerationPolicy

#: Characters of each recent message kept for ``splitWords`` (a word spelled across
#: messages is short; the item stays small).
KEPT_CHARACTERS: Final = 32
#: The most messages remembered per sender and room: the item stays within about 2.5 KB
#: (three write units) however fast a sender writes.
MAX_REMEMBERED: Final = 50
_WORDS = re.compile(r"\w+")


def entry_for(policy: ModerationPolicy, room: str | None) -> CrossMessagePolicy | None:
    """The first ``crossMessage`` entry whose room globs match ``room``, if any."""
    if room is None:
        return None
    for entry in policy.cross_message:
        if any(fnmatchcase(room, glob) for glob in entry.rooms):
            return entry
    return None


def pace_key(room: str, client_id: str) -> str:
    """The state item's key: in the strikes table, under chatmod's own reserved prefix.

    No user has a ``chatmod:`` client id (``client_ids.is_reserved``), so the key never
    meets a sender's strikes item; the room's length keeps ``room`` and ``client_id``
    apart whatever they contain.
    """
    return f"chatmod:pace:{len(room)}:{room}:{client_id}"


def trust_key(client_id: str) -> str:
    """The key of the sender's count of published messages (links from new senders)."""
    return f"chatmod:trust:{client_id}"


def room_key(room: str) -> str:
    """The key of a room's settings (its slow mode set at run time)."""
    return f"chatmod:room:{room}"


def digest(text: str) -> str:
    """What makes two messages "the same text": their words, case folded, nothing else."""
    words = " ".join(_WORDS.findall(text.casefold()))
    return hashlib.sha256(words.encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Sent:
    """One published message: when (epoch ms), its digest, and its tail (``splitWords``)."""

    at_ms: int
    digest: str
    tail: str = ""


@dataclass(frozen=True, slots=True)
class PaceRecord:
    """What a sender recently published in a room, oldest first; ``version`` guards writes."""

    sent: tuple[Sent, ...] = ()
    version: int = 0


@dataclass(frozen=True, slots=True)
class RoomSettings:
    """A room's slow mode as a moderator set it: seconds (0: off), by whom, when (epoch ms)."""

    slow_mode_seconds: int
    set_by: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class PaceStop:
    """Why a message is refused before any provider is asked.

    Attributes:
        reason: ``slow_mode``, ``flood`` or ``repeated``.
        action: ``reject``, ``timeout`` (with ``duration_seconds``) or ``mask``.
        strike: whether it counts on the ladder (not for slow mode).
        retry_after_seconds: when the sender may write again (slow mode).
    """

    reason: str
    action: str
    strike: bool
    duration_seconds: int | None = None
    retry_after_seconds: int | None = None


def slow_mode_seconds(entry: CrossMessagePolicy, room: RoomSettings | None) -> int:
    """The room's slow mode: a moderator's setting, else the policy's (0: off)."""
    if room is not None:
        return room.slow_mode_seconds
    return entry.slow_mode_seconds or 0


def judge(
    entry: CrossMessagePolicy,
    room: RoomSettings | None,
    record: PaceRecord,
    text_digest: str,
    now_ms: int,
) -> PaceStop | None:
    """Slow mode, then floods, then repeats: the first limit the new message breaks."""
    slow = slow_mode_seconds(entry, room)
    if slow and record.sent:
        waited_ms = now_ms - record.sent[-1].at_ms
        if waited_ms < slow * 1000:
            wait = -(-(slow * 1000 - waited_ms) // 1000)  # whole seconds, rounded up
            return PaceStop("slow_mode", "reject", strike=False, retry_after_seconds=wait)
    floods = entry.floods
    if floods is not None:
        recent = _since(record.sent, now_ms - floods.window_seconds * 1000)
        if len(recent) >= floods.max:
            return PaceStop(
                "flood", floods.action, strike=True, duration_seconds=floods.duration_seconds
            )
    repeats = entry.repeats
    if repeats is not None:
        recent = _since(record.sent, now_ms - repeats.window_seconds * 1000)
        if sum(1 for sent in recent if sent.digest == text_digest) >= repeats.max:
            return PaceStop(
                "repeated", repeats.action, strike=True, duration_seconds=repeats.duration_seconds
            )
    return None


def split_prefix(entry: CrossMessagePolicy, record: PaceRecord, now_ms: int) -> str:
    """The recent messages' tails that a new message may complete a word with, joined."""
    split = entry.split_words
    if split is None:
        return ""
    recent = _since(record.sent, now_ms - split.window_seconds * 1000)
    return "".join(sent.tail for sent in recent[-split.messages :])


@dataclass(frozen=True, slots=True)
class PacePlan:
    """The state to write after a published message: the messages to remember, its TTL."""

    sent: tuple[Sent, ...]
    expected_version: int
    expires_at: int


def plan_sent(
    entry: CrossMessagePolicy,
    record: PaceRecord,
    text: str,
    now_ms: int,
    *,
    room: RoomSettings | None = None,
) -> PacePlan:
    """Remember ``text`` as published now, forgetting what no limit can still count.

    Every message inside the longest window is kept (a repeat may be far back in it), at
    most ``MAX_REMEMBERED``; without repeats, only as many as a flood or split words read.
    """
    horizon_s = horizon_seconds(entry, room)
    keep = MAX_REMEMBERED
    if entry.repeats is None:
        keep = max(
            (entry.floods.max if entry.floods else 0),
            (entry.split_words.messages if entry.split_words else 0),
            1,
        )
    tail = text[-KEPT_CHARACTERS:] if entry.split_words is not None else ""
    sent = (*_since(record.sent, now_ms - horizon_s * 1000), Sent(now_ms, digest(text), tail))
    return PacePlan(
        sent=sent[-min(keep, MAX_REMEMBERED) :],
        expected_version=record.version,
        expires_at=now_ms // 1000 + horizon_s,
    )


def horizon_seconds(entry: CrossMessagePolicy, room: RoomSettings | None = None) -> int:
    """How long a published message can still matter to any limit of ``entry``."""
    return max(
        (entry.floods.window_seconds if entry.floods else 0),
        (entry.repeats.window_seconds if entry.repeats else 0),
        (entry.split_words.window_seconds if entry.split_words else 0),
        slow_mode_seconds(entry, room),
        120,  # a moderator may turn slow mode on (up to 120 s) at any moment
    )


def _since(sent: Sequence[Sent], start_ms: int) -> tuple[Sent, ...]:
    return tuple(s for s in sent if s.at_ms > start_ms)
