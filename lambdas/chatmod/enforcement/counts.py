"""Decision counts per room and hour: what the overview (``GET /moderation/counts``) shows.

A count travels without a write on any message's path:

1. ``decision_log.record`` adds each decision to the invocation's EMF blob, which the
   function logs anyway, under :data:`~chatmod.core.constants.COUNTS_METADATA_KEY`::

       "roomCounts": {"<room>": {"o": {"accepted": 3, "rejected": 1},
                                 "c": {"profanity": 1},
                                 "u": {"mallory": 1}}}

   (``o`` outcomes, ``c`` categories that matched, ``u`` senders of anything but an
   accepted or failed message); a message with neither room nor channel is counted in
   the stage only, under :data:`NO_ROOM`.
2. A CloudWatch Logs subscription filter on the deciding functions' log groups sends
   the blobs carrying that key to the counter function (``handlers.counter``); local
   mode delivers the same events (``chatmod_local.pollers.LogSubscription``).
3. The counter sums a delivery per scope (the stage, and each room) and hour
   (:func:`tally_log_events`), and adds each sum to the counts table with one update.

This module has no AWS dependency: the before-publish function imports it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from chatmod.core.constants import COUNTS_METADATA_KEY

#: The outcomes counted, in the order the API lists them.
OUTCOMES: Final = ("accepted", "masked", "held", "rejected", "failed")
#: A pipeline verdict (``Verdict.value``) → the outcome it counts as: a banned sender's
#: message and one refused for a warning are rejections.
OUTCOME_OF_VERDICT: Final = {
    "accept": "accepted",
    "mask": "masked",
    "hold": "held",
    "reject": "rejected",
    "banned": "rejected",
    "warned": "rejected",
    "failed": "failed",
}
#: Outcomes whose sender counts as an offender.
OFFENDING: Final = frozenset({"masked", "held", "rejected"})
#: The scope of the whole stage; a room's is ``room#<room>``.
STAGE_SCOPE: Final = "stage"
#: Where a message with neither room nor channel is counted (the stage only).
NO_ROOM: Final = ""
#: How long counts are kept (the table's TTL), and the widest range one request reads.
RETENTION_DAYS: Final = 35
MAX_RANGE_HOURS: Final = 7 * 24
#: How many categories and offenders the overview lists.
TOP_N: Final = 10
_HOUR_FORMAT: Final = "%Y-%m-%dT%H"


def room_scope(room: str) -> str:
    """The counts table's scope of ``room``."""
    return f"room#{room}"


def hour_of(epoch_ms: int) -> str:
    """The UTC hour bucket of an instant: ``"2026-12-05T10"``."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime(_HOUR_FORMAT)


def hours_between(start: datetime, end: datetime) -> list[str]:
    """Every hour bucket from ``start``'s hour up to, not including, ``end`` (UTC)."""
    hour = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    buckets = []
    while hour < end:
        buckets.append(hour.strftime(_HOUR_FORMAT))
        hour += timedelta(hours=1)
    return buckets


def hour_iso(bucket: str) -> str:
    """``"2026-12-05T10"`` → ``"2026-12-05T10:00:00Z"`` (the API's form)."""
    return f"{bucket}:00:00Z"


# -- one invocation: the blob's metadata -------------------------------------------------


def add_decision(
    counts: dict[str, Any],
    *,
    room: str | None,
    verdict: str,
    categories: Iterable[str],
    client_id: str | None,
) -> None:
    """Add one decision to ``counts`` (the blob's ``roomCounts`` dictionary), in place."""
    outcome = OUTCOME_OF_VERDICT[verdict]
    per_room = counts.setdefault(room or NO_ROOM, {})
    _bump(per_room.setdefault("o", {}), outcome)
    for category in categories:
        _bump(per_room.setdefault("c", {}), category)
    if client_id and outcome in OFFENDING:
        _bump(per_room.setdefault("u", {}), client_id)


def _bump(counter: dict[str, int], key: str, by: int = 1) -> None:
    counter[key] = counter.get(key, 0) + by


# -- one delivery: the counter's sums ------------------------------------------------------


@dataclass(slots=True)
class HourTally:
    """What one scope saw in one hour (of one delivery, or summed over the store)."""

    outcomes: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    offenders: Counter[str] = field(default_factory=Counter)

    def add(self, other: HourTally) -> None:
        """Add ``other``'s counts to this one."""
        self.outcomes.update(other.outcomes)
        self.categories.update(other.categories)
        self.offenders.update(other.offenders)


@dataclass(slots=True)
class Delivery:
    """A delivery's sums by (scope, hour), and how many log events could not be read."""

    tallies: dict[tuple[str, str], HourTally] = field(default_factory=dict)
    events: int = 0
    unreadable: int = 0

    def tally(self, scope: str, hour: str) -> HourTally:
        """The sums of ``scope`` in ``hour`` (created empty)."""
        return self.tallies.setdefault((scope, hour), HourTally())


def tally_log_events(
    events: Iterable[tuple[int, str]], *, key: str = COUNTS_METADATA_KEY
) -> Delivery:
    """Sum the ``key`` metadata of log events, ``(timestamp ms, message)`` each.

    A message that is not a JSON object with a well-formed ``key`` is counted as
    unreadable and skipped (the rest of the delivery still counts); a malformed entry
    inside one is skipped alone.
    """
    delivery = Delivery()
    for timestamp_ms, message in events:
        delivery.events += 1
        rooms = _rooms_of(message, key)
        if rooms is None:
            delivery.unreadable += 1
            continue
        hour = hour_of(timestamp_ms)
        stage = delivery.tally(STAGE_SCOPE, hour)
        for room, entry in rooms.items():
            tally = _entry_tally(entry)
            if tally is None:
                delivery.unreadable += 1
                continue
            stage.add(tally)
            if isinstance(room, str) and room != NO_ROOM:
                delivery.tally(room_scope(room), hour).add(tally)
    return delivery


def _rooms_of(message: str, key: str) -> Mapping[str, Any] | None:
    try:
        blob = json.loads(message)
    except ValueError:
        return None
    rooms = blob.get(key) if isinstance(blob, dict) else None
    return rooms if isinstance(rooms, dict) else None


def _entry_tally(entry: Any) -> HourTally | None:
    if not isinstance(entry, dict):
        return None
    tally = HourTally()
    for short, counter, allowed in (
        ("o", tally.outcomes, frozenset(OUTCOMES)),
        ("c", tally.categories, None),
        ("u", tally.offenders, None),
    ):
        values = entry.get(short, {})
        if not isinstance(values, dict):
            return None
        for name, count in values.items():
            if not isinstance(name, str) or not name or (allowed and name not in allowed):
                return None
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                return None
            counter[name] += count
    return tally


# -- the overview ---------------------------------------------------------------------------


def overview(
    hours: list[str],
    tallies: Mapping[str, HourTally],
    *,
    room: str | None,
    top: int = TOP_N,
) -> dict[str, Any]:
    """The API's answer: per hour (every hour of the range, zeros included), the totals,
    and the top categories and offenders over the range."""
    totals = HourTally()
    per_hour = []
    for hour in hours:
        tally = tallies.get(hour, HourTally())
        totals.add(tally)
        per_hour.append(
            {"hour": hour_iso(hour), **{name: tally.outcomes[name] for name in OUTCOMES}}
        )
    return {
        "room": room,
        "from": hour_iso(hours[0]) if hours else None,
        "to": _hour_after_iso(hours[-1]) if hours else None,
        "hours": per_hour,
        "totals": {name: totals.outcomes[name] for name in OUTCOMES},
        "topCategories": [
            {"category": name, "count": count} for name, count in _top(totals.categories, top)
        ],
        "topOffenders": [
            {"clientId": name, "count": count} for name, count in _top(totals.offenders, top)
        ],
    }


def _top(counter: Counter[str], n: int) -> list[tuple[str, int]]:
    """The ``n`` largest, ties broken by name (a stable answer for the same counts)."""
    return sorted(counter.items(), key=lambda pair: (-pair[1], pair[0]))[:n]


def _hour_after_iso(bucket: str) -> str:
    start = datetime.strptime(bucket, _HOUR_FORMAT).replace(tzinfo=UTC)
    return (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:00:00Z")
